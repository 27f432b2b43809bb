export * from './packed-tick.js';
export * from './recording.js';
export * from './replay.js';
export * from './slice.js';

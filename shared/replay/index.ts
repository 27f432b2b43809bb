export * from './recording.js';
export * from './replay.js';

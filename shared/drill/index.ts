export * from './schema.js';
export * from './run.js';
export * from './plain.js';

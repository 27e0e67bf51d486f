// Shape and indexing ops: slicing, joining, splitting, gathering, scattering, padding, lookups.
export * from './common.js';
export * from './slice.js';
export * from './pad.js';
export * from './cat.js';
export * from './split.js';
export * from './squeeze.js';
export * from './gather.js';
export * from './index-select.js';
export * from './embedding.js';
export * from './one-hot.js';
export * from './repeat.js';
export * from './indexer.js';

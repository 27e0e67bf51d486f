// Shape and indexing ops: slicing, joining, splitting, gathering, scattering, padding, lookups.
// Helpers shared by these files (common.ts, sliceRaw, padDim...) stay internal.
export { SLICE, slice, narrow, select, flip, type SliceAttrs } from './slice.js';
export { PAD, pad, type PadAttrs, type PadMode } from './pad.js';
export { CAT, cat, stack } from './cat.js';
export { split, chunk, unbind } from './split.js';
export { flatten, squeeze, unsqueeze } from './squeeze.js';
export { GATHER, GATHER_BACKWARD, SCATTER, SCATTER_ADD, gather, scatter, scatterAdd } from './gather.js';
export { INDEX_SELECT, INDEX_SELECT_BACKWARD, INDEX_ADD, indexSelect, indexAdd } from './index-select.js';
export { EMBEDDING, embedding } from './embedding.js';
export { ONE_HOT, oneHot } from './one-hot.js';
export { repeat, tile } from './repeat.js';
export { index, type IndexItem, type SliceSpec } from './indexer.js';
export { TRIU, TRIL, triu, tril, type TriluAttrs } from './trilu.js';

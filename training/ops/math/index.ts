// Math ops: reductions, softmax, activations, clamp, cumsum, topk. Each file defines its ops once.
export type { Dims } from './common.js';
export * from './mean.js';
export * from './extreme.js';
export * from './prod.js';
export * from './moments.js';
export * from './logsumexp.js';
export * from './softmax.js';
export * from './activation.js';
export * from './activation-more.js';
export * from './clamp.js';
export * from './cumsum.js';
export * from './topk.js';

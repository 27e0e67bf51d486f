// Every op file, imported for its registration (Tensor methods are installed by ../tensor-methods.ts). New op files are added here.
// Helpers the op files share (reduction attrs, shape resolution) stay internal.
export * from './registry.js';
export * from './sum-to.js';
export * from './expand.js';
export * from './binary.js';
export * from './unary.js';
export * from './where.js';
export { RESHAPE, reshape } from './reshape.js';
export * from './permute.js';
export { SUM, sum, type ReduceAttrs } from './sum.js';
export * from './matmul.js';
export * from './einsum.js';
export * from './cast.js';
export * from './assign.js';
export * from './math/index.js';
export * from './shape/index.js';
export * from './nn/index.js';

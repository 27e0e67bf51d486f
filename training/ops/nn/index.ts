// Neural-network ops (NCHW / NCL, PyTorch semantics): linear, convolutions, pooling, normalization, dropout.
export type { Size2, ConvPadding } from './args.js';
export * from './linear.js';
export * from './conv.js';
export * from './pool.js';
export * from './adaptive-pool.js';
export * from './batch-norm.js';
export * from './layer-norm.js';
export * from './group-norm.js';
export * from './similarity.js';
export * from './dropout.js';

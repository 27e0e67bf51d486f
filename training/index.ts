/**
 * tglite's training API: PyTorch-style eager tensors and autograd.
 * @example
 * import * as tg from 'tglite';
 * const a = tg.tensor(2, { requiresGrad: true });
 * a.mul(a).backward(); // a.grad = 4
 */
export { Tensor } from './tensor.js';
export type { TensorData, TensorLike, TensorOptions, NestedArray } from './tensor.js';
export type { DType, Storage } from './dtype.js';
export type { Shape } from './shape.js';
export * from './errors.js';
export { tensor, zeros, ones, full, zerosLike, onesLike, fullLike, arange, linspace, eye, rand, randn, randint } from './creation.js';
export { manualSeed } from './random.js';
export { noGrad, setGradEnabled, isGradEnabled, grad } from './autograd.js';
export type { GradOptions } from './autograd.js';
export * from './ops/index.js';
export * from './jit/index.js';
export * as onnx from './onnx/index.js';
export * as nn from './nn/index.js';
export * as optim from './optim/index.js';
export * as data from './data/index.js';
export { save, load, saveBytes, loadBytes, type StateDict } from './checkpoint.js';

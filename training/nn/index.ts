/**
 * tg.nn: modules, initializers and the functional API.
 * @example const model = new tg.nn.Sequential(new tg.nn.Linear(784, 128), new tg.nn.ReLU(), new tg.nn.Linear(128, 10));
 */
export * from './module.js';
export * from './linear.js';
export * from './containers.js';
export * from './activation.js';
export * from './activation-more.js';
export * as init from './init.js';
export * from './conv.js';
export * from './norm.js';
export * from './group-norm.js';
export * from './dropout.js';
export * from './embedding.js';
export * from './flatten.js';
export * from './pooling.js';
export * from './rnn.js';
export * from './attention.js';
export * from './loss-modules.js';
export { CosineSimilarity, KLDivLoss, type KLDivOptions, type KLDivReduction } from './similarity.js';
export type { Reduction, ClassLossOptions, CrossEntropyOptions, BCEOptions } from './loss.js';
export * as functional from './functional.js';

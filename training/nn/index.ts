/**
 * tg.nn: modules, initializers and the functional API.
 * @example const model = new tg.nn.Sequential(new tg.nn.Linear(784, 128), new tg.nn.ReLU(), new tg.nn.Linear(128, 10));
 */
export * from './module.js';
export * from './linear.js';
export * from './containers.js';
export * from './activation.js';
export * as init from './init.js';

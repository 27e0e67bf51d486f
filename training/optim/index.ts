/**
 * tg.optim: optimizers and learning-rate schedulers matching torch.optim.
 * @example
 * const opt = new tg.optim.Adam(model.parameters(), { lr: 1e-3 });
 * opt.zeroGrad(); loss.backward(); opt.step();
 */
export * from './optimizer.js';
export * from './sgd.js';
export * from './adam.js';
export * from './rmsprop.js';
export * from './clip.js';
export * from './scheduler.js';

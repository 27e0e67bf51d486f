export * from './dataset.js';
export * from './dataloader.js';

/** The control-flow ops, one chunk that `loadOps` (ops/resolver.ts) imports for the models that contain one. */
export { IF } from './if.js';
export { WHILE } from './while.js';

/**
 * The converter's passes, one file each, in the order `convert` runs them:
 * freeze -> cleanup (the IR's simplify, fold, CSE, DCE) -> shape check ->
 * fold batch norm -> fold pad -> remove no-ops -> fuse GELU -> fuse bias/activation ->
 * layout assignment (then lowering).
 */
export { freeze } from './freeze.js';
export { foldBatchNorm } from './fold-batch-norm.js';
export { foldPad } from './fold-pad.js';
export { removeNoops } from './remove-noops.js';
export { fuseBiasActivation } from './fuse-activation.js';
export { fuseGelu } from './fuse-gelu.js';
export { inferShapes } from './shapes.js';
export { assignLayouts, formatLayouts, type Layouts, type LayoutOptions } from './layout.js';
export { cse, dce, fold, simplify, cleanup } from '../../training/graph/passes/index.js';

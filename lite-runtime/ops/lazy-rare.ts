/** The control-flow and rarely used data-movement ops, one chunk that `loadOps` (ops/resolver.ts) imports for the models that contain one. */
export { IF } from './if.js';
export { WHILE } from './while.js';
export { SPACE_TO_DEPTH } from './space_to_depth.js';
export { DEPTH_TO_SPACE } from './depth_to_space.js';
export { SPACE_TO_BATCH_ND } from './space_to_batch_nd.js';
export { BATCH_TO_SPACE_ND } from './batch_to_space_nd.js';
export { MIRROR_PAD } from './mirror_pad.js';
export { GATHER_ND } from './gather_nd.js';
export { REVERSE_V2 } from './reverse_v2.js';
export { CUMSUM } from './cumsum.js';

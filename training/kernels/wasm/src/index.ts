// Entry of the training-only WebAssembly module (AssemblyScript), built by
// scripts/build-training-wasm.mjs. Never part of the lite runtime's module.
export { adam } from './adam';
export { relu, reluGrad } from './relu';
export { gemm, packB, packRows, packRowsT, widen, compact, col2im, kBlock } from './conv';
export { maxPool2x2, maxPool2x2Backward } from './pool';
export { padPlanes, winoGemm, winoGemmNT, gemmNTRows, allFinite } from './winograd-gemm';
export { winoWeights, winoInput, winoOutput, winoGradTiles, winoWeightGrad } from './winograd';

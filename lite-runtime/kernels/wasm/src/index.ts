// Entry of the kernels' WebAssembly module (AssemblyScript). Built by
// scripts/build-wasm.mjs into a SIMD128 build and a relaxed-SIMD (FMA) build.
export { KB, packedSize, packB, gemm, gemmRows } from './gemm';
export { qgemm, padRows, rowSums, packPairs } from './qgemm';
export { dwSetGeometry, dwF32, im2col, maxPool } from './depthwise';
export { rqSet, qgemmRq, qgemmBc, dwI8Rq, dwPack } from './qfused';
export { qaddI8, qmulI8 } from './qelementwise';
export { binF32, softmaxF32 } from './elementwise';

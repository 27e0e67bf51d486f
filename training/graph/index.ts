/** The graph IR and its passes, shared by tg.jit, the ONNX exporter and the converter. */
export * from './ir.js';
export * from './passes/index.js';

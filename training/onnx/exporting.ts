/*
 * Whether tg.onnx.export is tracing. Layers that have one ONNX node of their
 * own (the recurrent layers: ONNX LSTM/GRU/RNN) trace as that one op while
 * exporting, and as their parts otherwise (eager, tg.jit, gradients).
 */
let depth = 0;

/** True while tg.onnx.export traces a function. */
export function isExporting(): boolean {
  return depth > 0;
}

/** Runs `fn` with isExporting() true. */
export function whileExporting<T>(fn: () => T): T {
  depth++;
  try {
    return fn();
  } finally {
    depth--;
  }
}

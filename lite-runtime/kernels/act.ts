/** Fused activation of `matmulPacked` and `depthwiseNHWC`. */
export type Activation = 'relu' | 'relu6' | null;

/** 0 none, 1 relu, 2 relu6; -1 for anything else. */
export function actCode(act: Activation | undefined): number {
  return act === null || act === undefined ? 0 : act === 'relu' ? 1 : act === 'relu6' ? 2 : -1;
}

/** relu (code 1) or relu6 (code 2) in place; NaN stays NaN (as in PyTorch and TFLite). */
export function applyActJs(c: Float32Array, code: number): void {
  if (!code) return;
  const hi = code === 2 ? 6 : Infinity;
  for (let i = 0; i < c.length; i++) {
    const v = c[i];
    c[i] = v < 0 ? 0 : v > hi ? hi : v;
  }
}

/** relu in place, branch-free for finite values (see SCALAR_OPS.relu); NaN passes, -Infinity becomes 0. */
export function reluInPlace(y: Float32Array): void {
  for (let i = 0; i < y.length; i++) {
    const v = y[i];
    y[i] = v > -Infinity || v !== v ? (v + Math.abs(v)) * 0.5 : 0;
  }
}

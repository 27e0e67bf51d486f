/** permuteData (the lowerings' weight and constant layout copies) against the definition, element by element. */
import { describe, expect, it } from 'vitest';
import { permuteData, permuted } from '../../training/ops/convert/perm.js';

/** out[physical index] = data[logical index], with physical dim k holding logical dim perm[k]. */
function reference(data: Float32Array, shape: number[], perm: number[]): Float32Array {
  const pshape = permuted(shape, perm);
  const out = new Float32Array(data.length);
  const strides = shape.map((_, d) => shape.slice(d + 1).reduce((a, b) => a * b, 1));
  for (let o = 0; o < out.length; o++) {
    let rest = o, src = 0;
    for (let k = pshape.length - 1; k >= 0; k--) { src += (rest % pshape[k]) * strides[perm[k]]; rest = Math.floor(rest / pshape[k]); }
    out[o] = data[src];
  }
  return out;
}

describe('permuteData', () => {
  const cases: [number[], number[]][] = [
    [[2, 3, 4, 5], [0, 2, 3, 1]], [[6, 3, 3, 8], [1, 2, 3, 0]], [[7, 5], [1, 0]], [[3, 1, 4], [2, 0, 1]],
    [[2, 3, 4, 5], [0, 1, 2, 3]], [[1, 2, 1, 3, 2], [4, 3, 2, 1, 0]], [[5], [0]], [[2, 0, 3], [2, 1, 0]],
  ];
  for (const [shape, perm] of cases) {
    it(`[${shape}] in layout [${perm}]`, () => {
      const n = shape.reduce((a, b) => a * b, 1);
      const data = Float32Array.from({ length: n }, (_, i) => i * 1.5 - 7);
      const got = permuteData(data, shape, perm, (k) => new Float32Array(k));
      expect(Array.from(got)).toEqual(Array.from(reference(data, shape, perm)));
    });
  }
});

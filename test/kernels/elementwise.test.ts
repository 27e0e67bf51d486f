import { describe, it, expect } from 'vitest';
import { binF32Plan, binaryF32, softmaxF32 } from '../../lite-runtime/kernels/elementwise.js';
import { activeWasm } from '../../lite-runtime/kernels/backend.js';
import { randF32 } from './ref.js';

const count = (s: number[]): number => s.reduce((a, b) => a * b, 1);

/** a op b with NumPy broadcasting, in float32, clamped. */
function naive(op: number, a: Float32Array, as: number[], b: Float32Array, bs: number[], out: number[], lo: number, hi: number): Float32Array {
  const y = new Float32Array(count(out)), r = out.length;
  const idx = (s: number[], i: number): number => {
    let k = 0, st = 1;
    for (let d = r - 1, rem = i; d >= 0; d--) {
      const dim = s[s.length - r + d] ?? 1, pos = rem % out[d]!;
      rem = Math.floor(rem / out[d]!);
      if (dim !== 1) k += pos * st;
      st *= dim;
    }
    return k;
  };
  for (let i = 0; i < y.length; i++) {
    const x = a[idx(as, i)]!, z = b[idx(bs, i)]!;
    const v = Math.fround(op === 0 ? x + z : op === 1 ? x - z : x * z);
    y[i] = v < lo ? lo : v > hi ? hi : v;
  }
  return y;
}

describe('float32 elementwise kernels', () => {
  it('plans the broadcasts the kernel walks', () => {
    expect(binF32Plan([128, 256], [128, 1], [128, 256])).toEqual({ swap: false, rows: 128, len: 256, bRow: 1, bStep: 0 });
    expect(binF32Plan([256], [2, 3, 256], [2, 3, 256])).toEqual({ swap: true, rows: 6, len: 256, bRow: 0, bStep: 1 });
    expect(binF32Plan([1], [5, 8], [5, 8])).toEqual({ swap: true, rows: 1, len: 40, bRow: 0, bStep: 0 });
    expect(binF32Plan([4, 5], [4, 5], [4, 5])).toEqual({ swap: false, rows: 1, len: 20, bRow: 0, bStep: 1 });
    expect(binF32Plan([2, 3, 8], [1, 3, 1], [2, 3, 8])).toBeNull();
    expect(binF32Plan([2, 1], [1, 4], [2, 4])).toBeNull();
    expect(binF32Plan([3, 5], [3, 1], [3, 5])).toBeNull(); // rows not a multiple of 4 floats: the JS loop
  });

  it('ADD/SUB/MUL equal a float32 reference for every broadcast and both operand orders', () => {
    expect(activeWasm()).not.toBeNull();
    const cases: [number[], number[]][] = [
      [[3, 5, 4], [3, 5, 4]], [[3, 5, 4], [1]], [[3, 5, 4], [4]], [[3, 5, 4], [5, 4]], [[3, 5, 4], [3, 5, 1]], [[3, 4, 4], [3, 1, 1]],
      [[1], [2, 12]], [[12], [2, 12]], [[2, 1], [2, 12]],
    ];
    let seed = 1;
    for (const [as, bs] of cases) {
      const out = count(as) >= count(bs) ? as : bs;
      for (const op of [0, 1, 3] as const) {
        for (const [lo, hi] of [[-Infinity, Infinity], [0, 6]]) {
          const a = randF32(count(as), seed++).map((v) => v * 8), b = randF32(count(bs), seed++).map((v) => v * 8);
          if (a.length > 3) { a[1] = NaN; a[2] = -0; }
          const y = new Float32Array(count(out));
          expect(binaryF32(op, a, b, y, binF32Plan(as, bs, out)!, lo!, hi!)).toBe(true);
          expect(Array.from(y), `${op} ${as} ${bs} [${lo}, ${hi}]`).toEqual(Array.from(naive(op, a, as, b, bs, out, lo!, hi!)));
        }
      }
    }
    // in place (y is a) in wasm memory, as the arena runs it
    const k = activeWasm()!, at = k.heap.alloc(64 * 4), a = k.f32(at, 64), b = randF32(64, 99);
    a.set(randF32(64, 98));
    const want = naive(3, a, [64], b, [64], [64], -Infinity, Infinity);
    expect(binaryF32(3, a, b, a, binF32Plan([64], [64], [64])!, -Infinity, Infinity)).toBe(true);
    expect(Array.from(k.f32(at, 64))).toEqual(Array.from(want));
    k.heap.release(at, 64 * 4);
  });

  it('softmax rows are within float32 rounding of float64; NaN for a NaN or all -Infinity row', () => {
    for (const [rows, len, beta] of [[1, 4, 1], [3, 8, 1], [5, 20, 0.5], [2, 132, 2], [4, 1000, 1]] as const) {
      const x = randF32(rows * len, rows + len).map((v) => v * 30);
      if (len > 3) { x[1] = -Infinity; x[2] = -200; }
      const y = new Float32Array(rows * len);
      expect(softmaxF32(x, y, rows, len, beta)).toBe(true);
      for (let r = 0; r < rows; r++) {
        const row = Array.from(x.subarray(r * len, (r + 1) * len)), m = Math.max(...row);
        const e = row.map((v) => Math.exp(beta * (v - m))), s = e.reduce((p, q) => p + q, 0);
        // exp's own error, and beta (x - max) rounded to float32 (relative error ~ its size * 2^-23)
        e.forEach((v, i) => expect(Math.abs(y[r * len + i]! - v / s)).toBeLessThanOrEqual(v && (4e-7 + 2.4e-7 * Math.abs(Math.log(v))) * (v / s) + 1e-30));
      }
    }
    const x = Float32Array.of(1, NaN, 2, 3, -Infinity, -Infinity, -Infinity, -Infinity, 0.5, 0.25, 0.125, 0), y = new Float32Array(12);
    expect(softmaxF32(x, y, 3, 4, 1)).toBe(true);
    expect(Array.from(y.subarray(0, 8)).every(Number.isNaN)).toBe(true);
    expect(y[8]! + y[9]! + y[10]! + y[11]!).toBeCloseTo(1, 6);
    expect(softmaxF32(x, y, 4, 3, 1)).toBe(false); // rows of 3: the caller's loop
  });
});

/**
 * packI8 holds int8 weights in the layout the kernel reads: 'rows' (dot-product kernels),
 * 'pairs' (the broadcast kernel, int8 widened in registers) or 'both'. Every layout gives
 * the same products through every entry point (fused, plain, JS fallbacks), and a single
 * layout holds the weights about once; a model's packed weights stay under 1.5x the file's.
 */
import { describe, expect, it } from 'vitest';
import {
  freeFused, freePacked, i8LayoutFor, packI8, packRequantI8, qmatmulI8, qmatmulI8Packed, qmatmulI8PackedRequant,
  type I8Layout, type PackedI8,
} from '../../lite-runtime/kernels/index.js';
import { Packed } from '../../lite-runtime/kernels/packed.js';
import { loadModel } from '../../lite-runtime/index.js';
import { mobilenetV2Int8 } from '../../scripts/mobilenet-int8.js';
import { randI8 } from './ref.js';

const LAYOUTS: I8Layout[] = ['rows', 'pairs', 'both'];
const bytesOf = (p: PackedI8): number => (p as Packed<Int8Array>).bytes;

describe('packI8 layouts', () => {
  for (const [m, k, n] of [[1, 300, 37], [3, 64, 9], [10, 256, 130], [7, 5, 17]] as const) {
    it(`m=${m} k=${k} n=${n}: every layout gives the same products`, () => {
      const a = randI8(m * k, 1), b = randI8(n * k, 2);
      const want = new Int32Array(m * n);
      qmatmulI8(a, -3, b, want, m, k, n);
      const rq = { bias: null, scale: new Float32Array(n).fill(Math.fround(1 / 512)), zeroPoint: 2, lo: -128, hi: 127 };
      const ref = new Int8Array(m * n);
      const fRows = packI8(b, n, k, 'rows'), fr = packRequantI8(rq, n)!;
      expect(qmatmulI8PackedRequant(a, -3, fRows, fr, ref, m)).toBe(true);
      for (const layout of LAYOUTS) {
        const p = packI8(b, n, k, layout);
        const acc = new Int32Array(m * n);
        qmatmulI8Packed(a, -3, p, acc, m); // 'pairs' has no rows: the plain product reads the pairs in JS
        expect(Array.from(acc), layout).toEqual(Array.from(want));
        const y = new Int8Array(m * n);
        expect(qmatmulI8PackedRequant(a, -3, p, fr, y, m)).toBe(true);
        expect(Array.from(y), layout).toEqual(Array.from(ref));
        freePacked(p);
      }
      freePacked(fRows);
      freeFused(fr);
    });
  }

  it('one layout holds the weights about once, both about twice', () => {
    const n = 64, k = 512, b = randI8(n * k, 3);
    const sizes = Object.fromEntries(LAYOUTS.map((l) => { const p = packI8(b, n, k, l); const s = bytesOf(p); freePacked(p); return [l, s]; }));
    expect(sizes.rows! / (n * k)).toBeLessThan(1.05);
    expect(sizes.pairs! / (n * k)).toBeLessThan(1.05);
    expect(sizes.both! / (n * k)).toBeLessThan(2.1);
  });

  it('i8LayoutFor: pairs for the fused kernel on blocks of rows or short k, rows otherwise', () => {
    expect(i8LayoutFor(112, 288, true)).toBe('pairs');
    expect(i8LayoutFor(1, 32, true)).toBe('pairs');
    expect(i8LayoutFor(1, 1280, true)).toBe('rows');
    expect(i8LayoutFor(112, 288, false)).toBe('rows');
  });
});

describe('model.memory', () => {
  it('a MobileNetV2 int8 holds its weights packed under 1.5x the file\'s', async () => {
    const m = await loadModel(await mobilenetV2Int8({ alpha: 0.35, size: 64, head: 256, classes: 100 }));
    try {
      const { packedBytes, constBytes } = m.memory;
      expect(packedBytes).toBeGreaterThan(0.5 * constBytes);
      expect(packedBytes).toBeLessThanOrEqual(1.5 * constBytes);
    } finally {
      m.dispose();
    }
  });
});

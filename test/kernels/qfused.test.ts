import { afterEach, describe, expect, it } from 'vitest';
import {
  convNHWCI8Requant, convOutputSize, depthwiseNHWCI8Requant, freeFused, im2colNHWC, kernelMemory, packDepthwiseI8, packI8, packRequantI8,
  qmatmulI8PackedRequant, setKernelBackend, KernelArgumentError, type ConvGeometry, type RequantI8,
} from '../../lite-runtime/kernels/index.js';
import { randI8, rng } from './ref.js';

const MAGIC = 6755399441055744;

/** TFLite's fp32 requantization of one accumulator (the lite ops' arithmetic). */
function requant(acc: number, c: number, rq: RequantI8): number {
  const s = rq.scale.length === 1 ? rq.scale[0]! : rq.scale[c]!;
  let v = Math.fround(Math.fround(acc + (rq.bias ? rq.bias[c]! : 0)) * s);
  const lo = rq.lo - rq.zeroPoint, hi = rq.hi - rq.zeroPoint;
  v = v < lo ? lo : v > hi ? hi : v;
  return v + MAGIC - MAGIC + rq.zeroPoint;
}

function randRequant(n: number, seed: number, perChannel: boolean, withBias: boolean, act = false): RequantI8 {
  const r = rng(seed);
  const scale = new Float32Array(perChannel ? n : 1).map(() => Math.fround(0.0005 + 0.01 * Math.abs(r())));
  const bias = withBias ? new Int32Array(n).map(() => Math.round(r() * 3000)) : null;
  const zeroPoint = Math.round(r() * 20);
  return { scale, bias, zeroPoint, lo: act ? zeroPoint : -128, hi: act ? Math.min(127, zeroPoint + 90) : 127 };
}

/**
 * Int8 arrays placed in the kernels' memory (as an interpreter arena would be). All are
 * allocated before any view is taken: an allocation may grow the memory, which detaches views.
 */
function residents(...srcs: Int8Array[]): { a: Int8Array[]; free: () => void } {
  const mem = kernelMemory()!;
  const offs = srcs.map((s) => mem.alloc(s.length));
  const a = srcs.map((s, i) => new Int8Array(mem.buffer, offs[i], s.length));
  a.forEach((v, i) => v.set(srcs[i]!));
  return { a, free: () => offs.forEach((o, i) => mem.release(o, srcs[i]!.length)) };
}

afterEach(() => setKernelBackend('wasm'));

describe('qmatmulI8PackedRequant (wasm)', () => {
  const cases: [number, number, number][] = [[1, 8, 4], [5, 13, 7], [7, 64, 32], [4, 3, 1], [10, 256, 130], [3, 1, 9], [1, 300, 5], [2, 72, 17], [9, 200, 8]];
  for (const [m, k, n] of cases) {
    for (const perChannel of [true, false]) {
      it(`m=${m} k=${k} n=${n} ${perChannel ? 'per-channel' : 'per-tensor'}: exact, in place and copied`, () => {
        setKernelBackend('wasm');
        const a = randI8(m * k, m * 31 + k), w = randI8(n * k, n * 17 + k), aZero = -7;
        const rq = randRequant(n, m + n + k, perChannel, perChannel, !perChannel);
        const want = new Int8Array(m * n);
        for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) {
          let s = 0;
          for (let p = 0; p < k; p++) s += (a[i * k + p]! - aZero) * w[j * k + p]!;
          want[i * n + j] = requant(s, j, rq);
        }
        const pw = packI8(w, n, k), prq = packRequantI8(rq, n)!;
        const y = new Int8Array(m * n);
        expect(qmatmulI8PackedRequant(a, aZero, pw, prq, y, m)).toBe(true);
        expect(y).toEqual(want);
        const r = residents(a, new Int8Array(m * n));
        expect(qmatmulI8PackedRequant(r.a[0]!, aZero, pw, prq, r.a[1]!, m)).toBe(true);
        expect(Int8Array.from(r.a[1]!)).toEqual(want);
        r.free(); freeFused(prq);
      });
    }
  }

  it('writes a column block of a wider output (yOffset, yStride) and leaves the rest', () => {
    const m = 4, k = 12, n = 5, ld = 11, off = 3;
    const a = randI8(m * k, 1), w = randI8(n * k, 2), rq = randRequant(n + 2, 3, true, true);
    const y = new Int8Array(m * ld).fill(99);
    const prq = packRequantI8(rq, n, 2)!;
    expect(qmatmulI8PackedRequant(a, 0, packI8(w, n, k), prq, y, m, { yOffset: off, yStride: ld })).toBe(true);
    for (let i = 0; i < m; i++) for (let j = 0; j < ld; j++) {
      const jj = j - off;
      if (jj < 0 || jj >= n) { expect(y[i * ld + j]).toBe(99); continue; }
      let s = 0;
      for (let p = 0; p < k; p++) s += a[i * k + p]! * w[jj * k + p]!;
      expect(y[i * ld + j]).toBe(requant(s, jj + 2, rq));
    }
  });

  it('declines under the js backend and rejects bad shapes', () => {
    const w = packI8(randI8(8, 1), 2, 4), rq = packRequantI8(randRequant(2, 1, true, true), 2)!;
    expect(() => qmatmulI8PackedRequant(new Int8Array(3), 0, w, rq, new Int8Array(2), 1)).toThrow(KernelArgumentError);
    expect(() => qmatmulI8PackedRequant(new Int8Array(4), 0, w, rq, new Int8Array(1), 1)).toThrow(KernelArgumentError);
    setKernelBackend('js');
    expect(packRequantI8(randRequant(2, 1, true, true), 2)).toBeNull();
    expect(qmatmulI8PackedRequant(new Int8Array(4), 0, w, rq, new Int8Array(2), 1)).toBe(false);
  });
});

const DW: [ConvGeometry, number][] = [
  [{ c: 8, h: 9, w: 9, kh: 3, kw: 3, strideH: 2, strideW: 2, padTop: 0, padLeft: 0, padBottom: 1, padRight: 1 }, 8],
  [{ c: 16, h: 6, w: 6, kh: 3, kw: 3, padTop: 1, padLeft: 1, padBottom: 1, padRight: 1 }, 16],
  [{ c: 37, h: 5, w: 7, kh: 3, kw: 2, strideH: 2, strideW: 3, padTop: 1, padLeft: 2, padBottom: 1, padRight: 0 }, 37],
  [{ c: 3, h: 10, w: 11, kh: 3, kw: 3, dilationH: 2, dilationW: 3, padTop: 2, padLeft: 1, padBottom: 1, padRight: 3 }, 3],
  [{ c: 1, h: 49, w: 40, kh: 10, kw: 8, strideH: 2, strideW: 2, padTop: 4, padLeft: 3, padBottom: 5, padRight: 3 }, 8],
  [{ c: 1, h: 7, w: 6, kh: 3, kw: 3, padTop: 1, padLeft: 1, padBottom: 1, padRight: 1 }, 21],
  [{ c: 1, h: 3, w: 3, kh: 3, kw: 3 }, 1],
  // no interior window at all
  [{ c: 16, h: 2, w: 2, kh: 3, kw: 3, padTop: 1, padLeft: 1, padBottom: 1, padRight: 1, strideH: 2, strideW: 2 }, 16],
  [{ c: 8, h: 4, w: 9, kh: 5, kw: 5, padTop: 2, padLeft: 2, padBottom: 2, padRight: 2 }, 8],
  // more taps than the paired interior path holds (the tap-by-tap path)
  [{ c: 24, h: 19, w: 18, kh: 17, kw: 16, padTop: 2, padLeft: 1, padBottom: 0, padRight: 1 }, 24],
];

describe('convNHWCI8Requant (wasm)', () => {
  const cases: [string, ConvGeometry, number][] = [
    ['3x3/2 c=3, padded (the first layer of a CNN)', { c: 3, h: 9, w: 11, kh: 3, kw: 3, strideH: 2, strideW: 2, padTop: 0, padLeft: 1, padBottom: 1, padRight: 1 }, 32],
    ['3x3/1 c=20, padded', { c: 20, h: 6, w: 5, kh: 3, kw: 3, padTop: 1, padLeft: 1, padBottom: 1, padRight: 1 }, 13],
    ['7x7/2 c=3, dilation 1x2', { c: 3, h: 12, w: 14, kh: 7, kw: 7, strideH: 2, strideW: 2, dilationW: 2, padTop: 3, padLeft: 3, padBottom: 3, padRight: 3 }, 8],
    ['1x1/2 c=16', { c: 16, h: 7, w: 7, kh: 1, kw: 1, strideH: 2, strideW: 2 }, 5],
  ];
  for (const [name, geometry, n] of cases) {
    it(`${name}: equals im2col + qmatmulI8PackedRequant, in place and copied`, () => {
      setKernelBackend('wasm');
      const g = convOutputSize(geometry), k = g.kh * g.kw * g.c, m = g.outH * g.outW, zp = -5;
      const x = randI8(g.h * g.w * g.c + 4, k + n), w = randI8(n * k, n), rq = randRequant(n, k, true, true, true);
      const pw = packI8(w, n, k), prq = packRequantI8(rq, n)!;
      const col = new Int8Array(m * k), want = new Int8Array(m * n);
      im2colNHWC(x.subarray(4), col, geometry, { padValue: zp });
      expect(qmatmulI8PackedRequant(col, zp, pw, prq, want, m)).toBe(true);
      const y = new Int8Array(m * n + 2).fill(99);
      expect(convNHWCI8Requant(x, 4, zp, pw, prq, y, 2, geometry)).toBe(true);
      expect(y.subarray(2)).toEqual(want);
      expect([y[0], y[1]]).toEqual([99, 99]);
      const r = residents(x, new Int8Array(m * n));
      expect(convNHWCI8Requant(r.a[0]!, 4, zp, pw, prq, r.a[1]!, 0, geometry)).toBe(true);
      expect(Int8Array.from(r.a[1]!)).toEqual(want);
      r.free(); freeFused(prq);
    });
  }

  it('refuses weights of another window size, and declines without wasm', () => {
    const geometry = { c: 4, h: 5, w: 5, kh: 3, kw: 3 }, pw = packI8(randI8(6 * 9, 1), 6, 9), prq = packRequantI8(randRequant(6, 2, true, true), 6)!;
    expect(() => convNHWCI8Requant(new Int8Array(100), 0, 0, pw, prq, new Int8Array(54), 0, geometry)).toThrow(KernelArgumentError);
    setKernelBackend('js');
    expect(convNHWCI8Requant(new Int8Array(100), 0, 0, pw, prq, new Int8Array(54), 0, { ...geometry, c: 1 })).toBe(false);
  });
});

describe('depthwiseNHWCI8Requant (wasm)', () => {
  DW.forEach(([geo, oc], idx) => {
    it(`c=${geo.c} oc=${oc} ${geo.h}x${geo.w} k${geo.kh}x${geo.kw}: exact, in place and copied`, () => {
      const g = convOutputSize(geo);
      const x = randI8(g.h * g.w * g.c, idx + 1), w = randI8(g.kh * g.kw * oc, idx + 50), xZero = 5 - idx;
      const rq = randRequant(oc, idx + 9, idx % 2 === 0, idx !== 3);
      const want = new Int8Array(g.outH * g.outW * oc);
      for (let oy = 0; oy < g.outH; oy++) for (let ox = 0; ox < g.outW; ox++) for (let o = 0; o < oc; o++) {
        let s = 0;
        for (let ky = 0; ky < g.kh; ky++) for (let kx = 0; kx < g.kw; kx++) {
          const iy = oy * g.strideH + ky * g.dilationH - g.padTop, ix = ox * g.strideW + kx * g.dilationW - g.padLeft;
          if (iy < 0 || iy >= g.h || ix < 0 || ix >= g.w) continue;
          s += (x[(iy * g.w + ix) * g.c + (g.c === 1 ? 0 : o)]! - xZero) * w[(ky * g.kw + kx) * oc + o]!;
        }
        want[(oy * g.outW + ox) * oc + o] = requant(s, o, rq);
      }
      const p = packDepthwiseI8(w, geo, oc, rq)!;
      const y = new Int8Array(want.length + 5).fill(77);
      expect(depthwiseNHWCI8Requant(x, 0, xZero, p, y, 2)).toBe(true);
      expect(y.subarray(2, 2 + want.length)).toEqual(want);
      expect([y[0], y[1], y[want.length + 2], y[want.length + 4]]).toEqual([77, 77, 77, 77]);
      const r = residents(x, new Int8Array(want.length));
      expect(depthwiseNHWCI8Requant(r.a[0]!, 0, xZero, p, r.a[1]!, 0)).toBe(true);
      expect(Int8Array.from(r.a[1]!)).toEqual(want);
      r.free(); freeFused(p);
    });
  });

  it('has no packing for other multipliers, and checks sizes', () => {
    const geo: ConvGeometry = { c: 2, h: 3, w: 3, kh: 1, kw: 1 };
    const rq = randRequant(4, 1, true, true);
    expect(packDepthwiseI8(new Int8Array(4), geo, 4, rq)).toBeNull();
    expect(() => packDepthwiseI8(new Int8Array(3), geo, 4, rq)).toThrow(KernelArgumentError);
    const p = packDepthwiseI8(new Int8Array(2), geo, 2, randRequant(2, 1, true, true))!;
    expect(() => depthwiseNHWCI8Requant(new Int8Array(17), 0, 0, p, new Int8Array(18), 0)).toThrow(KernelArgumentError);
    expect(() => depthwiseNHWCI8Requant(new Int8Array(18), 0, 0, p, new Int8Array(18), 1)).toThrow(KernelArgumentError);
  });
});

describe('kernel memory', () => {
  it('frozen: no growth; the scratch a call wanted is reserved at the next freeze', () => {
    const mem = kernelMemory()!;
    const m = 300, k = 4096, n = 8;
    const a = randI8(m * k, 3), w = packI8(randI8(n * k, 4), n, k), rq = packRequantI8(randRequant(n, 5, true, true), n)!;
    const y = new Int8Array(m * n);
    mem.freeze();
    const before = mem.buffer;
    // a large copied operand needs more scratch than any call so far: declined, memory untouched
    const ok = qmatmulI8PackedRequant(a, 0, w, rq, y, m);
    expect(mem.buffer).toBe(before);
    expect(() => mem.alloc(1 << 28)).toThrow(RangeError);
    mem.thaw();
    if (!ok) {
      mem.freeze();
      expect(qmatmulI8PackedRequant(a, 0, w, rq, y, m)).toBe(true);
      mem.thaw();
    }
  });
});

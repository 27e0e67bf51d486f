import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { convOutputSize, kernelBackend, setKernelBackend, type ConvGeometry } from '../../lite-runtime/kernels/index.js';
import { conv2dBackwardInputNCHW, conv2dBackwardWeightNCHW, conv2dNCHW } from '../../training/kernels/nn-conv.js';
import { wasmConvRuns } from '../../training/kernels/nn-conv-wasm.js';
import { winogradRuns } from '../../training/kernels/nn-conv-winograd.js';
import { trainingKernels } from '../../training/kernels/wasm/runtime.js';
import { batchNormStats, layerNormForward } from '../../training/kernels/nn-norm.js';
import { maxPool2dBackwardNCHW, maxPool2dNCHW, poolOutputSize } from '../../training/kernels/nn-pool.js';

/** A convolution case: every window field given, and the output channels. */
type Conv2dCase = Required<Omit<ConvGeometry, 'ceilMode'>> & { oc: number };
/** A pool case: every window field given (symmetric padding). */
type PoolCase = Required<Omit<ConvGeometry, 'groups'>>;

/** Direct 2x2/stride-2 max pool: the first maximum in row-major order, or the first NaN. */
function naivePool2x2(x: Float32Array, gy: Float32Array, planes: number, h: number, w: number) {
  const oh = h >> 1, ow = w >> 1;
  const y = new Float32Array(planes * oh * ow), dx = new Float32Array(x.length);
  for (let p = 0, o = 0; p < planes; p++) for (let oy = 0; oy < oh; oy++) for (let ox = 0; ox < ow; ox++, o++) {
    let best = -1;
    for (const [dy, dxx] of [[0, 0], [0, 1], [1, 0], [1, 1]]) {
      const i = p * h * w + (2 * oy + dy) * w + 2 * ox + dxx;
      if (best < 0) { best = i; continue; }
      const v = x[i], bv = x[best];
      if (bv !== bv) continue;
      if (v !== v || v > bv) best = i;
    }
    y[o] = x[best];
    dx[best] = gy[o];
  }
  return { y, dx };
}

const same = (a: number, b: number) => Object.is(a, b) || (Number.isNaN(a) && Number.isNaN(b));

describe('maxPool2d 2x2 stride-2 fast path vs a direct scan', () => {
  // values drawn from a small set so that ties (0 and -0 included), infinities and NaN occur often
  const pool = [0, -0, 1, 1, -1, 2, Infinity, -Infinity, NaN, 0.5];
  for (const [planes, h, w] of [[3, 4, 4], [2, 5, 7], [4, 6, 3], [1, 2, 2], [2, 9, 8]]) {
    it(`planes ${planes}, ${h}x${w}`, () => {
      let seed = planes * 131 + h * 17 + w;
      const rnd = () => { seed = (seed * 1103515245 + 12345) % 2147483648; return seed / 2147483648; };
      const x = Float32Array.from({ length: planes * h * w }, () => pool[Math.floor(rnd() * pool.length)]);
      const oh = h >> 1, ow = w >> 1;
      const gy = Float32Array.from({ length: planes * oh * ow }, (_, i) => i + 1);
      const s: ConvGeometry = { n: 1, c: planes, h, w, kh: 2, kw: 2, strideH: 2, strideW: 2 };
      const y = new Float32Array(planes * oh * ow), dx = new Float32Array(x.length).fill(7);
      maxPool2dNCHW(x, y, s);
      maxPool2dBackwardNCHW(x, gy, dx, s);
      const ref = naivePool2x2(x, gy, planes, h, w);
      for (let i = 0; i < y.length; i++) if (!same(y[i], ref.y[i])) expect.fail(`y[${i}]: got ${y[i]}, want ${ref.y[i]}`);
      for (let i = 0; i < dx.length; i++) if (!same(dx[i], ref.dx[i])) expect.fail(`dx[${i}]: got ${dx[i]}, want ${ref.dx[i]}`);
    });
  }
});

describe('maxPool2d 2x2 stride-2 in the training wasm module (from 8192 inputs) vs a direct scan', () => {
  const pool = [0, -0, 1, 1, -1, 2, Infinity, -Infinity, NaN, 0.5];
  // the last one goes through in three chunks of planes (64, 64, 2)
  for (const [planes, h, w] of [[40, 24, 24], [70, 13, 11], [30, 17, 30], [130, 17, 30]]) {
    it(`planes ${planes}, ${h}x${w}`, () => {
      let seed = planes * 7 + h;
      const rnd = () => { seed = (seed * 1103515245 + 12345) % 2147483648; return seed / 2147483648; };
      // half the windows from the small set (ties, signed zeros, infinities, NaN), half random
      const x = Float32Array.from({ length: planes * h * w }, (_, i) => (i % 4 < 2 ? pool[Math.floor(rnd() * pool.length)] : rnd() - 0.5));
      const oh = h >> 1, ow = w >> 1;
      const gy = Float32Array.from({ length: planes * oh * ow }, (_, i) => i + 1);
      const s: ConvGeometry = { n: 1, c: planes, h, w, kh: 2, kw: 2, strideH: 2, strideW: 2 };
      const y = new Float32Array(planes * oh * ow), dx = new Float32Array(x.length).fill(7);
      const work = vi.spyOn(trainingKernels()!, 'work');
      maxPool2dNCHW(x, y, s);
      maxPool2dBackwardNCHW(x, gy, dx, s);
      expect(work).toHaveBeenCalledTimes(2);
      work.mockRestore();
      const ref = naivePool2x2(x, gy, planes, h, w);
      for (let i = 0; i < y.length; i++) if (!same(y[i], ref.y[i])) expect.fail(`y[${i}]: got ${y[i]}, want ${ref.y[i]}`);
      for (let i = 0; i < dx.length; i++) if (!same(dx[i], ref.dx[i])) expect.fail(`dx[${i}]: got ${dx[i]}, want ${ref.dx[i]}`);
    });
  }
});

/** Direct max pool (any window, no dilation): first maximum in row-major order or first NaN; -inf padding. */
function naivePool(x: Float32Array, gy: Float32Array, s: PoolCase, oh: number, ow: number) {
  const planes = s.n * s.c;
  const y = new Float32Array(planes * oh * ow), dx = new Float32Array(x.length);
  for (let p = 0, o = 0; p < planes; p++) for (let oy = 0; oy < oh; oy++) for (let ox = 0; ox < ow; ox++, o++) {
    let best = -1;
    for (let ky = 0; ky < s.kh; ky++) for (let kx = 0; kx < s.kw; kx++) {
      const iy = oy * s.strideH - s.padTop + ky, ix = ox * s.strideW - s.padLeft + kx;
      if (iy < 0 || iy >= s.h || ix < 0 || ix >= s.w) continue;
      const i = (p * s.h + iy) * s.w + ix;
      if (best < 0) { best = i; continue; }
      const v = x[i], bv = x[best];
      if (bv !== bv) continue;
      if (v !== v || v > bv) best = i;
    }
    y[o] = x[best];
    dx[best] += gy[o];
  }
  return { y, dx };
}

describe('maxPool2d general windows (branchless argmax) vs a direct scan', () => {
  const pool = [0, -0, 1, 1, -1, 2, Infinity, -Infinity, NaN, 0.5, 3];
  const p1 = { padTop: 1, padLeft: 1, padBottom: 1, padRight: 1 };
  const cases: [string, Partial<PoolCase>][] = [
    ['3x3 s2 p1', { h: 9, w: 10, kh: 3, kw: 3, strideH: 2, strideW: 2, ...p1 }],
    ['3x2 s1 p1', { h: 6, w: 7, kh: 3, kw: 2, strideH: 1, strideW: 1, ...p1 }],
    ['3x3 s2 p1 ceil', { h: 8, w: 9, kh: 3, kw: 3, strideH: 2, strideW: 2, ...p1, ceilMode: true }],
    ['2x2 s1 (overlapping)', { h: 5, w: 5, kh: 2, kw: 2, strideH: 1, strideW: 1 }],
  ];
  for (const [name, part] of cases) {
    it(name, () => {
      const s: PoolCase = {
        n: 1, c: 3, h: 1, w: 1, kh: 1, kw: 1, strideH: 1, strideW: 1, padTop: 0, padLeft: 0, padBottom: 0, padRight: 0,
        dilationH: 1, dilationW: 1, ceilMode: false, ...part,
      };
      let seed = s.h * 97 + s.w;
      const rnd = () => { seed = (seed * 1103515245 + 12345) % 2147483648; return seed / 2147483648; };
      const x = Float32Array.from({ length: s.n * s.c * s.h * s.w }, () => pool[Math.floor(rnd() * pool.length)]);
      // every other NaN gets its sign bit set (as -x of a NaN can): it must still win
      const bits = new Int32Array(x.buffer);
      let flip = false;
      for (let i = 0; i < x.length; i++) if (x[i] !== x[i] && (flip = !flip)) bits[i] = 0xffc00000 | 0;
      const oh = poolOutputSize(s.h, s.kh, s.strideH, s.padTop, s.padBottom, s.dilationH, s.ceilMode);
      const ow = poolOutputSize(s.w, s.kw, s.strideW, s.padLeft, s.padRight, s.dilationW, s.ceilMode);
      const gy = Float32Array.from({ length: s.n * s.c * oh * ow }, (_, i) => i + 1);
      const y = new Float32Array(gy.length), dx = new Float32Array(x.length).fill(7);
      maxPool2dNCHW(x, y, s);
      maxPool2dBackwardNCHW(x, gy, dx, s);
      const ref = naivePool(x, gy, s, oh, ow);
      for (let i = 0; i < y.length; i++) if (!same(y[i], ref.y[i])) expect.fail(`y[${i}]: got ${y[i]}, want ${ref.y[i]}`);
      for (let i = 0; i < dx.length; i++) if (!same(dx[i], ref.dx[i])) expect.fail(`dx[${i}]: got ${dx[i]}, want ${ref.dx[i]}`);
    });
  }
});

/** Direct float64 conv2d and its input and weight gradients for gy. */
function naiveConv(x: Float32Array, w: Float32Array, b: Float32Array | null, gy: Float32Array, s: Conv2dCase, oh: number, ow: number) {
  const cg = s.c / s.groups, ocg = s.oc / s.groups;
  const y = new Float64Array(s.n * s.oc * oh * ow), dw = new Float64Array(w.length), dx = new Float64Array(x.length);
  for (let n = 0; n < s.n; n++) for (let o = 0; o < s.oc; o++) for (let oy = 0; oy < oh; oy++) for (let ox = 0; ox < ow; ox++) {
    const yi = ((n * s.oc + o) * oh + oy) * ow + ox, g = Math.floor(o / ocg);
    y[yi] = b ? b[o] : 0;
    for (let ci = 0; ci < cg; ci++) for (let ky = 0; ky < s.kh; ky++) for (let kx = 0; kx < s.kw; kx++) {
      const iy = oy * s.strideH + ky * s.dilationH - s.padTop, ix = ox * s.strideW + kx * s.dilationW - s.padLeft;
      if (iy < 0 || iy >= s.h || ix < 0 || ix >= s.w) continue;
      const xi = ((n * s.c + g * cg + ci) * s.h + iy) * s.w + ix, wi = ((o * cg + ci) * s.kh + ky) * s.kw + kx;
      y[yi] += x[xi] * w[wi];
      dw[wi] += gy[yi] * x[xi];
      dx[xi] += gy[yi] * w[wi];
    }
  }
  return { y, dw, dx };
}

function expectClose(got: Float32Array, want: Float64Array, what: string): void {
  expect(got.length, what).toBe(want.length);
  for (let i = 0; i < want.length; i++) {
    const ok = Number.isFinite(want[i]) ? Math.abs(got[i] - want[i]) <= 1e-4 + 1e-4 * Math.abs(want[i]) : Object.is(got[i], want[i]) || (Number.isNaN(got[i]) && Number.isNaN(want[i]));
    if (!ok) expect.fail(`${what}[${i}]: got ${got[i]}, direct ${want[i]}`);
  }
}

// Stride-1 geometries with many im2col rows per output channel and narrow padding overhead
// take the contiguous "wide" path (nn-conv-wide.ts, or nn-conv-wasm.ts under wasm); the last ones
// put several images in one GEMM.
const wideCases: [string, Partial<Conv2dCase>][] = [
  ['valid 3x3', { n: 2, c: 8, h: 18, w: 20, oc: 6, kh: 3, kw: 3 }],
  ['same 3x3 pad 1', { n: 2, c: 6, h: 17, w: 16, oc: 4, kh: 3, kw: 3, padTop: 1, padLeft: 1, padBottom: 1, padRight: 1 }],
  ['asymmetric pad, 2x3', { n: 1, c: 5, h: 12, w: 25, oc: 3, kh: 2, kw: 3, padTop: 0, padLeft: 2, padBottom: 1, padRight: 0 }],
  ['dilation 2', { n: 2, c: 4, h: 20, w: 36, oc: 5, kh: 3, kw: 3, dilationH: 2, dilationW: 2 }],
  ['groups 2', { n: 3, c: 8, h: 10, w: 24, oc: 6, kh: 3, kw: 3, groups: 2, padTop: 1, padBottom: 1 }],
  ['5 images per GEMM', { n: 7, c: 4, h: 9, w: 18, oc: 2, kh: 3, kw: 3 }],
  // not wide, but stride 1: the gathering col2im with no inner columns / no inner rows
  ['1x3 over width 3', { n: 2, c: 3, h: 4, w: 3, oc: 2, kh: 1, kw: 3 }],
  ['3x1 over height 3, dilation 2 pad 2', { n: 1, c: 2, h: 3, w: 5, oc: 3, kh: 3, kw: 1, dilationH: 2, padTop: 2, padBottom: 2 }],
  ['5x5 pad 4 on 3x3', { n: 1, c: 2, h: 3, w: 3, oc: 2, kh: 5, kw: 5, padTop: 4, padLeft: 4, padBottom: 4, padRight: 4 }],
  // first layers (c*kh*kw < out channels): the weight gradient is computed transposed
  ['first layer 1 -> 16, 30x31', { n: 2, c: 1, h: 30, w: 31, oc: 16, kh: 3, kw: 3 }],
  ['first layer 3 -> 24, pad 1, 11x20', { n: 2, c: 3, h: 11, w: 20, oc: 24, kh: 3, kw: 3, padTop: 1, padLeft: 1, padBottom: 1, padRight: 1 }],
  ['first layer 4 -> 24, groups 2, 9x18', { n: 3, c: 4, h: 9, w: 18, oc: 24, kh: 3, kw: 3, groups: 2 }],
  ['first layer 3 -> 40 groups 1, stride 2 pad 1, several images per GEMM', { n: 5, c: 3, h: 9, w: 11, oc: 40, kh: 3, kw: 3, strideH: 2, strideW: 2, padTop: 1, padLeft: 1, padBottom: 1, padRight: 1 }],
  ['groups 2, 2 -> 24, 2x2', { n: 2, c: 2, h: 7, w: 6, oc: 24, kh: 2, kw: 2, groups: 2 }],
  // 3x3 stride 1 with 8 or more channels each side: Winograd F(4x4, 3x3) under wasm (sizes not a multiple of 4: partial tiles)
  ['Winograd 16 -> 20, 9x11', { n: 3, c: 16, h: 9, w: 11, oc: 20, kh: 3, kw: 3 }],
  ['Winograd 17 -> 16, pad 1, 8x7', { n: 2, c: 17, h: 8, w: 7, oc: 16, kh: 3, kw: 3, padTop: 1, padLeft: 1, padBottom: 1, padRight: 1 }],
  ['Winograd 24 -> 33, pad 2 / 1, 13x14', { n: 1, c: 24, h: 13, w: 14, oc: 33, kh: 3, kw: 3, padTop: 2, padLeft: 1, padBottom: 1, padRight: 2 }],
  ['Winograd 16 -> 16, 40 images of 6x6', { n: 40, c: 16, h: 6, w: 6, oc: 16, kh: 3, kw: 3 }],
  ['Winograd 8 -> 9, pad 1, 5x13', { n: 2, c: 8, h: 5, w: 13, oc: 9, kh: 3, kw: 3, padTop: 1, padLeft: 1, padBottom: 1, padRight: 1 }],
];

describe.each(['wasm', 'js'] as const)('conv2d fast paths (wide columns, gathering col2im, transposed weight gradient) vs a direct loop (%s GEMM)', (backend) => {
  let prev = kernelBackend();
  beforeAll(() => { prev = kernelBackend(); if (backend === 'js') setKernelBackend('js'); });
  afterAll(() => { if (prev === 'wasm') setKernelBackend('wasm'); });
  for (const [name, part] of wideCases) {
    for (const special of [false, true]) {
      it(`${name}${special ? ', inf and NaN in x' : ''}`, () => {
        const s: Conv2dCase = {
          n: 1, c: 1, h: 1, w: 1, oc: 1, kh: 1, kw: 1, strideH: 1, strideW: 1, padTop: 0, padLeft: 0, padBottom: 0, padRight: 0,
          dilationH: 1, dilationW: 1, groups: 1, ...part,
        };
        let seed = s.c * 7919 + s.w * 31 + s.n;
        const rnd = () => { seed = (seed * 1103515245 + 12345) % 2147483648; return seed / 2147483648 - 0.5; };
        const x = Float32Array.from({ length: s.n * s.c * s.h * s.w }, rnd);
        // non-finite values at a row's first and last columns: the wide rows read them in columns that are dropped
        if (special) { x[s.w * 3] = Infinity; x[x.length - 1] = NaN; x[s.w * 2 - 1] = -Infinity; }
        const w = Float32Array.from({ length: s.oc * (s.c / s.groups) * s.kh * s.kw }, rnd);
        const b = Float32Array.from({ length: s.oc }, rnd);
        const { outH: oh, outW: ow } = convOutputSize(s);
        const gy = Float32Array.from({ length: s.n * s.oc * oh * ow }, rnd);
        const y = new Float32Array(gy.length).fill(NaN), dw = new Float32Array(w.length).fill(NaN), dx = new Float32Array(x.length).fill(NaN);
        const runs = { ...wasmConvRuns }, wino = { ...winogradRuns };
        conv2dNCHW(x, w, b, y, s, s.oc);
        conv2dBackwardWeightNCHW(x, gy, dw, s, s.oc);
        conv2dBackwardInputNCHW(gy, w, dx, s, s.oc);
        // under wasm, stride 1 (depthwise aside) takes the training module's kernels: the input gradient
        // always, forward where the wide rows waste little, the weight gradient there too with long im2col
        // columns (and finite x unless packed exactly)
        const stride1 = s.strideH === 1 && s.strideW === 1 && !(s.c === s.groups && s.groups > 1), wasm = backend === 'wasm';
        const direct1x1 = s.kh * s.kw === 1 && s.padTop + s.padLeft + s.padBottom + s.padRight === 0;
        const wideRows = stride1 && (s.kw - 1) * s.dilationW * 8 <= ow && !direct1x1;
        // Winograd, where it fits; a non-finite result (x holds inf / NaN) is recomputed by the paths below
        const winograd = wasm && stride1 && s.kh === 3 && s.kw === 3 && s.dilationH === 1 && s.dilationW === 1 && s.groups === 1 &&
          s.c >= 8 && s.oc >= 8 && Math.max(s.padTop, s.padLeft, s.padBottom, s.padRight) <= 2;
        expect(winogradRuns.input - wino.input).toBe(winograd ? 1 : 0);
        expect(winogradRuns.forward - wino.forward).toBe(winograd && !special ? 1 : 0);
        expect(winogradRuns.weight - wino.weight).toBe(winograd && !special ? 1 : 0);
        expect(wasmConvRuns.input - runs.input).toBe(wasm && stride1 && !winograd ? 1 : 0);
        expect(wasmConvRuns.forward - runs.forward).toBe(wasm && wideRows && !(winograd && !special) ? 1 : 0);
        const longColumns = (s.c / s.groups) * s.kh * s.kw >= (2 * s.oc) / s.groups;
        // rows of outputs a multiple of 4 wide are packed exactly (no wide columns that would meet a non-finite x)
        const exactRows = ow % 4 === 0 && (s.kw - 1) * s.dilationW > 0;
        // few im2col rows (a first layer): dot products over wide rows, recomputed in TypeScript when x is not finite
        const weightRuns = longColumns ? !special || exactRows : !special;
        expect(wasmConvRuns.weight - runs.weight).toBe(wasm && wideRows && weightRuns && !(winograd && !special) ? 1 : 0);
        const ref = naiveConv(x, w, b, gy, s, oh, ow);
        expectClose(y, ref.y, 'y');
        expectClose(dw, ref.dw, 'dw');
        expectClose(dx, ref.dx, 'dx');
      });
    }
  }
});

describe('conv2d by Winograd F(4x4, 3x3) with many channels (K blocks past 256) vs a direct loop', () => {
  // Winograd's error follows the size of the summed terms, not of the result: checked against the largest output
  for (const [name, part] of [
    ['300 -> 18, 6x9, pad 1', { n: 1, c: 300, h: 6, w: 9, oc: 18 }],
    ['17 -> 270, 7x6, pad 1', { n: 1, c: 17, h: 7, w: 6, oc: 270 }],
  ] as const) {
    it(name, () => {
      const s: Conv2dCase = {
        ...part, kh: 3, kw: 3, strideH: 1, strideW: 1, padTop: 1, padLeft: 1, padBottom: 1, padRight: 1, dilationH: 1, dilationW: 1, groups: 1,
      };
      let seed = s.c * 31 + s.oc;
      const rnd = () => { seed = (seed * 1103515245 + 12345) % 2147483648; return seed / 2147483648 - 0.5; };
      const x = Float32Array.from({ length: s.n * s.c * s.h * s.w }, rnd), w = Float32Array.from({ length: s.oc * s.c * 9 }, rnd);
      const { outH: oh, outW: ow } = convOutputSize(s);
      const gy = Float32Array.from({ length: s.n * s.oc * oh * ow }, rnd);
      const y = new Float32Array(gy.length), dw = new Float32Array(w.length), dx = new Float32Array(x.length);
      const wino = { ...winogradRuns };
      conv2dNCHW(x, w, null, y, s, s.oc);
      conv2dBackwardWeightNCHW(x, gy, dw, s, s.oc);
      conv2dBackwardInputNCHW(gy, w, dx, s, s.oc);
      if (kernelBackend() === 'wasm') expect(winogradRuns.forward + winogradRuns.weight + winogradRuns.input - wino.forward - wino.weight - wino.input).toBe(3);
      const ref = naiveConv(x, w, null, gy, s, oh, ow);
      for (const [got, want, what] of [[y, ref.y, 'y'], [dw, ref.dw, 'dw'], [dx, ref.dx, 'dx']] as const) {
        const scale = want.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
        for (let i = 0; i < want.length; i++) if (Math.abs(got[i] - want[i]) > 2e-5 * scale) expect.fail(`${what}[${i}]: got ${got[i]}, direct ${want[i]}`);
      }
    });
  }
});

describe('norm statistics: one shifted pass vs float64 two-pass', () => {
  const twoPass = (v: number[]) => {
    const m = v.reduce((a, b) => a + b, 0) / v.length;
    return [m, v.reduce((a, b) => a + (b - m) * (b - m), 0) / v.length];
  };
  let seed = 5;
  const rnd = () => { seed = (seed * 1103515245 + 12345) % 2147483648; return seed / 2147483648 - 0.5; };

  it('large offsets with a small spread (batchNormStats and layerNormForward)', () => {
    for (const [offset, spread] of [[0, 1], [1e4, 1e-1], [-3e5, 7], [1e3, 1e-3]]) {
      const s = { n: 3, c: 2, inner: 37 };
      const x = Float32Array.from({ length: s.n * s.c * s.inner }, () => offset + spread * rnd());
      const mean = new Float32Array(2), variance = new Float32Array(2);
      batchNormStats(x, s, mean, variance);
      for (let c = 0; c < 2; c++) {
        const vals: number[] = [];
        for (let b = 0; b < s.n; b++) for (let i = 0; i < s.inner; i++) vals.push(x[(b * s.c + c) * s.inner + i]);
        const [m, v] = twoPass(vals);
        expect(Math.abs(mean[c] - m)).toBeLessThanOrEqual(Math.abs(m) * 1e-6 + 1e-7);
        expect(Math.abs(variance[c] - v)).toBeLessThanOrEqual(v * 1e-4);
      }
      const rows = 3, d = 61, xl = x.subarray(0, rows * d);
      const y = new Float32Array(rows * d), lm = new Float32Array(rows), rstd = new Float32Array(rows);
      layerNormForward(xl, y, rows, d, new Float32Array(d).fill(1), new Float32Array(d), 0, lm, rstd);
      for (let r = 0; r < rows; r++) {
        const [m, v] = twoPass([...xl.subarray(r * d, (r + 1) * d)]);
        expect(Math.abs(lm[r] - m)).toBeLessThanOrEqual(Math.abs(m) * 1e-6 + 1e-7);
        expect(Math.abs(rstd[r] - 1 / Math.sqrt(v)) * Math.sqrt(v)).toBeLessThanOrEqual(1e-4);
      }
    }
  });

  it('inf and NaN give what two exact passes give (mean inf, variance NaN; NaN stays NaN)', () => {
    const s = { n: 2, c: 3, inner: 5 };
    const x = Float32Array.from({ length: 30 }, () => rnd());
    x[0 * 5 + 2] = Infinity;   // channel 0
    x[(1 * 3 + 1) * 5 + 4] = NaN; // channel 1
    const mean = new Float32Array(3), variance = new Float32Array(3);
    batchNormStats(x, s, mean, variance);
    expect(mean[0]).toBe(Infinity);
    expect(variance[0]).toBeNaN();
    expect(mean[1]).toBeNaN();
    expect(Number.isFinite(mean[2]) && Number.isFinite(variance[2])).toBe(true);
    const y = new Float32Array(10), lm = new Float32Array(2), rstd = new Float32Array(2);
    const xl = Float32Array.from([1, 2, -Infinity, 4, 5, 1, 2, 3, 4, 5]);
    layerNormForward(xl, y, 2, 5, new Float32Array(5).fill(1), new Float32Array(5), 1e-5, lm, rstd);
    expect(lm[0]).toBe(-Infinity);
    expect(rstd[0]).toBeNaN();
    expect(lm[1]).toBeCloseTo(3, 6);
  });
});

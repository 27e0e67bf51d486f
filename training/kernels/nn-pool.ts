/**
 * 2-D pooling on NCHW float32 planes (PyTorch semantics): max, average and
 * adaptive average, forward and backward. The window is a `ConvGeometry`
 * (n images of c planes, each h*w); PyTorch pads symmetrically, but
 * padBottom/padRight may differ from padTop/padLeft (ONNX pads). The common 2x2
 * stride-2 max pool runs in the training wasm module (src/pool.ts) where it loads.
 */
import { KernelArgumentError, checkDim, checkLen } from '../../lite-runtime/kernels/errors.js';
import type { ConvGeometry } from '../../lite-runtime/kernels/im2col.js';
import { trainingKernels } from './wasm/runtime.js';

/**
 * PyTorch's pooled length: floor or ceil of (size + padBefore + padAfter - dilation*(k-1) - 1)/stride + 1,
 * where with ceilMode the last window must start inside the input or its leading padding.
 * @example poolOutputSize(5, 2, 2, 0, 0, 1, true) // 3
 */
export function poolOutputSize(size: number, k: number, stride: number, before: number, after: number, dilation: number, ceilMode: boolean): number {
  const span = size + before + after - dilation * (k - 1) - 1;
  let out = Math.floor((ceilMode ? span + stride - 1 : span) / stride) + 1;
  if (ceilMode && (out - 1) * stride >= size + before) out--;
  return out;
}

/** A pool's geometry with every field filled in, its planes (n*c) and its output size. */
type Pool = Required<ConvGeometry> & { planes: number; outH: number; outW: number };

function resolve(kernel: string, g: ConvGeometry): Pool {
  const s: Pool = {
    n: g.n ?? 1, c: g.c, h: g.h, w: g.w, kh: g.kh, kw: g.kw, strideH: g.strideH ?? 1, strideW: g.strideW ?? 1,
    padTop: g.padTop ?? 0, padLeft: g.padLeft ?? 0, padBottom: g.padBottom ?? 0, padRight: g.padRight ?? 0,
    dilationH: g.dilationH ?? 1, dilationW: g.dilationW ?? 1, groups: 1, ceilMode: g.ceilMode ?? false, planes: 0, outH: 0, outW: 0,
  };
  for (const k of ['n', 'c', 'h', 'w', 'kh', 'kw', 'padTop', 'padLeft', 'padBottom', 'padRight'] as const) checkDim(kernel, k, s[k]);
  for (const k of ['kh', 'kw', 'strideH', 'strideW', 'dilationH', 'dilationW'] as const) {
    checkDim(kernel, k, s[k]);
    if (s[k] < 1) throw new KernelArgumentError(kernel, `${k} must be >= 1, got ${s[k]}`);
  }
  if (2 * Math.max(s.padTop, s.padBottom) > s.kh || 2 * Math.max(s.padLeft, s.padRight) > s.kw) {
    throw new KernelArgumentError(kernel, `padding ${s.padTop},${s.padLeft},${s.padBottom},${s.padRight} must be at most half the kernel ${s.kh}x${s.kw}`);
  }
  const oh = poolOutputSize(s.h, s.kh, s.strideH, s.padTop, s.padBottom, s.dilationH, s.ceilMode);
  const ow = poolOutputSize(s.w, s.kw, s.strideW, s.padLeft, s.padRight, s.dilationW, s.ceilMode);
  if (oh < 1 || ow < 1) throw new KernelArgumentError(kernel, `output size ${oh}x${ow} is too small (input ${s.h}x${s.w}, kernel ${s.kh}x${s.kw})`);
  s.planes = s.n * s.c;
  s.outH = oh;
  s.outW = ow;
  return s;
}

/** Flat in-plane index of each window's maximum (first one on ties; NaN wins), or -1 for an all-padding window. */
function argmaxPlane(x: Float32Array, xo: number, s: Pool, oy: number, ox: number): number {
  let best = -1, bv = -Infinity;
  for (let ky = 0; ky < s.kh; ky++) {
    const iy = oy * s.strideH - s.padTop + ky * s.dilationH;
    if (iy < 0 || iy >= s.h) continue;
    for (let kx = 0; kx < s.kw; kx++) {
      const ix = ox * s.strideW - s.padLeft + kx * s.dilationW;
      if (ix < 0 || ix >= s.w) continue;
      const v = x[xo + iy * s.w + ix];
      if (best < 0 || v > bv || (v !== v && bv === bv)) { bv = v; best = iy * s.w + ix; }
    }
  }
  return best;
}

/**
 * y = maxPool2d(x); padding counts as -inf.
 * @example maxPool2dNCHW(x, y, { n: 1, c: 2, h: 4, w: 4, kh: 2, kw: 2, strideH: 2, strideW: 2 });
 */
export function maxPool2dNCHW(x: Float32Array, y: Float32Array, g: ConvGeometry): void {
  const s = resolve('maxPool2dNCHW', g), oh = s.outH, ow = s.outW;
  checkLen('maxPool2dNCHW', 'x', x, s.planes * s.h * s.w, 'planes*h*w');
  checkLen('maxPool2dNCHW', 'y', y, s.planes * oh * ow, 'planes*outH*outW');
  if (s.dilationH !== 1 || s.dilationW !== 1) {
    for (let p = 0, o = 0; p < s.planes; p++) {
      for (let oy = 0; oy < oh; oy++) {
        for (let ox = 0; ox < ow; ox++, o++) { const i = argmaxPlane(x, p * s.h * s.w, s, oy, ox); y[o] = i < 0 ? -Infinity : x[p * s.h * s.w + i]; }
      }
    }
    return;
  }
  if (isPlain2x2(s, oh, ow)) { maxPool2x2(x, y, s.planes, s.h, s.w, oh, ow); return; }
  const bits = new Int32Array(x.buffer, x.byteOffset, x.length);
  const h = s.h, w = s.w, kh = s.kh, kw = s.kw, sh = s.strideH, sw = s.strideW, ph = s.padTop, pw = s.padLeft;
  for (let p = 0, o = 0; p < s.planes; p++) {
    const xo = p * h * w;
    for (let oy = 0; oy < oh; oy++) {
      const y0 = oy * sh - ph > 0 ? oy * sh - ph : 0, y1 = oy * sh - ph + kh < h ? oy * sh - ph + kh : h;
      for (let ox = 0; ox < ow; ox++, o++) {
        const x0 = ox * sw - pw > 0 ? ox * sw - pw : 0, x1 = ox * sw - pw + kw < w ? ox * sw - pw + kw : w;
        y[o] = x[windowArgmax(x, bits, xo, w, y0, y1, x0, x1)];
      }
    }
  }
}

/** Order-preserving int key of float32 bits (non-NaN; -0 and +0 equal). */
function key(b: number): number {
  return (b ^ ((b >> 31) & 0x7fffffff)) + +(b === -2147483648);
}

/**
 * Index of the first maximum (or first NaN) of the window rows [y0, y1) x
 * columns [x0, x1) of the plane at xo: a running argmax over integer keys,
 * selected with bit masks (no data-dependent branch; a branching max
 * mispredicts on random data). The window must not be empty.
 */
function windowArgmax(x: Float32Array, bits: Int32Array, xo: number, w: number, y0: number, y1: number, x0: number, x1: number): number {
  let bi = xo + y0 * w + x0, bk = key(bits[bi]), nan = 0;
  for (let iy = y0; iy < y1; iy++) {
    for (let i = xo + iy * w + x0, e = xo + iy * w + x1; i < e; i++) {
      const k = key(bits[i]), m = -(+(k > bk));
      bk ^= (bk ^ k) & m;
      bi ^= (bi ^ i) & m;
      nan |= +(x[i] !== x[i]);
    }
  }
  if (nan === 0) return bi;
  for (let iy = y0; iy < y1; iy++) {
    for (let i = xo + iy * w + x0, e = xo + iy * w + x1; i < e; i++) if (x[i] !== x[i]) return i;
  }
  return bi;
}

/**
 * dx = the gradient of maxPool2d: gy routed to each window's maximum (overwrites dx).
 * @example maxPool2dBackwardNCHW(x, gy, dx, geometry);
 */
export function maxPool2dBackwardNCHW(x: Float32Array, gy: Float32Array, dx: Float32Array, g: ConvGeometry): void {
  const s = resolve('maxPool2dBackwardNCHW', g), oh = s.outH, ow = s.outW;
  const hw = s.h * s.w;
  checkLen('maxPool2dBackwardNCHW', 'x', x, s.planes * hw, 'planes*h*w');
  checkLen('maxPool2dBackwardNCHW', 'dx', dx, s.planes * hw, 'planes*h*w');
  checkLen('maxPool2dBackwardNCHW', 'gy', gy, s.planes * oh * ow, 'planes*outH*outW');
  if (isPlain2x2(s, oh, ow)) { maxPool2x2Backward(x, gy, dx, s.planes, s.h, s.w, oh, ow); return; }
  dx.fill(0, 0, s.planes * hw);
  if (s.dilationH !== 1 || s.dilationW !== 1) {
    for (let p = 0, o = 0; p < s.planes; p++) {
      for (let oy = 0; oy < oh; oy++) {
        for (let ox = 0; ox < ow; ox++, o++) { const i = argmaxPlane(x, p * hw, s, oy, ox); if (i >= 0) dx[p * hw + i] += gy[o]; }
      }
    }
    return;
  }
  const bits = new Int32Array(x.buffer, x.byteOffset, x.length);
  const h = s.h, w = s.w, kh = s.kh, kw = s.kw, sh = s.strideH, sw = s.strideW, ph = s.padTop, pw = s.padLeft;
  for (let p = 0, o = 0; p < s.planes; p++) {
    const xo = p * hw;
    for (let oy = 0; oy < oh; oy++) {
      const y0 = oy * sh - ph > 0 ? oy * sh - ph : 0, y1 = oy * sh - ph + kh < h ? oy * sh - ph + kh : h;
      for (let ox = 0; ox < ow; ox++, o++) {
        const x0 = ox * sw - pw > 0 ? ox * sw - pw : 0, x1 = ox * sw - pw + kw < w ? ox * sw - pw + kw : w;
        dx[windowArgmax(x, bits, xo, w, y0, y1, x0, x1)] += gy[o];
      }
    }
  }
}

/** 2x2 windows at stride 2, no padding or dilation, every window inside the input (the common CNN pool). */
function isPlain2x2(s: Pool, oh: number, ow: number): boolean {
  return s.kh === 2 && s.kw === 2 && s.strideH === 2 && s.strideW === 2 && s.padTop + s.padLeft + s.padBottom + s.padRight === 0 &&
    s.dilationH === 1 && s.dilationW === 1 && 2 * oh <= s.h && 2 * ow <= s.w;
}

/**
 * Position (0..3, row-major) of the first maximum of a 2x2 window, from
 * comparisons turned into numbers: no data-dependent branch (on random data
 * a branching max mispredicts about once per window and runs ~5x slower).
 * Only for windows without NaN.
 */
function argmax4(a: number, b: number, c: number, d: number): number {
  const kab = +(b > a), kcd = +(d > c);
  const low = (+(c > a) & +(c > b)) | (+(d > a) & +(d > b)); // the max is in the second row
  return kab + low * (2 + kcd - kab);
}

/** First NaN of a window (PyTorch's maxPool propagates it), or the first maximum. */
function argmax4Slow(a: number, b: number, c: number, d: number): number {
  if (a !== a) return 0;
  if (b !== b) return 1;
  if (c !== c) return 2;
  if (d !== d) return 3;
  return argmax4(a, b, c, d);
}

/** Inputs at least this long pool in the training wasm module (SIMD, copied in and out); shorter ones in the loops below. */
const WASM_MIN = 8192;

/** Input floats per chunk of planes copied into the wasm module at a time (the chunk stays in cache there). */
const WASM_CHUNK = 32768;

/**
 * The 2x2 pool (gy null) or its backward (into out = dx, overwritten) in the training wasm
 * module, same rule and bits as the loops below, a chunk of planes at a time. False: no
 * wasm, or its memory cannot grow.
 */
function pool2x2Wasm(x: Float32Array, gy: Float32Array | null, out: Float32Array, planes: number, h: number, w: number, oh: number, ow: number): boolean {
  const k = trainingKernels();
  if (!k) return false;
  const hw = h * w, ohw = oh * ow, chunk = Math.max(1, Math.min(planes, Math.floor(WASM_CHUNK / hw)));
  const a = (n: number) => Math.ceil((n * 4) / 64) * 64, nx = chunk * hw, ny = chunk * ohw;
  let c;
  try { c = k.work(a(nx) + a(ny) + (gy ? a(nx) : 0)); } catch (e) {
    if (e instanceof RangeError) return false;
    throw e;
  }
  const xAt = c.off, yAt = xAt + a(nx), dAt = yAt + a(ny), f = c.f32;
  // the row / column an odd size leaves out of every window
  if (gy && (2 * oh < h || 2 * ow < w)) f.fill(0, dAt >> 2, (dAt >> 2) + nx);
  for (let p0 = 0; p0 < planes; p0 += chunk) {
    const m = Math.min(chunk, planes - p0);
    f.set(x.subarray(p0 * hw, (p0 + m) * hw), xAt >> 2);
    if (!gy) {
      k.pool.maxPool2x2(xAt, yAt, m, h, w, oh, ow);
      out.set(f.subarray(yAt >> 2, (yAt >> 2) + m * ohw), p0 * ohw);
      continue;
    }
    f.set(gy.subarray(p0 * ohw, (p0 + m) * ohw), yAt >> 2);
    k.pool.maxPool2x2Backward(xAt, yAt, dAt, m, h, w, oh, ow);
    out.set(f.subarray(dAt >> 2, (dAt >> 2) + m * hw), p0 * hw);
  }
  return true;
}

/** maxPool2d with 2x2 windows at stride 2: each output copies its window's first maximum. */
function maxPool2x2(x: Float32Array, y: Float32Array, planes: number, h: number, w: number, oh: number, ow: number): void {
  if (planes * h * w >= WASM_MIN && pool2x2Wasm(x, null, y, planes, h, w, oh, ow)) return;
  for (let p = 0, o = 0; p < planes; p++) {
    for (let oy = 0; oy < oh; oy++) {
      const r0 = p * h * w + 2 * oy * w;
      for (let ox = 0; ox < ow; ox++, o++) {
        const i = r0 + 2 * ox;
        const a = x[i], b = x[i + 1], c = x[i + w], d = x[i + w + 1];
        const sum = a + b + c + d; // NaN when a NaN is present (or +inf meets -inf): the rare careful path
        const k = sum === sum ? argmax4(a, b, c, d) : argmax4Slow(a, b, c, d);
        y[o] = x[i + (k & 1) + (k >> 1) * w];
      }
    }
  }
}

/**
 * Backward of `maxPool2x2`: every input element of a window is written once
 * (gy at the window's first maximum, or first NaN, else 0), so dx needs no
 * clearing pass; only the row/column an odd size leaves out is zeroed.
 */
function maxPool2x2Backward(x: Float32Array, gy: Float32Array, dx: Float32Array, planes: number, h: number, w: number, oh: number, ow: number): void {
  if (2 * oh < h || 2 * ow < w) dx.fill(0, 0, planes * h * w);
  if (planes * h * w >= WASM_MIN && pool2x2Wasm(x, gy, dx, planes, h, w, oh, ow)) return;
  for (let p = 0, o = 0; p < planes; p++) {
    for (let oy = 0; oy < oh; oy++) {
      const r0 = p * h * w + 2 * oy * w;
      for (let ox = 0; ox < ow; ox++, o++) {
        const i = r0 + 2 * ox;
        const a = x[i], b = x[i + 1], c = x[i + w], d = x[i + w + 1];
        const sum = a + b + c + d;
        const k = sum === sum ? argmax4(a, b, c, d) : argmax4Slow(a, b, c, d);
        dx[i] = 0; dx[i + 1] = 0; dx[i + w] = 0; dx[i + w + 1] = 0;
        dx[i + (k & 1) + (k >> 1) * w] = gy[o];
      }
    }
  }
}

/** Average-pool options beyond the window. */
export interface AvgPoolOptions {
  /** Divide by the full window including padding (PyTorch default true). */
  countIncludePad: boolean;
  /** Divide by this instead (PyTorch's divisor_override), or 0 for none. */
  divisor: number;
}

/** Average-pool windows per output row and column: clipped [start, end) and the padded length (PyTorch's rule). */
interface AvgWindows { ys: Int32Array; ye: Int32Array; ph: Int32Array; xs: Int32Array; xe: Int32Array; pw: Int32Array }

function axisWindows(out: number, size: number, k: number, stride: number, before: number, after: number): [Int32Array, Int32Array, Int32Array] {
  const st = new Int32Array(out), en = new Int32Array(out), len = new Int32Array(out);
  for (let o = 0; o < out; o++) {
    const a = o * stride - before, b = Math.min(a + k, size + after);
    len[o] = b - a;
    st[o] = Math.max(a, 0);
    en[o] = Math.min(b, size);
  }
  return [st, en, len];
}

function avgWindows(s: Pool, oh: number, ow: number): AvgWindows {
  const [ys, ye, ph] = axisWindows(oh, s.h, s.kh, s.strideH, s.padTop, s.padBottom);
  const [xs, xe, pw] = axisWindows(ow, s.w, s.kw, s.strideW, s.padLeft, s.padRight);
  return { ys, ye, ph, xs, xe, pw };
}

/** 1 / divisor of window (oy, ox): the override, the padded window, or the clipped one. */
function invDivisor(win: AvgWindows, oy: number, ox: number, opts: AvgPoolOptions): number {
  const div = opts.divisor > 0 ? opts.divisor : opts.countIncludePad ? win.ph[oy] * win.pw[ox]
    : (win.ye[oy] - win.ys[oy]) * (win.xe[ox] - win.xs[ox]);
  return 1 / div;
}

function checkAvg(kernel: string, g: ConvGeometry, opts: AvgPoolOptions): Pool {
  const s = resolve(kernel, g);
  if (s.dilationH !== 1 || s.dilationW !== 1) throw new KernelArgumentError(kernel, 'average pooling has no dilation');
  if (!(opts.divisor >= 0) || !Number.isInteger(opts.divisor)) throw new KernelArgumentError(kernel, `divisor must be a non-negative integer, got ${opts.divisor}`);
  return s;
}

/**
 * y = avgPool2d(x) with PyTorch's divisor rules.
 * @example avgPool2dNCHW(x, y, geometry, { countIncludePad: true, divisor: 0 });
 */
export function avgPool2dNCHW(x: Float32Array, y: Float32Array, g: ConvGeometry, opts: AvgPoolOptions): void {
  const s = checkAvg('avgPool2dNCHW', g, opts), oh = s.outH, ow = s.outW;
  const hw = s.h * s.w, ohw = oh * ow;
  checkLen('avgPool2dNCHW', 'x', x, s.planes * hw, 'planes*h*w');
  checkLen('avgPool2dNCHW', 'y', y, s.planes * ohw, 'planes*outH*outW');
  const win = avgWindows(s, oh, ow), w = s.w;
  for (let p = 0, o = 0; p < s.planes; p++) {
    const xo = p * hw;
    for (let oy = 0; oy < oh; oy++) {
      const y0 = win.ys[oy], y1 = win.ye[oy];
      for (let ox = 0; ox < ow; ox++, o++) {
        const x0 = win.xs[ox], x1 = win.xe[ox];
        let acc = 0;
        for (let iy = y0; iy < y1; iy++) for (let ix = xo + iy * w + x0, e = xo + iy * w + x1; ix < e; ix++) acc += x[ix];
        y[o] = acc * invDivisor(win, oy, ox, opts);
      }
    }
  }
}

/**
 * dx = the gradient of avgPool2d (overwrites dx).
 * @example avgPool2dBackwardNCHW(gy, dx, geometry, { countIncludePad: false, divisor: 0 });
 */
export function avgPool2dBackwardNCHW(gy: Float32Array, dx: Float32Array, g: ConvGeometry, opts: AvgPoolOptions): void {
  const s = checkAvg('avgPool2dBackwardNCHW', g, opts), oh = s.outH, ow = s.outW;
  const hw = s.h * s.w, ohw = oh * ow;
  checkLen('avgPool2dBackwardNCHW', 'dx', dx, s.planes * hw, 'planes*h*w');
  checkLen('avgPool2dBackwardNCHW', 'gy', gy, s.planes * ohw, 'planes*outH*outW');
  dx.fill(0, 0, s.planes * hw);
  const win = avgWindows(s, oh, ow), w = s.w;
  for (let p = 0, o = 0; p < s.planes; p++) {
    const xo = p * hw;
    for (let oy = 0; oy < oh; oy++) {
      const y0 = win.ys[oy], y1 = win.ye[oy];
      for (let ox = 0; ox < ow; ox++, o++) {
        const x0 = win.xs[ox], x1 = win.xe[ox], v = gy[o] * invDivisor(win, oy, ox, opts);
        for (let iy = y0; iy < y1; iy++) for (let ix = xo + iy * w + x0, e = xo + iy * w + x1; ix < e; ix++) dx[ix] += v;
      }
    }
  }
}

/** Adaptive window [floor(i*in/out), ceil((i+1)*in/out)) of output index i. */
function adaptiveStart(i: number, inSize: number, out: number): number { return Math.floor((i * inSize) / out); }
function adaptiveEnd(i: number, inSize: number, out: number): number { return Math.ceil(((i + 1) * inSize) / out); }

function checkAdaptive(kernel: string, planes: number, h: number, w: number, oh: number, ow: number): void {
  for (const [k, v] of [['planes', planes], ['h', h], ['w', w], ['outH', oh], ['outW', ow]] as const) checkDim(kernel, k, v);
  if ((oh > 0 && h === 0) || (ow > 0 && w === 0)) throw new KernelArgumentError(kernel, `cannot pool an empty ${h}x${w} input to ${oh}x${ow}`);
}

/**
 * y [planes, oh, ow] = adaptiveAvgPool2d(x [planes, h, w]) (PyTorch's windows).
 * @example adaptiveAvgPool2dNCHW(x, y, 64, 7, 7, 1, 1); // global average pool
 */
export function adaptiveAvgPool2dNCHW(x: Float32Array, y: Float32Array, planes: number, h: number, w: number, oh: number, ow: number): void {
  checkAdaptive('adaptiveAvgPool2dNCHW', planes, h, w, oh, ow);
  checkLen('adaptiveAvgPool2dNCHW', 'x', x, planes * h * w, 'planes*h*w');
  checkLen('adaptiveAvgPool2dNCHW', 'y', y, planes * oh * ow, 'planes*outH*outW');
  for (let p = 0; p < planes; p++) {
    const xo = p * h * w;
    for (let oy = 0; oy < oh; oy++) {
      const y0 = adaptiveStart(oy, h, oh), y1 = adaptiveEnd(oy, h, oh);
      for (let ox = 0; ox < ow; ox++) {
        const x0 = adaptiveStart(ox, w, ow), x1 = adaptiveEnd(ox, w, ow);
        let acc = 0;
        for (let iy = y0; iy < y1; iy++) for (let ix = x0; ix < x1; ix++) acc += x[xo + iy * w + ix];
        y[(p * oh + oy) * ow + ox] = acc / ((y1 - y0) * (x1 - x0));
      }
    }
  }
}

/**
 * dx = the gradient of adaptiveAvgPool2d (overwrites dx).
 * @example adaptiveAvgPool2dBackwardNCHW(gy, dx, 64, 7, 7, 1, 1);
 */
export function adaptiveAvgPool2dBackwardNCHW(gy: Float32Array, dx: Float32Array, planes: number, h: number, w: number, oh: number, ow: number): void {
  checkAdaptive('adaptiveAvgPool2dBackwardNCHW', planes, h, w, oh, ow);
  checkLen('adaptiveAvgPool2dBackwardNCHW', 'dx', dx, planes * h * w, 'planes*h*w');
  checkLen('adaptiveAvgPool2dBackwardNCHW', 'gy', gy, planes * oh * ow, 'planes*outH*outW');
  dx.fill(0, 0, planes * h * w);
  for (let p = 0; p < planes; p++) {
    const xo = p * h * w;
    for (let oy = 0; oy < oh; oy++) {
      const y0 = adaptiveStart(oy, h, oh), y1 = adaptiveEnd(oy, h, oh);
      for (let ox = 0; ox < ow; ox++) {
        const x0 = adaptiveStart(ox, w, ow), x1 = adaptiveEnd(ox, w, ow);
        const v = gy[(p * oh + oy) * ow + ox] / ((y1 - y0) * (x1 - x0));
        for (let iy = y0; iy < y1; iy++) for (let ix = x0; ix < x1; ix++) dx[xo + iy * w + ix] += v;
      }
    }
  }
}

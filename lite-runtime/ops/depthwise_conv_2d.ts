/**
 * DEPTHWISE_CONV_2D (NHWC): y[n,oy,ox,c*m+j] = act(sum_{ky,kx} x[n,iy,ix,c] * w[0,ky,kx,c*m+j] + b[c*m+j]).
 * Direct loops: windows fully inside the image (most of them) take an unchecked tap loop
 * with a register accumulator; border windows skip their padding taps. Int8:
 * per-channel requantization (util/requant.ts); padding taps add exactly zero.
 */
import { BuiltinOp, DepthwiseConv2DOptions as F } from '../format/schema.js';
import type { OpDef, OpNode } from './op.js';
import { describe, expect, expectDType, expectRank, input, numElements, optInput, output, qparams, setOutput } from './util/check.js';
import { actName, floatActRange, quantActRange } from './util/activation.js';
import { makeRequant, requant, type Requant } from './util/requant.js';
import { window2d, type Window2D } from './util/window.js';
import { constData, floatWeightsOrLive, live } from './util/weights.js';

const OP = 'DEPTHWISE_CONV_2D';

interface Geometry { n: number; h: number; w: number; c: number; oc: number; mult: number; win: Window2D }

interface FloatState {
  kind: 'f32'; g: Geometry; weights: Float32Array | null; bias: Float32Array | null; hasBias: boolean; lo: number; hi: number;
  t: Taps; inner: [number, number, number, number];
}
interface Int8State {
  kind: 'i8'; g: Geometry; weights: Int8Array | null; bias: Int32Array | null; hasBias: boolean; inOff: number; rq: Requant;
  t: Taps; inner: [number, number, number, number]; wsum: Int32Array | null;
  /** Constant filter with each channel's taps contiguous (windows other than 3x3). */
  wT: Int8Array | null;
}
type State = FloatState | Int8State;

function geometry(node: OpNode): Geometry {
  const x = input(OP, node, 0), w = input(OP, node, 1);
  expectRank(OP, node, 'input 0', x, 4);
  expectRank(OP, node, 'filter', w, 4);
  const [n, h, wd, c] = x.shape as [number, number, number, number];
  const [one, kh, kw, oc] = w.shape as [number, number, number, number];
  expect(OP, node, one === 1 && c > 0 && oc % c === 0 && oc > 0,
    () => `${describe('filter', w)}: must be [1,kh,kw,c*multiplier] with c = ${c}`);
  const o = node.options;
  const padding = o ? o.i8(F.padding, 0) : 0;
  const sw = o ? o.i32(F.stride_w, 1) : 1, sh = o ? o.i32(F.stride_h, 1) : 1;
  const dw = o ? o.i32(F.dilation_w_factor, 1) : 1, dh = o ? o.i32(F.dilation_h_factor, 1) : 1;
  expect(OP, node, sw >= 1 && sh >= 1 && dw >= 1 && dh >= 1, () => `strides (${sh},${sw}) and dilations (${dh},${dw}) must be >= 1`);
  expect(OP, node, padding === 0 || padding === 1, () => `padding must be SAME (0) or VALID (1), got ${padding}`);
  const win = window2d(padding, h, wd, kh, kw, sh, sw, dh, dw);
  expect(OP, node, win.outH > 0 && win.outW > 0 && kh > 0 && kw > 0,
    () => `filter ${kh}x${kw} does not fit input ${h}x${wd}`);
  return { n, h, w: wd, c, oc, mult: oc / c, win };
}

/** Per output channel, the sum of its filter taps (folds the input offset out of the interior loop). */
function weightSums(w: Int8Array, g: Geometry): Int32Array {
  const sums = new Int32Array(g.oc), taps = g.win.kh * g.win.kw;
  for (let k = 0; k < taps; k++) for (let o = 0; o < g.oc; o++) sums[o] += w[k * g.oc + o]!;
  return sums;
}

function act(node: OpNode): number {
  return node.options ? node.options.i8(F.fused_activation_function, 0) : 0;
}

function checkBias(node: OpNode, g: Geometry, dtype: 'float32' | 'int32'): void {
  const b = optInput(node, 2);
  if (!b) return;
  expectDType(OP, node, 'bias', b, dtype);
  expect(OP, node, numElements(b.shape) === g.oc, () => `${describe('bias', b)}: needs ${g.oc} values`);
}

/** Tap offsets (elements, relative to the window origin) and whether a window lies inside the image. */
interface Taps { off: Int32Array; n: number }

function taps(g: Geometry): Taps {
  const { win, c } = g;
  const off = new Int32Array(win.kh * win.kw);
  for (let ky = 0; ky < win.kh; ky++) for (let kx = 0; kx < win.kw; kx++) {
    off[ky * win.kw + kx] = (ky * win.dilationH * g.w + kx * win.dilationW) * c;
  }
  return { off, n: off.length };
}

/**
 * Sum over the window of one output pixel for output channel `o` (input channel `ch`),
 * bounds-checked (windows that touch the padding). `inOff` is the int8 input offset.
 */
function edgeSum(x: Float32Array | Int8Array, w: Float32Array | Int8Array, g: Geometry,
  b: number, iy0: number, ix0: number, ch: number, o: number, inOff: number): number {
  const { win } = g;
  let s = 0;
  for (let ky = 0; ky < win.kh; ky++) {
    const iy = iy0 + ky * win.dilationH;
    if (iy < 0 || iy >= g.h) continue;
    for (let kx = 0; kx < win.kw; kx++) {
      const ix = ix0 + kx * win.dilationW;
      if (ix < 0 || ix >= g.w) continue;
      s += (x[((b * g.h + iy) * g.w + ix) * g.c + ch]! + inOff) * w[(ky * win.kw + kx) * g.oc + o]!;
    }
  }
  return s;
}

/**
 * Visits every output pixel: `pixel(yo, q, interior, b, iy0, ix0)` with the output offset,
 * the input offset of the window origin and whether all taps are in the image.
 */
function interiorBounds(g: Geometry): [number, number, number, number] {
  const { win } = g;
  const effH = (win.kh - 1) * win.dilationH, effW = (win.kw - 1) * win.dilationW;
  // interior oy: iy0 >= 0 and iy0 + effH < h
  const oy0 = Math.ceil(win.padTop / win.strideH), ox0 = Math.ceil(win.padLeft / win.strideW);
  const oy1 = Math.min(win.outH, Math.floor((g.h - 1 - effH + win.padTop) / win.strideH) + 1);
  const ox1 = Math.min(win.outW, Math.floor((g.w - 1 - effW + win.padLeft) / win.strideW) + 1);
  return [oy0, Math.max(oy0, oy1), ox0, Math.max(ox0, ox1)];
}

/** Float 3x3 windows fully inside the image, channel by channel (see interior3x3Int8). */
function interior3x3Float(x: Float32Array, w: Float32Array, y: Float32Array, s: FloatState, bias: Float32Array | null, b: number): void {
  const { g, lo, hi } = s;
  const { win, oc, mult } = g;
  const [oy0, oy1, ox0, ox1] = s.inner;
  const cs = win.dilationW * g.c, cs2 = 2 * cs, rs = win.dilationH * g.w * g.c, rs2 = 2 * rs;
  const xStep = win.strideW * g.c;
  for (let o = 0; o < oc; o++) {
    const ch = mult === 1 ? o : (o / mult) | 0;
    const w0 = w[o]!, w1 = w[oc + o]!, w2 = w[2 * oc + o]!, w3 = w[3 * oc + o]!, w4 = w[4 * oc + o]!;
    const w5 = w[5 * oc + o]!, w6 = w[6 * oc + o]!, w7 = w[7 * oc + o]!, w8 = w[8 * oc + o]!;
    const base = bias ? bias[o]! : 0;
    for (let oy = oy0; oy < oy1; oy++) {
      let a = ((b * g.h + oy * win.strideH - win.padTop) * g.w + ox0 * win.strideW - win.padLeft) * g.c + ch;
      let yo = ((b * win.outH + oy) * win.outW + ox0) * oc + o;
      for (let ox = ox0; ox < ox1; ox++, a += xStep, yo += oc) {
        const v = base + x[a]! * w0 + x[a + cs]! * w1 + x[a + cs2]! * w2
          + x[a + rs]! * w3 + x[a + rs + cs]! * w4 + x[a + rs + cs2]! * w5
          + x[a + rs2]! * w6 + x[a + rs2 + cs]! * w7 + x[a + rs2 + cs2]! * w8;
        y[yo] = v < lo ? lo : v > hi ? hi : v;
      }
    }
  }
}

function runFloat(node: OpNode, s: FloatState): void {
  const { g, lo, hi, t } = s;
  const x = node.inputs[0]!.data as Float32Array, y = node.outputs[0]!.data as Float32Array, w = live(node, 1, s.weights);
  const bias = s.hasBias ? live(node, 2, s.bias) : null;
  const { win, oc, mult } = g;
  const [oy0, oy1, ox0, ox1] = s.inner;
  const off = t.off, nt = t.n;
  const k3 = win.kh === 3 && win.kw === 3;
  let yo = 0;
  for (let b = 0; b < g.n; b++) {
    if (k3) interior3x3Float(x, w, y, s, bias, b);
    for (let oy = 0; oy < win.outH; oy++) {
      const iy0 = oy * win.strideH - win.padTop;
      for (let ox = 0; ox < win.outW; ox++, yo += oc) {
        const ix0 = ox * win.strideW - win.padLeft;
        const inside = oy >= oy0 && oy < oy1 && ox >= ox0 && ox < ox1;
        if (inside && k3) continue;
        const q = ((b * g.h + iy0) * g.w + ix0) * g.c;
        for (let o = 0; o < oc; o++) {
          const ch = mult === 1 ? o : (o / mult) | 0;
          let v = bias ? bias[o]! : 0;
          if (inside) {
            for (let k = 0, wo = o; k < nt; k++, wo += oc) v += x[q + off[k]! + ch]! * w[wo]!;
          } else {
            v += edgeSum(x, w, g, b, iy0, ix0, ch, o, 0);
          }
          y[yo + o] = v < lo ? lo : v > hi ? hi : v;
        }
      }
    }
  }
}

const ROUND_MAGIC = 6755399441055744; // 1.5 * 2^52: (v + M) - M rounds half to even

/**
 * Int8 3x3 windows fully inside the image, fp32 requantization, channel by channel:
 * the nine weights, bias and scale of a channel stay in registers while it sweeps
 * every interior output pixel (border pixels are left to the caller).
 */
function interior3x3Int8(x: Int8Array, w: Int8Array, y: Int8Array, s: Int8State, bias: Int32Array | null, wsum: Int32Array, b: number): void {
  const { g, rq } = s;
  const { win, oc, mult } = g;
  const [oy0, oy1, ox0, ox1] = s.inner;
  const sc = rq.scale, pc = sc.length > 1, zp = rq.outZp, flo = rq.lo - zp, fhi = rq.hi - zp;
  const cs = win.dilationW * g.c, cs2 = 2 * cs, rs = win.dilationH * g.w * g.c, rs2 = 2 * rs;
  const xStep = win.strideW * g.c;
  for (let o = 0; o < oc; o++) {
    const ch = mult === 1 ? o : (o / mult) | 0;
    const w0 = w[o]!, w1 = w[oc + o]!, w2 = w[2 * oc + o]!, w3 = w[3 * oc + o]!, w4 = w[4 * oc + o]!;
    const w5 = w[5 * oc + o]!, w6 = w[6 * oc + o]!, w7 = w[7 * oc + o]!, w8 = w[8 * oc + o]!;
    const base = (bias ? bias[o]! : 0) + s.inOff * wsum[o]!, scale = pc ? sc[o]! : sc[0]!;
    for (let oy = oy0; oy < oy1; oy++) {
      let a = ((b * g.h + oy * win.strideH - win.padTop) * g.w + ox0 * win.strideW - win.padLeft) * g.c + ch;
      let yo = ((b * win.outH + oy) * win.outW + ox0) * oc + o;
      for (let ox = ox0; ox < ox1; ox++, a += xStep, yo += oc) {
        const acc = base + x[a]! * w0 + x[a + cs]! * w1 + x[a + cs2]! * w2
          + x[a + rs]! * w3 + x[a + rs + cs]! * w4 + x[a + rs + cs2]! * w5
          + x[a + rs2]! * w6 + x[a + rs2 + cs]! * w7 + x[a + rs2 + cs2]! * w8;
        let v = Math.fround(Math.fround(acc) * scale);
        v = v < flo ? flo : v > fhi ? fhi : v;
        y[yo] = (v + ROUND_MAGIC - ROUND_MAGIC) + zp;
      }
    }
  }
}

/** Filter taps per output channel, contiguous: wT[o * taps + k] = w[k * oc + o]. */
function transposeTaps<T extends Float32Array | Int8Array>(w: T, g: Geometry, out: T): T {
  const taps = g.win.kh * g.win.kw, oc = g.oc;
  for (let k = 0; k < taps; k++) for (let o = 0; o < oc; o++) out[o * taps + k] = w[k * oc + o]!;
  return out;
}

/**
 * Int8 windows of any size fully inside the image, fp32 requantization, channel by
 * channel with the channel's taps contiguous (`wT`); border pixels are left to the caller.
 */
function interiorInt8(x: Int8Array, wT: Int8Array, y: Int8Array, s: Int8State, bias: Int32Array | null, wsum: Int32Array, b: number): void {
  const { g, rq, t } = s;
  const { win, oc, mult } = g;
  const [oy0, oy1, ox0, ox1] = s.inner;
  const sc = rq.scale, pc = sc.length > 1, zp = rq.outZp, flo = rq.lo - zp, fhi = rq.hi - zp;
  const nt = t.n, xStep = win.strideW * g.c, kh = win.kh, kw = win.kw;
  const cs = win.dilationW * g.c, rs = win.dilationH * g.w * g.c;
  for (let o = 0; o < oc; o++) {
    const ch = mult === 1 ? o : (o / mult) | 0, wo = o * nt;
    const base = (bias ? bias[o]! : 0) + s.inOff * wsum[o]!, scale = pc ? sc[o]! : sc[0]!;
    for (let oy = oy0; oy < oy1; oy++) {
      let a = ((b * g.h + oy * win.strideH - win.padTop) * g.w + ox0 * win.strideW - win.padLeft) * g.c + ch;
      let yo = ((b * win.outH + oy) * win.outW + ox0) * oc + o;
      for (let ox = ox0; ox < ox1; ox++, a += xStep, yo += oc) {
        let acc = base;
        for (let ky = 0, r = a, wk = wo; ky < kh; ky++, r += rs) {
          for (let kx = 0, p = r; kx < kw; kx++, p += cs, wk++) acc += x[p]! * wT[wk]!;
        }
        let v = Math.fround(Math.fround(acc) * scale);
        v = v < flo ? flo : v > fhi ? fhi : v;
        y[yo] = (v + ROUND_MAGIC - ROUND_MAGIC) + zp;
      }
    }
  }
}

function runInt8(node: OpNode, s: Int8State): void {
  const { g, rq, t } = s;
  const x = node.inputs[0]!.data as Int8Array, y = node.outputs[0]!.data as Int8Array, w = live(node, 1, s.weights);
  const bias = s.hasBias ? live(node, 2, s.bias) : null;
  const wsum = s.wsum ?? weightSums(w, g);
  const { win, oc, mult } = g;
  const [oy0, oy1, ox0, ox1] = s.inner;
  const off = t.off, nt = t.n, inOff = s.inOff;
  const fp = rq.fp32, sc = rq.scale, pc = sc.length > 1, zp = rq.outZp, flo = rq.lo - zp, fhi = rq.hi - zp;
  // 3x3 windows: the nine taps unrolled (offsets of rows and columns in the input)
  const k3 = win.kh === 3 && win.kw === 3;
  const cs = win.dilationW * g.c, cs2 = 2 * cs, rs = win.dilationH * g.w * g.c, rs2 = 2 * rs;
  const oc2 = 2 * oc, oc3 = 3 * oc, oc4 = 4 * oc, oc5 = 5 * oc, oc6 = 6 * oc, oc7 = 7 * oc, oc8 = 8 * oc;
  const block = fp; // interior pixels done channel by channel
  const wT = block && !k3 ? (s.wT ?? transposeTaps(w, g, new Int8Array(w.length))) : null;
  let yo = 0;
  for (let b = 0; b < g.n; b++) {
    if (block && k3) interior3x3Int8(x, w, y, s, bias, wsum, b);
    else if (block) interiorInt8(x, wT!, y, s, bias, wsum, b);
    for (let oy = 0; oy < win.outH; oy++) {
      const iy0 = oy * win.strideH - win.padTop;
      for (let ox = 0; ox < win.outW; ox++, yo += oc) {
        const ix0 = ox * win.strideW - win.padLeft;
        const inside = oy >= oy0 && oy < oy1 && ox >= ox0 && ox < ox1;
        if (inside && block) continue;
        const q = ((b * g.h + iy0) * g.w + ix0) * g.c;
        for (let o = 0; o < oc; o++) {
          const ch = mult === 1 ? o : (o / mult) | 0;
          let acc = bias ? bias[o]! : 0;
          if (inside) {
            // sum (x + inOff) * w = sum x * w + inOff * sum w
            let sx = 0;
            if (k3) {
              const a = q + ch;
              sx = x[a]! * w[o]! + x[a + cs]! * w[oc + o]! + x[a + cs2]! * w[oc2 + o]!
                + x[a + rs]! * w[oc3 + o]! + x[a + rs + cs]! * w[oc4 + o]! + x[a + rs + cs2]! * w[oc5 + o]!
                + x[a + rs2]! * w[oc6 + o]! + x[a + rs2 + cs]! * w[oc7 + o]! + x[a + rs2 + cs2]! * w[oc8 + o]!;
            } else {
              for (let k = 0, wo = o; k < nt; k++, wo += oc) sx += x[q + off[k]! + ch]! * w[wo]!;
            }
            acc += sx + inOff * wsum[o]!;
          } else {
            acc += edgeSum(x, w, g, b, iy0, ix0, ch, o, inOff);
          }
          if (fp) {
            let v = Math.fround(Math.fround(acc) * (pc ? sc[o]! : sc[0]!));
            v = v < flo ? flo : v > fhi ? fhi : v;
            y[yo + o] = (v + ROUND_MAGIC - ROUND_MAGIC) + zp;
          } else {
            y[yo + o] = requant(rq, acc, pc ? o : 0);
          }
        }
      }
    }
  }
}

export const DEPTHWISE_CONV_2D: OpDef<State> = {
  code: BuiltinOp.DEPTHWISE_CONV_2D,
  name: OP,
  prepare(node) {
    const x = input(OP, node, 0), w = input(OP, node, 1), y = output(OP, node, 0);
    expectDType(OP, node, 'input 0', x, 'float32', 'int8');
    const g = geometry(node);
    setOutput(OP, node, y, [g.n, g.win.outH, g.win.outW, g.oc], x.dtype);
    const a = act(node);
    if (x.dtype === 'float32') {
      checkBias(node, g, 'float32');
      const r = floatActRange(a);
      expect(OP, node, r !== null, () => `fused activation ${actName(a)} is not supported`);
      const b = optInput(node, 2);
      return {
        kind: 'f32', g, weights: floatWeightsOrLive(OP, node, 'filter', w), bias: constData<Float32Array>(b), hasBias: !!b,
        lo: r[0], hi: r[1], t: taps(g), inner: interiorBounds(g),
      };
    }
    expectDType(OP, node, 'filter', w, 'int8');
    checkBias(node, g, 'int32');
    const xq = qparams(OP, node, 'input 0', x), yq = qparams(OP, node, 'output', y);
    const wq = w.quant;
    expect(OP, node, !!wq && (wq.scale.length === 1 || wq.scale.length === g.oc),
      () => `${describe('filter', w)}: needs 1 or ${g.oc} scales`);
    expect(OP, node, wq!.zeroPoint.every((z) => z === 0), () => `${describe('filter', w)}: int8 filter zero points must be 0`);
    const r = quantActRange(a, yq.scale, yq.zeroPoint, -128, 127);
    expect(OP, node, r !== null, () => `fused activation ${actName(a)} is not supported`);
    const b = optInput(node, 2);
    return {
      kind: 'i8', g, weights: constData<Int8Array>(w), bias: constData<Int32Array>(b), hasBias: !!b, inOff: -xq.zeroPoint,
      rq: makeRequant(xq.scale, wq!.scale, yq.scale, yq.zeroPoint, r[0], r[1], g.oc),
      t: taps(g), inner: interiorBounds(g), wsum: w.isConst ? weightSums(w.data as Int8Array, g) : null,
      wT: w.isConst ? transposeTaps(w.data as Int8Array, g, new Int8Array(w.data.length)) : null,
    };
  },
  run(node, s) {
    if (s.kind === 'f32') runFloat(node, s);
    else runInt8(node, s);
  },
};

/**
 * CONV_2D (NHWC): y[n,oy,ox,o] = act(sum_{ky,kx,c} x[n,iy,ix,c] * w[o,ky,kx,c] + b[o]).
 * Float: im2col + packed GEMM (weights packed once at prepare; 1x1 stride-1 skips im2col).
 * Int8: im2col (padded with the input zero point) + int8 GEMM + per-channel requantization.
 * Grouped convolution (filter channels a divisor of the input's): one im2col + GEMM per group.
 */
import { BuiltinOp, Conv2DOptions as F } from '../format/schema.js';
import {
  convNHWCPacked, convNHWCI8Requant, reserveConvNHWCPacked, i8LayoutFor, im2colNHWC, matmul, matmulPacked, packB, packI8, packRequantI8, qmatmulI8, qmatmulI8Packed, qmatmulI8PackedRequant,
  type ConvGeometry, type PackedI8, type PackedMatrix, type PackedRequantI8,
} from '../kernels/index.js';
import type { LiteOp, OpNode } from './op.js';
import { expect, expectDType, expectRank, input, numElements, optInput, output, qparams, setOutput, describe } from './util/check.js';
import { floatActRange, quantActRange, actName } from './util/activation.js';
import { makeRequant, requantMode, requantBlock, type Requant } from './util/requant.js';
import { allZero } from './util/quant.js';
import { clampRange, convWindow } from './util/window.js';
import { constData, floatWeightsOrLive, live } from './util/weights.js';

const OP = 'CONV_2D';

interface Geometry {
  n: number; h: number; w: number; c: number; oc: number; k: number;
  /** Groups, input channels per group (the filter's), output channels per group. */
  groups: number; gc: number; goc: number;
  outH: number; outW: number; conv: ConvGeometry; direct: boolean;
  /** Output rows per band: im2col and the int8 accumulators cover one band at a time. */
  band: number;
}

/** Elements of im2col / accumulator scratch per band (bounds the scratch memory of large images). */
const BAND_ELEMENTS = 1 << 18;

/** One band of output rows [oy0, oy1): the input rows it reads and its im2col geometry. */
interface Band { rowStart: number; rowEnd: number; conv: ConvGeometry }

function bandOf(g: Geometry, oy0: number, oy1: number): Band {
  const c = g.conv, sh = c.strideH ?? 1, dh = c.dilationH ?? 1, pt = c.padTop ?? 0;
  const first = oy0 * sh - pt, last = (oy1 - 1) * sh - pt + (g.conv.kh - 1) * dh;
  const rowStart = Math.max(0, first), rowEnd = Math.min(g.h, last + 1);
  return {
    rowStart, rowEnd,
    conv: { ...c, h: rowEnd - rowStart, padTop: Math.max(0, -first), padBottom: Math.max(0, last + 1 - g.h) },
  };
}

interface FloatState {
  kind: 'f32'; g: Geometry; weights: Float32Array | null; packed: PackedMatrix[] | null; hasBias: boolean;
  bias: Float32Array | null; kAct: 'relu' | 'relu6' | null; lo: number; hi: number; col: Float32Array | null;
  /** One group's output band (groups > 1), scattered into the output's channels. */
  gout: Float32Array | null;
}

interface Int8State {
  kind: 'i8'; g: Geometry; weights: Int8Array | null; packed: PackedI8[] | null; bias: Int32Array | null; hasBias: boolean;
  inZp: number; rq: Requant; col: Int8Array | null; acc: Int32Array;
  /** Per group, the wasm GEMM's fused requantization (fp32 mode, constant weights and bias), else null. */
  fused: Array<PackedRequantI8 | null> | null;
}

type State = FloatState | Int8State;

function geometry(node: OpNode): Geometry {
  const x = input(OP, node, 0), w = input(OP, node, 1);
  expectRank(OP, node, 'input 0', x, 4);
  expectRank(OP, node, 'filter', w, 4);
  const [n, h, wd, c] = x.shape as [number, number, number, number];
  const [oc, kh, kw, wc] = w.shape as [number, number, number, number];
  expect(OP, node, wc > 0 && c % wc === 0 && oc % (c / wc) === 0,
    () => `${describe('filter', w)}: input channels ${wc} must equal the input's ${c} or divide it into groups that divide ${oc} outputs`);
  const groups = c / wc;
  const win = convWindow(OP, node, F, h, wd, kh, kw);
  expect(OP, node, win.outH > 0 && win.outW > 0 && oc > 0 && kh > 0 && kw > 0,
    () => `filter ${kh}x${kw} does not fit input ${h}x${wd} (output ${win.outH}x${win.outW})`);
  const conv: ConvGeometry = {
    c, h, w: wd, kh, kw, strideH: win.strideH, strideW: win.strideW, dilationH: win.dilationH, dilationW: win.dilationW,
    padTop: win.padTop, padLeft: win.padLeft, padBottom: win.padBottom, padRight: win.padRight,
  };
  const direct = groups === 1 && kh === 1 && kw === 1 && win.strideH === 1 && win.strideW === 1;
  const band = Math.max(1, Math.min(win.outH, Math.floor(BAND_ELEMENTS / (win.outW * Math.max(kh * kw * wc, oc)))));
  return {
    n, h, w: wd, c, oc, k: kh * kw * wc, groups, gc: wc, goc: oc / groups,
    outH: win.outH, outW: win.outW, conv, direct, band,
  };
}

/** Per-group slices of a constant [oc, k] weight matrix, packed by `pack`. */
function perGroup<W extends Float32Array | Int8Array, P>(w: W, g: Geometry, pack: (part: W) => P): P[] {
  const size = g.goc * g.k;
  return Array.from({ length: g.groups }, (_, i) => pack((g.groups === 1 ? w : w.subarray(i * size, (i + 1) * size)) as W));
}

function activation(node: OpNode): number {
  return node.options ? node.options.i8(F.fused_activation_function, 0) : 0;
}

function prepareFloat(node: OpNode, g: Geometry): FloatState {
  const w = input(OP, node, 1), b = optInput(node, 2);
  const weights = floatWeightsOrLive(OP, node, 'filter', w);
  if (b) {
    expectDType(OP, node, 'bias', b, 'float32');
    expect(OP, node, numElements(b.shape) === g.oc, () => `${describe('bias', b)}: needs ${g.oc} values`);
  }
  const act = activation(node);
  const r = floatActRange(act);
  expect(OP, node, r !== null, () => `fused activation ${actName(act)} is not supported`);
  const kAct = act === 1 ? 'relu' : act === 3 ? 'relu6' : null;
  const packed = weights ? perGroup(weights, g, (p) => packB(p, g.k, g.goc, true)) : null;
  if (packed && g.groups === 1 && !g.direct) reserveConvNHWCPacked(packed[0]!, g.conv);
  return {
    kind: 'f32', g, weights, packed, hasBias: !!b,
    bias: constData<Float32Array>(b), kAct,
    lo: kAct ? -Infinity : r[0], hi: kAct ? Infinity : r[1],
    col: g.direct ? null : new Float32Array(g.band * g.outW * g.k),
    gout: g.groups > 1 ? new Float32Array(g.band * g.outW * g.goc) : null,
  };
}

function prepareInt8(node: OpNode, g: Geometry): Int8State {
  const x = input(OP, node, 0), w = input(OP, node, 1), b = optInput(node, 2), y = output(OP, node, 0);
  expectDType(OP, node, 'filter', w, 'int8');
  const xq = qparams(OP, node, 'input 0', x), yq = qparams(OP, node, 'output', y);
  const wq = w.quant;
  expect(OP, node, !!wq && (wq.scale.length === 1 || wq.scale.length === g.oc),
    () => `${describe('filter', w)}: needs 1 or ${g.oc} scales`);
  expect(OP, node, allZero(wq!.zeroPoint), () => `${describe('filter', w)}: int8 filter zero points must be 0`);
  if (b) {
    expectDType(OP, node, 'bias', b, 'int32');
    expect(OP, node, numElements(b.shape) === g.oc, () => `${describe('bias', b)}: needs ${g.oc} values`);
  }
  const act = activation(node);
  const r = quantActRange(act, yq.scale, yq.zeroPoint, -128, 127, requantMode() === 'fp32');
  expect(OP, node, r !== null, () => `fused activation ${actName(act)} is not supported`);
  const rq = makeRequant(xq.scale, wq!.scale, yq.scale, yq.zeroPoint, r[0], r[1], g.oc);
  const bias = constData<Int32Array>(b);
  // the weights are held once, in the layout the kernel of the smallest band reads
  const lastRows = g.outH - Math.floor((g.outH - 1) / g.band) * g.band;
  const layout = i8LayoutFor(Math.min(g.band, lastRows) * g.outW, g.k, rq.fp32 && (!b || !!bias));
  const packed = w.isConst ? perGroup(w.data as Int8Array, g, (p) => packI8(p, g.goc, g.k, layout)) : null;
  const fused = packed && rq.fp32 && (!b || bias)
    ? packed.map((_, gi) => packRequantI8({ bias, scale: rq.scale, zeroPoint: rq.outZp, lo: rq.lo, hi: rq.hi }, g.goc, gi * g.goc))
    : null;
  if (fused?.[0] && g.groups === 1 && !g.direct) convNHWCI8Requant(new Int8Array(0), 0, 0, packed![0]!, fused[0], null, 0, bandOf(g, 0, g.band).conv);
  return {
    kind: 'i8', g, weights: constData<Int8Array>(w), packed, bias, hasBias: !!b, inZp: xq.zeroPoint, rq,
    // the fused kernel needs no accumulators and builds its im2col in wasm memory: both are allocated the first time it declines
    col: g.direct ? null : new Int8Array(fused ? 0 : g.band * g.outW * g.k), acc: new Int32Array(fused ? 0 : g.band * g.outW * g.goc), fused,
  };
}

/** The GEMM operand of one band (and group): a view of the input (1x1 stride 1) or its im2col. */
function bandInput<T extends Float32Array | Int8Array>(g: Geometry, xb: T, col: T | null, oy0: number, oy1: number,
  padValue: number, group: number): T {
  const rowLen = g.w * g.c;
  if (!col) return (oy0 === 0 && oy1 === g.outH ? xb : xb.subarray(oy0 * rowLen, oy1 * rowLen)) as T;
  const opts = g.groups === 1 ? { padValue } : { padValue, c0: group * g.gc, cn: g.gc };
  if (oy0 === 0 && oy1 === g.outH) {
    im2colNHWC(xb, col, g.conv, opts);
  } else {
    const band = bandOf(g, oy0, oy1);
    im2colNHWC(xb.subarray(band.rowStart * rowLen, band.rowEnd * rowLen) as T, col, band.conv, opts);
  }
  return col;
}

/** Whole images through the wasm kernels (im2col in wasm memory, packed GEMM); false when they declined. */
function convImages(x: Float32Array, y: Float32Array, s: FloatState, bias: Float32Array | null): boolean {
  const { g } = s, inSize = g.h * g.w * g.c, outSize = g.outH * g.outW * g.oc;
  for (let b = 0; b < g.n; b++) {
    if (!convNHWCPacked(x, s.packed![0]!, y, g.conv, bias, s.kAct, { xOffset: b * inSize, yOffset: b * outSize })) return false;
  }
  if (s.lo !== -Infinity || s.hi !== Infinity) clampRange(y, 0, g.n * outSize, s.lo, s.hi);
  return true;
}

function runFloat(node: OpNode, s: FloatState): void {
  const { g } = s;
  const x = node.inputs[0]!.data as Float32Array, y = node.outputs[0]!.data as Float32Array;
  const inSize = g.h * g.w * g.c, outSize = g.outH * g.outW * g.oc, rowOut = g.outW * g.oc;
  const bias = s.hasBias ? live(node, 2, s.bias) : null;
  const weights = s.packed ? null : live(node, 1, s.weights);
  if (s.packed && g.groups === 1 && !g.direct && convImages(x, y, s, bias)) return;
  for (let b = 0; b < g.n; b++) {
    const xb = g.n === 1 ? x : x.subarray(b * inSize, (b + 1) * inSize);
    for (let oy0 = 0; oy0 < g.outH; oy0 += g.band) {
      const oy1 = Math.min(g.outH, oy0 + g.band), m = (oy1 - oy0) * g.outW, size = m * g.oc;
      const yo = b * outSize + oy0 * rowOut;
      const yb = yo === 0 && size === y.length ? y : y.subarray(yo, yo + size);
      for (let gi = 0; gi < g.groups; gi++) {
        const a = bandInput(g, xb, s.col, oy0, oy1, 0, gi);
        const out = s.gout ?? yb, n = g.goc, gb = bias && g.groups > 1 ? bias.subarray(gi * n, (gi + 1) * n) : bias;
        if (s.packed) {
          matmulPacked(a, s.packed[gi]!, out, m, gb, s.kAct);
        } else {
          const wg = g.groups === 1 ? weights! : weights!.subarray(gi * n * g.k, (gi + 1) * n * g.k);
          matmul(a, wg, out, m, g.k, n, { transB: true });
          if (gb) for (let i = 0; i < m; i++) for (let o = 0; o < n; o++) out[i * n + o] += gb[o]!;
          if (s.kAct) clampRange(out, 0, m * n, 0, s.kAct === 'relu' ? Infinity : 6);
        }
        if (s.gout) {
          for (let i = 0; i < m; i++) for (let o = 0; o < n; o++) yb[i * g.oc + gi * n + o] = s.gout[i * n + o]!;
        }
      }
      clampRange(yb, 0, size, s.lo, s.hi);
    }
  }
}

function runInt8(node: OpNode, s: Int8State): void {
  const { g, rq } = s;
  const bias = s.hasBias ? live(node, 2, s.bias) : null, weights = s.packed ? null : live(node, 1, s.weights);
  const x = node.inputs[0]!.data as Int8Array, y = node.outputs[0]!.data as Int8Array;
  const inSize = g.h * g.w * g.c, outSize = g.outH * g.outW * g.oc, rowOut = g.outW * g.oc, n = g.goc;
  for (let b = 0; b < g.n; b++) {
    const xb = g.n === 1 ? x : x.subarray(b * inSize, (b + 1) * inSize);
    for (let oy0 = 0; oy0 < g.outH; oy0 += g.band) {
      const oy1 = Math.min(g.outH, oy0 + g.band), m = (oy1 - oy0) * g.outW;
      for (let gi = 0; gi < g.groups; gi++) {
        const yOffset = b * outSize + oy0 * rowOut + gi * n, fused = s.fused?.[gi];
        if (fused && g.groups === 1 && s.col) {
          const band = bandOf(g, oy0, oy1);
          if (convNHWCI8Requant(x, b * inSize + band.rowStart * g.w * g.c, s.inZp, s.packed![0]!, fused, y, yOffset, band.conv)) continue;
        }
        if (s.col?.length === 0) s.col = new Int8Array(g.band * g.outW * g.k);
        const a = bandInput(g, xb, s.col, oy0, oy1, s.inZp, gi);
        if (fused && qmatmulI8PackedRequant(a, s.inZp, s.packed![gi]!, fused, y, m, { yOffset, yStride: g.oc })) continue;
        if (s.acc.length < m * n) s.acc = new Int32Array(g.band * g.outW * g.goc);
        const acc = s.acc;
        if (s.packed) qmatmulI8Packed(a, s.inZp, s.packed[gi]!, acc, m);
        else qmatmulI8(a, s.inZp, g.groups === 1 ? weights! : weights!.subarray(gi * n * g.k, (gi + 1) * n * g.k), acc, m, g.k, n);
        requantBlock(rq, acc, m, n, bias, y, yOffset, null, gi * n, g.oc);
      }
    }
  }
}

export const CONV_2D: LiteOp<State> = {
  code: BuiltinOp.CONV_2D,
  name: OP,
  prepare(node) {
    const x = input(OP, node, 0);
    expectDType(OP, node, 'input 0', x, 'float32', 'int8');
    const g = geometry(node);
    const y = output(OP, node, 0);
    setOutput(OP, node, y, [g.n, g.outH, g.outW, g.oc], x.dtype);
    return x.dtype === 'float32' ? prepareFloat(node, g) : prepareInt8(node, g);
  },
  run(node, s) {
    if (s.kind === 'f32') runFloat(node, s);
    else runInt8(node, s);
  },
};

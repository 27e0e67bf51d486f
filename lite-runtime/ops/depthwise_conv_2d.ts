/**
 * DEPTHWISE_CONV_2D (NHWC): y[n,oy,ox,c*m+j] = act(sum_{ky,kx} x[n,iy,ix,c] * w[0,ky,kx,c*m+j] + b[c*m+j]).
 * Float: the kernels' depthwiseNHWC (wasm for multiplier 1). Int8: the fused wasm kernel, else
 * direct loops (util/depthwise.ts): windows fully inside the image are swept channel by
 * channel, border windows pixel by pixel skipping their padding taps; per-channel
 * requantization (util/requant.ts); padding taps add exactly zero.
 */
import { BuiltinOp, DepthwiseConv2DOptions as F } from '../format/schema.js';
import type { LiteOp, OpNode } from './op.js';
import { describe, expect, expectDType, expectRank, input, numElements, optInput, output, qparams, setOutput } from './util/check.js';
import { actName, floatActRange, quantActRange } from './util/activation.js';
import {
  borderInt8, interior3x3Int8, interiorInt8, interiorOf, NO_INTERIOR, transposeTaps,
  weightSums, type DwGeometry, type Interior,
} from './util/depthwise.js';
import { makeRequant, requantMode, type Requant } from './util/requant.js';
import { allZero } from './util/quant.js';
import { constData, floatWeightsOrLive, live } from './util/weights.js';
import {
  depthwiseNHWC, depthwiseNHWCI8Requant, packDepthwiseI8, type ConvGeometry, type PackedDepthwiseI8,
} from '../kernels/index.js';
import { clampRange, convWindow } from './util/window.js';

const OP = 'DEPTHWISE_CONV_2D';

type Geometry = DwGeometry;

interface FloatState {
  kind: 'f32'; g: Geometry; weights: Float32Array | null; bias: Float32Array | null; hasBias: boolean; lo: number; hi: number;
  /** Geometry for the shared depthwise kernel and the activation it fuses. */
  conv: ConvGeometry; kAct: 'relu' | 'relu6' | null;
}
interface Int8State {
  kind: 'i8'; g: Geometry; weights: Int8Array | null; bias: Int32Array | null; hasBias: boolean; inOff: number; rq: Requant;
  inner: Interior; wsum: Int32Array | null; wT: Int8Array | null; acc: Int32Array; taps: Int32Array;
  /** WASM kernel with the requantization fused (constant filter and bias, fp32 requantization), or null. */
  fast: PackedDepthwiseI8 | null;
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
  const win = convWindow(OP, node, F, h, wd, kh, kw);
  expect(OP, node, win.outH > 0 && win.outW > 0 && kh > 0 && kw > 0,
    () => `filter ${kh}x${kw} does not fit input ${h}x${wd}`);
  return { n, h, w: wd, c, oc, mult: oc / c, win };
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

/** The window as the shared kernels describe it. */
function convGeometry(g: Geometry): ConvGeometry {
  const w = g.win;
  return {
    c: g.c, h: g.h, w: g.w, kh: w.kh, kw: w.kw, strideH: w.strideH, strideW: w.strideW, dilationH: w.dilationH, dilationW: w.dilationW,
    padTop: w.padTop, padLeft: w.padLeft, padBottom: w.padBottom, padRight: w.padRight,
  };
}

function runFloat(node: OpNode, s: FloatState): void {
  const { g } = s;
  const x = node.inputs[0]!.data as Float32Array, y = node.outputs[0]!.data as Float32Array, w = live(node, 1, s.weights);
  const bias = s.hasBias ? live(node, 2, s.bias) : null;
  // the shared depthwise kernel (wasm for multiplier 1), then any clamp it cannot fuse
  const inSize = g.h * g.w * g.c, outSize = g.win.outH * g.win.outW * g.oc;
  for (let b = 0; b < g.n; b++) {
    const xb = g.n === 1 ? x : x.subarray(b * inSize, (b + 1) * inSize);
    const yb = g.n === 1 ? y : y.subarray(b * outSize, (b + 1) * outSize);
    depthwiseNHWC(xb, w, yb, s.conv, { bias, act: s.kAct, multiplier: g.mult });
    if (!s.kAct) clampRange(yb, 0, outSize, s.lo, s.hi);
  }
}

/** The fused WASM kernel, image by image; false when it declined (the TS loops then run). */
function runFast(x: Int8Array, y: Int8Array, s: Int8State, p: PackedDepthwiseI8): boolean {
  const { g } = s, inSize = g.h * g.w * g.c, outSize = g.win.outH * g.win.outW * g.oc;
  for (let b = 0; b < g.n; b++) if (!depthwiseNHWCI8Requant(x, b * inSize, -s.inOff, p, y, b * outSize)) return false;
  return true;
}

/** Packs the fused kernel when it applies: multiplier 1 or one input channel, fp32 requantization, constant filter and bias. */
function packFast(g: Geometry, rq: Requant, weights: Int8Array | null, bias: Int32Array | null, hasBias: boolean, xZero: number): PackedDepthwiseI8 | null {
  if (!rq.fp32 || !weights || (hasBias && !bias) || !(g.mult === 1 || g.c === 1)) return null;
  const p = packDepthwiseI8(weights, convGeometry(g), g.oc, { bias, scale: rq.scale, zeroPoint: rq.outZp, lo: rq.lo, hi: rq.hi });
  return p && p.geometry.outH === g.win.outH && p.geometry.outW === g.win.outW ? p : null;
}

function runInt8(node: OpNode, s: Int8State): void {
  const { g, rq, inner, inOff } = s;
  const x = node.inputs[0]!.data as Int8Array, y = node.outputs[0]!.data as Int8Array;
  if (s.fast && runFast(x, y, s, s.fast)) return;
  const w = live(node, 1, s.weights);
  const bias = s.hasBias ? live(node, 2, s.bias) : null;
  const wsum = s.wsum ?? weightSums(w, g);
  const k3 = g.win.kh === 3 && g.win.kw === 3;
  const wT = k3 ? null : (s.wT ?? transposeTaps(w, g, new Int8Array(w.length)));
  for (let b = 0; b < g.n; b++) {
    if (!rq.fp32) {
      borderInt8(x, w, y, g, NO_INTERIOR, bias, inOff, rq, b, s.acc, s.taps);
      continue;
    }
    if (wT) interiorInt8(x, wT, y, g, inner, bias, wsum, inOff, rq, b);
    else interior3x3Int8(x, w, y, g, inner, bias, wsum, inOff, rq, b);
    borderInt8(x, w, y, g, inner, bias, inOff, rq, b, s.acc, s.taps);
  }
}

export const DEPTHWISE_CONV_2D: LiteOp<State> = {
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
      const b = optInput(node, 2), weights = floatWeightsOrLive(OP, node, 'filter', w);
      return {
        kind: 'f32', g, weights, bias: constData<Float32Array>(b), hasBias: !!b, lo: r[0], hi: r[1],
        conv: convGeometry(g), kAct: a === 1 ? 'relu' : a === 3 ? 'relu6' : null,
      };
    }
    expectDType(OP, node, 'filter', w, 'int8');
    checkBias(node, g, 'int32');
    const xq = qparams(OP, node, 'input 0', x), yq = qparams(OP, node, 'output', y);
    const wq = w.quant;
    expect(OP, node, !!wq && (wq.scale.length === 1 || wq.scale.length === g.oc),
      () => `${describe('filter', w)}: needs 1 or ${g.oc} scales`);
    expect(OP, node, allZero(wq!.zeroPoint), () => `${describe('filter', w)}: int8 filter zero points must be 0`);
    const r = quantActRange(a, yq.scale, yq.zeroPoint, -128, 127, requantMode() === 'fp32');
    expect(OP, node, r !== null, () => `fused activation ${actName(a)} is not supported`);
    const b = optInput(node, 2);
    const weights = constData<Int8Array>(w), bias = constData<Int32Array>(b);
    const rq = makeRequant(xq.scale, wq!.scale, yq.scale, yq.zeroPoint, r[0], r[1], g.oc);
    const fast = packFast(g, rq, weights, bias, !!b, xq.zeroPoint);
    // the TS loops' weight sums and transposed taps: only where the fused kernel does not run
    const cw = w.isConst && !fast ? w.data as Int8Array : null;
    return {
      kind: 'i8', g, weights, bias, hasBias: !!b, inOff: -xq.zeroPoint, rq,
      inner: interiorOf(g), wsum: cw ? weightSums(cw, g) : null,
      wT: cw ? transposeTaps(cw, g, new Int8Array(cw.length)) : null,
      acc: new Int32Array(g.oc), taps: new Int32Array(4), fast,
    };
  },
  run(node, s) {
    if (s.kind === 'f32') runFloat(node, s);
    else runInt8(node, s);
  },
};

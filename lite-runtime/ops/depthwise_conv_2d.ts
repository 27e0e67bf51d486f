/**
 * DEPTHWISE_CONV_2D (NHWC): y[n,oy,ox,c*m+j] = act(sum_{ky,kx} x[n,iy,ix,c] * w[0,ky,kx,c*m+j] + b[c*m+j]).
 * Direct loops over the window taps with the channel loop innermost (contiguous in
 * input, filter and output). Int8: per-channel requantization as TFLite's
 * DepthwiseConvPerChannel; padding taps are skipped, so they add exactly zero.
 */
import { BuiltinOp, DepthwiseConv2DOptions as F } from '../format/schema.js';
import type { OpDef, OpNode } from './op.js';
import { describe, expect, expectDType, expectRank, input, optInput, output, qparams, setOutput } from './util/check.js';
import { actName, floatActRange, quantActRange } from './util/activation.js';
import { makeRequant, requant, type Requant } from './util/requant.js';
import { window2d, type Window2D } from './util/window.js';
import { floatWeights } from './util/weights.js';

const OP = 'DEPTHWISE_CONV_2D';

interface Geometry { n: number; h: number; w: number; c: number; oc: number; mult: number; win: Window2D }

interface FloatState {
  kind: 'f32'; g: Geometry; weights: Float32Array; bias: Float32Array | null; lo: number; hi: number; acc: Float32Array;
}
interface Int8State {
  kind: 'i8'; g: Geometry; weights: Int8Array; bias: Int32Array | null; inOff: number; rq: Requant; acc: Int32Array;
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

function act(node: OpNode): number {
  return node.options ? node.options.i8(F.fused_activation_function, 0) : 0;
}

function checkBias(node: OpNode, g: Geometry, dtype: 'float32' | 'int32'): void {
  const b = optInput(node, 2);
  if (!b) return;
  expectDType(OP, node, 'bias', b, dtype);
  expect(OP, node, b.data.length >= g.oc, () => `${describe('bias', b)}: needs ${g.oc} values`);
}

/** Accumulates one output pixel's window into `acc` (float or int32 with input offset). */
function accumulate(
  x: ArrayLike<number>, w: ArrayLike<number>, acc: Float32Array | Int32Array, g: Geometry,
  b: number, oy: number, ox: number, inOff: number,
): void {
  const { win, c, oc, mult } = g;
  const iy0 = oy * win.strideH - win.padTop, ix0 = ox * win.strideW - win.padLeft;
  for (let ky = 0; ky < win.kh; ky++) {
    const iy = iy0 + ky * win.dilationH;
    if (iy < 0 || iy >= g.h) continue;
    for (let kx = 0; kx < win.kw; kx++) {
      const ix = ix0 + kx * win.dilationW;
      if (ix < 0 || ix >= g.w) continue;
      const xo = ((b * g.h + iy) * g.w + ix) * c, wo = (ky * win.kw + kx) * oc;
      if (mult === 1) {
        for (let ch = 0; ch < c; ch++) acc[ch] += (x[xo + ch]! + inOff) * w[wo + ch]!;
      } else {
        for (let ch = 0; ch < c; ch++) {
          const xv = x[xo + ch]! + inOff, base = ch * mult;
          for (let j = 0; j < mult; j++) acc[base + j] += xv * w[wo + base + j]!;
        }
      }
    }
  }
}

function runFloat(node: OpNode, s: FloatState): void {
  const { g, acc, bias, lo, hi } = s;
  const x = node.inputs[0]!.data as Float32Array, y = node.outputs[0]!.data as Float32Array;
  let yo = 0;
  for (let b = 0; b < g.n; b++) for (let oy = 0; oy < g.win.outH; oy++) for (let ox = 0; ox < g.win.outW; ox++) {
    for (let o = 0; o < g.oc; o++) acc[o] = bias ? bias[o]! : 0;
    accumulate(x, s.weights, acc, g, b, oy, ox, 0);
    for (let o = 0; o < g.oc; o++) {
      const v = acc[o]!;
      y[yo++] = v < lo ? lo : v > hi ? hi : v;
    }
  }
}

function runInt8(node: OpNode, s: Int8State): void {
  const { g, acc, bias, rq } = s;
  const x = node.inputs[0]!.data as Int8Array, y = node.outputs[0]!.data as Int8Array;
  let yo = 0;
  for (let b = 0; b < g.n; b++) for (let oy = 0; oy < g.win.outH; oy++) for (let ox = 0; ox < g.win.outW; ox++) {
    acc.fill(0);
    accumulate(x, s.weights, acc, g, b, oy, ox, s.inOff);
    for (let o = 0; o < g.oc; o++) {
      y[yo++] = requant(rq, acc[o]! + (bias ? bias[o]! : 0), o);
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
        kind: 'f32', g, weights: floatWeights(OP, node, 'filter', w), bias: b ? (b.data as Float32Array) : null,
        lo: r[0], hi: r[1], acc: new Float32Array(g.oc),
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
      kind: 'i8', g, weights: w.data as Int8Array, bias: b ? (b.data as Int32Array) : null, inOff: -xq.zeroPoint,
      rq: makeRequant(xq.scale, wq!.scale, yq.scale, yq.zeroPoint, r[0], r[1], g.oc), acc: new Int32Array(g.oc),
    };
  },
  run(node, s) {
    if (s.kind === 'f32') runFloat(node, s);
    else runInt8(node, s);
  },
};

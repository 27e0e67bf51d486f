/**
 * TRANSPOSE_CONV (NHWC): inputs output_shape (constant int32 [4]), weights [O,KH,KW,I],
 * input [N,H,W,I], optional bias [O]. Each input pixel scatters x * w into the window
 * it would come from in a forward conv; padding is TFLite's (a forward SAME/VALID conv
 * from the output size to the input size). Float32, and int8 with per-channel requantization.
 */
import { BuiltinOp, TransposeConvOptions as F } from '../format/schema.js';
import type { LiteOp, OpNode } from './op.js';
import { actName, floatActRange, quantActRange } from './util/activation.js';
import { constInts, describe, expect, expectDType, expectRank, input, numElements, optInput, output, qparams, setOutput } from './util/check.js';
import { expectConst } from './util/layout.js';
import { outSize, padBefore } from './util/padding.js';
import { makeRequant, requantMode, requantBlock, type Requant } from './util/requant.js';
import { constData, floatWeightsOrLive, live } from './util/weights.js';

const OP = 'TRANSPOSE_CONV';

interface State {
  n: number; h: number; w: number; ci: number; oh: number; ow: number; co: number; kh: number; kw: number;
  sh: number; sw: number; pt: number; pl: number; weights: Float32Array | Int8Array | null; hasBias: boolean;
  fbias: Float32Array | null; lo: number; hi: number;
  q: { zi: number; rq: Requant; bias: Int32Array | null; acc: Int32Array } | null;
}

export const TRANSPOSE_CONV: LiteOp<State> = {
  code: BuiltinOp.TRANSPOSE_CONV,
  name: OP,
  prepare(node) {
    const os = input(OP, node, 0), wt = input(OP, node, 1), x = input(OP, node, 2), b = optInput(node, 3), y = output(OP, node, 0);
    expectDType(OP, node, 'input 2', x, 'float32', 'int8');
    expectConst(OP, node, 'output_shape', os);
    expectRank(OP, node, 'input 2', x, 4);
    expectRank(OP, node, 'weights', wt, 4);
    const shape = constInts(OP, node, 'output_shape', os);
    const [n, h, w, ci] = x.shape as [number, number, number, number];
    const [co, kh, kw, wi] = wt.shape as [number, number, number, number];
    expect(OP, node, shape.length === 4 && shape[0] === n && shape[3] === co && shape[1]! > 0 && shape[2]! > 0,
      () => `output_shape [${shape}] must be [${n}, h, w, ${co}]`);
    expect(OP, node, wi === ci, () => `${describe('weights', wt)}: input channels ${wi} must equal the input's ${ci}`);
    const o = node.options;
    const padding = o ? o.i8(F.padding, 0) : 0, sw = o ? o.i32(F.stride_w, 1) : 1, sh = o ? o.i32(F.stride_h, 1) : 1;
    expect(OP, node, sw >= 1 && sh >= 1 && (padding === 0 || padding === 1), () => `bad strides (${sh},${sw}) or padding ${padding}`);
    const oh = shape[1]!, ow = shape[2]!;
    const pt = padBefore(sh, 1, oh, kh, outSize(padding, oh, kh, sh, 1));
    const pl = padBefore(sw, 1, ow, kw, outSize(padding, ow, kw, sw, 1));
    setOutput(OP, node, y, [n, oh, ow, co], x.dtype);
    const act = o ? o.i8(F.fused_activation_function, 0) : 0;
    const base = { n, h, w, ci, oh, ow, co, kh, kw, sh, sw, pt, pl };
    if (b) expect(OP, node, numElements(b.shape) === co, () => `${describe('bias', b)}: needs ${co} values`);
    if (x.dtype === 'float32') {
      if (b) expectDType(OP, node, 'bias', b, 'float32');
      const r = floatActRange(act);
      expect(OP, node, r !== null, () => `fused activation ${actName(act)} is not supported`);
      return { ...base, weights: floatWeightsOrLive(OP, node, 'weights', wt), hasBias: !!b, fbias: constData<Float32Array>(b), lo: r[0], hi: r[1], q: null };
    }
    expectDType(OP, node, 'weights', wt, 'int8');
    if (b) expectDType(OP, node, 'bias', b, 'int32');
    const xq = qparams(OP, node, 'input 2', x), yq = qparams(OP, node, 'output', y);
    const wq = wt.quant;
    expect(OP, node, !!wq && (wq.scale.length === 1 || wq.scale.length === co), () => `${describe('weights', wt)}: needs 1 or ${co} scales`);
    const r = quantActRange(act, yq.scale, yq.zeroPoint, -128, 127, requantMode() === 'fp32');
    expect(OP, node, r !== null, () => `fused activation ${actName(act)} is not supported`);
    const rq = makeRequant(xq.scale, wq!.scale, yq.scale, yq.zeroPoint, r[0], r[1], co);
    return {
      ...base, weights: constData<Int8Array>(wt), hasBias: !!b, fbias: null, lo: 0, hi: 0,
      q: { zi: xq.zeroPoint, rq, bias: constData<Int32Array>(b), acc: new Int32Array(oh * ow * co) },
    };
  },
  run(node: OpNode, s: State) {
    const { n, h, w, ci, oh, ow, co, kh, kw, sh, sw, pt, pl, q } = s;
    const x = node.inputs[2]!.data as Float32Array | Int8Array, wt = live<Float32Array | Int8Array>(node, 1, s.weights);
    const y = node.outputs[0]!.data as Float32Array | Int8Array;
    const plane = oh * ow * co;
    for (let b = 0; b < n; b++) {
      const acc = q ? q.acc : (y as Float32Array).subarray(b * plane, (b + 1) * plane);
      acc.fill(0);
      const zi = q ? q.zi : 0;
      for (let iy = 0; iy < h; iy++) for (let ix = 0; ix < w; ix++) {
        const xo = ((b * h + iy) * w + ix) * ci;
        for (let ky = 0; ky < kh; ky++) {
          const oy = iy * sh - pt + ky;
          if (oy < 0 || oy >= oh) continue;
          for (let kx = 0; kx < kw; kx++) {
            const ox = ix * sw - pl + kx;
            if (ox < 0 || ox >= ow) continue;
            const ao = (oy * ow + ox) * co;
            for (let oc = 0; oc < co; oc++) {
              const wo = ((oc * kh + ky) * kw + kx) * ci;
              let sum = 0;
              for (let c = 0; c < ci; c++) sum += (x[xo + c]! - zi) * wt[wo + c]!;
              acc[ao + oc] += sum;
            }
          }
        }
      }
      if (q) {
        requantBlock(q.rq, q.acc, oh * ow, co, s.hasBias ? live(node, 3, q.bias) : null, y as Int8Array, b * plane);
      } else {
        const { lo, hi } = s;
        const fbias = s.hasBias ? live(node, 3, s.fbias) : null;
        for (let i = 0; i < plane; i++) {
          const v = acc[i]! + (fbias ? fbias[i % co]! : 0);
          acc[i] = v < lo ? lo : v > hi ? hi : v;
        }
      }
    }
  },
};

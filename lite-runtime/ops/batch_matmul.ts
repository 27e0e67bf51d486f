/**
 * BATCH_MATMUL: out[..., m, n] = sum_k x[..., m, k] * y[..., k, n] with adj_x / adj_y
 * (transposed last two dims) and broadcast batch dims. Float32 uses the shared GEMM (a constant
 * int8/float16 input 1 of a float op is widened once at prepare);
 * int8 accumulates (x - zx) * (y - zy) in int32 and requantizes (util/requant.ts): XNNPACK's
 * arithmetic where input 1's zero point is 0 (the nodes LiteRT.js delegates), else TFLite's.
 */
import { BatchMatMulOptions as F, BuiltinOp } from '../format/schema.js';
import { matmul } from '../kernels/index.js';
import type { LiteOp, OpNode } from './op.js';
import { broadcastIndex, broadcastShape } from './util/broadcast.js';
import { describe, expect, expectDType, expectRank, input, numElements, output, qparams, setOutput } from './util/check.js';
import { makeRequant, requantBlock, requantMode, type Requant } from './util/requant.js';
import { floatWeights } from './util/weights.js';

const OP = 'BATCH_MATMUL';

interface State {
  m: number; k: number; n: number; adjX: boolean; adjY: boolean; batches: number;
  ix: Int32Array | null; iy: Int32Array | null;
  q: { zx: number; zy: number; rq: Requant; acc: Int32Array } | null;
  /** Constant int8/float16 input 1 of a float op, widened at prepare. */
  yf: Float32Array | null;
}

export const BATCH_MATMUL: LiteOp<State> = {
  code: BuiltinOp.BATCH_MATMUL,
  name: OP,
  prepare(node) {
    const x = input(OP, node, 0), y = input(OP, node, 1), o = output(OP, node, 0);
    expectDType(OP, node, 'input 0', x, 'float32', 'int8');
    const hybrid = x.dtype === 'float32' && y.isConst && (y.dtype === 'int8' || y.dtype === 'float16');
    expect(OP, node, x.dtype === y.dtype || hybrid,
      () => `${describe('input 0', x)} and ${describe('input 1', y)} must share a dtype (or input 1 be constant int8/float16 weights)`);
    expectRank(OP, node, 'input 0', x, 2, 5);
    expectRank(OP, node, 'input 1', y, 2, 5);
    const adjX = node.options ? node.options.bool(F.adj_x, false) : false;
    const adjY = node.options ? node.options.bool(F.adj_y, false) : false;
    const xr = x.shape.length, yr = y.shape.length;
    const m = adjX ? x.shape[xr - 1]! : x.shape[xr - 2]!, k = adjX ? x.shape[xr - 2]! : x.shape[xr - 1]!;
    const k2 = adjY ? y.shape[yr - 1]! : y.shape[yr - 2]!, n = adjY ? y.shape[yr - 2]! : y.shape[yr - 1]!;
    expect(OP, node, k === k2, () => `inner dims differ: ${describe('input 0', x)} gives ${k}, ${describe('input 1', y)} gives ${k2}`);
    const bx = x.shape.slice(0, -2), by = y.shape.slice(0, -2);
    const batchShape = broadcastShape(OP, node, bx, by);
    setOutput(OP, node, o, [...batchShape, m, n], x.dtype);
    const base = { m, k, n, adjX, adjY, batches: numElements(batchShape), ix: broadcastIndex(bx, batchShape), iy: broadcastIndex(by, batchShape) };
    if (x.dtype === 'float32') return { ...base, q: null, yf: hybrid ? floatWeights(OP, node, 'input 1', y) : null };
    const xq = qparams(OP, node, 'input 0', x), yq = qparams(OP, node, 'input 1', y), oq = qparams(OP, node, 'output', o);
    // LiteRT.js's XNNPACK delegate takes the node only when input 1 is symmetric; else TFLite's kernel runs
    const xnn = yq.zeroPoint === 0;
    const rq = makeRequant(xq.scale, Float32Array.of(yq.scale), oq.scale, oq.zeroPoint, -128, 127, 1, xnn ? requantMode() : 'reference');
    return { ...base, q: { zx: xq.zeroPoint, zy: yq.zeroPoint, rq, acc: new Int32Array(m * n) }, yf: null };
  },
  run(node: OpNode, s: State) {
    const { m, k, n, adjX, adjY, q } = s;
    const xs = m * k, ys = k * n, os = m * n;
    for (let b = 0; b < s.batches; b++) {
      const bx = s.ix ? s.ix[b]! : b, by = s.iy ? s.iy[b]! : b;
      if (!q) {
        const x = node.inputs[0]!.data as Float32Array, y = s.yf ?? (node.inputs[1]!.data as Float32Array);
        const o = node.outputs[0]!.data as Float32Array;
        matmul(x.subarray(bx * xs, bx * xs + xs), y.subarray(by * ys, by * ys + ys), o.subarray(b * os, b * os + os), m, k, n,
          { transA: adjX, transB: adjY });
        continue;
      }
      const x = node.inputs[0]!.data as Int8Array, y = node.inputs[1]!.data as Int8Array, o = node.outputs[0]!.data as Int8Array;
      const xo = bx * xs, yo = by * ys, acc = q.acc;
      for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) {
        let sum = 0;
        for (let p = 0; p < k; p++) {
          const xv = x[xo + (adjX ? p * m + i : i * k + p)]! - q.zx;
          const yv = y[yo + (adjY ? j * k + p : p * n + j)]! - q.zy;
          sum += xv * yv;
        }
        acc[i * n + j] = sum;
      }
      requantBlock(q.rq, acc, m, n, null, o, b * os);
    }
  },
};

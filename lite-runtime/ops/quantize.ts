/**
 * QUANTIZE: float32 -> int8/uint8/int16 (q = round(x / scale) + zp, per tensor
 * or per channel), or requantize between integer types (TFLite's Requantize:
 * q' = MultiplyByQuantizedMultiplier(q - zp, inScale / outScale) + zp').
 */
import { BuiltinOp } from '../format/schema.js';
import type { LiteOp, OpNode } from './op.js';
import { describe, expect, expectDType, input, numElements, output, qparams, setOutput } from './util/check.js';
import { mulQ, qRange, quantizeMultiplier, roundHalfAway } from './util/quant.js';

const OP = 'QUANTIZE';

interface State {
  n: number; fromFloat: boolean; scales: Float32Array; zps: Int32Array; inner: number; dim: number;
  inZp: number; mult: number; shift: number; qmin: number; qmax: number;
}

export const QUANTIZE: LiteOp<State> = {
  code: BuiltinOp.QUANTIZE,
  name: OP,
  prepare(node) {
    const x = input(OP, node, 0), y = output(OP, node, 0);
    expectDType(OP, node, 'input 0', x, 'float32', 'int8', 'uint8', 'int16');
    setOutput(OP, node, y, [...x.shape], 'int8', 'uint8', 'int16', 'int32');
    const yq = qparams(OP, node, 'output', y);
    const [qmin, qmax] = qRange(y.dtype);
    const n = numElements(x.shape);
    const q = y.quant!;
    let inner = 1, dim = 1;
    if (q.scale.length > 1) {
      expect(OP, node, x.dtype === 'float32' && q.axis >= 0 && q.axis < x.shape.length && x.shape[q.axis] === q.scale.length,
        () => `${describe('output', y)}: ${q.scale.length} per-channel scales do not match axis ${q.axis}`);
      for (let d = q.axis + 1; d < x.shape.length; d++) inner *= x.shape[d]!;
      dim = q.scale.length;
    }
    const base = { n, scales: q.scale, zps: q.zeroPoint, inner, dim, qmin, qmax };
    if (x.dtype === 'float32') return { ...base, fromFloat: true, inZp: 0, mult: 0, shift: 0 };
    const xq = qparams(OP, node, 'input 0', x);
    const m = quantizeMultiplier(xq.scale / yq.scale);
    return { ...base, fromFloat: false, inZp: xq.zeroPoint, mult: m.multiplier, shift: m.shift };
  },
  run(node: OpNode, s: State) {
    const y = node.outputs[0]!.data as Int8Array | Uint8Array | Int16Array | Int32Array;
    const { n, qmin, qmax } = s;
    if (s.fromFloat) {
      const x = node.inputs[0]!.data as Float32Array;
      for (let i = 0; i < n; i++) {
        const c = s.dim === 1 ? 0 : Math.floor(i / s.inner) % s.dim;
        const v = roundHalfAway(Math.fround(x[i]! / s.scales[c]!)) + (s.zps[c] ?? 0);
        y[i] = v < qmin ? qmin : v > qmax ? qmax : v;
      }
      return;
    }
    const x = node.inputs[0]!.data as Int8Array | Uint8Array | Int16Array;
    const outZp = s.zps[0] ?? 0;
    for (let i = 0; i < n; i++) {
      const v = mulQ(x[i]! - s.inZp, s.mult, s.shift) + outZp;
      y[i] = v < qmin ? qmin : v > qmax ? qmax : v;
    }
  },
};

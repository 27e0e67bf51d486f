/**
 * DEQUANTIZE: int8/uint8/int16/int32 -> float32 (x = scale * (q - zp), per tensor
 * or per channel), and float16 -> float32 (fp16 weights of converted models; constant
 * float16 inputs are widened once at prepare and copied each run).
 */
import { BuiltinOp } from '../format/schema.js';
import type { LiteOp, OpNode } from './op.js';
import { describe, expect, expectDType, input, numElements, output, setOutput } from './util/check.js';
import { floatWeights, halfToFloat } from './util/weights.js';

const OP = 'DEQUANTIZE';

interface State {
  n: number; half: boolean; scales: Float32Array; zps: Int32Array; inner: number; dim: number;
  /** float16 constants (converted fp16 models' weights), widened once at prepare. */
  cached: Float32Array | null;
}

export const DEQUANTIZE: LiteOp<State> = {
  code: BuiltinOp.DEQUANTIZE,
  name: OP,
  prepare(node) {
    const x = input(OP, node, 0), y = output(OP, node, 0);
    expectDType(OP, node, 'input 0', x, 'int8', 'uint8', 'int16', 'int32', 'float16');
    setOutput(OP, node, y, [...x.shape], 'float32');
    const n = numElements(x.shape);
    if (x.dtype === 'float16') {
      const s: State = { n, half: true, scales: new Float32Array(0), zps: new Int32Array(0), inner: 1, dim: 1, cached: null };
      if (x.isConst) s.cached = floatWeights(OP, node, 'input 0', x);
      return s;
    }
    const q = x.quant;
    expect(OP, node, !!q && q.scale.length > 0, () => `${describe('input 0', x)}: needs quantization parameters`);
    let inner = 1, dim = 1;
    if (q.scale.length > 1) {
      expect(OP, node, q.axis >= 0 && q.axis < x.shape.length && x.shape[q.axis] === q.scale.length,
        () => `${describe('input 0', x)}: ${q.scale.length} per-channel scales do not match axis ${q.axis}`);
      for (let d = q.axis + 1; d < x.shape.length; d++) inner *= x.shape[d]!;
      dim = q.scale.length;
    }
    return { n, half: false, scales: q.scale, zps: q.zeroPoint, inner, dim, cached: null };
  },
  run(node: OpNode, s: State) {
    const y = node.outputs[0]!.data as Float32Array;
    const { n } = s;
    if (s.cached) {
      y.set(s.cached.length === n ? s.cached : s.cached.subarray(0, n));
      return;
    }
    if (s.half) {
      const x = node.inputs[0]!.data as Uint16Array;
      for (let i = 0; i < n; i++) y[i] = halfToFloat(x[i]!);
      return;
    }
    const x = node.inputs[0]!.data as Int8Array | Uint8Array | Int16Array | Int32Array;
    if (s.dim === 1) {
      const sc = s.scales[0]!, z = s.zps[0] ?? 0;
      for (let i = 0; i < n; i++) y[i] = sc * (x[i]! - z);
      return;
    }
    for (let i = 0; i < n; i++) {
      const c = Math.floor(i / s.inner) % s.dim;
      y[i] = s.scales[c]! * (x[i]! - (s.zps[c] ?? 0));
    }
  },
};

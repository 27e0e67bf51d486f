/**
 * CONCATENATION along `axis` (negative counts from the end), any element type,
 * fused activation for float32. Quantized inputs whose scale or zero point differ
 * from the output's are requantized (rounded half away from zero). The copy is the
 * kernels' concat; requantization and the activation then run in place.
 */
import { BuiltinOp, ConcatenationOptions as F } from '../format/schema.js';
import type { LiteOp, OpNode, TypedArray } from './op.js';
import { actName, floatActRange } from './util/activation.js';
import { describe, expect, input, output, qparams, setOutput } from './util/check.js';
import { normAxis } from './util/layout.js';
import { qRange } from './util/quant.js';
import { quantizeValue } from './util/unary.js';
import { concat } from '../kernels/shape-concat.js';

const OP = 'CONCATENATION';

interface Part { inner: number; rescale: { s: number; z: number } | null }
interface State {
  outer: number; outInner: number; parts: Part[]; sizes: number[]; data: TypedArray[];
  lo: number; hi: number; float: boolean; zo: number; so: number; qmin: number; qmax: number;
}

export const CONCATENATION: LiteOp<State> = {
  code: BuiltinOp.CONCATENATION,
  name: OP,
  prepare(node) {
    const y = output(OP, node, 0);
    expect(OP, node, node.inputs.length >= 1, () => 'needs at least one input');
    const first = input(OP, node, 0), r = first.shape.length;
    const axis = normAxis(OP, node, node.options ? node.options.i32(F.axis, 0) : 0, r);
    const shape = [...first.shape];
    shape[axis] = 0;
    node.inputs.forEach((_, i) => {
      const t = input(OP, node, i);
      expect(OP, node, t.dtype === first.dtype && t.shape.length === r && t.shape.every((d, k) => k === axis || d === first.shape[k]),
        () => `${describe(`input ${i}`, t)} does not match ${describe('input 0', first)} outside axis ${axis}`);
      shape[axis] += t.shape[axis]!;
    });
    setOutput(OP, node, y, shape, first.dtype);
    let outer = 1, inner = 1;
    for (let d = 0; d < axis; d++) outer *= shape[d]!;
    for (let d = axis + 1; d < r; d++) inner *= shape[d]!;
    const act = node.options ? node.options.i8(F.fused_activation_function, 0) : 0;
    const range = floatActRange(act);
    const float = first.dtype === 'float32';
    expect(OP, node, range !== null && (float || act === 0), () => `fused activation ${actName(act)} is not supported for ${first.dtype}`);
    const quant = !!y.quant && y.quant.scale.length > 0 && (first.dtype === 'int8' || first.dtype === 'uint8' || first.dtype === 'int16');
    const yq = quant ? qparams(OP, node, 'output', y) : { scale: 1, zeroPoint: 0 };
    const parts = node.inputs.map((_, i): Part => {
      const t = input(OP, node, i);
      let rescale: Part['rescale'] = null;
      if (quant) {
        const q = qparams(OP, node, `input ${i}`, t);
        if (Math.abs(q.scale - yq.scale) > 1e-6 * yq.scale || q.zeroPoint !== yq.zeroPoint) rescale = { s: q.scale, z: q.zeroPoint };
      }
      return { inner: t.shape[axis]! * inner, rescale };
    });
    const [qmin, qmax] = qRange(first.dtype);
    return {
      outer, outInner: shape[axis]! * inner, parts, sizes: parts.map((p) => p.inner), data: [],
      lo: range![0], hi: range![1], float, zo: yq.zeroPoint, so: yq.scale, qmin, qmax,
    };
  },
  run(node: OpNode, s: State) {
    const y = node.outputs[0]!.data as Float32Array;
    for (let i = 0; i < s.parts.length; i++) s.data[i] = node.inputs[i]!.data;
    concat(s.data as Float32Array[], s.sizes, [s.outer, s.outInner], 1, y);
    // then in place: inputs of another quantization into the output's, the float activation
    let base = 0;
    for (const p of s.parts) {
      if (p.rescale) {
        const { s: sc, z } = p.rescale;
        for (let o = 0, yo = base; o < s.outer; o++, yo += s.outInner) {
          for (let k = yo; k < yo + p.inner; k++) y[k] = quantizeValue(sc * (y[k]! - z), s.so, s.zo, s.qmin, s.qmax);
        }
      }
      base += p.inner;
    }
    if (s.float && (s.lo > -Infinity || s.hi < Infinity)) {
      const { lo, hi } = s;
      for (let k = 0, n = s.outer * s.outInner; k < n; k++) { const v = y[k]!; y[k] = v < lo ? lo : v > hi ? hi : v; }
    }
  },
};

import { stridedCopy } from '../../lite-runtime/kernels/strided.js';
import { apply1 } from '../dispatch.js';
import { ShapeError } from '../errors.js';
import { normalizeDim, stridesOf } from '../shape.js';
import { Tensor } from '../tensor.js';
import { defineOp } from './registry.js';
import { alloc } from './util.js';

/** Reorders dims: output dim i is input dim perm[i] (perm normalized: each of 0..rank-1 once). */
export const PERMUTE = defineOp<{ perm: readonly number[] }>({
  name: 'permute',
  onnx: (e, n, ins, outs) => {
    const perm = n.attrs.perm as readonly number[];
    e.node('Transpose', [ins[0]], outs, { perm: { ints: perm } });
    const s = e.sym(n.inputs[0]);
    e.model.syms.set(n.outputs[0], perm.map((d) => s[d]));
  },
  infer([x], { perm }) {
    const rank = x.shape.length;
    if (perm.length !== rank || new Set(perm).size !== rank || !perm.every((d) => Number.isInteger(d) && d >= 0 && d < rank)) {
      throw new ShapeError(`permute: [${perm.join(', ')}] is not a permutation of the ${rank} dims of [${x.shape.join(', ')}]`);
    }
    return [{ shape: perm.map((d) => x.shape[d]), dtype: x.dtype }];
  },
  forward([x], { perm }, [o]) {
    const out = alloc(o);
    const s = stridesOf(x.shape);
    stridedCopy(x.data, 0, perm.map((d) => s[d]), out, o.shape);
    return [out];
  },
  grad: ({ attrs: { perm }, gradOutputs: [g] }) => {
    const inv = new Array<number>(perm.length);
    perm.forEach((d, i) => { inv[d] = i; });
    return [permute(g!, inv)];
  },
});

/** @example tg.permute(x, [0, 2, 1]) ; tg.permute(x, [-1, 0, 1]) */
export function permute(x: Tensor, perm: readonly number[]): Tensor {
  return apply1(PERMUTE, [x], { perm: perm.map((d) => normalizeDim('permute', d, x.ndim)) });
}

/** Swaps two dims. @example x.transpose(0, 1) */
export function transpose(x: Tensor, dim0: number, dim1: number): Tensor {
  const rank = x.ndim;
  const a = normalizeDim('transpose', dim0, rank), b = normalizeDim('transpose', dim1, rank);
  if (rank < 2 || a === b) return x;
  const perm = Array.from({ length: rank }, (_, i) => i);
  perm[a] = b; perm[b] = a;
  return permute(x, perm);
}

// Converter traits: the TFLite lowering and the ONNX types each op imports from (ops/convert-traits.ts).
import { withTraits } from './convert-traits.js';
import { PERMUTE_TFLITE, TRANSPOSE_IMPORT } from './convert/shape.js';
import { DEPTH_TO_SPACE_IMPORT, SPACE_TO_DEPTH_IMPORT } from './convert/composite-import.js';
withTraits(PERMUTE, { tflite: PERMUTE_TFLITE, onnxImport: { Transpose: TRANSPOSE_IMPORT, DepthToSpace: DEPTH_TO_SPACE_IMPORT, SpaceToDepth: SPACE_TO_DEPTH_IMPORT } });

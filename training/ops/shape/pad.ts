import { pad as padKernel, type PadMode } from '../../../lite-runtime/kernels/shape-pad.js';
import { apply1 } from '../../dispatch.js';
import { ShapeError, ValueError } from '../../errors.js';
import { fmtShape } from '../../shape.js';
import type { Tensor } from '../../tensor.js';
import { defineOp, type OpDef } from '../registry.js';
import { sum } from '../sum.js';
import { alloc } from '../util.js';
import { cat } from './cat.js';
import { sliceRaw } from './slice.js';

export type { PadMode };

/**
 * Pad attributes in ONNX Pad's layout: `pads` = [before_0, ..., before_{r-1}, after_0, ..., after_{r-1}]
 * (first dim first; negative values crop in constant mode); mode 'replicate' is ONNX 'edge'.
 */
export interface PadAttrs { [k: string]: readonly number[] | string | number; pads: readonly number[]; mode: PadMode; value: number }

const MODES: readonly string[] = ['constant', 'reflect', 'replicate'];

export const PAD: OpDef<PadAttrs> = defineOp<PadAttrs>({
  name: 'pad',
  onnx: (e, n, ins, outs) => {
    const mode = n.attrs.mode === 'replicate' ? 'edge' : String(n.attrs.mode);
    const value = e.constant(n.inputs[0].dtype, [n.attrs.value as number]);
    e.node('Pad', [ins[0], e.i64(n.attrs.pads as readonly number[]), mode === 'constant' ? value : ''], outs, { mode: { s: mode } });
  },
  infer([x], { pads, mode, value }) {
    const rank = x.shape.length;
    if (!MODES.includes(mode)) throw new ValueError(`pad: mode '${mode}' is not one of ${MODES.join(', ')}`);
    if (pads.length !== 2 * rank || !pads.every(Number.isInteger)) {
      throw new ShapeError(`pad: expected ${2 * rank} integer pads for input ${fmtShape(x.shape)}, got [${pads.join(', ')}]`);
    }
    if (typeof value !== 'number') throw new ValueError(`pad: value must be a number, got ${String(value)}`);
    const shape = x.shape.map((n, d) => {
      const b = pads[d], a = pads[d + rank];
      if (mode !== 'constant' && (b < 0 || a < 0)) {
        throw new ValueError(`pad: negative padding (${b}, ${a}) on dim ${d} needs mode 'constant', got '${mode}'`);
      }
      if (mode === 'reflect' && (b >= n || a >= n) && (b > 0 || a > 0)) {
        throw new ShapeError(`pad: reflect padding (${b}, ${a}) on dim ${d} must be smaller than its size ${n} (input ${fmtShape(x.shape)})`);
      }
      if (mode === 'replicate' && n === 0 && (b > 0 || a > 0)) {
        throw new ShapeError(`pad: replicate padding of dim ${d} needs a non-empty dim (input ${fmtShape(x.shape)})`);
      }
      const size = n + b + a;
      if (size < 0) throw new ShapeError(`pad: padding (${b}, ${a}) makes dim ${d} of size ${n} negative (input ${fmtShape(x.shape)})`);
      return size;
    });
    return [{ shape, dtype: x.dtype }];
  },
  forward([x], { pads, mode, value }, [o]) {
    const out = alloc(o);
    const rank = x.shape.length;
    padKernel(x.data, x.shape, pads.slice(0, rank), pads.slice(rank), mode, value, out);
    return [out];
  },
  grad: ({ inputs: [x], attrs: { pads, mode }, gradOutputs: [g] }) => {
    const rank = x.shape.length;
    if (mode === 'constant') return [apply1(PAD, [g!], { pads: pads.map((p) => -p), mode, value: 0 })];
    let gx = g!;
    for (let d = 0; d < rank; d++) gx = unpadDim(gx, d, pads[d], pads[d + rank], x.shape[d], mode);
    return [gx];
  },
});

/** Gradient of reflect/replicate padding along one dim: fold the padded borders back in. */
function unpadDim(g: Tensor, dim: number, before: number, after: number, n: number, mode: PadMode): Tensor {
  if (before === 0 && after === 0) return g;
  let gx = sliceRaw(g, { dim, start: before, end: before + n, step: 1 });
  if (before > 0) {
    const left = sliceRaw(g, { dim, start: 0, end: before, step: 1 });
    // reflect: output i < before reads x[before - i]; replicate: reads x[0]
    gx = gx.add(mode === 'reflect'
      ? padDim(sliceRaw(left, { dim, start: before - 1, end: -1, step: -1 }), dim, 1, n - 1 - before)
      : padDim(sum(left, dim, true), dim, 0, n - 1));
  }
  if (after > 0) {
    const right = sliceRaw(g, { dim, start: before + n, end: before + n + after, step: 1 });
    // reflect: output before + n + j reads x[n - 2 - j]; replicate: reads x[n - 1]
    gx = gx.add(mode === 'reflect'
      ? padDim(sliceRaw(right, { dim, start: after - 1, end: -1, step: -1 }), dim, n - 1 - after, 1)
      : padDim(sum(right, dim, true), dim, n - 1, 0));
  }
  return gx;
}

/** @internal zero-pads (or crops, when negative) one dim. */
export function padDim(x: Tensor, dim: number, before: number, after: number): Tensor {
  if (before === 0 && after === 0) return x;
  const rank = x.ndim;
  const pads = new Array<number>(2 * rank).fill(0);
  pads[dim] = before;
  pads[dim + rank] = after;
  return apply1(PAD, [x], { pads, mode: 'constant', value: 0 });
}

/**
 * Pads the last dims like torch.nn.functional.pad: `pads` lists (before, after) pairs starting
 * from the LAST dim, e.g. [left, right, top, bottom] for the last two. Negative pads crop
 * (constant mode). 'reflect' mirrors without repeating the edge; 'replicate' repeats it.
 * @example tg.pad(img, [1, 1, 1, 1]) // zero border on H and W of NCHW
 */
export function pad(x: Tensor, pads: readonly number[], mode: PadMode | 'circular' = 'constant', value = 0): Tensor {
  const rank = x.ndim;
  if (pads.length % 2 !== 0 || pads.length > 2 * rank) {
    throw new ShapeError(`pad: pads must hold (before, after) pairs for at most ${rank} dims of input ${fmtShape(x.shape)}, got [${pads.join(', ')}]`);
  }
  if (mode !== 'constant' && value !== 0) throw new ValueError(`pad: value ${value} is only used by mode 'constant', got mode '${mode}'`);
  const onnx = new Array<number>(2 * rank).fill(0);
  for (let i = 0; i < pads.length / 2; i++) {
    const d = rank - 1 - i;
    onnx[d] = pads[2 * i];
    onnx[d + rank] = pads[2 * i + 1];
  }
  return mode === 'circular' ? padCircular(x, onnx) : apply1(PAD, [x], { pads: onnx, mode, value });
}

/** 'circular' (torch's wrap-around padding): each dim gets its own end before and its start after, by slice and cat. */
function padCircular(x: Tensor, pads: readonly number[]): Tensor {
  const rank = x.ndim;
  for (let d = 0; d < rank; d++) {
    const b = pads[d], a = pads[d + rank], n = x.shape[d];
    if (b === 0 && a === 0) continue;
    if (b < 0 || a < 0 || b > n || a > n) {
      throw new ValueError(`pad: circular padding (${b}, ${a}) on dim ${d} of ${fmtShape(x.shape)} must be in [0, ${n}] (it wraps around at most once)`);
    }
    x = cat([sliceRaw(x, { dim: d, start: n - b, end: n, step: 1 }), x, sliceRaw(x, { dim: d, start: 0, end: a, step: 1 })], d);
  }
  return x;
}

// Converter traits: the TFLite lowering and the ONNX types each op imports from (ops/convert-traits.ts).
import { withTraits } from '../convert-traits.js';
import { PAD_IMPORT, PAD_TFLITE } from '../convert/shape.js';
withTraits(PAD, { tflite: PAD_TFLITE, onnxImport: { Pad: PAD_IMPORT } });

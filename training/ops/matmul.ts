import { matmul as liteMatmul } from '../../lite-runtime/kernels/index.js';
import { alignedStrides } from '../../lite-runtime/kernels/strided.js';
import { apply1, expectTensors } from '../dispatch.js';
import type { Storage } from '../dtype.js';
import { ShapeError } from '../errors.js';
import { broadcastShapes, fmtShape, sizeOf } from '../shape.js';
import { Tensor } from '../tensor.js';
import { defineComposite, defineOp, type TensorValue } from './registry.js';
import { reshape } from './reshape.js';
import { sumTo } from './sum-to.js';
import { expectFloat, forwardFresh } from './util.js';
import { trainingKernels } from '../kernels/wasm/runtime.js';

export interface MatmulAttrs { [k: string]: boolean; transA: boolean; transB: boolean }

/** Batched matrix product of rank >= 2 tensors; trans flags transpose the last two dims of A or B. */
export const MATMUL = defineOp<MatmulAttrs>({
  name: 'matmul',
  onnx: (e, n, ins, outs) => {
    const t = (name: string, rank: number, flag: unknown) => {
      if (flag !== true) return name;
      const perm = Array.from({ length: rank }, (_, i) => i);
      [perm[rank - 2], perm[rank - 1]] = [perm[rank - 1], perm[rank - 2]];
      return e.op('Transpose', [name], { perm: { ints: perm } });
    };
    e.node('MatMul', [t(ins[0], n.inputs[0].shape.length, n.attrs.transA), t(ins[1], n.inputs[1].shape.length, n.attrs.transB)], outs);
    // batch dims broadcast right-aligned; m comes from A (its second-to-last dim, or last when transposed)
    const a = e.sym(n.inputs[0]);
    const out = n.outputs[0].shape;
    const sym = out.map((_, i) => (i < out.length - 2 ? a[i - (out.length - a.length)] ?? null : null));
    sym[out.length - 2] = a[a.length - (n.attrs.transA === true ? 1 : 2)] ?? null;
    const b = e.sym(n.inputs[1]); // n comes from B (its last dim, or second-to-last when transposed)
    sym[out.length - 1] = b[b.length - (n.attrs.transB === true ? 2 : 1)] ?? null;
    for (let i = 0; i < out.length - 2; i++) sym[i] ??= b[i - (out.length - b.length)] ?? null;
    e.model.syms.set(n.outputs[0], sym);
  },
  infer([a, b], { transA, transB }) {
    expectFloat('matmul', [a, b]);
    if (a.shape.length < 2 || b.shape.length < 2) throw new ShapeError(`matmul: primitive needs rank >= 2, got ${fmtShape(a.shape)} and ${fmtShape(b.shape)}`);
    const [m, ka] = dims2(a.shape, transA);
    const [kb, n] = dims2(b.shape, transB);
    if (ka !== kb) {
      throw new ShapeError(`matmul: shapes ${fmtShape(a.shape)}${transA ? 'ᵀ' : ''} and ${fmtShape(b.shape)}${transB ? 'ᵀ' : ''} cannot be multiplied (${m}x${ka} and ${kb}x${n})`);
    }
    const batch = broadcastShapes('matmul', a.shape.slice(0, -2), b.shape.slice(0, -2));
    return [{ shape: [...batch, m, n], dtype: 'float32' }];
  },
  forward: forwardFresh(matmulInto),
  forwardInto: matmulInto,
  grad: ({ inputs: [a, b], attrs: { transA, transB }, gradOutputs: [g] }) => {
    // C = op(A) op(B): dA = g op(B)ᵀ (transposed back if transA), dB likewise.
    // Only the gradients that are needed: the input of a first layer needs none.
    const ga = !a.requiresGrad ? null : transA ? mm(b, g!, transB, true) : mm(g!, b, false, !transB);
    const gb = !b.requiresGrad ? null : transB ? mm(g!, a, true, transA) : mm(a, g!, !transA, false);
    return [ga && sumTo(ga, a.shape), gb && sumTo(gb, b.shape)];
  },
});

/** op(A) op(B) into `out`, one GEMM per (broadcast) batch entry. */
function matmulInto([a, b]: readonly TensorValue[], { transA, transB }: MatmulAttrs, [out]: readonly Storage[]): void {
  const o = out as Float32Array, A = a.data as Float32Array, B = b.data as Float32Array;
  const [m, k] = dims2(a.shape, transA);
  const n = dims2(b.shape, transB)[1];
  if (a.shape.length === 2 && b.shape.length === 2) { gemm(A, B, o, m, k, n, { transA, transB }); return; }
  const batchShape = broadcastShapes('matmul', a.shape.slice(0, -2), b.shape.slice(0, -2));
  const batches = sizeOf(batchShape);
  const sa = alignedStrides(a.shape.slice(0, -2), batchShape);
  const sb = alignedStrides(b.shape.slice(0, -2), batchShape);
  const idx = new Array<number>(batchShape.length).fill(0);
  for (let i = 0; i < batches; i++) {
    let pa = 0, pb = 0;
    for (let d = 0; d < idx.length; d++) { pa += idx[d] * sa[d]; pb += idx[d] * sb[d]; }
    gemm(A.subarray(pa * m * k, (pa + 1) * m * k), B.subarray(pb * k * n, (pb + 1) * k * n),
      o.subarray(i * m * n, (i + 1) * m * n), m, k, n, { transA, transB });
    for (let d = idx.length - 1; d >= 0; d--) { if (++idx[d] < batchShape[d]) break; idx[d] = 0; }
  }
}

/**
 * One GEMM: in the training wasm module when it is loaded (parameters resident there are read
 * in place, see optim/resident.ts), else lite-runtime's `matmul` (the same kernel, operands copied).
 */
function gemm(a: Float32Array, b: Float32Array, c: Float32Array, m: number, k: number, n: number, trans: { transA: boolean; transB: boolean }): void {
  const w = m > 0 && k > 0 && n > 0 ? trainingKernels() : null;
  if (w) {
    try { w.matmul(a, b, c, m, k, n, trans.transA, trans.transB); return; } catch (e) {
      if (!(e instanceof RangeError)) throw e; // wasm memory exhausted: lite's path copes
    }
  }
  liteMatmul(a, b, c, m, k, n, trans);
}

function dims2(shape: readonly number[], trans: boolean): [number, number] {
  const r = shape[shape.length - 2], c = shape[shape.length - 1];
  return trans ? [c, r] : [r, c];
}

/** The primitive with transpose flags (rank >= 2). */
export function mm(a: Tensor, b: Tensor, transA = false, transB = false): Tensor {
  return apply1(MATMUL, [a, b], { transA, transB });
}

/**
 * Matrix product with torch.matmul semantics: 1-D operands are promoted and the
 * added dim removed, batch dims broadcast.
 * @example tg.matmul(x, w) // [B, n, k] @ [k, m] -> [B, n, m]
 */
export function matmul(a: Tensor, b: Tensor): Tensor {
  expectTensors('matmul', a, b);
  if (a.ndim === 0 || b.ndim === 0) throw new ShapeError(`matmul: both arguments need at least 1 dim, got ${fmtShape(a.shape)} and ${fmtShape(b.shape)}`);
  const a2 = a.ndim === 1 ? reshape(a, [1, a.shape[0]]) : a;
  const b2 = b.ndim === 1 ? reshape(b, [b.shape[0], 1]) : b;
  const out = mm(a2, b2);
  if (a.ndim > 1 && b.ndim > 1) return out;
  const shape = out.shape.slice();
  if (b.ndim === 1) shape.pop();
  if (a.ndim === 1) shape.splice(shape.length - (b.ndim === 1 ? 1 : 2), 1);
  return reshape(out, shape);
}

/**
 * Batched matrix product of two 3-D tensors with the same batch size, no
 * broadcasting (torch.bmm). @example tg.bmm(q, k.transpose(1, 2)) // [B, n, d] @ [B, d, m] -> [B, n, m]
 */
export function bmm(a: Tensor, b: Tensor): Tensor {
  expectTensors('bmm', a, b);
  if (a.ndim !== 3 || b.ndim !== 3) throw new ShapeError(`bmm: both arguments must be 3-D [B, n, k] and [B, k, m], got ${fmtShape(a.shape)} and ${fmtShape(b.shape)}`);
  if (a.shape[0] !== b.shape[0]) throw new ShapeError(`bmm: batch sizes differ: ${fmtShape(a.shape)} and ${fmtShape(b.shape)}`);
  return mm(a, b);
}
defineComposite('bmm', ['matmul']);

// Converter traits: the TFLite lowering and the ONNX types each op imports from (ops/convert-traits.ts).
import { withTraits } from './convert-traits.js';
import { GEMM_IMPORT, MATMUL_IMPORT, MATMUL_TFLITE } from './convert/nn.js';
import { DFT_IMPORT, RESIZE_IMPORT } from './convert/composite-import.js';
withTraits(MATMUL, { tflite: MATMUL_TFLITE, onnxImport: { MatMul: MATMUL_IMPORT, Gemm: GEMM_IMPORT, Resize: RESIZE_IMPORT, DFT: DFT_IMPORT } });

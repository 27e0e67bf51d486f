import { trilu } from '../../kernels/shape-trilu.js';
import { apply1, expectTensors } from '../../dispatch.js';
import { ShapeError, ValueError } from '../../errors.js';
import { fmtShape } from '../../shape.js';
import type { Tensor } from '../../tensor.js';
import { DATA_TYPE } from '../../onnx/emit.js';
import { defineOp, type OpDef } from '../registry.js';
import { forwardFresh, type ForwardInto } from '../util.js';

export interface TriluAttrs { [k: string]: number; diagonal: number }

/**
 * triu / tril over the last two dims (ONNX Trilu). Any dtype; the gradient is the
 * same op on the incoming gradient. onnxruntime runs Trilu on float32, int64 and
 * bool, so int32 goes through int64.
 */
function defineTrilu(name: 'triu' | 'tril', upper: boolean): OpDef<TriluAttrs> {
  const into: ForwardInto<TriluAttrs> = ([x], { diagonal }, [out]) => {
    const r = x.shape.length;
    trilu(x.data, out, x.shape[r - 2], x.shape[r - 1], diagonal, upper);
  };
  const op: OpDef<TriluAttrs> = defineOp<TriluAttrs>({
    name,
    onnx: (e, n, ins, outs) => {
      const int = n.inputs[0].dtype === 'int32';
      const x = int ? e.op('Cast', [ins[0]], { to: { i: DATA_TYPE.int64 } }) : ins[0];
      const k = e.i64([n.attrs.diagonal as number], true);
      const attrs = { upper: { i: upper ? 1 : 0 } };
      if (int) e.node('Cast', [e.op('Trilu', [x, k], attrs)], outs, { to: { i: DATA_TYPE.int32 } });
      else e.node('Trilu', [x, k], outs, attrs);
    },
    infer([x]) {
      if (x.shape.length < 2) throw new ShapeError(`${name}: input must have at least 2 dims, got ${x.dtype}${fmtShape(x.shape)}`);
      return [{ shape: x.shape, dtype: x.dtype }];
    },
    forward: forwardFresh(into),
    forwardInto: into,
    grad: ({ gradOutputs: [g], attrs }) => [apply1(op, [g!], attrs)],
  });
  return op;
}

export const TRIU = defineTrilu('triu', true);
export const TRIL = defineTrilu('tril', false);

function check(op: string, x: Tensor, diagonal: number): void {
  expectTensors(op, x);
  if (!Number.isInteger(diagonal)) throw new ValueError(`${op}: diagonal must be an integer, got ${diagonal}`);
}

/**
 * The upper triangle of the last two dims (elements with j - i >= diagonal), zeros elsewhere.
 * @example tg.triu(tg.ones([3, 3]), 1) // strictly upper: a causal attention mask
 */
export function triu(x: Tensor, diagonal = 0): Tensor {
  check('triu', x, diagonal);
  return apply1(TRIU, [x], { diagonal });
}

/**
 * The lower triangle of the last two dims (elements with j - i <= diagonal), zeros elsewhere.
 * @example tg.tril(x, -1) // strictly lower
 */
export function tril(x: Tensor, diagonal = 0): Tensor {
  check('tril', x, diagonal);
  return apply1(TRIL, [x], { diagonal });
}

// Converter traits (ops/convert-traits.ts): a select with a constant mask; ONNX Trilu imports to triu or tril.
import { withTraits } from '../convert-traits.js';
import { TRILU_IMPORT, triluLowering } from '../convert/shape.js';
withTraits(TRIU, { tflite: triluLowering(true), onnxImport: { Trilu: TRILU_IMPORT } });
withTraits(TRIL, { tflite: triluLowering(false) });

import { apply1 } from '../dispatch.js';
import { ValueError } from '../errors.js';
import { defineOp } from '../ops/registry.js';
import { Tensor } from '../tensor.js';

/** Prints its input when it runs (eagerly, or each time a compiled graph runs) and passes it through. */
export const PRINT = defineOp<{ label: string }>({
  name: 'print',
  aliasesInput: true,
  onnx: (e, _n, ins, outs) => { e.node('Identity', [ins[0]], outs); },
  sideEffect: true,
  infer: ([x]) => [{ shape: x.shape, dtype: x.dtype }],
  forward([x], { label }) {
    const text = Tensor._fromStorage(x.shape, x.dtype, x.data).toString();
    console.log(label ? `${label} ${text}` : text);
    return [x.data];
  },
  grad: ({ gradOutputs: [g] }) => [g],
});

/**
 * Prints `x` at run time in both modes (a `console.log` inside tg.jit runs only
 * while tracing). Returns `x`, so it can sit inside an expression.
 * @example tg.jit((x) => tg.print(x.mul(2), 'doubled:'))
 */
export function print(x: Tensor, label = ''): Tensor {
  if (typeof x === 'string' && typeof label !== 'string') throw new ValueError(`print(x, label): the label comes second, got print('${x}', tensor)`);
  return apply1(PRINT, [x], { label });
}

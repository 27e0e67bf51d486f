import { apply1 } from '../dispatch.js';
import { defineOp } from '../ops/registry.js';
import { Tensor } from '../tensor.js';

/** Prints its input when it runs (eagerly, or each time a compiled graph runs) and passes it through. */
export const PRINT = defineOp<{ label: string }>({
  name: 'print',
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
  return apply1(PRINT, [x], { label });
}

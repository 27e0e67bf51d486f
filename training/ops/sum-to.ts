import { reduceSumTo } from '../kernels/broadcast.js';
import { apply1 } from '../dispatch.js';
import { ShapeError } from '../errors.js';
import { broadcastShapes, fmtShape, shapesEqual, type Shape } from '../shape.js';
import type { Tensor } from '../tensor.js';
import { EXPAND } from './expand.js';
import { defineOp } from './registry.js';
import { alloc } from './util.js';

/** Reduces a broadcast result back to `shape` by summing (the gradient of broadcasting). */
export const SUM_TO = defineOp<{ shape: readonly number[] }>({
  name: 'sumTo',
  onnx: (e, n, ins, outs) => {
    const x = n.inputs[0].shape, o = n.outputs[0].shape;
    const lead = x.length - o.length;
    const axes = x.map((_, i) => i).filter((i) => i < lead || (o[i - lead] === 1 && x[i] !== 1));
    if (axes.length === 0) { e.node('Identity', [ins[0]], outs); return; }
    const reduced = e.op('ReduceSum', [ins[0], e.i64(axes)], { keepdims: { i: 1 } });
    if (lead === 0) e.node('Identity', [reduced], outs);
    else e.node('Squeeze', [reduced, e.i64(Array.from({ length: lead }, (_, i) => i))], outs);
  },
  infer([x], { shape }) {
    const b = broadcastShapes('sumTo', shape, x.shape);
    if (!shapesEqual(b, x.shape)) throw new ShapeError(`sumTo: ${fmtShape(x.shape)} is not a broadcast of ${fmtShape(shape)}`);
    return [{ shape, dtype: x.dtype }];
  },
  forward([x], { shape }, [o]) {
    const out = alloc(o);
    const aligned = [...new Array<number>(x.shape.length - shape.length).fill(1), ...shape];
    reduceSumTo(x.data, x.shape, out, aligned);
    return [out];
  },
  grad: ({ inputs: [x], gradOutputs: [g] }) => [expandTo(g!, x.shape)],
});

/** Sums `t` down to `shape` (no-op when equal). */
export function sumTo(t: Tensor, shape: Shape): Tensor {
  return shapesEqual(t.shape, shape) ? t : apply1(SUM_TO, [t], { shape: [...shape] });
}

/** Broadcasts `t` up to `shape` (no-op when equal). */
export function expandTo(t: Tensor, shape: Shape): Tensor {
  return shapesEqual(t.shape, shape) ? t : apply1(EXPAND, [t], { shape: [...shape] });
}

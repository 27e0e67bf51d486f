/** SHAPE: the input's dims as int32 or int64 (ShapeOptions.out_type / the output dtype). */
import { BuiltinOp } from '../format/schema.js';
import type { LiteOp } from './op.js';
import { input, output, setOutput } from './util/check.js';

const OP = 'SHAPE';

export const SHAPE: LiteOp<{ dims: number[] }> = {
  code: BuiltinOp.SHAPE,
  name: OP,
  prepare(node) {
    const x = input(OP, node, 0);
    setOutput(OP, node, output(OP, node, 0), [x.shape.length], 'int32', 'int64');
    return { dims: [...x.shape] };
  },
  run(node, s) {
    const y = node.outputs[0]!.data;
    for (let i = 0; i < s.dims.length; i++) {
      if (y instanceof BigInt64Array) y[i] = BigInt(s.dims[i]!);
      else (y as Int32Array)[i] = s.dims[i]!;
    }
  },
};

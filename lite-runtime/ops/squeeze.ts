/** SQUEEZE: drops size-1 dims (SqueezeOptions.squeeze_dims, or all of them); the data is copied as is. */
import { BuiltinOp, SqueezeOptions as F } from '../format/schema.js';
import type { LiteOp } from './op.js';
import { describe, expect, input, numElements, output, setOutput } from './util/check.js';
import { copyElements } from './util/copy.js';
import { normAxis } from './util/layout.js';

const OP = 'SQUEEZE';

export const SQUEEZE: LiteOp<{ n: number }> = {
  code: BuiltinOp.SQUEEZE,
  name: OP,
  prepare(node) {
    const x = input(OP, node, 0);
    const dims = node.options?.i32Vector(F.squeeze_dims);
    const drop = new Set<number>();
    if (dims && dims.length) {
      for (const d of dims) {
        const a = normAxis(OP, node, d, x.shape.length);
        expect(OP, node, x.shape[a] === 1, () => `${describe('input 0', x)}: dim ${d} has size ${x.shape[a]}, not 1`);
        drop.add(a);
      }
    } else {
      x.shape.forEach((d, i) => { if (d === 1) drop.add(i); });
    }
    setOutput(OP, node, output(OP, node, 0), x.shape.filter((_, i) => !drop.has(i)), x.dtype);
    return { n: numElements(x.shape) };
  },
  run(node, s) {
    copyElements(node.inputs[0]!.data, node.outputs[0]!.data, s.n);
  },
};

/**
 * Test-only ops for interpreter tests: control flow needs a comparison, which the CPU
 * backend lacks. LESS on float32, elementwise over equal shapes or with a one-element
 * second input; passed to loadModel through `ops`.
 */
import { KernelError } from '../../../lite-runtime/format/errors.js';
import { BuiltinOp } from '../../../lite-runtime/format/schema.js';
import type { LiteOp, OpNode } from '../../../lite-runtime/ops/op.js';

function binary(code: number, name: string, f: (a: number, b: number) => number, outBool: boolean): LiteOp<null> {
  return {
    code,
    name,
    prepare(node: OpNode) {
      const [a, b] = node.inputs;
      if (!a || !b || a.dtype !== 'float32' || b.dtype !== 'float32') throw new KernelError(name, node.index, 'float32 inputs only');
      if (b.shape.reduce((n, d) => n * d, 1) !== 1 && b.shape.join() !== a.shape.join()) throw new KernelError(name, node.index, 'input 1 must have one element or the shape of input 0');
      node.outputs[0]!.shape = a.shape.slice();
      if (node.outputs[0]!.dtype !== (outBool ? 'bool' : 'float32')) throw new KernelError(name, node.index, 'bad output dtype');
      return null;
    },
    run(node: OpNode) {
      const a = node.inputs[0]!.data as Float32Array;
      const b = node.inputs[1]!.data as Float32Array;
      const y = node.outputs[0]!.data as Float32Array | Uint8Array;
      for (let i = 0; i < a.length; i++) y[i] = f(a[i]!, b.length === 1 ? b[0]! : b[i]!);
    },
  };
}

export const TEST_OPS: LiteOp[] = [
  binary(BuiltinOp.LESS, 'LESS', (a, b) => (a < b ? 1 : 0), true),
];

/**
 * CAST between float32, float64, int8, uint8, int16, int32, int64 and bool:
 * float -> int truncates toward zero and wraps like a C cast of an in-range value;
 * anything -> bool is `x != 0`.
 */
import { BuiltinOp } from '../format/schema.js';
import type { LiteOp, OpNode } from './op.js';
import { expectDType, input, numElements, output, setOutput } from './util/check.js';

const OP = 'CAST';
const TYPES = ['float32', 'float64', 'int8', 'uint8', 'int16', 'int32', 'int64', 'bool'] as const;

export const CAST: LiteOp<{ n: number; toBool: boolean; toInt: boolean; fromBig: boolean; toBig: boolean }> = {
  code: BuiltinOp.CAST,
  name: OP,
  prepare(node) {
    const x = input(OP, node, 0), y = output(OP, node, 0);
    expectDType(OP, node, 'input 0', x, ...TYPES);
    setOutput(OP, node, y, [...x.shape], ...TYPES);
    return {
      n: numElements(x.shape), toBool: y.dtype === 'bool', fromBig: x.dtype === 'int64', toBig: y.dtype === 'int64',
      toInt: y.dtype !== 'float32' && y.dtype !== 'float64',
    };
  },
  run(node: OpNode, s) {
    const x = node.inputs[0]!.data, y = node.outputs[0]!.data;
    for (let i = 0; i < s.n; i++) {
      const v = s.fromBig ? Number((x as BigInt64Array)[i]!) : (x as Float32Array)[i]!;
      if (s.toBig) (y as BigInt64Array)[i] = BigInt(Number.isFinite(v) ? Math.trunc(v) : 0);
      else if (s.toBool) (y as Uint8Array)[i] = v !== 0 ? 1 : 0;
      else (y as Float32Array)[i] = s.toInt ? Math.trunc(v) : v;
    }
  },
};

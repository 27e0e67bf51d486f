/**
 * RESHAPE: same elements, new shape. The shape comes from the constant shape
 * input (input 1), else ReshapeOptions.new_shape, else the model's output shape
 * (which also stands in for a shape input computed at run time when it fits);
 * one dimension may be -1 (inferred).
 */
import { BuiltinOp, ReshapeOptions as F } from '../format/schema.js';
import { fmtShape } from '../format/errors.js';
import type { LiteOp, OpNode } from './op.js';
import { constInts, describe, expect, fail, input, numElements, optInput, output, setOutput } from './util/check.js';
import { copyElements } from './util/copy.js';

const OP = 'RESHAPE';

function requestedShape(node: OpNode, count: number): number[] {
  const s = optInput(node, 1);
  const opt = node.options?.i32Vector(F.new_shape);
  if (s && s.shape.length === 1 && (s.dtype === 'int32' || s.dtype === 'int64')) {
    if (s.isConst) return constInts(OP, node, 'shape', s);
    // A shape computed at run time: the options or the model's static output shape stand in when they fit.
    const model = output(OP, node, 0).shape;
    if (opt && opt.length === s.shape[0]) return Array.from(opt);
    if (model.length === s.shape[0] && model.every((d) => d >= 0) && numElements(model) === count) return [...model];
    throw fail(OP, node, `${describe('shape', s)}: computed at run time, and neither new_shape nor the model's output shape gives it`);
  }
  if (opt) return Array.from(opt);
  return [...output(OP, node, 0).shape];
}

/** Resolves a single -1 against the element count. */
export function resolveShape(op: string, node: OpNode, shape: number[], count: number): number[] {
  let unknown = -1, known = 1;
  shape.forEach((d, i) => {
    if (d === -1) {
      expect(op, node, unknown < 0, () => `shape ${fmtShape(shape)} has more than one -1`);
      unknown = i;
    } else {
      expect(op, node, Number.isInteger(d) && d >= 0, () => `shape ${fmtShape(shape)} has an invalid dimension ${d}`);
      known *= d;
    }
  });
  const out = [...shape];
  if (unknown >= 0) {
    expect(op, node, known > 0 && count % known === 0, () => `cannot infer -1 in ${fmtShape(shape)} for ${count} elements`);
    out[unknown] = count / known;
  }
  expect(op, node, numElements(out) === count, () => `shape ${fmtShape(out)} holds ${numElements(out)} elements, input has ${count}`);
  return out;
}

export const RESHAPE: LiteOp<{ n: number }> = {
  code: BuiltinOp.RESHAPE,
  name: OP,
  prepare(node) {
    const x = input(OP, node, 0), y = output(OP, node, 0);
    const n = numElements(x.shape);
    setOutput(OP, node, y, resolveShape(OP, node, requestedShape(node, n), n), x.dtype);
    return { n };
  },
  run(node, s) {
    copyElements(node.inputs[0]!.data, node.outputs[0]!.data, s.n);
  },
};

import { expect } from 'vitest';
import * as tg from '../../training/index.js';
import { compileGraph } from '../../training/jit/executor.js';
import type { Graph } from '../../training/graph/ir.js';

/** Runs a graph on tensors with the jit's executor. */
export function runGraph(g: Graph, inputs: readonly tg.Tensor[]): tg.Tensor[] {
  const res = compileGraph(g).run(inputs.map((t) => t.data()));
  return res.map((s, i) => tg.tensor(s, { shape: g.outputs[i].shape, dtype: g.outputs[i].dtype }));
}

/** Ops of a graph's nodes in order. */
export const opsOf = (g: Graph): string[] => g.nodes.map((n) => n.op);

/** Elementwise closeness with a relative tolerance (0 = exact). */
export function expectClose(a: tg.Tensor, b: tg.Tensor, tol = 1e-6): void {
  expect(a.shape).toEqual(b.shape);
  expect(a.dtype).toBe(b.dtype);
  const x = a.data(), y = b.data();
  for (let i = 0; i < x.length; i++) {
    if (Number.isNaN(y[i])) { expect(x[i]).toBeNaN(); continue; }
    const err = Math.abs(x[i] - y[i]);
    if (err > tol * (1 + Math.abs(y[i]))) expect(`element ${i}: ${x[i]}`).toBe(`element ${i}: ${y[i]}`);
  }
}

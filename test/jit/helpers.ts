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

/** A function of one tensor returning one or several tensors. */
export type TensorFn = (x: tg.Tensor) => tg.Tensor | tg.Tensor[];

/** Values and gradients of sum(f(x) * w) for float outputs, as one list (the same code eagerly and under tg.jit). */
export function valuesAndGrad(f: TensorFn, x: tg.Tensor): tg.Tensor[] {
  const xr = x.requiresGrad ? x : x.detach().requiresGrad_(true);
  const out = f(xr);
  const outs = Array.isArray(out) ? out : [out];
  const floats = outs.filter((o) => o.dtype === 'float32' && o.requiresGrad);
  const loss = floats.reduce((acc: tg.Tensor | null, o) => {
    const w = tg.linspace(-1, 1, o.numel).reshape(o.shape);
    const term = o.mul(w).sum();
    return acc === null ? term : acc.add(term);
  }, null);
  return loss === null ? outs : [...outs, tg.grad([loss], [xr])[0]!];
}

/**
 * Traces `valuesAndGrad(f, .)` once and checks two fresh inputs of `shape` against eager
 * (a second input reuses the first trace: results computed at trace time would show up as stale).
 */
export function expectJitEqualsEager(name: string, f: TensorFn, shape: number[], seed: number): void {
  tg.manualSeed(seed);
  const step = tg.jit((a: tg.Tensor) => valuesAndGrad(f, a));
  for (const x of [tg.randn(shape), tg.randn(shape)]) {
    const eager = valuesAndGrad(f, x);
    const traced = step(x);
    expect(traced.length).toBe(eager.length);
    traced.forEach((t, i) => {
      expect(t.shape, `${name} #${i}`).toEqual(eager[i].shape);
      expect(t.dtype, `${name} #${i}`).toBe(eager[i].dtype);
      const a = t.data(), b = eager[i].data();
      for (let j = 0; j < b.length; j++) expect(Math.abs(a[j] - b[j]), `${name} #${i}[${j}]`).toBeLessThanOrEqual(1e-5 * (1 + Math.abs(b[j])));
    });
  }
  expect(step.traceCount).toBe(1);
}

import { afterEach, describe, expect, it, vi } from 'vitest';
import * as tg from '../../training/index.js';
import { expectClose as close } from './helpers.js';

afterEach(() => vi.restoreAllMocks());

describe('tg.jit tracing', () => {
  it('runs the seed cond example from one trace', () => {
    const f = tg.jit((x: tg.Tensor) => tg.cond(x.sum().gt(0), () => x.mul(x), () => x.neg()));
    expect(f(tg.tensor([1, 2, 3])).tolist()).toEqual([1, 4, 9]);
    expect(f(tg.tensor([-1, -2, -3])).tolist()).toEqual([1, 2, 3]);
    expect(f.traceCount).toBe(1);
    const text = f.graphFor(tg.tensor([0, 0, 0])).toString();
    expect(text).toContain('= cond(');
    expect(text).toMatch(/branch 0:[\s\S]*mul\(/);
    expect(text).toMatch(/branch 1:[\s\S]*neg\(/);
  });

  it('prints one line per node with outputs, op, inputs, attrs and shapes', () => {
    const f = tg.jit((x: tg.Tensor) => x.sum(1, true).relu());
    const lines = f.graphFor(tg.ones([2, 3])).toString().split('\n');
    expect(lines[0]).toBe('graph(%arg0: float32[2, 3])');
    expect(lines[1]).toMatch(/^ {2}%\d+: float32\[2, 1\] = sum\(%arg0\) \{dims=\[1\], keepdim=true\}$/);
    expect(lines[2]).toMatch(/^ {2}%\d+: float32\[2, 1\] = relu\(%\d+\)$/);
    expect(lines[3]).toMatch(/^ {2}return %\d+$/);
  });

  it('retraces for a new signature and reuses the cache otherwise', () => {
    const f = tg.jit((x: tg.Tensor, k: number) => x.mul(k));
    expect(f(tg.tensor([1, 2]), 3).tolist()).toEqual([3, 6]);
    expect(f(tg.tensor([4, 5]), 3).tolist()).toEqual([12, 15]);
    expect(f.traceCount).toBe(1);
    expect(f(tg.tensor([1, 2]), 2).tolist()).toEqual([2, 4]);
    expect(f(tg.tensor([1, 2, 3]), 2).tolist()).toEqual([2, 4, 6]);
    expect(f(tg.tensor([1, 2], { dtype: 'int32' }), 2).dtype).toBe('int32');
    expect(f.traceCount).toBe(4);
  });

  it('free dims of inputSignature avoid retracing over batch size (after two traces)', () => {
    const w = tg.randn([4, 3]);
    const f = tg.jit((x: tg.Tensor) => x.matmul(w).relu().sum(1), { inputSignature: [{ shape: [null, 4], dtype: 'float32' }] });
    for (const b of [5, 7, 2, 9, 1]) {
      const x = tg.randn([b, 4]);
      close(f(x), x.matmul(w).relu().sum(1));
    }
    expect(f.traceCount).toBe(2);
  });

  it('two traces at different sizes let later sizes reuse them when baked sizes are proportional', () => {
    const sig = { inputSignature: [{ shape: [null, 4] }] };
    const f = tg.jit((x: tg.Tensor) => x.reshape([x.shape[0] * 2, 2]).sum(1).mul(x.shape[0]), sig);
    for (const n of [3, 5, 8, 1]) {
      const x = tg.randn([n, 4]);
      close(f(x), x.reshape([n * 2, 2]).sum(1).mul(n));
    }
    expect(f.traceCount).toBe(2);
    // 1/n is not proportional to n: every size traces (and stays exact)
    const g = tg.jit((x: tg.Tensor) => x.sum(1).mul(1 / x.shape[0]), sig);
    for (const n of [3, 5, 8]) {
      const x = tg.randn([n, 4]);
      close(g(x), x.sum(1).mul(1 / n));
    }
    expect(g.traceCount).toBe(3);
  });

  it('keeps at most maxSignatures compiled signatures', () => {
    const f = tg.jit((x: tg.Tensor) => x.add(1), { maxSignatures: 2 });
    for (const n of [1, 2, 3, 1]) f(tg.ones([n]));
    expect(f.traceCount).toBe(4);
    f(tg.ones([3]));
    expect(f.traceCount).toBe(4);
  });

  it('rejects inputs that conflict with inputSignature, naming the argument', () => {
    const f = tg.jit((x: tg.Tensor, y: tg.Tensor) => x.add(y), {
      inputSignature: [{ shape: [null, 3], dtype: 'float32' }, { shape: [3] }], argNames: ['x', 'bias'],
    });
    expect(() => f(tg.ones([2, 3]), tg.ones([2, 3]))).toThrow(/argument 1 \('bias'\) has shape \[2, 3\] \(rank 2\), the inputSignature expects rank 1/);
    expect(() => f(tg.ones([2, 3], { dtype: 'int32' }), tg.ones([3]))).toThrow(/argument 0 \('x'\) has dtype int32, the inputSignature expects float32/);
    expect(() => f(tg.ones([2, 4]), tg.ones([3]))).toThrow(/argument 0 \('x'\) has shape \[2, 4\], the inputSignature expects \[\?, 3\] \(dim 1\)/);
    expect(() => f(tg.ones([2, 3]), tg.ones([3]))).not.toThrow();
  });

  it('reading a traced value as a JS value says to use tg.cond and where', () => {
    const f = tg.jit((x: tg.Tensor) => (x.sum().item() > 0 ? x : x.neg()));
    let err: unknown;
    try { f(tg.tensor([1, 2])); } catch (e) { err = e; }
    expect(err).toBeInstanceOf(tg.TraceError);
    expect(String((err as Error).message)).toMatch(/item\(\) reads a tensor's values.*tg\.jit \(at .*trace\.test\.ts:\d+:\d+\); use tg\.cond/);
  });

  it('a comparison on a traced tensor (an if on a tensor) says to use tg.cond', () => {
    const f = tg.jit((x: tg.Tensor) => ((x.sum() as unknown as number) > 0 ? x : x.neg()));
    expect(() => f(tg.tensor([1, 2]))).toThrow(/comparison or arithmetic on a traced tensor \(an if on a tensor\?\) converts it to a JS value: valueOf\(\) reads .*\(at .*trace\.test\.ts:\d+:\d+\); use tg\.cond/);
    expect((tg.tensor(3) as unknown as number) > 2).toBe(true);
    expect(() => +(tg.ones([2]) as unknown as number)).toThrow(tg.ValueError);
    expect(`${tg.tensor([1, 2])}`).toBe('tensor([1., 2.])');
  });

  it('console.log runs at trace time only; tg.print at every run in both modes', () => {
    const log = vi.spyOn(console, 'log').mockImplementation(() => {});
    const f = tg.jit((x: tg.Tensor) => {
      console.log('tracing');
      tg.print(x.mul(2), 'doubled:');
      return x.add(1);
    });
    f(tg.tensor([1, 2]));
    f(tg.tensor([3, 4]));
    const lines = log.mock.calls.map((c) => String(c[0]));
    expect(lines.filter((l) => l === 'tracing')).toHaveLength(1);
    expect(lines.filter((l) => l.startsWith('doubled:'))).toEqual(['doubled: tensor([2., 4.])', 'doubled: tensor([6., 8.])']);
    log.mockClear();
    tg.print(tg.tensor([1]), 'eager:');
    expect(log.mock.calls.map((c) => String(c[0]))).toEqual(['eager: tensor([1.])']);
  });

  it('tg.print inside a cond branch prints only when that branch runs, even when its value is unused', () => {
    const log = vi.spyOn(console, 'log').mockImplementation(() => {});
    const f = tg.jit((x: tg.Tensor) => tg.cond(x.sum().gt(0), () => { tg.print(x, 'positive:'); return x.mul(2); }, () => x));
    f(tg.tensor([1, 2]));
    f(tg.tensor([-1, -2]));
    f(tg.tensor([3, 4]));
    expect(log.mock.calls.map((c) => String(c[0]))).toEqual(['positive: tensor([1., 2.])', 'positive: tensor([3., 4.])']);
  });

  it('whileLoop works eagerly and traced, with captured tensors', () => {
    const step = tg.tensor(3);
    const body = (x: tg.Tensor) => {
      const [i, acc] = tg.whileLoop((i) => i.lt(x.sum()), (i, a) => [i.add(step), a.add(i)], [tg.tensor(0), tg.tensor(0)]);
      return i.mul(100).add(acc);
    };
    const f = tg.jit(body);
    for (const v of [[1, 2], [10, 5], [-1, 0]]) {
      expect(f(tg.tensor(v)).item()).toBe(body(tg.tensor(v)).item());
    }
    expect(f.traceCount).toBe(1);
    expect(f.graphFor(tg.tensor([1, 2])).toString()).toContain('= while(');
  });

  it('whileLoop maxIterations stops endless loops in both modes', () => {
    const loop = (x: tg.Tensor) => tg.whileLoop((a) => a.gt(-1), (a) => [a.add(1)], [x], { maxIterations: 50 })[0];
    expect(() => loop(tg.tensor(0))).toThrow(/more than 50 iterations/);
    expect(() => tg.jit(loop)(tg.tensor(0))).toThrow(/more than 50 iterations/);
  });

  it('cond branches with different shapes are a trace error', () => {
    const f = tg.jit((x: tg.Tensor) => tg.cond(x.sum().gt(0), () => x, () => x.sum()));
    expect(() => f(tg.ones([3]))).toThrow(/cond: result 0 is float32\[3\] in the then branch but float32\[\] in the else branch/);
  });

  it('captures parameters by reference: later updates are seen', () => {
    const w = tg.tensor([1, 2]);
    const f = tg.jit((x: tg.Tensor) => x.mul(w));
    expect(f(tg.tensor([1, 1])).tolist()).toEqual([1, 2]);
    tg.assign(w, tg.tensor([5, 7]));
    expect(f(tg.tensor([1, 1])).tolist()).toEqual([5, 7]);
    const g = f.graphFor(tg.tensor([1, 1]));
    expect(g.variables.map((v) => v.name)).toEqual(['var0']);
    expect(g.constants).toHaveLength(0);
  });

  it('assign broadcasts its value like eager, written through or committed after the run', () => {
    const u = tg.zeros([2, 3]);
    const once = tg.jit((v: tg.Tensor) => { tg.assign(u, v); return u.sum(); });
    expect(once(tg.tensor([[1], [2]])).item()).toBe(9);
    expect(u.tolist()).toEqual([[1, 1, 1], [2, 2, 2]]);
    // two assigns of one variable: both run as copies committed after the run
    const twice = tg.jit((v: tg.Tensor) => { tg.assign(u, v); tg.assign(u, v.mul(2)); return u.sum(); });
    expect(twice(tg.tensor([[3], [4]])).item()).toBe(42);
    expect(u.tolist()).toEqual([[6, 6, 6], [8, 8, 8]]);
  });

  it('a detached outside tensor stays a variable (it shares storage), without gradient', () => {
    const w = tg.tensor([1, 2], { requiresGrad: true });
    const f = tg.jit((x: tg.Tensor) => x.mul(w.detach().mul(3)));
    expect(f(tg.tensor([1, 1])).tolist()).toEqual([3, 6]);
    tg.assign(w, tg.tensor([5, 7]));
    expect(f(tg.tensor([1, 1])).tolist()).toEqual([15, 21]);
    expect(f.graphFor(tg.tensor([1, 1])).variables).toHaveLength(1);
    const g = tg.jit((x: tg.Tensor) => tg.grad([x.mul(w.detach()).sum()], [x])[0]!);
    expect(g(tg.tensor([1, 1], { requiresGrad: true })).tolist()).toEqual([5, 7]);
  });

  it('tensors created from JS data inside the trace become constants', () => {
    const f = tg.jit((x: tg.Tensor) => x.add(tg.tensor([10, 20])).mul(2));
    expect(f(tg.tensor([1, 2])).tolist()).toEqual([22, 44]);
    const g = f.graphFor(tg.tensor([1, 2]));
    expect(g.variables).toHaveLength(0);
    expect(g.constants.length).toBeGreaterThanOrEqual(2);
  });

  it('jits an object with forward, naming variables after its parameters', () => {
    const model = {
      w: tg.randn([3, 2]),
      b: tg.randn([2]),
      namedParameters(): [string, tg.Tensor][] { return [['fc.weight', this.w], ['fc.bias', this.b]]; },
      forward(x: tg.Tensor) { return x.matmul(this.w).add(this.b); },
    };
    const f = tg.jit(model);
    const x = tg.randn([4, 3]);
    close(f(x) as tg.Tensor, model.forward(x));
    expect(f.graphFor(x).variables.map((v) => v.name)).toEqual(['fc.weight', 'fc.bias']);
  });

  it("a module's train/eval mode is part of the signature", () => {
    const model = new tg.nn.Sequential(new tg.nn.Linear(4, 4), new tg.nn.Dropout(0.5));
    const f = tg.jit(model);
    const x = tg.randn([2, 4]);
    const ops = () => f.graphFor(x).nodes.map((n) => n.op);
    expect(ops()).toContain('dropout');
    model.eval();
    expect(ops()).not.toContain('dropout');
    close(f(x), model.forward(x));
    model.train();
    expect(ops()).toContain('dropout');
    expect(f.traceCount).toBe(2);
  });

  it('returns nested structures and jitted functions inline inside other traces', () => {
    const inner = tg.jit((x: tg.Tensor) => x.mul(3));
    const f = tg.jit((x: tg.Tensor) => ({ a: inner(x), b: [x.add(1), x.sub(1)] }));
    const out = f(tg.tensor([1]));
    expect(out.a.tolist()).toEqual([3]);
    expect(out.b.map((t) => t.tolist())).toEqual([[2], [0]]);
    expect(inner.traceCount).toBe(0);
  });

  it('graphs hold no eager tensors: variables are name + ref, constants typed arrays (what the converter reads)', () => {
    const w = tg.randn([3, 2]);
    const g = tg.jit((x: tg.Tensor) => x.matmul(w).add(tg.tensor([1, 2]))).graphFor(tg.randn([4, 3]));
    const seen = new Set<unknown>();
    const walk = (x: unknown): void => {
      if (x === null || typeof x !== 'object' || seen.has(x)) return;
      seen.add(x);
      expect(x).not.toBeInstanceOf(tg.Tensor);
      if (ArrayBuffer.isView(x)) return;
      for (const v of Object.values(x)) walk(v);
    };
    walk(g);
    expect(g.variables[0].ref.read()).toBe(w._storage);
    expect(g.constants[0].data).toBeInstanceOf(Float32Array);
  });

  it('gradients flow through tg.cond inside a trace (the backward takes the same branch)', () => {
    const w = tg.tensor([0.5, -1, 2], { requiresGrad: true });
    const loss = (x: tg.Tensor) => tg.cond(x.sum().gt(0), () => x.mul(x).mul(w), () => x.neg().mul(w).exp()).sum();
    const f = tg.jit((x: tg.Tensor) => { const [gx, gw] = tg.grad([loss(x)], [x, w]); return [gx!, gw!]; });
    for (const v of [[1, 2, 3], [-1, -2, 0.5]]) {
      const x = tg.tensor(v, { requiresGrad: true });
      const [gx, gw] = f(x);
      const [ex, ew] = tg.grad([loss(x)], [x, w]);
      close(gx, ex!, 1e-6);
      close(gw, ew!, 1e-6);
    }
    expect(f.traceCount).toBe(1);
  });

  it('backward through a traced whileLoop is a clear error', () => {
    const w = tg.tensor(2, { requiresGrad: true });
    const f = tg.jit((x: tg.Tensor) => {
      const [, acc] = tg.whileLoop((i) => i.lt(3), (i, a) => [i.add(1), a.mul(w)], [tg.tensor(0), x]);
      return tg.grad([acc.sum()], [w])[0]!;
    });
    expect(() => f(tg.tensor([1, 2]))).toThrow(/gradients through tg\.whileLoop inside tg\.jit are not supported/);
  });

  it('tg.grad inside a trace emits the backward graph', () => {
    const f = tg.jit((x: tg.Tensor) => tg.grad([x.mul(x).mul(x).sum()], [x])[0]!);
    const x = tg.tensor([1, 2, 3], { requiresGrad: true });
    expect(f(x).tolist()).toEqual([3, 12, 27]);
  });
});

describe('state and randomness inside tg.jit', () => {
  it('batch-norm running statistics update through assign exactly as eagerly', () => {
    const make = () => ({ mean: tg.zeros([3]), var: tg.ones([3]) });
    const a = make(), b = make();
    const f = tg.jit((x: tg.Tensor) => tg.batchNorm(x, b.mean, b.var, null, null, true));
    for (let i = 0; i < 3; i++) {
      const x = tg.randn([4, 3, 2, 2]);
      close(f(x), tg.batchNorm(x, a.mean, a.var, null, null, true), 1e-5);
      close(b.mean, a.mean, 1e-6);
      close(b.var, a.var, 1e-6);
    }
  });

  it('dropout draws fresh randomness on every run, in the same order as eager', () => {
    const x = tg.ones([64]);
    const f = tg.jit((t: tg.Tensor) => tg.dropout(t, 0.5).add(tg.dropout(t, 0.5)));
    tg.manualSeed(5);
    const e1 = tg.dropout(x, 0.5).add(tg.dropout(x, 0.5)), e2 = tg.dropout(x, 0.5).add(tg.dropout(x, 0.5));
    tg.manualSeed(5);
    const j1 = f(x), j2 = f(x);
    expect(j1.tolist()).toEqual(e1.tolist());
    expect(j2.tolist()).toEqual(e2.tolist());
    expect(j1.tolist()).not.toEqual(j2.tolist());
    expect(f.optimizedGraphFor(x).nodes.filter((n) => n.op === 'dropout')).toHaveLength(2);
    // an unused draw is kept, so later draws match eager
    const g = tg.jit((t: tg.Tensor) => { tg.dropout(t, 0.5); return tg.dropout(t, 0.5); });
    tg.manualSeed(6);
    tg.dropout(x, 0.5);
    const e = tg.dropout(x, 0.5);
    tg.manualSeed(6);
    expect(g(x).tolist()).toEqual(e.tolist());
  });
});

import { beforeEach, afterEach, describe, expect, it, vi } from 'vitest';
import * as tg from '../../training/index.js';
import { cse, dce, fold, fuseConv, fuseElementwise, fuseLinear, planMemory, poolBeforeRelu, reluGradFromOutput, simplify, cleanup } from '../../training/graph/index.js';
import type { Graph } from '../../training/graph/ir.js';
import { expectClose, opsOf, runGraph } from './helpers.js';

beforeEach(() => { vi.spyOn(console, 'log').mockImplementation(() => {}); });
afterEach(() => vi.restoreAllMocks());

type Fn = (...x: tg.Tensor[]) => tg.Tensor;

/** Traces `fn`, applies `pass` to a copy, checks eager == raw graph == rewritten graph; returns both graphs. */
function check(fn: Fn, inputs: tg.Tensor[], pass: (g: Graph) => unknown, tol = 0): { before: Graph; after: Graph } {
  const before = tg.jit(fn, { optimize: false }).graphFor(...inputs);
  const after = before.clone();
  pass(after);
  const eager = fn(...inputs);
  expectClose(runGraph(before, inputs)[0], eager, tol);
  expectClose(runGraph(after, inputs)[0], eager, tol);
  return { before, after };
}

describe('constant folding', () => {
  it('runs nodes of constants now and keeps the rest', () => {
    const { before, after } = check((x) => x.add(tg.tensor(2).mul(3)).mul(tg.arange(3).add(1)), [tg.randn([3])], fold);
    expect(opsOf(before)).toEqual(['mul', 'add', 'add', 'mul']);
    expect(opsOf(after)).toEqual(['add', 'mul']);
    expect(after.toString()).toMatch(/const %\d+: float32\[\] = \[6\]/);
    expect(after.toString()).toMatch(/const %\d+: int32\[3\] = \[1, 2, 3\]/);
  });

  it('never folds nodes with side effects or randomness', () => {
    const { after } = check((x) => x.add(tg.print(tg.tensor(1), 'c')), [tg.ones([2])], fold);
    expect(opsOf(after)).toContain('print');
    // a dropout of a constant: its draws must happen on every run, so it stays a node
    const g = tg.jit((x: tg.Tensor) => x.add(tg.dropout(tg.ones([4]), 0.5)), { optimize: false }).graphFor(tg.ones([4])).clone();
    fold(g);
    expect(opsOf(g)).toContain('dropout');
  });
});

describe('common-subexpression elimination', () => {
  it('computes repeated expressions and equal constants once', () => {
    const { before, after } = check((x) => x.exp().add(x.exp()).mul(x.add(1)).mul(x.add(1)), [tg.randn([4])], cse);
    expect(opsOf(before).filter((o) => o === 'exp')).toHaveLength(2);
    expect(opsOf(after)).toEqual(['exp', 'add', 'add', 'mul', 'mul']);
    expect(after.constants).toHaveLength(1);
  });

  it('keeps distinct attrs apart', () => {
    const { after } = check((x) => x.sum(0).add(x.sum(1)), [tg.randn([3, 3])], cse);
    expect(opsOf(after).filter((o) => o === 'sum')).toHaveLength(2);
  });
});

describe('dead-code elimination', () => {
  it('drops unused nodes, constants and variables but keeps side effects', () => {
    const w = tg.randn([3]);
    const { before, after } = check((x) => {
      x.mul(w).exp();
      tg.print(x.sum(), 'sum');
      return x.add(tg.tensor(1));
    }, [tg.randn([3])], dce);
    expect(opsOf(before)).toEqual(['mul', 'exp', 'sum', 'print', 'add']);
    expect(opsOf(after)).toEqual(['sum', 'print', 'add']);
    expect(after.variables).toHaveLength(0);
  });
});

describe('algebraic simplification', () => {
  it('removes x*1, 1*x, x+0, x-0, x/1', () => {
    const { after } = check((x) => tg.mul(1, x.mul(1).add(0).sub(0).div(1)).exp(), [tg.randn([2, 2])], simplify);
    expect(opsOf(after)).toEqual(['exp']);
  });

  it('keeps x*1 when broadcasting or promotion changes the result', () => {
    const { after } = check((x) => x.mul(tg.ones([2, 3])).add(tg.zeros([3])), [tg.randn([3])], simplify);
    expect(opsOf(after)).toEqual(['mul']);
    const ints = check((x) => x.mul(tg.tensor(1)), [tg.tensor([1, 2], { dtype: 'int32' })], simplify);
    expect(opsOf(ints.after)).toEqual(['mul']);
  });

  it('merges reshape of reshape and composes transposes', () => {
    const r = check((x) => x.reshape([6, 4]).reshape([2, 12]).exp(), [tg.randn([4, 6])], (g) => { simplify(g); dce(g); });
    expect(opsOf(r.after)).toEqual(['reshape', 'exp']);
    expect(r.after.nodes[0].inputs[0]).toBe(r.after.inputs[0]);
    const t = check((x) => x.transpose(0, 1).transpose(0, 1).exp(), [tg.randn([2, 3])], (g) => { simplify(g); dce(g); });
    expect(opsOf(t.after)).toEqual(['exp']);
    const p = check((x) => x.permute([1, 2, 0]).permute([0, 2, 1]), [tg.randn([2, 3, 4])], (g) => { simplify(g); dce(g); });
    expect(opsOf(p.after)).toEqual(['permute']);
    expect(p.after.nodes[0].attrs.perm).toEqual([1, 0, 2]);
  });
});

describe('elementwise fusion', () => {
  it('runs a chain as one node, bit-exact with eager, broadcasting its inputs', () => {
    const b = tg.randn([3]);
    const { before, after } = check((x) => x.mul(2).add(b).relu().sigmoid().sub(x.tanh()), [tg.randn([4, 3])], fuseElementwise);
    expect(opsOf(before)).toEqual(['mul', 'add', 'relu', 'sigmoid', 'tanh', 'sub']);
    expect(opsOf(after)).toEqual(['fused.elementwise']);
    expect(after.nodes[0].attrs.expr).toBe('sub(sigmoid(relu(add(mul(in0, in1), in2))), tanh(in0))');
  });

  it('covers every fusible op with equal results (floats, ints, bools, where, clamp)', () => {
    const x = tg.tensor([-2.5, -1, -0.25, 0, 0.5, 1, 3, 7.5]);
    const fns: Fn[] = [
      (a) => a.abs().add(1).sqrt().rsqrt().log().exp().log1p().sin().cos().neg().sign(),
      (a) => a.div(3).pow(2).maximum(a).minimum(a.mul(0.5)),
      (a) => tg.where(a.gt(0).mul(a.lt(5)), a.mul(a), a.neg()).add(a.ge(1)).sub(a.le(0)).add(a.eq(0)).add(a.ne(3)),
      (a) => tg.leakyRelu(a, 0.2).add(tg.elu(a, 0.7)).add(tg.silu(a)).add(tg.clamp(a, -1, 2)).add(tg.clamp(a, null, 0.5)),
    ];
    for (const fn of fns) {
      const { after } = check(fn, [x], fuseElementwise);
      expect(opsOf(after).filter((o) => o !== 'fused.elementwise')).toEqual([]);
    }
    const special = tg.tensor([NaN, -Infinity, Infinity, -0, 0, -1e-30, 3.4e38, -3.4e38], { requiresGrad: true });
    const grad = (a: tg.Tensor) => tg.grad([a.mul(2).relu().sum()], [a])[0]!.add(a.relu());
    for (const fn of [(a: tg.Tensor) => a.relu().mul(1.5).relu(), (a: tg.Tensor) => a.sigmoid().add(a.tanh()).relu().sqrt(),
      (a: tg.Tensor) => tg.leakyRelu(a, 0.1).add(tg.elu(a, 0.5)).add(tg.where(a.gt(0), a, a.neg()))]) {
      const { after } = check(fn, [special], (g) => fuseElementwise(g, true));
      expect(opsOf(after)).toEqual(['fused.elementwise']);
    }
    const { after } = check(grad, [special], (g) => fuseElementwise(g, true));
    expect(opsOf(after)).toContain('fused.elementwise');
    expect(opsOf(after)).not.toContain('reluGrad');
    const ints = check((a) => a.mul(3).add(a).sub(7).abs().neg(), [tg.tensor([1, -5, 9, 2147483], { dtype: 'int32' })], fuseElementwise);
    expect(opsOf(ints.after)).toEqual(['fused.elementwise']);
  });

  it('does not fuse a value that other nodes also read', () => {
    const { after } = check((x) => { const h = x.exp(); return h.add(1).mul(h.sum()); }, [tg.randn([3])], fuseElementwise);
    expect(opsOf(after)).toEqual(['exp', 'sum', 'fused.elementwise']);
  });
});

describe('matmul + bias + activation fusion', () => {
  it('turns linear + relu into one fused.linear node', () => {
    const w = tg.randn([5, 4]), b = tg.randn([5]);
    const { before, after } = check((x) => tg.linear(x, w, b).relu(), [tg.randn([3, 4])], fuseLinear, 1e-5);
    expect(opsOf(before)).toEqual(['matmul', 'add', 'relu']);
    expect(opsOf(after)).toEqual(['fused.linear']);
    expect(after.nodes[0].attrs).toEqual({ transB: true, act: 'relu' });
  });

  it('fuses matmul + bias over batched inputs and computed weights', () => {
    const b = tg.randn([6]);
    const { after } = check((x, w) => x.matmul(w).add(b), [tg.randn([2, 3, 4]), tg.randn([4, 6])], fuseLinear, 1e-5);
    expect(opsOf(after)).toEqual(['fused.linear']);
    expect(after.nodes[0].attrs).toEqual({ transB: false, act: 'none' });
  });

  it('fuses a traced nn.Linear, 2-D and with leading dims (tg.linear traces to matmul with transB, then add)', () => {
    const lin = new tg.nn.Linear(4, 5);
    for (const x of [tg.randn([3, 4]), tg.randn([2, 3, 4])]) {
      const f = tg.jit((t: tg.Tensor) => lin.forward(t).relu());
      const g = f.optimizedGraphFor(x);
      expect(opsOf(g).filter((o) => o === 'fused.linear')).toHaveLength(1);
      expect(opsOf(g)).not.toContain('matmul');
      // with leading dims the relu follows the reshape back, so it stays an elementwise node
      expect(g.nodes.find((n) => n.op === 'fused.linear')!.attrs).toEqual({ transB: true, act: x.ndim === 2 ? 'relu' : 'none' });
      expectClose(f(x), lin.forward(x).relu(), 1e-5);
    }
  });

  it('leaves a matmul whose result is read elsewhere', () => {
    const b = tg.randn([2]);
    const { after } = check((x) => { const y = x.matmul(x); return y.add(b).mul(y); }, [tg.randn([2, 2])], fuseLinear, 1e-5);
    expect(opsOf(after)).toEqual(['matmul', 'add', 'mul']);
  });
});

describe('conv + bias + activation fusion', () => {
  it('takes a per-channel bias add and a relu into one fused.conv2d node', () => {
    const w = tg.randn([4, 2, 3, 3]), b = tg.randn([4, 1, 1]);
    const { before, after } = check((x) => tg.conv2d(x, w, null, { padding: 1 }).add(b).relu(), [tg.randn([2, 2, 5, 5])], fuseConv, 1e-5);
    expect(opsOf(before)).toEqual(['conv2d', 'add', 'relu']);
    expect(opsOf(after)).toEqual(['fused.conv2d']);
    expect(after.nodes[0].inputs).toHaveLength(3);
    expect(after.nodes[0].attrs.act).toBe('relu');
  });

  it('fuses conv with its own bias and relu; leaves a [C] add that aligns with W', () => {
    const w = tg.randn([3, 3, 3, 3]), b = tg.randn([3]);
    const a = check((x) => tg.conv2d(x, w, b).relu(), [tg.randn([1, 3, 5, 5])], fuseConv, 1e-5);
    expect(opsOf(a.after)).toEqual(['fused.conv2d']);
    const c = check((x) => tg.conv2d(x, w).add(b), [tg.randn([1, 3, 5, 5])], fuseConv, 1e-5);
    expect(opsOf(c.after)).toEqual(['conv2d', 'add']);
  });
});

describe('relu gradients read relu outputs', () => {
  it('rewrites reluGrad(g, x) to reluGrad(g, relu(x)), so relus of training graphs fuse into linear and conv nodes', () => {
    const w = tg.randn([5, 4]), b = tg.randn([5]), k = tg.randn([3, 2, 3, 3]);
    // x = 0, -Infinity and NaN reach the relu: the mask must agree on them too
    const x = tg.tensor([[0, -Infinity, NaN, 1], [-1, 2, 0.5, -0.5], [3, -2, 1, 0]], { requiresGrad: true });
    const fn: Fn = (a, img) => {
      const [ga, gi] = tg.grad([tg.linear(a, w, b).relu().sum(), tg.conv2d(img, k, null, { padding: 1 }).relu().mul(img.sum()).sum()], [a, img]);
      return ga!.sum(1).add(gi!.sum());
    };
    const { before, after } = check(fn, [x, tg.randn([1, 2, 4, 4], { requiresGrad: true })], (g) => { expect(reluGradFromOutput(g)).toBe(2); dce(g); fuseLinear(g); fuseConv(g); });
    const reluGrads = (g: Graph) => g.nodes.filter((n) => n.op === 'reluGrad').map((n) => g.producers().get(n.inputs[1])?.op).sort();
    expect(reluGrads(before)).toEqual(['add', 'conv2d']);
    expect(reluGrads(after)).toEqual(['fused.conv2d', 'fused.linear']);
    expect(after.nodes.filter((n) => n.op.startsWith('fused.')).map((n) => n.attrs.act)).toEqual(['relu', 'relu']);
  });
});

describe('max pools before relus', () => {
  it('pools first and masks the pooled gradient, exactly as eager (ties, all-negative windows, NaN, -0, overlapping and padded windows)', () => {
    // rows: a positive tie, an all-negative window, a NaN, -0 with zeros, -Infinity
    const img = tg.tensor([
      [2, 2, -1, -3, 0.5, NaN],
      [1, 0, -2, -4, 0.25, 1],
      [-0, 0, 3, -Infinity, 7, 7],
      [0, -0, 1, 3, 7, -1],
    ], { requiresGrad: true }).reshape([1, 1, 4, 6]);
    for (const opts of [{}, { stride: 1 }, { stride: 1, padding: 1 }] as const) {
      const fn: Fn = (x) => {
        const y = tg.maxPool2d(x.mul(1.5).relu(), 2, opts);
        // the gradient routes y + 0.5 to each window's first maximum: it checks y's values and where they came from
        return tg.grad([y.mul(y.detach().add(0.5)).sum()], [x])[0]!;
      };
      const { before, after } = check(fn, [img], (g) => { reluGradFromOutput(g); expect(poolBeforeRelu(g)).toBe(1); dce(g); });
      expect(opsOf(before).filter((o) => o === 'relu')).toHaveLength(1);
      const pool = after.nodes.findIndex((n) => n.op === 'maxPool2d');
      expect(after.nodes[pool + 1].op).toBe('relu');
      expect(after.producers().get(after.nodes[pool].inputs[0])?.op).toBe('mul');
    }
  });

  it('leaves a relu that something else reads', () => {
    const fn: Fn = (x) => { const h = x.relu(); return tg.maxPool2d(h, 2).sum().add(h.sum()); };
    const { after } = check(fn, [tg.randn([1, 1, 4, 4])], poolBeforeRelu);
    expect(opsOf(after)).toContain('relu');
    expect(after.nodes.find((n) => n.op === 'maxPool2d')!.inputs[0]).toBe(after.nodes.find((n) => n.op === 'relu')!.outputs[0]);
  });
});

describe('memory planning', () => {
  // the jit's choice of nodes to plan (fused kernels that write into given buffers)
  const fusedWrites = (n: { op: string }) => n.op === 'fused.elementwise' || n.op === 'fused.linear';

  it('reuses buffers by lifetime and keeps results equal over repeated runs', () => {
    const fn: Fn = (x) => {
      let h = x;
      for (let i = 0; i < 4; i++) h = tg.softmax(h.mul(2).add(i).tanh(), -1);
      return h.mul(3).add(1);
    };
    const x = tg.randn([8, 16]);
    const g = tg.jit(fn).optimizedGraphFor(x);
    expect(opsOf(g).filter((o) => o === 'fused.elementwise')).toHaveLength(5);
    const plan = planMemory(g, fusedWrites);
    expect(plan.bufferOf.size).toBe(4); // the returned value is not planned
    expect(plan.sizes).toEqual([128]);
    expect(plan.unplannedElements).toBe(4 * 128);
    const f = tg.jit(fn);
    for (let k = 0; k < 3; k++) {
      const xi = tg.randn([8, 16]);
      expectClose(f(xi), fn(xi), 1e-6);
    }
  });

  it('extends lifetimes through ops that may alias and never plans returned storage', () => {
    const g = tg.jit((x: tg.Tensor) => x.mul(2).add(1).reshape([4]), {}).optimizedGraphFor(tg.ones([2, 2]));
    expect(opsOf(g)).toEqual(['fused.elementwise', 'reshape']);
    expect(planMemory(g, fusedWrites).bufferOf.size).toBe(0);
    const f = tg.jit((x: tg.Tensor) => x.mul(2).add(1).reshape([4]));
    const a = f(tg.ones([2, 2]));
    f(tg.zeros([2, 2]));
    expect(a.tolist()).toEqual([3, 3, 3, 3]);
  });
});

describe('pipeline', () => {
  it('cleanup reaches a fixed point and the jit result equals eager', () => {
    const w = tg.randn([4, 4]);
    const fn: Fn = (x) => x.matmul(w).mul(1).add(tg.tensor(1).sub(1)).reshape([2, 8]).reshape([4, 4]).relu().exp().add(x.exp());
    const x = tg.randn([4, 4]);
    const g = cleanup(tg.jit(fn, { optimize: false }).graphFor(x).clone());
    expect(opsOf(g)).toEqual(['matmul', 'relu', 'exp', 'exp', 'add']);
    expectClose(tg.jit(fn)(x), fn(x), 1e-5);
  });

  it('CSE then DCE removes duplicated work', () => {
    const { after } = check((x) => x.exp().add(x.exp()), [tg.randn([3])], (g) => { cse(g); dce(g); });
    expect(opsOf(after)).toEqual(['exp', 'add']);
  });

  it('fuses inside subgraphs at every depth (a cond nested in a cond branch)', () => {
    const fn: Fn = (x) => tg.cond(x.sum().gt(0),
      () => tg.cond(x.amax().gt(2), () => x.mul(2).add(1).relu(), () => x.neg().exp()), () => x);
    const f = tg.jit(fn);
    for (const v of [[1, 2, 3], [1, 1, 1], [-1, -2, -3]]) expectClose(f(tg.tensor(v)), fn(tg.tensor(v)), 1e-6);
    const outer = f.optimizedGraphFor(tg.tensor([1, 2, 3])).nodes.find((n) => n.op === 'cond')!;
    const inner = outer.subgraphs![0].nodes.find((n) => n.op === 'cond')!;
    expect(inner.subgraphs!.map(opsOf)).toEqual([['fused.elementwise'], ['fused.elementwise']]);
  });
});

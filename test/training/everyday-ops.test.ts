import { describe, expect, it } from 'vitest';
import * as tg from '../../training/index.js';
import { gradcheck, runTorchCases } from '../helpers/torch-ref.js';
import { expectJitEqualsEager, valuesAndGrad } from '../jit/helpers.js';

/*
 * The everyday ops (dtype casts, triu/tril, bmm, einsum, group/instance norm,
 * mish/logsigmoid/softsign/selu/celu, klDiv, cosineSimilarity): PyTorch
 * references (scripts/fixtures/torch_everyday.py), higher-order gradients,
 * tg.jit, errors, and indexing a Sequential.
 */

const F = tg.nn.functional;

/** torch's instance_norm with running statistics 0.5 / 2.0, returning them after the call. */
function instanceStats(x: tg.Tensor, momentum: number, useInputStats: boolean): tg.Tensor[] {
  const c = x.shape[1];
  const rm = tg.full([c], 0.5), rv = tg.full([c], 2);
  const y = tg.instanceNorm(x, rm, rv, null, null, useInputStats, momentum);
  return [y, rm, rv];
}

describe('everyday ops vs PyTorch', () => {
  runTorchCases('everyday', {
    'to/float-int': (x) => x.int(),
    'to/float-bool': (x) => x.bool(),
    'to/int-float': (x) => x.float(),
    'to/int-bool': (x) => x.to('bool'),
    'to/bool-float': (x) => tg.cast(x, 'float32'),
    'to/bool-int': (x) => x.to('int'),
    'to/float-float': (x) => x.float().mul(2),
    'to/mask': (x) => x.mul(x.gt(0).float()),
    'triu/default': (x) => x.triu(),
    'triu/k1': (x) => tg.triu(x, 1),
    'triu/k-neg': (x) => x.triu(-1),
    'triu/batch': (x) => x.triu(2),
    'triu/k-big': (x) => x.triu(7),
    'triu/int': (x) => x.triu(),
    'tril/default': (x) => x.tril(),
    'tril/k1': (x) => tg.tril(x, 1),
    'tril/k-neg': (x) => x.tril(-2),
    'tril/k-small': (x) => x.tril(-5),
    'tril/bool': (x) => x.tril(),
    bmm: (a, b) => tg.bmm(a, b),
    'einsum/bmm': (a, b) => tg.einsum('bij,bjk->bik', a, b),
    'einsum/attention': (q, k) => tg.einsum('bhqd,bhkd->bhqk', q, k),
    'einsum/trace': (x) => tg.einsum('ii', x),
    'einsum/diag': (x) => tg.einsum('ii->i', x),
    'einsum/diag-batch': (x) => tg.einsum('bii->bi', x),
    'einsum/outer': (a, b) => tg.einsum('i,j->ij', a, b),
    'einsum/dot': (a, b) => tg.einsum('i,i->', a, b),
    'einsum/transpose': (x) => tg.einsum('ij->ji', x),
    'einsum/sum': (x) => tg.einsum('ijk->j', x),
    'einsum/implicit': (a, b) => tg.einsum('ij,jk', a, b),
    'einsum/implicit-order': (x) => tg.einsum('ba', x),
    'einsum/ellipsis': (a, b) => tg.einsum('...ij,...jk->...ik', a, b),
    'einsum/three': (a, b, c) => tg.einsum('ij,jk,kl->il', a, b, c),
    'einsum/hadamard': (a, b) => tg.einsum('ij,ij->ij', a, b),
    'einsum/bilinear': (a, w, b) => tg.einsum('bn,anm,bm->ba', a, w, b),
    'einsum/broadcast': (a, b) => tg.einsum('ij,j->i', a, b),
    'einsum/uppercase': (a, b) => tg.einsum('Ab,bC', a, b),
    'einsum/batch-sum': (a, b) => tg.einsum(' bij , bij -> b ', a, b),
    'groupNorm/affine': (x, w, b) => tg.groupNorm(x, 3, w, b),
    'groupNorm/plain': (x) => F.groupNorm(x, 2),
    'groupNorm/rank2': (x, w, b) => tg.groupNorm(x, 3, w, b),
    'groupNorm/one-group': (x) => tg.groupNorm(x, 1, null, null, 1e-3),
    'groupNorm/per-channel': (x, w) => tg.groupNorm(x, 4, w),
    'instanceNorm/basic': (x) => tg.instanceNorm(x),
    'instanceNorm/affine': (x, w, b) => F.instanceNorm(x, null, null, w, b),
    'instanceNorm/1d': (x) => tg.instanceNorm(x, null, null, null, null, true, 0.1, 1e-3),
    'instanceNorm/running': (x) => instanceStats(x, 0.2, true),
    'instanceNorm/eval': (x) => instanceStats(x, 0.1, false)[0],
    mish: (x) => tg.mish(x),
    logsigmoid: (x) => F.logsigmoid(x),
    softsign: (x) => tg.softsign(x),
    selu: (x) => tg.selu(x),
    'celu/default': (x) => tg.celu(x),
    'celu/alpha': (x) => F.celu(x, 0.5),
    'celu/alpha-big': (x) => tg.celu(x, 3),
    'klDiv/mean': (x, t) => F.klDiv(x, t),
    'klDiv/batchmean': (x, t) => F.klDiv(x, t, { reduction: 'batchmean' }),
    'klDiv/sum': (x, t) => F.klDiv(x, t, { reduction: 'sum' }),
    'klDiv/none': (x, t) => F.klDiv(x, t, { reduction: 'none' }),
    'klDiv/logTarget': (x, t) => F.klDiv(x, t, { reduction: 'batchmean', logTarget: true }),
    'klDiv/zero-target': (x) => F.klDiv(x, tg.tensor([[0, 0.5, 0.5], [1, 0, 0]]), { reduction: 'sum' }),
    'cosineSimilarity/dim1': (a, b) => tg.cosineSimilarity(a, b),
    'cosineSimilarity/dim0': (a, b) => F.cosineSimilarity(a, b, 0),
    'cosineSimilarity/neg-dim': (a, b) => tg.cosineSimilarity(a, b, -1),
    'cosineSimilarity/broadcast': (a, b) => tg.cosineSimilarity(a, b),
    'cosineSimilarity/broadcast-dim': (a, b) => tg.cosineSimilarity(a, b),
    'cosineSimilarity/zero': (a, b) => new tg.nn.CosineSimilarity().forward(a, b),
    'cosineSimilarity/eps': (a, b) => tg.cosineSimilarity(a, b, 1, 0.5),
    'cosineSimilarity/rank-broadcast': (a, b) => tg.cosineSimilarity(a, b, -1),
  });
});

describe('everyday ops: numerical gradients, second order included', () => {
  tg.manualSeed(11);
  const x = (shape: number[] = [2, 3]) => tg.rand(shape).mul(4).sub(2);
  /** The first derivative as a function (createGraph), so gradcheck checks the second. */
  const d1 = (f: (a: tg.Tensor) => tg.Tensor) => (a: tg.Tensor) => tg.setGradEnabled(true, () => {
    // gradcheck's numerical pass runs without grad, on tensors that do not require it
    const v = a.requiresGrad ? a : a.detach().requiresGrad_(true);
    return tg.grad([f(v).mul(v.cos()).sum()], [v], undefined, { createGraph: a.requiresGrad })[0]!;
  });
  const cases: [string, (...xs: tg.Tensor[]) => tg.Tensor, () => tg.Tensor[]][] = [
    ['mish', tg.mish, () => [x()]],
    ['mish second', d1(tg.mish), () => [x()]],
    ['logsigmoid second', d1(tg.logsigmoid), () => [x()]],
    ['softsign second', d1(tg.softsign), () => [x()]],
    ['selu second', d1(tg.selu), () => [x()]],
    ['celu second', d1((a) => tg.celu(a, 0.7)), () => [x()]],
    ['triu', (a) => tg.triu(a, 1).mul(a), () => [x([3, 3])]],
    ['einsum chain', (a, b, c) => tg.einsum('ij,jk,ik->i', a, b, c), () => [x([2, 3]), x([3, 4]), x([2, 4])]],
    ['einsum diagonal', (a) => tg.einsum('iji->j', a), () => [x([3, 2, 3])]],
    ['groupNorm', (a, w, b) => tg.groupNorm(a, 2, w, b), () => [x([2, 4, 3]), x([4]), x([4])]],
    ['instanceNorm', (a) => tg.instanceNorm(a), () => [x([2, 2, 5])]],
    ['cosineSimilarity', (a, b) => tg.cosineSimilarity(a, b), () => [x([3, 4]), x([3, 4])]],
    ['klDiv', (a, t) => F.klDiv(a, t.abs().add(0.1), { reduction: 'batchmean' }), () => [x([3, 4]), x([3, 4])]],
  ];
  for (const [name, fn, inputs] of cases) it(name, () => gradcheck(fn, inputs()));
});

type Fn = (x: tg.Tensor) => tg.Tensor[];

describe('everyday ops under tg.jit: forward and backward equal eager, one trace', () => {
  const cases: [string, Fn, number[]][] = [
    ['casts', (x) => [x.int().float().mul(x), x.gt(0).float().mul(x), x.mul(3).int().bool().float()], [3, 4]],
    ['triu/tril/bmm', (x) => [x.triu(1), x.tril(-1).mul(2), tg.bmm(x.unsqueeze(0), x.t().unsqueeze(0))], [4, 4]],
    ['einsum', (x) => [tg.einsum('ij,kj->ik', x, x), tg.einsum('ii', x), tg.einsum('ij->j', x)], [4, 4]],
    ['norms', (x) => [tg.groupNorm(x, 2), tg.instanceNorm(x)], [2, 4, 6]],
    ['activations', (x) => [tg.mish(x), tg.logsigmoid(x), tg.softsign(x), tg.selu(x), tg.celu(x, 0.5)], [3, 4]],
    ['similarity', (x) => [tg.cosineSimilarity(x, x.flip(0)), F.klDiv(x.logSoftmax(1), x.softmax(0), { reduction: 'batchmean' })], [3, 4]],
  ];
  for (const [name, f, shape] of cases) {
    it(name, () => expectJitEqualsEager(name, f, shape, 3));
  }

  it('the activations and their backward ops fuse into elementwise loops', () => {
    const step = tg.jit((a: tg.Tensor) => valuesAndGrad((x) => [tg.mish(x).add(tg.selu(x)).mul(tg.celu(x, 2))], a));
    const ops = step.graphFor(tg.randn([2, 3])).nodes.map((n) => n.op);
    expect(ops).toEqual(expect.arrayContaining(['mish', 'mishGrad', 'selu', 'seluGrad', 'celu', 'celuGrad']));
    const fused = step.optimizedGraphFor(tg.randn([2, 3])).nodes.map((n) => n.op);
    expect(fused.filter((op) => op !== 'fused.elementwise')).toEqual([]);
  });
});

describe('everyday ops: values and errors', () => {
  it('casts: torch conversion rules, the same tensor when the dtype is unchanged, typed errors', () => {
    const x = tg.tensor([2.7, -2.7, NaN, Infinity, 3e9, -0]);
    expect(x.int().tolist()).toEqual([2, -2, -2147483648, -2147483648, -2147483648, 0]);
    expect(x.bool().tolist()).toEqual([true, true, true, true, true, false]);
    expect(x.float()).toBe(x);
    expect(x.typeAs(tg.tensor([1], { dtype: 'int32' })).dtype).toBe('int32');
    expect(x.long().dtype).toBe('int32');
    expect(x.to(tg.tensor([true])).dtype).toBe('bool');
    expect(() => x.to('int64' as never)).toThrow(tg.DTypeError);
    expect(() => x.to('float64' as never)).toThrow(/supported: float32, int32, bool/);
    // no gradient through a cast to int; float -> float keeps it
    const w = tg.tensor([1.5, -2], { requiresGrad: true });
    expect(w.int().requiresGrad).toBe(false);
    expect(w.float().requiresGrad).toBe(true);
  });

  it('triu/tril need 2 dims and an integer diagonal', () => {
    expect(() => tg.triu(tg.ones([3]))).toThrow(tg.ShapeError);
    expect(() => tg.tril(tg.ones([3, 3]), 0.5)).toThrow(tg.ValueError);
    expect(tg.tril(tg.ones([2, 3], { dtype: 'int32' }), 1).tolist()).toEqual([[1, 1, 0], [1, 1, 1]]);
  });

  it('bmm checks ranks and batch sizes; mm wants matrices', () => {
    expect(() => tg.bmm(tg.ones([2, 3]), tg.ones([3, 2]))).toThrow(tg.ShapeError);
    expect(() => tg.bmm(tg.ones([2, 3, 4]), tg.ones([3, 4, 5]))).toThrow(/batch sizes differ/);
    expect(() => tg.ones([2, 3, 4]).mm(tg.ones([4, 5]))).toThrow(/2-D/);
    expect(tg.ones([2, 3]).mm(tg.ones([3, 1])).tolist()).toEqual([[3], [3]]);
  });

  it('einsum: typed errors for bad equations and sizes', () => {
    const a = tg.ones([2, 3]), b = tg.ones([3, 4]);
    expect(() => tg.einsum('ij,jk->ik', a)).toThrow(/2 operand terms, got 1 tensors/);
    expect(() => tg.einsum('ijk->i', a)).toThrow(/names 3 dims, the operand has 2/);
    expect(() => tg.einsum('ij,jk->iz', a, b)).toThrow(/output label 'z' appears in no operand/);
    expect(() => tg.einsum('ij,jk->ii', a, b)).toThrow(/repeats label 'i'/);
    expect(() => tg.einsum('i1,jk', a, b)).toThrow(/labels are letters/);
    expect(() => tg.einsum('ij,jk->i->k', a, b)).toThrow(/more than one '->'/);
    expect(() => tg.einsum('ij,kj->ik', a, b)).toThrow(tg.ShapeError);
    expect(() => tg.einsum('ii', a)).toThrow(/label 'i' has size 2 and 3/);
    expect(() => tg.einsum('ij->...', a)).toThrow(/ellipsis that no operand has/);
    expect(() => tg.einsum('......', a)).toThrow(tg.ValueError);
  });

  it('groupNorm / instanceNorm: typed errors', () => {
    expect(() => tg.groupNorm(tg.ones([2, 6, 3]), 4)).toThrow(/dividing the 6 channels/);
    expect(() => tg.groupNorm(tg.ones([6]), 2)).toThrow(tg.ShapeError);
    expect(() => tg.groupNorm(tg.ones([2, 6, 3]), 3, tg.ones([3]))).toThrow(/weight \[3\] must be \[6\]/);
    expect(() => tg.instanceNorm(tg.ones([2, 3, 1]))).toThrow(/more than 1 spatial element/);
    expect(() => tg.instanceNorm(tg.ones([2, 3, 4]), null, null, null, null, false)).toThrow(/needs runningMean and runningVar/);
    expect(() => new tg.nn.GroupNorm(4, 6)).toThrow(tg.ValueError);
    expect(() => new tg.nn.GroupNorm(2, 6, { afine: false } as never)).toThrow(/unknown option 'afine'/);
  });

  it('activations: float only; celu alpha checked; logsigmoid finite at large |x|', () => {
    expect(() => tg.mish(tg.ones([2], { dtype: 'int32' }))).toThrow(tg.DTypeError);
    expect(() => tg.celu(tg.ones([2]), 0)).toThrow(tg.ValueError);
    const y = tg.logsigmoid(tg.tensor([-1000, 1000]));
    expect(y.tolist()).toEqual([-1000, 0]);
  });

  it('klDiv / cosineSimilarity: typed errors', () => {
    expect(() => F.klDiv(tg.ones([2]), tg.ones([2]), { reduction: 'avg' as never })).toThrow(/'batchmean'/);
    expect(() => F.klDiv(tg.ones([2]), tg.ones([2]), { log_target: true } as never)).toThrow(/unknown option 'log_target'/);
    expect(() => tg.cosineSimilarity(tg.ones([2, 3]), tg.ones([2, 4]))).toThrow(tg.ShapeError);
    expect(() => tg.cosineSimilarity(tg.ones([2, 3]), tg.ones([2, 3]), 2)).toThrow(tg.IndexError);
  });
});

describe('nn modules of the everyday ops', () => {
  it('GroupNorm: affine parameters in the state dict, same as the functional form', () => {
    tg.manualSeed(5);
    const gn = new tg.nn.GroupNorm(2, 4);
    expect(Object.keys(gn.stateDict())).toEqual(['weight', 'bias']);
    const x = tg.randn([3, 4, 5]);
    expect(gn.forward(x).tolist()).toEqual(tg.groupNorm(x, 2, gn.weight, gn.bias).tolist());
    expect(new tg.nn.GroupNorm(2, 4, { affine: false }).parameters()).toEqual([]);
    expect(String(gn)).toBe('GroupNorm(2, 4, eps=0.00001, affine=true)');
  });

  it('InstanceNorm2d: torch defaults (no affine, no running stats); trackRunningStats updates in training and is used in eval', () => {
    tg.manualSeed(6);
    const plain = new tg.nn.InstanceNorm2d(3);
    expect(plain.parameters()).toEqual([]);
    expect(Object.keys(plain.stateDict())).toEqual([]);
    const x = tg.randn([2, 3, 4, 4]);
    plain.eval();
    expect(plain.forward(x).tolist()).toEqual(tg.instanceNorm(x).tolist());
    // an unbatched [C, H, W] input is a batch of one
    expect(plain.forward(x.select(0, 1)).tolist()).toEqual(tg.instanceNorm(x).select(0, 1).tolist());

    const tracked = new tg.nn.InstanceNorm2d(3, { affine: true, trackRunningStats: true, momentum: 0.5 });
    expect(Object.keys(tracked.stateDict())).toEqual(['weight', 'bias', 'running_mean', 'running_var', 'num_batches_tracked']);
    tracked.forward(x);
    const flat = x.reshape([2, 3, 16]);
    const wantMean = flat.mean(2).mean(0).mul(0.5);
    const wantVar = flat.var(2).mean(0).mul(0.5).add(0.5);
    const close = (a: tg.Tensor, b: tg.Tensor) => a.sub(b).abs().data().forEach((d) => expect(d).toBeLessThan(1e-6));
    close(tracked.running_mean!, wantMean);
    close(tracked.running_var!, wantVar);
    tracked.eval();
    close(tracked.forward(x), tg.batchNorm(x, tracked.running_mean!, tracked.running_var!, tracked.weight, tracked.bias));
    expect(() => tracked.forward(tg.ones([2, 4, 3, 3]))).toThrow(/expected numFeatures = 3/);
  });

  it('activation and loss modules call the functional forms', () => {
    const x = tg.tensor([-2, -0.5, 0, 1.5]);
    expect(new tg.nn.Mish().forward(x).tolist()).toEqual(tg.mish(x).tolist());
    expect(new tg.nn.LogSigmoid().forward(x).tolist()).toEqual(tg.logsigmoid(x).tolist());
    expect(new tg.nn.Softsign().forward(x).tolist()).toEqual(tg.softsign(x).tolist());
    expect(new tg.nn.SELU().forward(x).tolist()).toEqual(tg.selu(x).tolist());
    expect(new tg.nn.CELU(0.3).forward(x).tolist()).toEqual(tg.celu(x, 0.3).tolist());
    const lp = x.reshape([2, 2]).logSoftmax(1), t = tg.tensor([[0.2, 0.8], [0.5, 0.5]]);
    expect(new tg.nn.KLDivLoss({ reduction: 'sum' }).forward(lp, t).item()).toBe(F.klDiv(lp, t, { reduction: 'sum' }).item());
  });
});

describe('Tensor method forms', () => {
  it('slice, expandAs, reshapeAs/viewAs, maskedFill, triu/tril, bmm', () => {
    const x = tg.arange(12).reshape([3, 4]);
    expect(x.slice(1, 0, null, 2).tolist()).toEqual(tg.slice(x, 1, 0, null, 2).tolist());
    expect(tg.tensor([1, 2]).reshape([2, 1]).expandAs(tg.ones([2, 3])).tolist()).toEqual([[1, 1, 1], [2, 2, 2]]);
    expect(x.reshapeAs(tg.ones([4, 3])).shape).toEqual([4, 3]);
    expect(x.viewAs(tg.ones([2, 6])).shape).toEqual([2, 6]);
    const causal = tg.ones([3, 3], { dtype: 'bool' }).triu(1);
    expect(tg.zeros([3, 3]).maskedFill(causal, -Infinity).tolist()).toEqual([[0, -Infinity, -Infinity], [0, 0, -Infinity], [0, 0, 0]]);
    expect(x.tril().tolist()).toEqual(tg.tril(x).tolist());
    const a = tg.randn([2, 3, 4]), b = tg.randn([2, 4, 2]);
    expect(a.bmm(b).tolist()).toEqual(tg.bmm(a, b).tolist());
  });
});

describe('indexing a Sequential', () => {
  const make = () => new tg.nn.Sequential(new tg.nn.Linear(4, 8), new tg.nn.ReLU(), new tg.nn.Linear(8, 2));

  it('seq[i] and seq.at(i) (negative from the end), like torch seq[i]', () => {
    const seq = make();
    expect(seq[0]).toBe(seq.layers[0]);
    expect(seq[2]).toBe(seq.at(-1));
    expect(seq[1]).toBeInstanceOf(tg.nn.ReLU);
    expect(seq[3]).toBeUndefined();
    expect(() => seq.at(3)).toThrow(tg.IndexError);
    expect(() => seq.at(0.5)).toThrow(tg.ValueError);
    expect([...seq].length).toBe(3);
  });

  it('slice gives a new Sequential of the same modules, like torch seq[1:3]; the state dict is unchanged by indexing', () => {
    tg.manualSeed(1);
    const seq = make();
    const head = seq.slice(0, 2), tail = seq.slice(-1);
    expect(head).toBeInstanceOf(tg.nn.Sequential);
    expect(head.length).toBe(2);
    expect(head[0]).toBe(seq[0]);
    expect(tail.length).toBe(1);
    const x = tg.randn([5, 4]);
    expect(tail.forward(head.forward(x)).tolist()).toEqual(seq.forward(x).tolist());
    expect(Object.keys(seq.stateDict())).toEqual(['0.weight', '0.bias', '2.weight', '2.bias']);
    expect(Object.keys(head.stateDict())).toEqual(['0.weight', '0.bias']);
    expect(seq.parameters().length).toBe(4);
  });

  it('append adds a layer reachable by index', () => {
    const seq = make().append(new tg.nn.Sigmoid());
    expect(seq.length).toBe(4);
    expect(seq[3]).toBeInstanceOf(tg.nn.Sigmoid);
    expect(() => seq.append({} as never)).toThrow(tg.ValueError);
  });
});

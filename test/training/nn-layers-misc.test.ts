import { describe, expect, it } from 'vitest';
import * as tg from '../../training/index.js';

const nn = tg.nn;

/** Max |v| and standard deviation of a tensor's values. */
function stats(t: tg.Tensor): { max: number; std: number } {
  const d = t.data() as Float32Array;
  let m = 0, s = 0, s2 = 0;
  for (const v of d) { m = Math.max(m, Math.abs(v)); s += v; s2 += v * v; }
  return { max: m, std: Math.sqrt(s2 / d.length - (s / d.length) ** 2) };
}

describe("torch's default initializations", () => {
  tg.manualSeed(1);
  it('conv weights and biases are U(±1/√fanIn)', () => {
    const c = new nn.Conv2d(16, 32, 3); // fanIn 144
    const b = 1 / 12;
    expect(stats(c.weight).max).toBeLessThanOrEqual(b);
    expect(stats(c.weight).std).toBeCloseTo(b / Math.sqrt(3), 2);
    expect(stats(c.bias!).max).toBeLessThanOrEqual(b);
    const t = new nn.ConvTranspose2d(8, 4, 3); // weight [8, 4, 3, 3]: fanIn = 4 * 9
    expect(t.weight.shape).toEqual([8, 4, 3, 3]);
    expect(stats(t.weight).max).toBeLessThanOrEqual(1 / 6);
    expect(stats(t.weight).max).toBeGreaterThan(0.9 / 6);
  });
  it('RNN weights are U(±1/√hidden); norms start at 1 and 0; embedding N(0, 1) with a zero padding row', () => {
    const l = new nn.LSTM(10, 25);
    for (const p of l.parameters()) expect(stats(p).max).toBeLessThanOrEqual(0.2);
    expect(stats(l.stateDict().weight_ih_l0).std).toBeCloseTo(0.2 / Math.sqrt(3), 2);
    const bn = new nn.BatchNorm2d(4);
    expect([...bn.weight!.data()]).toEqual([1, 1, 1, 1]);
    expect([...bn.stateDict().running_var.data()]).toEqual([1, 1, 1, 1]);
    const e = new nn.Embedding(200, 50, { paddingIdx: -1 });
    expect(e.paddingIdx).toBe(199);
    expect(stats(e.weight).std).toBeCloseTo(1, 1);
    expect([...tg.index(e.weight, 199).data()].every((v) => v === 0)).toBe(true);
  });
  it('attention: xavier in_proj, zero biases', () => {
    const m = new nn.MultiheadAttention(64, 4);
    const bound = Math.sqrt(6 / (64 + 192));
    expect(stats(m.in_proj_weight!).max).toBeLessThanOrEqual(bound);
    expect(stats(m.in_proj_bias!).max).toBe(0);
    expect(stats(m.out_proj.bias!).max).toBe(0);
  });
});

describe('module behaviour', () => {
  it('Dropout: train zeroes about p and rescales, eval is the identity', () => {
    tg.manualSeed(2);
    const d = new nn.Dropout(0.25), x = tg.ones([10000]);
    const y = d.forward(x).data() as Float32Array;
    const zeros = y.filter((v) => v === 0).length;
    expect(zeros / y.length).toBeGreaterThan(0.22);
    expect(zeros / y.length).toBeLessThan(0.28);
    expect(y.find((v) => v !== 0)).toBeCloseTo(4 / 3, 5);
    d.eval();
    expect(d.forward(x)).toBe(x);
    expect(() => new nn.Dropout(1.5)).toThrow(tg.ValueError);
  });
  it('BatchNorm: counts batches, eval uses the running statistics, stats survive a state dict round trip', () => {
    const bn = new nn.BatchNorm1d(2);
    const x = tg.tensor([[1, 10], [3, 30]]);
    bn.forward(x);
    bn.forward(x);
    const sd = bn.stateDict();
    expect(sd.num_batches_tracked.item()).toBe(2);
    expect([...sd.running_mean.data()].map((v) => +v.toFixed(4))).toEqual([0.38, 3.8]); // 2 * 0.1 * mean - 0.01 * mean
    bn.eval();
    const y = bn.forward(x).data();
    const rm = sd.running_mean.data(), rv = sd.running_var.data();
    expect(y[0]).toBeCloseTo((1 - rm[0]) / Math.sqrt(rv[0] + 1e-5), 5);
    const bn2 = new nn.BatchNorm1d(2);
    bn2.loadStateDict(sd);
    expect([...bn2.stateDict().running_var.data()]).toEqual([...rv]);
  });
  it('LSTM with dropout between layers is deterministic in eval mode', () => {
    const l = new nn.LSTM(3, 4, { numLayers: 2, dropout: 0.5 });
    const x = tg.randn([5, 2, 3]);
    l.eval();
    expect([...l.forward(x)[0].data()]).toEqual([...l.forward(x)[0].data()]);
  });
  it('MultiheadAttention: a fully causal mask makes the first position attend only to itself', () => {
    const m = new nn.MultiheadAttention(8, 2, { batchFirst: true });
    const x = tg.randn([1, 4, 8]);
    const mask = tg.tensor([[0, 1, 1, 1], [0, 0, 1, 1], [0, 0, 0, 1], [0, 0, 0, 0]]).gt(0);
    const [, w] = m.forward(x, x, x, { attnMask: mask });
    expect([...w!.data()].slice(0, 4)).toEqual([1, 0, 0, 0]);
    expect(w!.sum(-1).data().every((v) => Math.abs(v - 1) < 1e-6)).toBe(true);
  });
  it('toString prints the tree like torch', () => {
    const m = new nn.Sequential(new nn.Conv2d(1, 8, 3, { padding: 1 }), new nn.BatchNorm2d(8), new nn.MaxPool2d(2), new nn.Flatten());
    expect(m.toString()).toContain('(0): Conv2d(1, 8, kernelSize=[3, 3], padding=1)');
    expect(m.toString()).toContain('(1): BatchNorm2d(8, eps=0.00001, momentum=0.1, affine=true, trackRunningStats=true)');
  });
});

describe('under tg.jit', () => {
  it('a conv/batch-norm/cross-entropy training step traces and matches eager, running stats included', () => {
    const make = () => {
      tg.manualSeed(5);
      return new nn.Sequential(new nn.Conv2d(1, 4, 3, { padding: 1 }), new nn.BatchNorm2d(4), new nn.ReLU(), new nn.MaxPool2d(2),
        new nn.Flatten(), new nn.Linear(16, 3));
    };
    const a = make(), b = make();
    const optA = new tg.optim.Adam(a.parameters()), optB = new tg.optim.Adam(b.parameters());
    const x = tg.randn([6, 1, 4, 4]), y = tg.tensor([0, 1, 2, 2, 1, 0], { dtype: 'int32' });
    const loss = (m: typeof a) => nn.functional.crossEntropy(m.forward(x), y, { labelSmoothing: 0.1 });
    const step = tg.jit((xb: tg.Tensor) => { optB.zeroGrad(); const l = nn.functional.crossEntropy(b.forward(xb), y, { labelSmoothing: 0.1 }); l.backward(); optB.step(); return l; });
    for (let i = 0; i < 3; i++) {
      optA.zeroGrad();
      const la = loss(a);
      la.backward();
      optA.step();
      expect(step(x).item()).toBeCloseTo(la.item(), 5);
    }
    const sa = a.stateDict(), sb = b.stateDict();
    expect(sb['1.num_batches_tracked'].item()).toBe(3);
    for (const k of ['1.running_mean', '1.running_var', '0.weight']) {
      const da = sa[k].data(), db = sb[k].data();
      da.forEach((v, i) => expect(db[i]).toBeCloseTo(v, 5));
    }
  });
  it('LSTM and MultiheadAttention trace to the eager result', () => {
    const l = new nn.LSTM(3, 4, { numLayers: 2 }), xs = tg.randn([5, 2, 3]);
    expect(tg.jit((x: tg.Tensor) => l.forward(x)[0])(xs).sum().item()).toBeCloseTo(l.forward(xs)[0].sum().item(), 5);
    const m = new nn.MultiheadAttention(8, 2), q = tg.randn([4, 2, 8]);
    expect(tg.jit((x: tg.Tensor) => m.forward(x, x, x)[0])(q).sum().item()).toBeCloseTo(m.forward(q, q, q)[0].sum().item(), 5);
  });
});

describe('bad input', () => {
  it('names the module, the shapes and what was expected', () => {
    expect(() => new nn.Conv2d(3, 4, 3, { groups: 2 })).toThrow(/Conv2d: inChannels 3 and outChannels 4 must both be divisible by groups 2/);
    expect(() => new nn.BatchNorm2d(3).forward(tg.zeros([2, 4, 2, 2]))).toThrow(/BatchNorm2d: input \[2, 4, 2, 2\] has 4 channels in dim 1, expected numFeatures = 3/);
    expect(() => new nn.BatchNorm2d(3).forward(tg.zeros([2, 3]))).toThrow(tg.ShapeError);
    expect(() => new nn.LSTM(4, 5).forward(tg.zeros([3, 2, 3]))).toThrow(/LSTM: input \[3, 2, 3\] must end in inputSize = 4/);
    expect(() => new nn.GRU(4, 5).forward(tg.zeros([3, 2, 4]), tg.zeros([2, 2, 5]))).toThrow(/GRU: initial state h0 is \[2, 2, 5\], expected \[1, 2, 5\]/);
    expect(() => new nn.MultiheadAttention(6, 4)).toThrow(/embedDim 6 must be divisible by numHeads 4/);
    const m = new nn.MultiheadAttention(4, 2);
    const x = tg.zeros([3, 2, 4]);
    expect(() => m.forward(x, x, x, { attnMask: tg.zeros([3, 4]).gt(0) })).toThrow(/attnMask is \[3, 4\], expected \[3, 3\] or \[4, 3, 3\]/);
    expect(() => m.forward(x, x, x, { keyPaddingMask: tg.zeros([3, 2]).gt(0) })).toThrow(/keyPaddingMask is \[3, 2\], expected \[2, 3\]/);
    expect(() => m.forward(x, tg.zeros([3, 2, 5]), x)).toThrow(tg.ShapeError);
    expect(() => new nn.Embedding(5, 2, { paddingIdx: 5 })).toThrow(tg.IndexError);
    expect(() => new nn.Embedding(5, 2).forward(tg.tensor([7], { dtype: 'int32' }))).toThrow(tg.IndexError);
    expect(() => new nn.Conv2d(3, 4, 3).loadStateDict({ weight: tg.zeros([4, 3, 2, 2]), bias: tg.zeros([4]) })).toThrow(/'weight' is float32\[4, 3, 2, 2\]/);
  });
});

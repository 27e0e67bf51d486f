import { describe, expect, it } from 'vitest';
import * as tg from '../../training/index.js';

class MyModule extends tg.nn.Module {
  fc = new tg.nn.Linear(10, 20);
  forward(x: tg.Tensor): tg.Tensor {
    return this.fc.forward(x).relu();
  }
}

describe('nn.Module', () => {
  it('the seed example: Linear(10, 20) then relu runs forward', () => {
    const m = new MyModule();
    const y = m.forward(tg.randn([4, 10]));
    expect(y.shape).toEqual([4, 20]);
    expect(Math.min(...y.data())).toBeGreaterThanOrEqual(0);
  });

  it('names parameters and children like torch, and trains', () => {
    const model = new tg.nn.Sequential(new tg.nn.Linear(4, 8), new tg.nn.ReLU(), new tg.nn.Linear(8, 2));
    expect([...model.namedParameters()].map(([n]) => n)).toEqual(['0.weight', '0.bias', '2.weight', '2.bias']);
    expect(model.children().length).toBe(3);
    expect(model.toString()).toMatch(/\(0\): Linear\(inFeatures=4, outFeatures=8, bias=true\)/);
    const convs = new tg.nn.Sequential(new tg.nn.Conv2d(1, 2, 3, { padding: 1, stride: undefined }), new tg.nn.MaxPool2d(2, { stride: 2 }));
    expect(convs.toString()).toBe('Sequential(\n  (0): Conv2d(1, 2, kernelSize=[3, 3], padding=1)\n  (1): MaxPool2d(kernelSize=2, stride=2)\n)');
    tg.manualSeed(0);
    const x = tg.randn([16, 4]);
    const target = x.sum(1, true).expand([16, 2]);
    const opt = new tg.optim.Adam(model.parameters(), { lr: 0.05 });
    const loss = () => model.forward(x).sub(target).pow(2).sum().div(32);
    const first = loss().item();
    for (let i = 0; i < 100; i++) { opt.zeroGrad(); loss().backward(); opt.step(); }
    expect(loss().item()).toBeLessThan(first * 0.1);
  });

  it('default init bounds follow torch (kaiming uniform a=sqrt(5) -> U(±1/sqrt(in)))', () => {
    const fc = new tg.nn.Linear(100, 50);
    const bound = 1 / Math.sqrt(100);
    expect(Math.max(...fc.weight.data().map(Math.abs))).toBeLessThanOrEqual(bound);
    expect(Math.max(...fc.weight.data().map(Math.abs))).toBeGreaterThan(bound * 0.9);
  });

  it('stateDict round-trips and loadStateDict checks keys and shapes', async () => {
    const a = new MyModule(), b = new MyModule();
    b.loadStateDict(a.stateDict());
    expect(b.fc.weight.tolist()).toEqual(a.fc.weight.tolist());
    const bytes = tg.saveBytes(a.stateDict());
    const c = new MyModule();
    c.loadStateDict(tg.loadBytes(bytes).tensors);
    expect(c.fc.bias!.tolist()).toEqual(a.fc.bias!.tolist());
    expect(() => b.loadStateDict({ 'fc.weight': a.fc.weight })).toThrow(/missing keys \["fc.bias"\]/);
    expect(() => b.loadStateDict({ ...a.stateDict(), extra: tg.zeros([1]) })).toThrow(/unexpected keys \["extra"\]/);
    expect(() => b.loadStateDict({ 'fc.weight': tg.zeros([3, 3]), 'fc.bias': a.fc.bias! })).toThrow(/'fc.weight' is float32\[3, 3\]/);
  });

  it('train() and eval() reach every submodule', () => {
    const model = new tg.nn.Sequential(new tg.nn.Linear(2, 2), new tg.nn.ReLU());
    model.eval();
    expect([...model.namedModules()].every(([, m]) => !m.training)).toBe(true);
    model.train();
    expect(model.at(1).training).toBe(true);
  });
});

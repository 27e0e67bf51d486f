import { describe, expect, it, vi } from 'vitest';
import * as tg from '../../training/index.js';
import { compileGraph } from '../../training/jit/executor.js';
import { trainingKernels } from '../../training/kernels/wasm/runtime.js';

describe('compiled steps and the training wasm memory', () => {
  it('relu gradients (a one-op fused program, run by the op kernel) equal eager bit for bit', () => {
    tg.manualSeed(8);
    const x = tg.randn([40, 300]);
    x._storage![0] = -0;
    x._storage![1] = NaN;
    const g = tg.randn([40, 300]);
    const f = (a: tg.Tensor) => tg.grad([a.relu().mul(g).sum()], [a])[0]!;
    const xr = x.detach().requiresGrad_();
    const want = f(xr).data();
    const jf = tg.jit((a: tg.Tensor) => f(a));
    const ops = jf.optimizedGraphFor(xr).nodes.map((n) => `${n.op}${JSON.stringify(n.attrs)}`);
    expect(ops.some((o) => o.includes('reluGrad'))).toBe(true);
    for (let i = 0; i < 3; i++) expect(new Int32Array(jf(xr).data().buffer)).toEqual(new Int32Array(want.buffer));
  });

  it('a graph\'s float32 buffers move into the wasm memory after its first run, with the same results', () => {
    tg.manualSeed(9);
    const b = tg.randn([96]);
    // weights as arguments: the GEMMs run unpacked in the training module (fused.linear, matmul)
    const f = (x: tg.Tensor, w: tg.Tensor) => x.matmul(w).add(b).relu().matmul(w.transpose(0, 1)).relu().sum(1);
    const x = tg.randn([70, 128]), w = tg.randn([128, 96]).mul(0.1);
    const want = f(x, w).data();
    const graph = tg.jit(f).optimizedGraphFor(x, w);
    const exe = compileGraph(graph);
    const k = trainingKernels()!;
    const matmul = k.matmul.bind(k);
    const resident: boolean[] = []; // whether each GEMM's output lay in the wasm memory (no copy out)
    const spy = vi.spyOn(k, 'matmul').mockImplementation((...args) => { resident.push(k.isResident(args[2])); matmul(...args); });
    const runs = Array.from({ length: 3 }, () => exe.run([x.data(), w.data()])[0]);
    spy.mockRestore();
    for (const r of runs) r.forEach((v, i) => expect(Math.abs(v - want[i])).toBeLessThanOrEqual(1e-4 * (1 + Math.abs(want[i]))));
    expect(runs[1]).toEqual(runs[2]);
    expect(resident).toEqual([false, false, true, true, true, true]);
  });

  it('results of a run keep their values after later runs (own buffers are copied; a reshaped result gets none)', () => {
    tg.manualSeed(10);
    const f = tg.jit((x: tg.Tensor, w: tg.Tensor) => { const y = x.matmul(w); return [y, y.reshape([-1])]; });
    const w = tg.randn([128, 96]);
    const xs = [0, 1, 2].map(() => tg.randn([70, 128]));
    const results = xs.map((x) => f(x, w));
    results.forEach(([y, flat], i) => {
      const want = xs[i].matmul(w).data();
      y.data().forEach((v, j) => expect(Math.abs(v - want[j])).toBeLessThanOrEqual(1e-4 * (1 + Math.abs(want[j]))));
      expect(flat.data()).toEqual(y.data());
    });
  });
});

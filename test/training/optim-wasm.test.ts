import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { kernelBackend, setKernelBackend } from '../../lite-runtime/kernels/index.js';
import * as tg from '../../training/index.js';
import { trainingKernels } from '../../training/kernels/wasm/runtime.js';
import { ADAM_STEP } from '../../training/optim/adam.js';
import { residentZerosLike } from '../../training/optim/resident.js';

/** Runs `steps` Adam-family updates on fixed params and grads; returns the params and moments. */
function train(make: (ps: tg.Tensor[]) => tg.optim.Optimizer<{ lr: number }>, steps = 5): { params: number[][]; moments: number[][] } {
  tg.manualSeed(3);
  const ps = [tg.randn([4099]), tg.randn([70, 64])].map((t) => tg.nn.Parameter(t));
  const opt = make(ps);
  for (let s = 0; s < steps; s++) {
    ps.forEach((p, i) => { p.grad = tg.randn(p.shape).mul(i + 1 + s); });
    opt.step();
  }
  const moments = ps.flatMap((p) => Object.entries(opt.state.get(p)!).filter(([k]) => k !== 'step').map(([, t]) => [...t.data()]));
  return { params: ps.map((p) => [...p.data()]), moments };
}

const close = (a: number[][], b: number[][], tol: number) => a.forEach((r, i) => r.forEach((v, j) => expect(Math.abs(v - b[i][j])).toBeLessThanOrEqual(tol * (1 + Math.abs(b[i][j])))));

describe('Adam in the training wasm module', () => {
  const prev = kernelBackend();
  afterAll(() => { if (prev === 'wasm') setKernelBackend('wasm'); });

  it('is used where wasm loads, and keeps the moments resident', () => {
    expect(trainingKernels()).not.toBeNull();
    const m = residentZerosLike(tg.zeros([3]));
    expect(m.data()).toEqual(new Float32Array(3));
    expect(trainingKernels()).not.toBeNull();
  });

  const cases: Record<string, (ps: tg.Tensor[]) => tg.optim.Optimizer<{ lr: number }>> = {
    adam: (ps) => new tg.optim.Adam(ps, { lr: 1e-2 }),
    'adam weight decay + maximize': (ps) => new tg.optim.Adam(ps, { lr: 1e-2, betas: [0.8, 0.9], eps: 1e-6, weightDecay: 0.1, maximize: true }),
    adamw: (ps) => new tg.optim.AdamW(ps, { lr: 1e-2, weightDecay: 0.3 }),
  };
  for (const [name, make] of Object.entries(cases)) {
    it(`${name}: float32 wasm equals the float64 JS loops (within float32 rounding)`, () => {
      const wasm = train(make);
      setKernelBackend('js');
      try {
        const js = train(make);
        close(wasm.params, js.params, 2e-6);
        close(wasm.moments, js.moments, 2e-6);
      } finally {
        setKernelBackend('wasm');
      }
    });
  }

  it('resident moments keep their values when the memory grows', () => {
    tg.manualSeed(1);
    const p = tg.nn.Parameter(tg.randn([5000]));
    const opt = new tg.optim.Adam([p], { lr: 1e-2 });
    p.grad = tg.randn([5000]);
    opt.step();
    const before = opt.state.get(p)!.expAvg.data();
    // more resident blocks than the memory holds now: it grows and views are re-pointed
    const big = Array.from({ length: 4 }, () => residentZerosLike(tg.zeros([1 << 20])));
    expect(opt.state.get(p)!.expAvg.data()).toEqual(before);
    p.grad = tg.randn([5000]);
    opt.step();
    expect(opt.state.get(p)!.expAvg.data().some((v, i) => v !== before[i])).toBe(true);
    expect(big[3].data().length).toBe(1 << 20);
  });

  it('the functional form (outputs apart from inputs) leaves its resident inputs unchanged', () => {
    tg.manualSeed(2);
    const p = tg.randn([5000]), g = tg.randn([5000]), m = residentZerosLike(p), v = residentZerosLike(p);
    m._assign(tg.randn([5000]));
    v._assign(tg.randn([5000]).abs());
    const before = [p, m, v].map((t) => t.data());
    const outs = ADAM_STEP.forward(
      [p, g, m, v, tg.tensor(0.01), tg.tensor(0), tg.tensor(0.9)].map((t) => ({ shape: t.shape, dtype: t.dtype, data: t._values('test') })),
      { beta2: 0.999, eps: 1e-8, weightDecay: 0, decoupled: false, maximize: false },
      [p, m, v, tg.tensor(0)].map((t) => ({ shape: t.shape, dtype: t.dtype })),
    );
    [p, m, v].forEach((t, i) => expect(t.data()).toEqual(before[i]));
    expect(outs[0].some((x, i) => x !== before[0][i])).toBe(true);
    expect(outs[3][0]).toBe(1);
  });
});

describe('training wasm module build', () => {
  it('generated.ts is up to date with training/kernels/wasm/src (node scripts/build-training-wasm.mjs)', async () => {
    const { readFileSync } = await import('node:fs');
    const script: string = '../../scripts/build-training-wasm.mjs';
    const { compileTraining, generatedSource } = (await import(script)) as {
      compileTraining(features: string): Promise<Uint8Array>; generatedSource(bytes: Uint8Array, fma: Uint8Array): string;
    };
    const root = new URL('../../', import.meta.url);
    const prev = process.cwd();
    process.chdir(fileURLToPath(root));
    try {
      const text = generatedSource(await compileTraining('simd'), await compileTraining('simd,relaxed-simd'));
      expect(readFileSync(new URL('training/kernels/wasm/generated.ts', root), 'utf8') === text, 'stale: run node scripts/build-training-wasm.mjs').toBe(true);
    } finally {
      process.chdir(prev);
    }
  }, 60_000);
});

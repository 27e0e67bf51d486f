import { describe, expect, it } from 'vitest';
import { matmul as liteMatmul } from '../../lite-runtime/kernels/index.js';
import { trainingKernels } from '../../training/kernels/wasm/runtime.js';
import { makeResident, residentZerosLike } from '../../training/optim/resident.js';
import * as tg from '../../training/index.js';

function rand(n: number, seed: number): Float32Array {
  const a = new Float32Array(n);
  let s = seed;
  for (let i = 0; i < n; i++) { s = (s * 1103515245 + 12345) >>> 0; a[i] = s / 2 ** 32 - 0.5; }
  return a;
}

/** op(A) @ op(B) (+ bias, relu) in float64. */
function naive(a: Float32Array, b: Float32Array, m: number, k: number, n: number, ta: boolean, tb: boolean, bias: Float32Array | null, relu: boolean): Float64Array {
  const c = new Float64Array(m * n);
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      let s = bias ? bias[j] : 0;
      for (let p = 0; p < k; p++) s += (ta ? a[p * m + i] : a[i * k + p]) * (tb ? b[j * k + p] : b[p * n + j]);
      c[i * n + j] = relu ? Math.max(s, 0) : s;
    }
  }
  return c;
}

/** A copy of `x` held in the training wasm memory (as a resident parameter is). */
function resident(x: Float32Array): Float32Array {
  const t = residentZerosLike(tg.zeros([x.length]));
  t._storage!.set(x);
  return t._storage as Float32Array;
}

describe('matmul in the training wasm module', () => {
  const k = trainingKernels()!;
  /** k.matmul, growing the scratch (between calls, as an optimizer step does) when it asks for more. */
  const mm = (...args: Parameters<typeof k.matmul>) => {
    try { k.matmul(...args); } catch (e) {
      if (!(e instanceof RangeError)) throw e;
      k.reserve();
      k.matmul(...args);
    }
  };
  // odd sizes: row and column tails, K past one K block (256), K = 1, transposes
  const shapes: [number, number, number][] = [[1, 1, 1], [3, 5, 7], [5, 300, 9], [13, 64, 17], [64, 513, 10], [9, 1, 33]];

  it('equals the float64 product for every operand placement, transpose, bias and relu', () => {
    expect(k).not.toBeNull();
    let seed = 1;
    for (const [m, kk, n] of shapes) {
      for (const ta of [false, true]) {
        for (const tb of [false, true]) {
          const a = rand(m * kk, seed++), b = rand(kk * n, seed++), bias = rand(n, seed++);
          for (const place of ['js', 'resident'] as const) {
            for (const withBias of [false, true]) {
              const ra = place === 'js' ? a : resident(a), rb = place === 'js' ? b : resident(b);
              const rbias = place === 'js' ? bias : resident(bias);
              const c = place === 'js' ? new Float32Array(m * n).fill(7) : resident(new Float32Array(m * n).fill(7));
              mm(ra, rb, c, m, kk, n, ta, tb, withBias ? rbias : null, withBias);
              const want = naive(a, b, m, kk, n, ta, tb, withBias ? bias : null, withBias);
              c.forEach((v, i) => expect(Math.abs(v - want[i])).toBeLessThanOrEqual(1e-5 * (1 + kk)));
            }
          }
        }
      }
    }
  });

  it('gives the same bits as lite-runtime matmul (the same GEMM)', () => {
    const [m, kk, n] = [37, 300, 45];
    const a = rand(m * kk, 5), b = rand(kk * n, 6);
    const c1 = new Float32Array(m * n), c2 = new Float32Array(m * n);
    mm(a, resident(b), c1, m, kk, n, false, true);
    liteMatmul(a, b, c2, m, kk, n, { transB: true });
    expect(c1).toEqual(c2);
  });

  it('while resident blocks exist, grows its scratch only in reserve(); resident operands are read from their offsets', () => {
    const [m, kk, n] = [8, 20, 12];
    const a = resident(rand(m * kk, 7)), b = resident(rand(kk * n, 8)), bias = resident(rand(n, 9));
    const want = naive(a.slice(), b.slice(), m, kk, n, false, false, bias.slice(), true);
    const c = new Float32Array(m * n);
    mm(a, b, c, m, kk, n, false, false, bias, true);
    c.forEach((v, i) => expect(Math.abs(v - want[i])).toBeLessThanOrEqual(1e-5));
    // a product needing more scratch than there is: the kernel refuses (the caller computes elsewhere)
    const big = 1100;
    expect(() => k.matmul(rand(big * big, 1), rand(big * big, 2), new Float32Array(big * big), big, big, big, false, false)).toThrow(RangeError);
    expect(k.reserve()).toBe(true); // the memory grows here: a, b and bias are detached views now
    expect(a.length).toBe(0);
    const c2 = new Float32Array(m * n);
    k.matmul(a, b, c2, m, kk, n, false, false, bias, true);
    expect(c2).toEqual(c);
  });
});

describe('resident parameters', () => {
  it('optimizers move large parameters into the wasm memory, values unchanged', () => {
    tg.manualSeed(4);
    const big = tg.nn.Parameter(tg.randn([70, 64])), small = tg.nn.Parameter(tg.randn([10]));
    const before = [big.data(), small.data()];
    new tg.optim.SGD([big, small], { lr: 0.1 });
    const k = trainingKernels()!;
    expect(k.isResident(big._storage as Float32Array)).toBe(true);
    expect(k.isResident(small._storage as Float32Array)).toBe(false);
    expect([big.data(), small.data()]).toEqual(before);
    expect(makeResident(big)).toBe(false); // already there
  });

  it('a training step with resident parameters equals the one without (eager and jit)', () => {
    const run = (resident: boolean, jit: boolean) => {
      tg.manualSeed(5);
      const model = new tg.nn.Sequential(new tg.nn.Linear(70, 90), new tg.nn.ReLU(), new tg.nn.Linear(90, 3));
      const x = tg.randn([6, 70]), y = tg.randint(0, 3, [6]);
      const params = model.parameters();
      const saved = params.map((p) => p._storage!);
      const opt = new tg.optim.Adam(params, { lr: 1e-2 });
      if (!resident) params.forEach((p, i) => { saved[i].set(p._storage!); p._storage = saved[i]; });
      const step = () => { opt.zeroGrad(); const l = tg.nn.functional.crossEntropy(model.forward(x), y); l.backward(); opt.step(); return l; };
      const f = jit ? tg.jit(step) : step;
      for (let i = 0; i < 3; i++) f();
      residentZerosLike(tg.zeros([1 << 20])); // the memory grows between steps: views are taken again
      for (let i = 0; i < 2; i++) f();
      return params.map((p) => [...p.data()]);
    };
    const want = run(false, false);
    for (const jit of [false, true]) {
      const got = run(true, jit);
      got.forEach((p, i) => p.forEach((v, j) => expect(Math.abs(v - want[i][j])).toBeLessThanOrEqual(1e-6)));
    }
  });
});

import { afterAll, describe, expect, it, vi } from 'vitest';
import { kernelBackend, setKernelBackend } from '../../lite-runtime/kernels/index.js';
import { reluBackward, unaryKernel } from '../../training/kernels/arith.js';
import { trainingKernels } from '../../training/kernels/wasm/runtime.js';
import { residentZerosLike } from '../../training/optim/resident.js';
import * as tg from '../../training/index.js';

/** Float32 values with every sign/special case, long enough (and with a ragged tail) for the wasm path. */
function values(n: number, seed: number): Float32Array {
  const a = new Float32Array(n), bits = new Int32Array(a.buffer);
  let s = seed;
  for (let i = 0; i < n; i++) {
    s = (s * 1103515245 + 12345) >>> 0;
    a[i] = (s / 2 ** 32 - 0.5) * 8;
  }
  const special = [0, -0, NaN, Infinity, -Infinity, 1e-45, -1e-45, 3.4e38, -3.4e38];
  special.forEach((v, i) => { a[i * 97] = v; });
  bits[13] = 0xffc00000 | 0; // NaN with its sign bit set
  bits[n - 1] = 0x7fc00001; // a positive NaN in the scalar tail
  return a;
}

const asBits = (a: Float32Array) => Array.from(new Int32Array(a.buffer, a.byteOffset, a.length));

/** Runs fn under the js backend and under wasm; returns both outputs' bits. */
function bothBackends(fn: () => Float32Array): [number[], number[]] {
  const wasm = asBits(fn());
  setKernelBackend('js');
  try {
    return [wasm, asBits(fn())];
  } finally {
    setKernelBackend('wasm');
  }
}

describe('relu and its gradient in the training wasm module', () => {
  const prev = kernelBackend();
  afterAll(() => { if (prev === 'js') setKernelBackend('js'); });
  const n = 3 * 8192 + 7;

  it('relu equals the JS loop bit for bit (signed zeros, NaNs, infinities, subnormals)', () => {
    const spy = vi.spyOn(trainingKernels()!, 'relu');
    const x = values(n, 1);
    const [wasm, js] = bothBackends(() => { const y = new Float32Array(n); unaryKernel('relu', x, y); return y; });
    expect(spy).toHaveBeenCalledTimes(1); // the wasm run, not the js one
    spy.mockRestore();
    expect(wasm).toEqual(js);
    expect(js[n - 1]).toBe(0x7fc00001);
  });

  it('relu in place, and into a resident output', () => {
    const x = values(n, 2), want = new Float32Array(n);
    setKernelBackend('js');
    try { unaryKernel('relu', x, want); } finally { setKernelBackend('wasm'); }
    const inPlace = x.slice();
    unaryKernel('relu', inPlace, inPlace);
    expect(asBits(inPlace)).toEqual(asBits(want));
    const resident = residentZerosLike(tg.zeros([n])).data() as Float32Array;
    unaryKernel('relu', x, resident);
    expect(asBits(resident)).toEqual(asBits(want));
  });

  it('reluBackward equals the JS loop bit for bit, with x or g resident', () => {
    const g = values(n, 3), x = values(n, 4);
    const spy = vi.spyOn(trainingKernels()!, 'reluBackward');
    const [wasm, js] = bothBackends(() => { const d = new Float32Array(n); reluBackward(g, x, d); return d; });
    expect(spy).toHaveBeenCalledTimes(1);
    spy.mockRestore();
    expect(wasm).toEqual(js);
    const gr = residentZerosLike(tg.zeros([n])).data() as Float32Array;
    gr.set(g);
    const d = new Float32Array(n);
    reluBackward(gr, x, d);
    expect(asBits(d)).toEqual(js);
    expect(asBits(gr)).toEqual(asBits(g)); // a resident input is not overwritten
  });
});

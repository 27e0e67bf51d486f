import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';
import * as tg from '../../training/index.js';

interface Encoded { shape: number[]; dtype: tg.DType; data: number[] }
interface TorchCase {
  name: string;
  inputs: Encoded[];
  outputs: Encoded[];
  gradOutputs?: (Encoded | null)[];
  grads?: (Encoded | null)[];
  rtol?: number;
  atol?: number;
}

/** JS counterpart of each case key: receives the decoded inputs in order. */
export type CaseTable = Record<string, (...inputs: tg.Tensor[]) => tg.Tensor | tg.Tensor[]>;

export function decode(e: Encoded, requiresGrad = false): tg.Tensor {
  const t = tg.tensor(e.dtype === 'float32' ? Float32Array.from(e.data) : e.dtype === 'int32' ? Int32Array.from(e.data) : Uint8Array.from(e.data),
    { shape: e.shape, dtype: e.dtype });
  return requiresGrad ? t.requiresGrad_(true) : t;
}

/** Asserts `actual` equals the encoded reference within tolerances (NaN/inf must match). */
export function expectClose(actual: tg.Tensor, ref: Encoded, where: string, rtol = 1e-4, atol = 1e-5): void {
  expect(actual.shape, `${where}: shape`).toEqual(ref.shape);
  expect(actual.dtype, `${where}: dtype`).toBe(ref.dtype);
  const a = actual.data();
  for (let i = 0; i < ref.data.length; i++) {
    const x = a[i], y = ref.data[i];
    if (Number.isNaN(y) || !Number.isFinite(y)) {
      expect(Object.is(x, y) || (Number.isNaN(x) && Number.isNaN(y)), `${where}[${i}]: ${x} vs ${y}`).toBe(true);
      continue;
    }
    if (Math.abs(x - y) > atol + rtol * Math.abs(y)) {
      expect.fail(`${where}[${i}]: got ${x}, torch ${y} (|diff| ${Math.abs(x - y)} > ${atol} + ${rtol}*|ref|)`);
    }
  }
}

/**
 * Reads test/fixtures/torch/<family>.json. Python's json writes NaN and ±Infinity as bare
 * tokens, which JSON.parse rejects: they are read back as numbers.
 */
export function readFixture(family: string): unknown {
  const path = fileURLToPath(new URL(`../fixtures/torch/${family}.json`, import.meta.url));
  const text = readFileSync(path, 'utf8').replace(/-?Infinity|NaN/g, (m) => `"${m}"`);
  return JSON.parse(text, (_k, v: unknown) => (typeof v === 'string' && /^(-?Infinity|NaN)$/.test(v) ? Number(v) : v));
}

/**
 * Registers one vitest case per fixture case of `family` (test/fixtures/torch/<family>.json),
 * checking outputs and gradients against PyTorch.
 */
export function runTorchCases(family: string, table: CaseTable): void {
  const { cases } = readFixture(family) as { cases: TorchCase[] };
  for (const c of cases) {
    const key = c.name.split('/')[0];
    it(c.name, () => {
      const fn = table[c.name] ?? table[key];
      if (!fn) expect.fail(`no JS function for fixture key '${key}'`);
      const withGrad = c.grads !== undefined;
      const inputs = c.inputs.map((e, i) => decode(e, withGrad && c.grads![i] !== null));
      const out = fn(...inputs);
      const outs = Array.isArray(out) ? out : [out];
      expect(outs.length).toBe(c.outputs.length);
      outs.forEach((o, i) => expectClose(o, c.outputs[i], `${c.name} output ${i}`, c.rtol, c.atol));
      if (!withGrad) return;
      const pairs = outs.map((o, i) => [o, c.gradOutputs![i]] as const).filter(([, w]) => w !== null);
      const diff = inputs.filter((_, i) => c.grads![i] !== null);
      const gs = tg.grad(pairs.map(([o]) => o), diff, pairs.map(([, w]) => decode(w!)), { allowUnused: true });
      let j = 0;
      c.grads!.forEach((g, i) => {
        if (g === null) return;
        const got = gs[j++] ?? tg.zerosLike(inputs[i]);
        expectClose(got, g, `${c.name} grad of input ${i}`, (c.rtol ?? 1e-4) * 10, (c.atol ?? 1e-5) * 10);
      });
    });
  }
}

/**
 * Numerical gradient check: compares autograd's gradient of sum(fn(x) * w) with
 * central differences, for every float input.
 */
export function gradcheck(fn: (...xs: tg.Tensor[]) => tg.Tensor, inputs: tg.Tensor[], eps = 1e-2, tol = 2e-2): void {
  const xs = inputs.map((x) => (x.dtype === 'float32' ? x.clone().requiresGrad_(true) : x));
  const y = fn(...xs);
  const w = tg.randn(y.shape as number[]);
  const scalar = (vals: tg.Tensor[]) => tg.noGrad(() => fn(...vals).mul(w).sum().item());
  const diff = xs.filter((x) => x.requiresGrad);
  const analytic = tg.grad(y.mul(w).sum(), diff, undefined, { allowUnused: true });
  diff.forEach((x, k) => {
    const base = x.data() as Float32Array;
    const ga = analytic[k]?.data() ?? new Float32Array(base.length);
    for (let i = 0; i < base.length; i++) {
      const plus = base.slice(); plus[i] += eps;
      const minus = base.slice(); minus[i] -= eps;
      const at = (v: Float32Array) => xs.map((z) => (z === x ? tg.tensor(v, { shape: x.shape }) : z));
      const num = (scalar(at(plus)) - scalar(at(minus))) / (2 * eps);
      const scale = Math.max(1, Math.abs(num), Math.abs(ga[i]));
      if (Math.abs(num - ga[i]) > tol * scale) {
        expect.fail(`gradcheck: input ${inputs.indexOf(inputs[xs.indexOf(x)])} element ${i}: autograd ${ga[i]}, numerical ${num}`);
      }
    }
  });
}

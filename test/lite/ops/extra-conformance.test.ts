/**
 * The ops beyond issue 4's list against the REAL TFLite runtime: single-op models and
 * LiteRT.js outputs from scripts/fixtures/lite_ops_extra.mts, run through loadModel with the
 * wasm kernels and the TypeScript fallback. Float32 within 1e-5 x max(1, |ref|), int8 within
 * one step, bool/int32 exact.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { loadModel } from '../../../lite-runtime/index.js';
import { kernelBackend, setKernelBackend } from '../../../lite-runtime/kernels/index.js';

interface Io { dtype: string; shape: number[]; data: number[] }
interface Case { name: string; op: string; ref: string; model: string; inputs: Io[]; outputs: Io[] }

const fixture = JSON.parse(readFileSync(new URL('../../fixtures/lite/ops/extra_conformance.json', import.meta.url), 'utf8')) as
  { cases: Case[]; rejected: Array<{ name: string; why: string }> };
const CT: Record<string, { from(a: number[]): ArrayLike<number> }> = { float32: Float32Array, int8: Int8Array, int32: Int32Array, bool: Uint8Array };

describe.each(['wasm', 'js'] as const)('extra ops vs the real TFLite runtime (%s kernels)', (backend) => {
  const before = kernelBackend();
  afterAll(() => setKernelBackend(before));
  it.each(fixture.cases.map((c) => [c.name, c] as const))('%s', async (_name, c) => {
    setKernelBackend(backend);
    const m = await loadModel(Buffer.from(c.model, 'base64'));
    const outs = await m.run(c.inputs.map((i) => CT[i.dtype]!.from(i.data) as never));
    c.outputs.forEach((want, k) => {
      const got = Array.from(outs[k]!.data as ArrayLike<number>, Number);
      expect(outs[k]!.shape).toEqual(want.shape);
      got.forEach((v, i) => {
        const w = want.data[i]!;
        const tol = want.dtype === 'float32' ? 1e-5 * Math.max(1, Math.abs(w)) : want.dtype === 'int8' ? 1 : 0;
        if (!(Math.abs(v - w) <= tol || (Number.isNaN(v) && Number.isNaN(w)))) expect.fail(`${c.name}: output ${k}[${i}] = ${v}, the real runtime gives ${w}`);
      });
    });
    m.dispose();
  });
});

it('lists the cases the real runtimes reject', () => {
  expect(fixture.rejected.map((r) => r.name)).toEqual(['SQUARE i8', 'SPLIT_V', 'ARG_MIN', 'BROADCAST_TO']);
});

/**
 * `loadModel(bytes, { requant })` picks the int8 requantization arithmetic of one model:
 * it equals what the process-wide `setRequantMode` gave, leaves the default alone, and
 * two models loaded side by side keep their own arithmetic (also after a re-prepare).
 */
import { describe, expect, it } from 'vitest';
import { writeTflite } from '../../../converter/tflite-writer/index.js';
import { InputError, loadModel } from '../../../lite-runtime/index.js';
import { requantMode, setRequantMode } from '../../../lite-runtime/ops/util/requant.js';
import { rng } from '../../../scripts/int8-sweep.js';

/** An int8 FULLY_CONNECTED [rows, k] x [n, k] with per-channel scales chosen so the two arithmetics differ. */
function fcModel(rows: number, k: number, n: number, seed: number): { bytes: Uint8Array; x: Int8Array } {
  const R = rng(seed);
  const w = Int8Array.from({ length: n * k }, () => Math.floor(R() * 255) - 127);
  const scale = Array.from({ length: n }, () => Math.fround(0.001 + R() * 0.02));
  const bias = Int32Array.from({ length: n }, () => Math.floor(R() * 2000) - 1000);
  const bytes = writeTflite({
    tensors: [
      { name: 'x', shape: [rows, k], dtype: 'int8', quant: { scale: [0.0371], zeroPoint: [3] } },
      { name: 'w', shape: [n, k], dtype: 'int8', data: w, quant: { scale, zeroPoint: new Array(n).fill(0), axis: 0 } },
      { name: 'b', shape: [n], dtype: 'int32', data: bias, quant: { scale: scale.map((s) => s * 0.0371), zeroPoint: new Array(n).fill(0) } },
      { name: 'y', shape: [rows, n], dtype: 'int8', quant: { scale: [0.0913], zeroPoint: [-5] } },
    ],
    operators: [{ op: 'FULLY_CONNECTED', inputs: ['x', 'w', 'b'], outputs: ['y'] }],
    inputs: ['x'],
    outputs: ['y'],
  });
  return { bytes, x: Int8Array.from({ length: rows * k }, () => Math.floor(R() * 256) - 128) };
}

async function outputs(bytes: Uint8Array, x: Int8Array, requant?: 'fp32' | 'reference'): Promise<number[]> {
  const m = await loadModel(bytes, requant ? { requant } : {});
  try { return Array.from(m.runSync([x])[0]!.data as Int8Array); } finally { m.dispose(); }
}

describe('loadModel requant option', () => {
  const { bytes, x } = fcModel(64, 200, 96, 5);

  it('equals the process-wide setting, per model, without changing the default', async () => {
    expect(requantMode()).toBe('fp32');
    const fp32 = await outputs(bytes, x), ref = await outputs(bytes, x, 'reference');
    expect(requantMode()).toBe('fp32');
    expect(await outputs(bytes, x, 'fp32')).toEqual(fp32);
    expect(ref).not.toEqual(fp32); // the case is built so that some element differs
    setRequantMode('reference');
    try {
      expect(await outputs(bytes, x)).toEqual(ref);
      expect(await outputs(bytes, x, 'fp32')).toEqual(fp32);
    } finally {
      setRequantMode('fp32');
    }
  });

  it('keeps each model its own arithmetic side by side and across re-prepares', async () => {
    const a = await loadModel(bytes, { requant: 'reference' }), b = await loadModel(bytes);
    try {
      const ya = () => Array.from(a.runSync([x])[0]!.data as Int8Array), yb = () => Array.from(b.runSync([x])[0]!.data as Int8Array);
      expect(ya()).toEqual(await outputs(bytes, x, 'reference'));
      expect(yb()).toEqual(await outputs(bytes, x, 'fp32'));
      expect(ya()).not.toEqual(yb());
    } finally {
      a.dispose();
      b.dispose();
    }
  });

  it('rejects an unknown arithmetic', async () => {
    await expect(loadModel(bytes, { requant: 'fast' as 'fp32' })).rejects.toThrow(InputError);
  });
});

/**
 * Post-lowering quantization of a model description:
 * - 'float16': float constants of 16+ elements stored as fp16, each widened by
 *   a DEQUANTIZE at the start of the model (what TFLite's float16 quantization writes);
 * - 'dynamic': the weights of CONV_2D, DEPTHWISE_CONV_2D, FULLY_CONNECTED and
 *   TRANSPOSE_CONV stored int8 (symmetric, per output channel) and widened by a
 *   DEQUANTIZE; activations stay float;
 * - 'int8': full integer, calibrated (int8.ts).
 * With `fuseLstm`, LSTMs imported step by step first become one UNIDIRECTIONAL_SEQUENCE_LSTM (fuse-lstm.ts),
 * which 'int8' quantizes as TFLite's integer LSTM (int8-lstm.ts).
 * Each reports the error of every quantized tensor (SQNR in dB, max abs error).
 * @example const { desc, errors } = await quantizeModel(desc, 'float16', {});
 */
import type { ModelDesc, OperatorDesc, TensorDesc } from '../tflite-writer/types.js';
import { float16Bits } from '../tflite-writer/index.js';
import { quantizeInt8, resolveRefs, type Int8Options, type Int8Result } from './int8.js';
import { fuseLstms } from './fuse-lstm.js';

export type QuantizeMode = 'none' | 'float16' | 'dynamic' | 'int8';

export interface TensorQuantError {
  tensor: string;
  /** 10 log10(signal power / error power); Infinity when exact. */
  sqnrDb: number;
  maxAbsError: number;
  /** int8: the node producing the tensor (as keepFloat names it), its op, and the dtype the tensor is stored in. */
  node?: string;
  op?: string;
  dtype?: 'int8' | 'float32';
}

/** Which input of which op holds the weights 'dynamic' quantizes, and its channel axis. */
const WEIGHT_INPUT: Partial<Record<string, { input: number; axis: number }>> = {
  CONV_2D: { input: 1, axis: 0 },
  DEPTHWISE_CONV_2D: { input: 1, axis: 3 },
  FULLY_CONNECTED: { input: 1, axis: 0 },
  TRANSPOSE_CONV: { input: 1, axis: 0 },
};

export function sqnr(ref: Float32Array, got: ArrayLike<number>): TensorQuantError['sqnrDb'] {
  let s = 0, e = 0;
  for (let i = 0; i < ref.length; i++) { s += ref[i] * ref[i]; const d = ref[i] - got[i]; e += d * d; }
  return e === 0 ? Infinity : 10 * Math.log10(s / e);
}

function maxAbs(ref: Float32Array, got: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < ref.length; i++) m = Math.max(m, Math.abs(ref[i] - got[i]));
  return m;
}

function halfToFloat(h: number): number {
  const s = h & 0x8000 ? -1 : 1, e = (h >> 10) & 0x1f, m = h & 0x3ff;
  if (e === 0) return s * m * 2 ** -24;
  if (e === 31) return m ? NaN : s * Infinity;
  return s * (1 + m / 1024) * 2 ** (e - 15);
}

function floatData(t: TensorDesc): Float32Array | null {
  if (t.dtype !== 'float32' || !t.data) return null;
  const d = t.data;
  if (d instanceof Float32Array) return d;
  if (ArrayBuffer.isView(d)) return new Float32Array(d.buffer, d.byteOffset, d.byteLength / 4);
  return Float32Array.from(d as ArrayLike<number>);
}

/** Symmetric int8 quantization along `axis` (one scale per index of that dim). */
export function quantizeSymmetric(data: Float32Array, shape: readonly number[], axis: number): { q: Int8Array; scales: number[] } {
  const channels = shape[axis];
  const inner = shape.slice(axis + 1).reduce((a, b) => a * b, 1);
  const maxes = new Array<number>(channels).fill(0);
  for (let i = 0; i < data.length; i++) {
    const c = Math.floor(i / inner) % channels;
    maxes[c] = Math.max(maxes[c], Math.abs(data[i]));
  }
  const scales = maxes.map((m) => (m > 0 ? m / 127 : 1));
  const q = new Int8Array(data.length);
  for (let i = 0; i < data.length; i++) {
    const c = Math.floor(i / inner) % channels;
    q[i] = Math.max(-127, Math.min(127, Math.round(data[i] / scales[c])));
  }
  return { q, scales };
}

export async function quantizeModel(desc0: ModelDesc, mode: QuantizeMode, opts: Int8Options): Promise<{ desc: ModelDesc; errors: TensorQuantError[]; int8?: Int8Result }> {
  const desc = opts.fuseLstm ? fuseLstms(resolveRefs(desc0)).desc : desc0;
  if (mode === 'none') return { desc, errors: [] };
  if (mode === 'int8') {
    const r = await quantizeInt8(desc, opts);
    return { desc: r.desc, errors: r.errors, int8: r };
  }
  const tensors = [...desc.tensors];
  const pre: OperatorDesc[] = [];
  const errors: TensorQuantError[] = [];
  const done = new Set<number>();
  const idx = (r: number | string) => (typeof r === 'number' ? r : tensors.findIndex((t) => t.name === r));

  const replace = (i: number, make: (t: TensorDesc, f: Float32Array) => { stored: TensorDesc; back: ArrayLike<number> }) => {
    if (done.has(i)) return;
    const t = tensors[i];
    const f = floatData(t);
    if (!f) return;
    done.add(i);
    const { stored, back } = make(t, f);
    tensors.push(stored);
    tensors[i] = { name: t.name, shape: t.shape, dtype: 'float32' };
    pre.push({ op: 'DEQUANTIZE', inputs: [tensors.length - 1], outputs: [i], version: stored.dtype === 'float16' ? 3 : 2 } as OperatorDesc);
    errors.push({ tensor: t.name, sqnrDb: sqnr(f, back), maxAbsError: maxAbs(f, back) });
  };

  if (mode === 'float16') {
    tensors.forEach((t, i) => {
      if (t.dtype !== 'float32' || !t.data || t.shape.reduce((a, b) => a * b, 1) < 16) return;
      replace(i, (tt, f) => {
        const bits = Uint16Array.from(f, float16Bits);
        return { stored: { name: `${tt.name}_fp16`, shape: tt.shape, dtype: 'float16', data: bits }, back: Array.from(bits, halfToFloat) };
      });
    });
  } else {
    for (const op of desc.operators) {
      const w = WEIGHT_INPUT[op.op];
      if (!w) continue;
      const i = idx(op.inputs[w.input]);
      if (i < 0) continue;
      replace(i, (tt, f) => {
        const { q, scales } = quantizeSymmetric(f, tt.shape, w.axis);
        const inner = tt.shape.slice(w.axis + 1).reduce((a, b) => a * b, 1);
        const back = Float32Array.from(q, (v, k) => v * scales[Math.floor(k / inner) % scales.length]);
        return {
          stored: {
            name: `${tt.name}_int8`, shape: tt.shape, dtype: 'int8', data: q,
            quant: { scale: scales, zeroPoint: scales.map(() => 0), axis: w.axis },
          },
          back,
        };
      });
    }
  }
  return { desc: { ...desc, tensors, operators: [...pre, ...desc.operators] }, errors };
}

/**
 * Converting `run` inputs to tensor data (dtype checks, quantizing float data for
 * quantized inputs, inferring a dynamic dim) and outputs to results (copy or dequantize).
 *
 * ```ts
 * const mode = inputMode(new Float32Array([0.5]), tensor, 0, 'x'); // 'quantize' for an int8 input
 * writeInput(new Float32Array([0.5]), tensor, mode);
 * ```
 */
import { InputError } from './format/errors.js';
import { copyData } from './format/typed.js';
import type { LiteDType, RtTensor, TypedArray } from './ops/op.js';
import type { OutputTensor, TensorInfo } from './index.js';

/** Fills the single dynamic (-1) dim from the element count, or null. */
export function inferShape(sig: number[] | null, len: number): number[] | null {
  if (!sig) return null;
  const dyn = sig.reduce((n, d) => n + (d === -1 ? 1 : 0), 0);
  if (dyn !== 1) return null;
  const fixed = sig.reduce((n, d) => (d === -1 ? n : n * d), 1);
  if (fixed === 0 || len % fixed !== 0) return null;
  return sig.map((d) => (d === -1 ? len / fixed : d));
}

const INT_RANGE: Partial<Record<LiteDType, [number, number]>> = {
  int8: [-128, 127], uint8: [0, 255], int16: [-32768, 32767], int32: [-2147483648, 2147483647], bool: [0, 1],
};

function dtypeOf(a: unknown): LiteDType | null {
  if (a instanceof Float32Array) return 'float32';
  if (a instanceof Float64Array) return 'float64';
  if (a instanceof Int8Array) return 'int8';
  if (a instanceof Uint8Array) return 'uint8';
  if (a instanceof Int16Array) return 'int16';
  if (a instanceof Int32Array) return 'int32';
  if (a instanceof BigInt64Array) return 'int64';
  return null;
}

/** How `run` fills an input from the given data (see `inputMode`). */
export type InputMode = 'copy' | 'quantize' | 'numbers';

/**
 * Checks input data against the tensor's dtype and says how to write it: same-type
 * arrays are copied; float data for a quantized integer input is quantized (round half
 * away from zero, clamped); plain numbers are converted when exactly representable.
 */
export function inputMode(raw: TypedArray | ArrayLike<number>, t: RtTensor, k: number, name: string): InputMode {
  const given = dtypeOf(raw);
  const want = t.dtype;
  if (given === want || (want === 'bool' && given === 'uint8') || (want === 'float16' && raw instanceof Uint16Array)) return 'copy';
  const range = INT_RANGE[want];
  if ((given === 'float32' || given === 'float64') && range && t.quant && want !== 'bool') return 'quantize';
  if (given === null && !(raw instanceof BigInt64Array) && (range || want === 'float32' || want === 'float64' || want === 'int64')) {
    for (let i = 0; i < raw.length; i++) {
      const x = Number(raw[i]);
      const ok = range ? Number.isInteger(x) && x >= range[0] && x <= range[1]
        : want === 'int64' ? Number.isSafeInteger(x) : true;
      if (!ok) throw new InputError(`input ${k} '${name}' is ${want}; value ${String(raw[i])} at ${i} does not fit`);
    }
    return 'numbers';
  }
  throw new InputError(`input ${k} '${name}' is ${want}${t.quant ? ' (quantized: Float32Array also accepted)' : ''}, got ${given ?? 'an unsupported array'}`);
}

/** Writes checked input data into the tensor's own memory (no allocation). */
export function writeInput(raw: TypedArray | ArrayLike<number>, t: RtTensor, mode: InputMode): void {
  const dst = t.data;
  if (mode === 'copy') {
    copyData(dst, raw as TypedArray);
  } else if (mode === 'quantize') {
    const range = INT_RANGE[t.dtype]!;
    const s = t.quant!.scale[0]!;
    const z = t.quant!.zeroPoint[0]!;
    const out = dst as Int32Array;
    for (let i = 0; i < raw.length; i++) {
      const v = (raw[i] as number) / s;
      const q = Math.sign(v) * Math.round(Math.abs(v)) + z;
      out[i] = Math.min(range[1], Math.max(range[0], q));
    }
  } else if (dst instanceof BigInt64Array) {
    for (let i = 0; i < raw.length; i++) dst[i] = BigInt(Number(raw[i]));
  } else {
    const out = dst as Float32Array;
    for (let i = 0; i < raw.length; i++) out[i] = Number(raw[i]);
  }
}

export function info(name: string, t: RtTensor, sig: number[] | null): TensorInfo {
  const i: TensorInfo = { name, shape: t.shape.slice(), dtype: t.dtype };
  if (sig) i.shapeSignature = sig.slice();
  if (t.quant) i.quantization = { scale: Array.from(t.quant.scale), zeroPoint: Array.from(t.quant.zeroPoint), axis: t.quant.axis };
  return i;
}

/** Output `t` as `run` returns it: dequantized into a new array, a view of `t` (`view`), or a copy. */
export function output(name: string, t: RtTensor, dequantize: boolean, view = false): OutputTensor {
  const shape = t.shape.slice();
  if (dequantize && t.quant && t.dtype !== 'float32' && !(t.data instanceof BigInt64Array)) {
    const q = t.quant;
    const out = new Float32Array(t.data.length);
    const src = t.data as Int32Array;
    if (q.scale.length === 1) {
      const s = q.scale[0]!;
      const z = q.zeroPoint[0]!;
      for (let i = 0; i < out.length; i++) out[i] = s * (src[i]! - z);
    } else {
      let inner = 1;
      for (let d = q.axis + 1; d < shape.length; d++) inner *= shape[d]!;
      const ch = q.scale.length;
      for (let i = 0; i < out.length; i++) {
        const c = Math.floor(i / inner) % ch;
        out[i] = q.scale[c]! * (src[i]! - q.zeroPoint[c]!);
      }
    }
    return { name, shape, dtype: 'float32', data: out };
  }
  return { name, shape, dtype: t.dtype, data: view ? t.data : t.data.slice() };
}

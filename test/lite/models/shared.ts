/**
 * Test helpers for the real models: where they live, their reference fixtures
 * (test/fixtures/lite/models/*.json, from scripts/fixtures/tflite-models.mjs), decoding.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { ModelDesc } from '../../../converter/tflite-writer/index.js';
import type { LiteDType, TypedArray } from '../../../lite-runtime/index.js';
import { MODELS_DIR, ROOT } from '../../helpers/paths.js';

/** The real models folder, in the repository (test/fixtures/tflite-micro). */
export { MODELS_DIR };

export const MODEL_FILES = [
  'hello_world_float.tflite', 'hello_world_int8.tflite', 'person_detect.tflite',
  'micro_speech_quantized.tflite', 'keyword_scrambled.tflite',
] as const;

/** Bytes of a real model (or another file in the models folder). */
export function modelBytes(file: string): Uint8Array {
  return new Uint8Array(readFileSync(path.join(MODELS_DIR, file)));
}

export interface FixtureTensor {
  dtype: LiteDType;
  shape: number[];
  b64?: string;
  data?: number[];
}

export interface ModelFixture {
  model: string;
  runtime: string;
  sequence: boolean;
  cases: { name: string; inputs: FixtureTensor[]; outputs: FixtureTensor[] }[];
  probes?: { tensor: number; outputs: FixtureTensor[] }[];
}

export function loadFixture(model: string): ModelFixture {
  const p = path.join(ROOT, 'test/fixtures/lite/models', model.replace(/\.tflite$/, '.json'));
  return JSON.parse(readFileSync(p, 'utf8')) as ModelFixture;
}

/** Decodes a fixture tensor's base64 little-endian bytes into a typed array of its dtype. */
export function decode(t: FixtureTensor): TypedArray {
  const buf = Buffer.from(t.b64 ?? '', 'base64');
  const bytes = new Uint8Array(buf.byteLength);
  bytes.set(buf);
  switch (t.dtype) {
    case 'float32': return new Float32Array(bytes.buffer);
    case 'int8': return new Int8Array(bytes.buffer);
    case 'uint8': case 'bool': return new Uint8Array(bytes.buffer);
    case 'int16': return new Int16Array(bytes.buffer);
    case 'int32': return new Int32Array(bytes.buffer);
    default: throw new Error(`fixture dtype ${t.dtype} not handled`);
  }
}

/** Largest |a - b| over two equal-length arrays (Infinity when lengths differ). */
export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) return Infinity;
  let d = 0;
  for (let i = 0; i < a.length; i++) d = Math.max(d, Math.abs(a[i]! - b[i]!));
  return d;
}

/** Gray pixels of an uncompressed 8/24/32-bit BMP, top row first (the reference tool's conversion). */
export function readBmpGray(bytes: Uint8Array): { width: number; height: number; gray: Uint8Array } {
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (bytes[0] !== 0x42 || bytes[1] !== 0x4d) throw new Error('not a BMP');
  const dataOff = dv.getUint32(10, true);
  const hdr = dv.getUint32(14, true);
  const width = dv.getInt32(18, true);
  const hRaw = dv.getInt32(22, true);
  const bpp = dv.getUint16(28, true);
  const height = Math.abs(hRaw);
  const rowSize = Math.ceil((width * bpp) / 32) * 4;
  const pal = 14 + hdr;
  const gray = new Uint8Array(width * height);
  for (let y = 0; y < height; y++) {
    const row = dataOff + (hRaw > 0 ? height - 1 - y : y) * rowSize;
    for (let x = 0; x < width; x++) {
      let r: number; let g: number; let b: number;
      if (bpp === 8) {
        const i = bytes[row + x]!;
        b = bytes[pal + 4 * i]!; g = bytes[pal + 4 * i + 1]!; r = bytes[pal + 4 * i + 2]!;
      } else if (bpp === 24 || bpp === 32) {
        const p = row + x * (bpp / 8);
        b = bytes[p]!; g = bytes[p + 1]!; r = bytes[p + 2]!;
      } else throw new Error(`BMP bpp ${bpp} not handled`);
      gray[y * width + x] = Math.round(0.299 * r + 0.587 * g + 0.114 * b);
    }
  }
  return { width, height, gray };
}

/** An output's values as numbers (int64 outputs converted). */
export function nums(t: { data: ArrayLike<number> | BigInt64Array }): number[] {
  return Array.from(t.data as ArrayLike<number>, Number);
}

/** y = x W^T with W stored as float16 and dequantized (how fp16-converted models store weights). */
export const fp16Model: ModelDesc = {
  tensors: [
    { name: 'x', shape: [1, 2], dtype: 'float32' },
    { name: 'w16', shape: [2, 2], dtype: 'float16', data: [1, 0.5, -2, 0.25] },
    { name: 'w', shape: [2, 2], dtype: 'float32' },
    { name: 'y', shape: [1, 2], dtype: 'float32' },
  ],
  operators: [
    { op: 'DEQUANTIZE', inputs: ['w16'], outputs: ['w'] },
    { op: 'FULLY_CONNECTED', inputs: ['x', 'w', -1], outputs: ['y'] },
  ],
  inputs: ['x'], outputs: ['y'],
};

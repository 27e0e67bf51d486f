import { existsSync, readFileSync } from 'node:fs';
import { extname } from 'node:path';
import type { InputValue, TensorInfo } from '../../lite-runtime/index.js';

/** An array read from a file or JSON: its values, its dtype ('number' for JSON) and shape. */
export interface RawArray { data: ArrayLike<number>; dtype: string; shape: number[] | null }

const NPY_DTYPES: Record<string, [string, (b: ArrayBuffer, o: number, n: number) => ArrayLike<number>]> = {
  '<f4': ['float32', (b, o, n) => new Float32Array(b, o, n)],
  '<f8': ['float64', (b, o, n) => new Float64Array(b, o, n)],
  '|i1': ['int8', (b, o, n) => new Int8Array(b, o, n)],
  '|u1': ['uint8', (b, o, n) => new Uint8Array(b, o, n)],
  '|b1': ['bool', (b, o, n) => new Uint8Array(b, o, n)],
  '<i2': ['int16', (b, o, n) => new Int16Array(b, o, n)],
  '<i4': ['int32', (b, o, n) => new Int32Array(b, o, n)],
  '<i8': ['int64', (b, o, n) => Array.from(new BigInt64Array(b, o, n), Number)],
};

/** Reads a .npy file (NumPy format 1.0-3.0, C order, little-endian). */
export function readNpy(bytes: Uint8Array, path = 'input'): RawArray {
  if (bytes.length < 10 || bytes[0] !== 0x93 || String.fromCharCode(...bytes.subarray(1, 6)) !== 'NUMPY') throw new Error(`${path}: not a .npy file`);
  const major = bytes[6]!;
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const hlen = major === 1 ? dv.getUint16(8, true) : dv.getUint32(8, true);
  const start = major === 1 ? 10 : 12;
  const header = new TextDecoder().decode(bytes.subarray(start, start + hlen));
  const descr = /'descr':\s*'([^']+)'/.exec(header)?.[1];
  const shapeText = /'shape':\s*\(([^)]*)\)/.exec(header)?.[1];
  if (!descr || shapeText === undefined) throw new Error(`${path}: unreadable .npy header ${header.trim()}`);
  if (/'fortran_order':\s*True/.test(header)) throw new Error(`${path}: Fortran-order arrays are not supported; save with np.ascontiguousarray`);
  const kind = NPY_DTYPES[descr === '<b1' ? '|b1' : descr === '<i1' ? '|i1' : descr === '<u1' ? '|u1' : descr];
  if (!kind) throw new Error(`${path}: dtype '${descr}' is not supported (float32/64, int8/16/32/64, uint8, bool)`);
  const shape = shapeText.split(',').map((s) => s.trim()).filter((s) => s).map(Number);
  const n = shape.reduce((a, b) => a * b, 1);
  const off = start + hlen;
  const copy = bytes.slice(off).buffer; // aligned copy
  const width = kind[0] === 'float64' || kind[0] === 'int64' ? 8 : kind[0] === 'float32' || kind[0] === 'int32' ? 4 : kind[0] === 'int16' ? 2 : 1;
  if (copy.byteLength < n * width) throw new Error(`${path}: ${copy.byteLength} data bytes, the header says ${n} x ${width}`);
  return { data: kind[1](copy, 0, n), dtype: kind[0], shape };
}

const ST_DTYPES: Record<string, [string, number, (b: ArrayBuffer) => ArrayLike<number>]> = {
  F32: ['float32', 4, (b) => new Float32Array(b)], F64: ['float64', 8, (b) => new Float64Array(b)],
  I8: ['int8', 1, (b) => new Int8Array(b)], U8: ['uint8', 1, (b) => new Uint8Array(b)], BOOL: ['bool', 1, (b) => new Uint8Array(b)],
  I16: ['int16', 2, (b) => new Int16Array(b)], I32: ['int32', 4, (b) => new Int32Array(b)],
  I64: ['int64', 8, (b) => Array.from(new BigInt64Array(b), Number)],
};

/** Reads the tensors of a .safetensors file, by name. */
export function readSafetensors(bytes: Uint8Array, path = 'input'): Record<string, RawArray> {
  if (bytes.length < 8) throw new Error(`${path}: not a .safetensors file`);
  const n = Number(new DataView(bytes.buffer, bytes.byteOffset).getBigUint64(0, true));
  if (n > bytes.length - 8) throw new Error(`${path}: header length ${n} is past the end of the file`);
  let header: Record<string, { dtype: string; shape: number[]; data_offsets: [number, number] }>;
  try {
    header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + n)));
  } catch {
    throw new Error(`${path}: unreadable .safetensors header`);
  }
  const out: Record<string, RawArray> = {};
  for (const [name, t] of Object.entries(header)) {
    if (name === '__metadata__') continue;
    const kind = ST_DTYPES[t.dtype];
    if (!kind) throw new Error(`${path}: tensor '${name}' has dtype ${t.dtype}, not supported here`);
    const [a, b] = t.data_offsets;
    out[name] = { data: kind[2](bytes.slice(8 + n + a, 8 + n + b).buffer), dtype: kind[0], shape: t.shape };
  }
  return out;
}

/** Flattens nested JSON arrays of numbers (with their shape); throws on ragged or non-number data. */
export function fromJson(v: unknown, where: string): RawArray {
  if (typeof v === 'number') return { data: [v], dtype: 'number', shape: [] };
  if (v && typeof v === 'object' && !Array.isArray(v) && 'data' in v) {
    const o = v as { data: unknown; shape?: number[] };
    const r = fromJson(o.data, where);
    return { ...r, shape: o.shape ?? r.shape };
  }
  const shape: number[] = [];
  for (let x = v; Array.isArray(x); x = x[0]) shape.push(x.length);
  const data: number[] = [];
  const walk = (x: unknown, d: number): void => {
    if (d === shape.length) {
      if (typeof x !== 'number') throw new Error(`${where}: expected numbers, got ${JSON.stringify(x)}`);
      data.push(x);
      return;
    }
    if (!Array.isArray(x) || x.length !== shape[d]) throw new Error(`${where}: ragged nested arrays`);
    for (const y of x) walk(y, d + 1);
  };
  walk(v, 0);
  return { data, dtype: 'number', shape };
}

/** The inputs given on the command line: by position or by name. */
export type GivenInputs = RawArray[] | Record<string, RawArray>;

/**
 * Reads `--input` values: inline JSON (an array with one array per input, or {name: array}),
 * `@file.json`, or a path to a .json, .npy (one input each; repeat --input for more) or
 * .safetensors file (tensors by input name).
 */
export function readInputs(values: string[]): GivenInputs {
  const byPos: RawArray[] = [];
  const named: Record<string, RawArray> = {};
  let hasNames = false;
  const addJson = (text: string, where: string) => {
    let v: unknown;
    try { v = JSON.parse(text); } catch (e) { throw new Error(`${where}: not JSON (${(e as Error).message})`); }
    if (Array.isArray(v)) v.forEach((x, i) => byPos.push(fromJson(x, `${where}[${i}]`)));
    else if (v && typeof v === 'object') { hasNames = true; for (const [k, x] of Object.entries(v)) named[k] = fromJson(x, `${where}.${k}`); }
    else throw new Error(`${where}: expected an array with one array per input, or an object by input name`);
  };
  for (const value of values) {
    const path = value.startsWith('@') ? value.slice(1) : value;
    const ext = extname(path).toLowerCase();
    const isFile = value.startsWith('@') || (['.json', '.npy', '.safetensors'].includes(ext) && existsSync(path));
    if (!isFile) { addJson(value, '--input'); continue; }
    if (!existsSync(path)) throw new Error(`${path}: no such file`);
    const bytes = new Uint8Array(readFileSync(path));
    if (ext === '.npy') byPos.push(readNpy(bytes, path));
    else if (ext === '.safetensors') { hasNames = true; Object.assign(named, readSafetensors(bytes, path)); }
    else addJson(new TextDecoder().decode(bytes), path);
  }
  if (hasNames && byPos.length) throw new Error('give inputs either by position (arrays, .npy) or by name (objects, .safetensors), not both');
  return hasNames ? named : byPos;
}

const INT_DTYPES = new Set(['int8', 'uint8', 'int16', 'int32', 'int64', 'bool']);

/**
 * Converts given arrays to what `model.run` takes for each input. Float values for a
 * quantized integer input become a Float32Array, which `run` quantizes with the input's
 * scale and zero point; with `raw`, numbers pass as the quantized integers they are.
 * A single-input model takes a lone array by position even when its name differs.
 */
export function toRunInputs(given: GivenInputs, inputs: TensorInfo[], raw: boolean): InputValue[] {
  const names = inputs.map((t) => t.name);
  let list: RawArray[];
  if (Array.isArray(given)) {
    if (given.length !== inputs.length) throw new Error(`the model takes ${inputs.length} input(s) (${names.join(', ')}); got ${given.length}`);
    list = given;
  } else {
    const keys = Object.keys(given);
    if (keys.length === 1 && inputs.length === 1 && !(names[0]! in given)) list = [given[keys[0]!]!];
    else {
      const unknown = keys.filter((k) => !names.includes(k));
      if (unknown.length) throw new Error(`unknown input(s) ${unknown.join(', ')}; the model's inputs: ${names.join(', ')}`);
      const missing = names.filter((k) => !(k in given));
      if (missing.length) throw new Error(`missing input(s) ${missing.join(', ')}`);
      list = names.map((k) => given[k]!);
    }
  }
  return list.map((a, k) => {
    const t = inputs[k]!;
    const quantized = !!t.quantization && INT_DTYPES.has(t.dtype) && t.dtype !== 'bool';
    const isFloatData = a.dtype === 'float32' || a.dtype === 'float64' || a.dtype === 'number';
    let data: InputValue;
    if (t.dtype === 'float32' || (quantized && !raw && isFloatData)) data = Float32Array.from(a.data);
    else if (quantized && raw && a.dtype === t.dtype) data = a.data as Int8Array;
    else data = Array.from(a.data);
    const dyn = t.shapeSignature?.includes(-1);
    return dyn && a.shape && a.shape.length === t.shapeSignature!.length ? { data: data as Float32Array, shape: a.shape } : data;
  });
}

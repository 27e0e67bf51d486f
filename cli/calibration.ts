/**
 * Calibration data for `tglite convert --quantize int8 --calibration PATH`, read into the
 * input sets `convert` takes. PATH is:
 * - `file.json`: an array of input sets (arrays by position or objects by input name; values
 *   nested number arrays or `{ data, shape }`);
 * - `file.safetensors` / `file.npz`: one array per input, named by the input (a single-input
 *   model may use any name), samples stacked along the first dim;
 * - `file.npy`: one array (single-input models), samples stacked along the first dim;
 * - a directory: every .json, .safetensors, .npz and .npy file in it, in name order.
 * A stacked array is cut into samples of the model's input shape: [N, ...] for an input of
 * shape [1, ...], [N*B, ...] for a batch of B, or exactly one sample.
 *
 * ```ts
 * const sets = await readCalibration('calib.npz', [{ name: 'input', shape: [1, 3, 224, 224] }]);
 * ```
 */
import { readdir, readFile, stat } from 'node:fs/promises';
import { extname, join } from 'node:path';
import { inflateRawSync } from 'node:zlib';
import { CalibrationError } from '../converter/index.js';
import { loadBytes } from '../training/checkpoint.js';

export interface CalibInput { name: string; shape: readonly number[] }
interface NdArray { data: Float32Array | Int32Array; shape: number[] }

const count = (s: readonly number[]) => s.reduce((a, b) => a * b, 1);
const fmt = (s: readonly number[]) => `[${s.join(', ')}]`;

/** Cuts a stacked array into samples of `want`. */
function split(a: NdArray, want: readonly number[], where: string): NdArray[] {
  const n = count(want);
  const inner = (s: readonly number[]) => s.length === want.length && s.slice(1).every((d, i) => d === want[i + 1]);
  const ok = (a.shape.length === want.length + 1 && a.shape.slice(1).every((d, i) => d === want[i])) || inner(a.shape)
    || (a.shape.length === want.length - 1 && a.shape.every((d, i) => d === want[i + 1]) && want[0] === 1);
  if (!ok || n === 0 || a.data.length % n !== 0) {
    throw new CalibrationError(`${where}: shape ${fmt(a.shape)} does not hold samples of the model's input shape ${fmt(want)} (expected [N, ${want.join(', ')}] or [N*${want[0]}, ${want.slice(1).join(', ')}])`);
  }
  const out: NdArray[] = [];
  for (let k = 0; k < a.data.length / n; k++) out.push({ data: a.data.slice(k * n, (k + 1) * n), shape: [...want] });
  return out;
}

/** Named arrays (one per input) to input sets. */
function fromNamed(arrays: Record<string, NdArray>, inputs: readonly CalibInput[], file: string): unknown[] {
  const names = Object.keys(arrays);
  const per = inputs.map((inp) => {
    const a = arrays[inp.name] ?? (inputs.length === 1 && names.length === 1 ? arrays[names[0]] : undefined);
    if (!a) throw new CalibrationError(`${file}: no array for input '${inp.name}' (arrays: ${names.join(', ') || 'none'})`);
    return split(a, inp.shape, `${file}, input '${inp.name}'`);
  });
  const n = per[0]?.length ?? 0;
  if (per.some((p) => p.length !== n)) throw new CalibrationError(`${file}: the inputs hold different numbers of samples (${per.map((p, k) => `${inputs[k].name}: ${p.length}`).join(', ')})`);
  return Array.from({ length: n }, (_, s) => Object.fromEntries(inputs.map((inp, k) => [inp.name, per[k][s]])));
}

/** A .npy file's array (little-endian f4/f8/i4/i8/u1/i1, C order). */
export function parseNpy(b: Uint8Array, where: string): NdArray {
  if (b.length < 10 || b[0] !== 0x93 || String.fromCharCode(...b.subarray(1, 6)) !== 'NUMPY') throw new CalibrationError(`${where}: not a .npy array`);
  const major = b[6];
  const hl = major === 1 ? b[8] | (b[9] << 8) : new DataView(b.buffer, b.byteOffset + 8, 4).getUint32(0, true);
  const start = major === 1 ? 10 : 12;
  const header = new TextDecoder().decode(b.subarray(start, start + hl));
  const descr = /'descr':\s*'([^']+)'/.exec(header)?.[1];
  const fortran = /'fortran_order':\s*True/.test(header);
  const shape = (/'shape':\s*\(([^)]*)\)/.exec(header)?.[1] ?? '').split(',').map((s) => s.trim()).filter(Boolean).map(Number);
  if (!descr || fortran) throw new CalibrationError(`${where}: unsupported .npy header ${header.trim()}`);
  const body = b.slice(start + hl);
  const n = count(shape);
  const dv = new DataView(body.buffer, body.byteOffset, body.byteLength);
  const size: Record<string, number> = { '<f4': 4, '<f8': 8, '<i4': 4, '<i8': 8, '|u1': 1, '|i1': 1, '<f2': 2 };
  if (!(descr in size) || body.length < n * size[descr]) throw new CalibrationError(`${where}: dtype ${descr} is not supported (float32/64, int8/32/64, uint8) or the data is short`);
  const get = (i: number): number => {
    switch (descr) {
      case '<f4': return dv.getFloat32(i * 4, true);
      case '<f8': return dv.getFloat64(i * 8, true);
      case '<i4': return dv.getInt32(i * 4, true);
      case '<i8': return Number(dv.getBigInt64(i * 8, true));
      case '|u1': return dv.getUint8(i);
      case '|i1': return dv.getInt8(i);
      default: return halfToFloat(dv.getUint16(i * 2, true));
    }
  };
  const isInt = descr.includes('i') || descr.includes('u');
  const data = isInt ? Int32Array.from({ length: n }, (_, i) => get(i)) : Float32Array.from({ length: n }, (_, i) => get(i));
  return { data, shape };
}

function halfToFloat(h: number): number {
  const s = h & 0x8000 ? -1 : 1, e = (h >> 10) & 0x1f, m = h & 0x3ff;
  if (e === 0) return s * m * 2 ** -24;
  if (e === 31) return m ? NaN : s * Infinity;
  return s * (1 + m / 1024) * 2 ** (e - 15);
}

/** The .npy members of a .npz (zip, stored or deflated) by name without the extension. */
export function parseNpz(b: Uint8Array, where: string): Record<string, NdArray> {
  const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
  let eocd = -1;
  for (let i = b.length - 22; i >= Math.max(0, b.length - 65_557); i--) if (dv.getUint32(i, true) === 0x06054b50) { eocd = i; break; }
  if (eocd < 0) throw new CalibrationError(`${where}: not a .npz (zip) file`);
  const entries = dv.getUint16(eocd + 10, true);
  let p = dv.getUint32(eocd + 16, true);
  const out: Record<string, NdArray> = {};
  for (let k = 0; k < entries; k++) {
    if (dv.getUint32(p, true) !== 0x02014b50) throw new CalibrationError(`${where}: corrupt zip directory`);
    const method = dv.getUint16(p + 10, true);
    const csize = dv.getUint32(p + 20, true);
    const nlen = dv.getUint16(p + 28, true), xlen = dv.getUint16(p + 30, true), clen = dv.getUint16(p + 32, true);
    const local = dv.getUint32(p + 42, true);
    const name = new TextDecoder().decode(b.subarray(p + 46, p + 46 + nlen));
    p += 46 + nlen + xlen + clen;
    const lstart = local + 30 + dv.getUint16(local + 26, true) + dv.getUint16(local + 28, true);
    const raw = b.subarray(lstart, lstart + csize);
    if (method !== 0 && method !== 8) throw new CalibrationError(`${where}: member ${name} uses zip method ${method} (stored or deflated only)`);
    const data = method === 8 ? new Uint8Array(inflateRawSync(raw)) : raw;
    if (name.endsWith('.npy')) out[name.slice(0, -4)] = parseNpy(data, `${where}:${name}`);
  }
  return out;
}

async function readFileSets(file: string, inputs: readonly CalibInput[]): Promise<unknown[]> {
  const ext = extname(file).toLowerCase();
  const b = new Uint8Array(await readFile(file));
  if (ext === '.json') {
    let v: unknown;
    try { v = JSON.parse(new TextDecoder().decode(b)); } catch (e) { throw new CalibrationError(`${file}: not valid JSON (${(e as Error).message})`); }
    if (!Array.isArray(v)) throw new CalibrationError(`${file}: expected a JSON array of input sets`);
    return v;
  }
  if (ext === '.safetensors') {
    let tensors;
    try { tensors = loadBytes(b, file).tensors; } catch (e) { throw new CalibrationError((e as Error).message); }
    const arrays: Record<string, NdArray> = {};
    for (const [k, t] of Object.entries(tensors)) arrays[k] = { data: t.data() as Float32Array, shape: [...t.shape] };
    return fromNamed(arrays, inputs, file);
  }
  if (ext === '.npz') return fromNamed(parseNpz(b, file), inputs, file);
  if (ext === '.npy') {
    if (inputs.length !== 1) throw new CalibrationError(`${file}: a .npy file holds one array; the model has ${inputs.length} inputs (use .npz or .safetensors with one array per input)`);
    return fromNamed({ [inputs[0].name]: parseNpy(b, file) }, inputs, file);
  }
  throw new CalibrationError(`${file}: unknown calibration format '${ext}' (.json, .safetensors, .npz, .npy, or a directory of them)`);
}

/** Reads calibration input sets from a file or directory (see the module comment). */
export async function readCalibration(path: string, inputs: readonly CalibInput[]): Promise<unknown[]> {
  let st;
  try { st = await stat(path); } catch { throw new CalibrationError(`calibration data '${path}' does not exist`); }
  if (!st.isDirectory()) return readFileSets(path, inputs);
  const files = (await readdir(path)).filter((f) => ['.json', '.safetensors', '.npz', '.npy'].includes(extname(f).toLowerCase())).sort();
  if (!files.length) throw new CalibrationError(`calibration directory '${path}' has no .json, .safetensors, .npz or .npy files`);
  const sets: unknown[] = [];
  for (const f of files) sets.push(...await readFileSets(join(path, f), inputs));
  return sets;
}

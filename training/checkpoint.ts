import { readFileBytes, writeFileAtomic } from './files.js';
import type { DType } from './dtype.js';
import { FormatError } from './errors.js';
import { fmtShape, sizeOf } from './shape.js';
import { Tensor } from './tensor.js';

/** A flat name -> tensor map, as `Module.stateDict()` returns. */
export type StateDict = Record<string, Tensor>;

const TO_ST: Record<DType, string> = { float32: 'F32', int32: 'I32', bool: 'BOOL' };
const FROM_ST: Record<string, DType> = { F32: 'float32', I32: 'int32', BOOL: 'bool' };
const ITEM: Record<DType, number> = { float32: 4, int32: 4, bool: 1 };
const MAX_HEADER = 100_000_000;

/**
 * Serializes tensors to safetensors bytes (readable by other safetensors tools).
 * @example const bytes = tg.saveBytes(model.stateDict(), { epoch: '3' })
 */
export function saveBytes(state: StateDict, metadata: Record<string, string> = {}): Uint8Array {
  const names = Object.keys(state).sort();
  const header: Record<string, unknown> = {};
  if (Object.keys(metadata).length) header.__metadata__ = metadata;
  let offset = 0;
  for (const name of names) {
    const t = state[name];
    const bytes = t.numel * ITEM[t.dtype];
    header[name] = { dtype: TO_ST[t.dtype], shape: [...t.shape], data_offsets: [offset, offset + bytes] };
    offset += bytes;
  }
  let json = JSON.stringify(header);
  json += ' '.repeat((8 - ((json.length + 8) % 8)) % 8); // align the data section to 8 bytes
  const headerBytes = new TextEncoder().encode(json);
  const out = new Uint8Array(8 + headerBytes.length + offset);
  new DataView(out.buffer).setBigUint64(0, BigInt(headerBytes.length), true);
  out.set(headerBytes, 8);
  let pos = 8 + headerBytes.length;
  for (const name of names) {
    const data = state[name]._values('save');
    const view = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
    out.set(view, pos);
    pos += view.length;
  }
  return out;
}

/** Parses safetensors bytes; every field is checked, corrupt input raises FormatError. */
export function loadBytes(bytes: Uint8Array, source = 'checkpoint'): { tensors: StateDict; metadata: Record<string, string> } {
  if (bytes.length < 8) throw new FormatError(`${source}: ${bytes.length} bytes is too short for a safetensors file (needs an 8-byte header length)`);
  const n = Number(new DataView(bytes.buffer, bytes.byteOffset, 8).getBigUint64(0, true));
  if (n > MAX_HEADER || 8 + n > bytes.length) {
    throw new FormatError(`${source}: header length ${n} exceeds the file (${bytes.length} bytes): truncated or not a safetensors file`);
  }
  let header: Record<string, unknown>;
  try {
    header = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(8, 8 + n)));
  } catch (e) {
    throw new FormatError(`${source}: header is not valid JSON (${(e as Error).message})`);
  }
  if (typeof header !== 'object' || header === null || Array.isArray(header)) throw new FormatError(`${source}: header is not a JSON object`);
  const data = bytes.subarray(8 + n);
  const tensors: StateDict = {};
  let metadata: Record<string, string> = {};
  const ranges: [number, number, string][] = [];
  for (const [name, entry] of Object.entries(header)) {
    if (name === '__metadata__') {
      if (typeof entry !== 'object' || entry === null || Array.isArray(entry) || !Object.values(entry).every((v) => typeof v === 'string')) {
        throw new FormatError(`${source}: __metadata__ must map names to strings, got ${JSON.stringify(entry)}`);
      }
      metadata = entry as Record<string, string>;
      continue;
    }
    const e = entry as { dtype?: unknown; shape?: unknown; data_offsets?: unknown };
    const dtype = FROM_ST[String(e.dtype)];
    if (!dtype) throw new FormatError(`${source}: tensor '${name}' has unsupported dtype ${String(e.dtype)} (supported: F32, I32, BOOL)`);
    const shape = e.shape;
    if (!Array.isArray(shape) || !shape.every((d) => Number.isInteger(d) && d >= 0)) throw new FormatError(`${source}: tensor '${name}' has an invalid shape ${JSON.stringify(shape)}`);
    const offs = e.data_offsets;
    if (!Array.isArray(offs) || offs.length !== 2 || !offs.every((d) => Number.isInteger(d) && d >= 0) || offs[1] < offs[0]) {
      throw new FormatError(`${source}: tensor '${name}' has invalid data_offsets ${JSON.stringify(offs)}`);
    }
    const [begin, end] = offs as [number, number];
    const want = sizeOf(shape) * ITEM[dtype];
    if (end - begin !== want) throw new FormatError(`${source}: tensor '${name}' ${dtype}${fmtShape(shape)} needs ${want} bytes, data_offsets span ${end - begin}`);
    if (end > data.length) throw new FormatError(`${source}: tensor '${name}' ends at byte ${end} of a ${data.length}-byte data section: file truncated`);
    ranges.push([begin, end, name]);
    const copy = new Uint8Array(end - begin); // a fresh, aligned copy (Buffer.slice would share its pool)
    copy.set(data.subarray(begin, end));
    const storage = dtype === 'float32' ? new Float32Array(copy.buffer) : dtype === 'int32' ? new Int32Array(copy.buffer) : new Uint8Array(copy.buffer);
    tensors[name] = Tensor._fromStorage(shape, dtype, storage);
  }
  ranges.sort((a, b) => a[0] - b[0]);
  for (let i = 1; i < ranges.length; i++) {
    if (ranges[i][0] < ranges[i - 1][1]) throw new FormatError(`${source}: tensors '${ranges[i - 1][2]}' and '${ranges[i][2]}' overlap`);
  }
  return { tensors, metadata };
}

/**
 * Saves a state dict as a .safetensors file, atomically.
 * @example await tg.save(model.stateDict(), 'model.safetensors')
 */
export async function save(state: StateDict, path: string, metadata?: Record<string, string>): Promise<void> {
  writeFileAtomic(path, saveBytes(state, metadata), 'tg.save');
}

/**
 * Loads a .safetensors file into a state dict.
 * @example model.loadStateDict(await tg.load('model.safetensors'))
 */
export async function load(path: string): Promise<StateDict> {
  return loadBytes(readFileBytes(path, 'tg.load'), path).tensors;
}

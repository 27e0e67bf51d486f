/**
 * The HTTP API of a served model, on the web's Request/Response (Workers, Node 18+, Deno):
 *   GET  /model    -> { inputs, outputs, signatures, backend, limits }
 *   POST /predict  <- { "inputs": [<nested array per input>] } | { "inputs": { "<name>": <nested array> } }
 *                     | a raw little-endian float32 body (Content-Type: application/octet-stream, one-input models)
 *                  -> { "outputs": [{ "name", "shape", "dtype", "data" }] }
 * It mirrors `model.run`: float values for a quantized (int8/uint8) input are quantized
 * with the input's scale and zero point; `"raw": true` passes quantized integers as they
 * are; `"dequantize": true` returns quantized outputs as float32. Every bad request gets a
 * 4xx JSON error `{ "error": { "status", "code", "message" } }`.
 *
 * ```ts
 * const handle = createHandler(() => loadModel(bytes));
 * const res = await handle(new Request('http://x/predict', { method: 'POST', body: '{"inputs":[[[1.5]]]}' }));
 * ```
 */
import type { InputValue, LiteModel, OutputTensor, TensorInfo } from './runtime.js';

/** Options of createHandler. */
export interface HandlerOptions {
  /** Largest accepted request body in bytes (default: 64 KiB plus 32 bytes per input element, at most 32 MiB). */
  maxBodyBytes?: number;
}

/** A 4xx answer to a bad request. */
export class RequestError extends Error {
  constructor(readonly status: number, readonly code: string, message: string) {
    super(message);
  }
}

const INT_RANGE: Record<string, [number, number]> = {
  int8: [-128, 127], uint8: [0, 255], int16: [-32768, 32767], int32: [-2147483648, 2147483647], bool: [0, 1],
};

function json(body: unknown, status = 200): Response {
  return new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json; charset=utf-8' } });
}

function errorResponse(e: RequestError): Response {
  return json({ error: { status: e.status, code: e.code, message: e.message } }, e.status);
}

const count = (shape: readonly number[]) => shape.reduce((a, b) => a * b, 1);
const fmt = (shape: readonly number[]) => `[${shape.join(', ')}]`;

/** Reads the body up to `limit` bytes; 413 past it (checked on Content-Length first, then while reading). */
async function readBody(req: Request, limit: number): Promise<Uint8Array> {
  const declared = Number(req.headers.get('content-length') ?? NaN);
  if (Number.isFinite(declared) && declared > limit) throw new RequestError(413, 'body_too_large', `the body is ${declared} bytes; the limit is ${limit}`);
  if (!req.body) return new Uint8Array(0);
  const reader = req.body.getReader();
  const parts: Uint8Array[] = [];
  let n = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    n += value.byteLength;
    if (n > limit) {
      await reader.cancel().catch(() => {});
      throw new RequestError(413, 'body_too_large', `the body is over the limit of ${limit} bytes`);
    }
    parts.push(value);
  }
  const out = new Uint8Array(n);
  let o = 0;
  for (const p of parts) { out.set(p, o); o += p.byteLength; }
  return out;
}

/** The shape of a nested array of numbers and its values, flattened; 400 when ragged or not numbers. */
function flatten(v: unknown, where: string): { shape: number[]; values: number[] } {
  const shape: number[] = [];
  for (let x = v; Array.isArray(x); x = x[0]) shape.push(x.length);
  if (!Array.isArray(v)) {
    if (typeof v === 'number') return { shape: [], values: [v] };
    throw new RequestError(400, 'bad_input', `${where} must be a (nested) array of numbers, got ${v === null ? 'null' : typeof v}`);
  }
  if (shape.length > 8) throw new RequestError(400, 'bad_shape', `${where} is nested ${shape.length} deep; inputs have at most 8 dims`);
  const values: number[] = [];
  const walk = (x: unknown, d: number, path: string): void => {
    if (d === shape.length) {
      if (typeof x === 'number' && !Number.isFinite(x)) throw new RequestError(400, 'bad_input', `${where}${path} is ${x}: values must be finite`);
      if (typeof x !== 'number') throw new RequestError(400, 'bad_input', `${where}${path} must be a number, got ${Array.isArray(x) ? 'an array (ragged nesting)' : x === null ? 'null' : typeof x}`);
      values.push(x);
      return;
    }
    if (!Array.isArray(x) || x.length !== shape[d]) {
      throw new RequestError(400, 'bad_shape', `${where}${path} must be an array of ${shape[d]} (ragged nesting)`);
    }
    for (let i = 0; i < x.length; i++) walk(x[i], d + 1, `${path}[${i}]`);
  };
  walk(v, 0, '');
  return { shape, values };
}

/** The shape the given data takes for input `t`: its own shape when it fits the signature, or the input's for a flat array. */
function matchShape(t: TensorInfo, shape: number[], n: number, where: string): number[] {
  const sig = t.shapeSignature ?? t.shape;
  const fits = shape.length === sig.length && shape.every((d, i) => sig[i] === -1 || sig[i] === d);
  if (fits) return shape;
  if (shape.length <= 1 && !sig.includes(-1) && n === count(sig)) return sig.slice();
  throw new RequestError(400, 'bad_shape', `${where} has shape ${fmt(shape)}; input '${t.name}' takes ${fmt(sig)}${sig.includes(-1) ? ' (-1: any size)' : ''}`);
}

/** Typed data for input `t` from JSON numbers, checked against its dtype. */
function typed(t: TensorInfo, values: number[], raw: boolean, where: string): InputValue {
  const quantized = t.quantization !== undefined && t.dtype !== 'float32';
  if (t.dtype === 'float32' || t.dtype === 'float16' || (quantized && !raw && t.dtype in INT_RANGE && t.dtype !== 'bool')) {
    return Float32Array.from(values);
  }
  const range = INT_RANGE[t.dtype];
  if (!range) throw new RequestError(400, 'bad_dtype', `input '${t.name}' is ${t.dtype}, which this server does not take from JSON`);
  for (let i = 0; i < values.length; i++) {
    const x = values[i]!;
    if (!Number.isInteger(x) || x < range[0] || x > range[1]) {
      throw new RequestError(400, 'bad_dtype', `${where}: value ${x} at flat index ${i} is not a ${t.dtype} (integers ${range[0]}..${range[1]})${quantized ? '; drop "raw" to send float values that are quantized for you' : ''}`);
    }
  }
  switch (t.dtype) {
    case 'int8': return Int8Array.from(values);
    case 'uint8': case 'bool': return Uint8Array.from(values);
    case 'int16': return Int16Array.from(values);
    default: return Int32Array.from(values);
  }
}

interface Parsed { inputs: InputValue[]; dequantize: boolean }

function parseJson(model: LiteModel, text: string): Parsed {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch (e) {
    throw new RequestError(400, 'bad_json', `the body is not JSON: ${(e as Error).message}`);
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body) || !('inputs' in body)) {
    throw new RequestError(400, 'bad_request', 'the body must be a JSON object with "inputs": an array (one nested array per input, in order) or an object by input name');
  }
  const b = body as { inputs: unknown; raw?: unknown; dequantize?: unknown };
  for (const k of Object.keys(b)) {
    if (!['inputs', 'raw', 'dequantize'].includes(k)) throw new RequestError(400, 'bad_request', `unknown field "${k}"; fields are inputs, raw, dequantize`);
  }
  for (const k of ['raw', 'dequantize'] as const) {
    if (b[k] !== undefined && typeof b[k] !== 'boolean') throw new RequestError(400, 'bad_request', `"${k}" must be true or false`);
  }
  const names = model.inputs.map((t) => t.name);
  let given: unknown[];
  if (Array.isArray(b.inputs)) {
    given = b.inputs;
    if (given.length !== names.length) throw new RequestError(400, 'bad_inputs', `"inputs" has ${given.length} entries; the model takes ${names.length} (${names.join(', ')})`);
  } else if (typeof b.inputs === 'object' && b.inputs !== null) {
    const rec = b.inputs as Record<string, unknown>;
    const unknown = Object.keys(rec).filter((k) => !names.includes(k));
    if (unknown.length) throw new RequestError(400, 'bad_inputs', `unknown input ${unknown.map((k) => `'${k}'`).join(', ')}; inputs are ${names.join(', ')}`);
    const missing = names.filter((k) => !(k in rec));
    if (missing.length) throw new RequestError(400, 'bad_inputs', `missing input ${missing.map((k) => `'${k}'`).join(', ')}`);
    given = names.map((k) => rec[k]);
  } else {
    throw new RequestError(400, 'bad_inputs', '"inputs" must be an array or an object by input name');
  }
  const inputs = model.inputs.map((t, k) => {
    const where = `inputs[${Array.isArray(b.inputs) ? k : JSON.stringify(t.name)}]`;
    const { shape, values } = flatten(given[k], where);
    const s = matchShape(t, shape, values.length, where);
    const data = typed(t, values, b.raw === true, where);
    return t.shapeSignature?.includes(-1) ? { data: data as Float32Array, shape: s } : data;
  });
  return { inputs, dequantize: b.dequantize === true };
}

function parseRaw(model: LiteModel, bytes: Uint8Array): Parsed {
  if (model.inputs.length !== 1) throw new RequestError(400, 'bad_request', `a raw body needs a one-input model; this one takes ${model.inputs.length}: send JSON`);
  const t = model.inputs[0]!;
  if (bytes.byteLength % 4 !== 0) throw new RequestError(400, 'bad_shape', `a raw body is little-endian float32: ${bytes.byteLength} bytes is not a multiple of 4`);
  const n = bytes.byteLength / 4;
  const data = new Float32Array(n);
  new Uint8Array(data.buffer).set(bytes);
  const sig = t.shapeSignature ?? t.shape;
  if (!sig.includes(-1) && n !== count(sig)) throw new RequestError(400, 'bad_shape', `a raw body of ${n} float32 values; input '${t.name}' takes ${count(sig)} (${fmt(sig)})`);
  if (t.dtype !== 'float32' && !(t.quantization && t.dtype in INT_RANGE)) throw new RequestError(400, 'bad_dtype', `input '${t.name}' is ${t.dtype}; a raw body is float32`);
  return { inputs: [data], dequantize: false };
}

function outputJson(o: OutputTensor) {
  const data = typeof o.data[0] === 'bigint' ? Array.from(o.data as BigInt64Array, (x) => Number(x)) : Array.from(o.data as ArrayLike<number>);
  return { name: o.name, shape: o.shape, dtype: o.dtype, data };
}

/** The model's metadata, as GET /model answers. */
export function describe(model: LiteModel, maxBodyBytes: number) {
  return {
    inputs: model.inputs, outputs: model.outputs, signatures: model.signatures, backend: model.backend,
    limits: { maxBodyBytes }, memory: model.memory,
  };
}

/** The default body limit for a model: 64 KiB plus 32 bytes per input element, at most 32 MiB. */
export function defaultBodyLimit(model: LiteModel): number {
  const elems = model.inputs.reduce((a, t) => a + count(t.shape), 0);
  return Math.min(32 << 20, 65536 + 32 * elems);
}

/**
 * A fetch handler serving the model from `load` (called once, on the first request;
 * a failed load is retried on the next request).
 */
export function createHandler(load: () => Promise<LiteModel>, opts: HandlerOptions = {}): (req: Request) => Promise<Response> {
  let model: Promise<LiteModel> | null = null;
  const get = () => {
    model ??= load().catch((e: unknown) => { model = null; throw e; });
    return model;
  };
  return async (req) => {
    try {
      const url = new URL(req.url);
      const m = await get();
      const limit = opts.maxBodyBytes ?? defaultBodyLimit(m);
      if (url.pathname === '/model') {
        if (req.method !== 'GET' && req.method !== 'HEAD') throw new RequestError(405, 'method_not_allowed', 'GET /model');
        return json(describe(m, limit));
      }
      if (url.pathname === '/predict') {
        if (req.method !== 'POST') throw new RequestError(405, 'method_not_allowed', 'POST /predict with a JSON or raw float32 body');
        const type = (req.headers.get('content-type') ?? '').split(';')[0]!.trim().toLowerCase();
        const isRaw = type === 'application/octet-stream';
        if (!isRaw && type !== 'application/json' && type !== '' && type !== 'text/plain') {
          throw new RequestError(415, 'unsupported_media_type', `Content-Type ${type}: send application/json, or application/octet-stream (raw float32)`);
        }
        const bytes = await readBody(req, limit);
        const parsed = isRaw ? parseRaw(m, bytes) : parseJson(m, new TextDecoder().decode(bytes));
        let outs: OutputTensor[];
        try {
          outs = m.runSync(parsed.inputs, { dequantize: parsed.dequantize });
        } catch (e) {
          const err = e as Error;
          if (err.name === 'InputError') throw new RequestError(400, 'bad_input', err.message);
          throw e;
        }
        return json({ outputs: outs.map(outputJson) });
      }
      throw new RequestError(404, 'not_found', `no route ${req.method} ${url.pathname}; routes: GET /model, POST /predict`);
    } catch (e) {
      if (e instanceof RequestError) return errorResponse(e);
      const err = e as Error;
      return json({ error: { status: 500, code: 'internal', message: `${err.name}: ${err.message}` } }, 500);
    }
  };
}

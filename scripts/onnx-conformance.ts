/**
 * The ONNX node conformance suite through the converter: every case of
 * ../shared/conformance/onnx-1.17/node (model.onnx + test_data_set_0/input_N.pb, output_N.pb)
 * whose ops the converter claims (importableOnnxOps) is converted to .tflite, run in the
 * lite runtime on the stored inputs and compared with the stored outputs (|d| <= 1e-4 +
 * 1e-3 |want|; integer and bool outputs exactly). Each case is 'passed', 'failed' (with the
 * reason) or 'unsupported' (an op the converter does not claim, or a dtype the lite runtime
 * does not run: double, float16, strings, unsigned 64-bit...). Cases are grouped by the op
 * under test (the op whose name starts the case name; `_expanded` cases under that op).
 *
 *   npx tsx scripts/onnx-conformance.ts [--write docs/onnx-conformance.md] [--filter relu] [--failures]
 *
 * ```ts
 * const results = await runConformance(dir); // [{ name, op, status, reason }]
 * ```
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { convert } from '../converter/convert.js';
import { UnsupportedOpsError } from '../converter/errors.js';
import { decodeOnnx, decodeTensor, type OnnxTensorMsg } from '../converter/onnx-import/decode.js';
import { importableOnnxOps } from '../converter/onnx-import/import.js';
import { loadModel } from '../lite-runtime/index.js';
import { onnxTypes } from '../training/onnx/proto.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const CONFORMANCE_DIR = path.resolve(ROOT, '../shared/conformance/onnx-1.17/node');
export const TABLE = path.join(ROOT, 'docs/onnx-conformance.md');

export type Status = 'passed' | 'failed' | 'unsupported';
export interface CaseResult { name: string; op: string; status: Status; reason?: string }

/** Element types the lite runtime runs (float, int8/16/32/64 read as int32, uint8/16, bool). */
const RUNNABLE = new Set([1, 2, 3, 4, 5, 6, 7, 9]);

const snake = (op: string) => op.replace(/([a-z0-9])([A-Z])/g, '$1_$2').replace(/([A-Z])([A-Z][a-z])/g, '$1_$2').toLowerCase();

function readTensor(file: string): OnnxTensorMsg {
  const T = onnxTypes().ModelProto.root.lookupType('onnx.TensorProto');
  return T.toObject(T.decode(fs.readFileSync(file)), { longs: Number, arrays: true }) as OnnxTensorMsg;
}

/** The op a case tests: the node op whose snake_case name is the longest prefix of the case name. */
function opOf(name: string, ops: string[]): string {
  const base = name.replace(/^test_/, '');
  let best = '';
  for (const op of new Set(ops)) {
    const s = snake(op);
    if ((base === s || base.startsWith(`${s}_`)) && s.length > snake(best).length) best = op;
  }
  return best || (ops.length === 1 ? ops[0] : ops.length ? ops[0] : 'other');
}

/** Runs one case. */
export async function runCase(dir: string, claimed: Set<string>): Promise<CaseResult> {
  const name = path.basename(dir);
  let model;
  const bytes = new Uint8Array(fs.readFileSync(path.join(dir, 'model.onnx')));
  try { model = decodeOnnx(bytes); } catch (e) { return { name, op: 'other', status: 'unsupported', reason: (e as Error).message }; }
  const nodes = model.graph?.node ?? [];
  const ops = nodes.map((n) => n.op_type ?? '');
  const op = opOf(name, ops);
  const missing = [...new Set(nodes.filter((n) => (n.domain ?? '') !== '' && n.domain !== 'ai.onnx' ? true : !claimed.has(n.op_type ?? '')).map((n) => n.op_type))];
  if (missing.length) return { name, op, status: 'unsupported', reason: `not claimed: ${missing.join(', ')}` };
  const data = path.join(dir, 'test_data_set_0');
  const files = fs.existsSync(data) ? fs.readdirSync(data) : [];
  const inputs = files.filter((f) => /^input_\d+\.pb$/.test(f)).sort((a, b) => parseInt(a.slice(6)) - parseInt(b.slice(6))).map((f) => readTensor(path.join(data, f)));
  const outputs = files.filter((f) => /^output_\d+\.pb$/.test(f)).sort((a, b) => parseInt(a.slice(7)) - parseInt(b.slice(7))).map((f) => readTensor(path.join(data, f)));
  const bad = [...inputs, ...outputs].find((t) => !RUNNABLE.has(t.data_type ?? 0));
  if (bad) return { name, op, status: 'unsupported', reason: `element type ${bad.data_type} (${bad.name ?? ''})` };
  const graphInputs = (model.graph?.input ?? []).filter((v) => !(model.graph?.initializer ?? []).some((i) => i.name === v.name));
  const shapes: Record<string, number[]> = {};
  inputs.forEach((t, k) => { const n = t.name || graphInputs[k]?.name; if (n) shapes[n] = (t.dims ?? []).map(Number); });
  let tfl;
  let note = '';
  let fed = inputs;
  try {
    tfl = await convert(bytes, { inputShapes: shapes });
  } catch (e) {
    const msg = firstLine(e);
    if (/opset \d+ is not supported/.test(msg)) return { name, op, status: 'unsupported', reason: msg };
    // axes, shapes, pads, clip bounds... given as integer or scalar graph inputs: a converter for static graphs takes them as constants
    // (and small 1-D float or bool inputs after the first: Resize scales and roi, Compress conditions)
    const ints = inputs.map((t, k) => [t, k] as const).filter(([t, k]) => t.data_type === 6 || t.data_type === 7 || (t.dims ?? []).length === 0
      || (k > 0 && (t.data_type === 1 || t.data_type === 9) && (t.dims ?? []).length === 1 && Number(t.dims![0]) <= 16));
    if (!ints.length || !/constant|run[- ]time/.test(msg)) return refusedOrFailed(name, op, e);
    try {
      const consts = ints.map(([t, k]) => ({ ...t, name: t.name || graphInputs[k]!.name }));
      const rest = Object.fromEntries(Object.entries(shapes).filter(([n]) => !consts.some((c) => c.name === n)));
      tfl = await convert(withConstants(bytes, consts), { inputShapes: rest });
      note = ' (integer inputs as constants)';
      fed = inputs.filter((t) => !ints.some(([c]) => c === t));
    } catch (e2) {
      return refusedOrFailed(name, op, e2);
    }
  }
  try {
    const m = await loadModel(tfl);
    try {
      const feed = fed.map((t, k) => {
        const d = decodeTensor(t, `input ${k}`);
        const want = m.inputs[k];
        return want?.dtype === 'int64' ? BigInt64Array.from(Array.from(d.data as ArrayLike<number>, (v) => BigInt(v))) : d.data;
      });
      const got = await m.run(feed as never);
      if (got.length < outputs.length) return { name, op, status: 'failed', reason: `${got.length} outputs, expected ${outputs.length}` };
      for (let k = 0; k < outputs.length; k++) {
        const want = decodeTensor(outputs[k], `output ${k}`);
        const g = got[k].data;
        if (g.length !== want.data.length) return { name, op, status: 'failed', reason: `output ${k}: ${g.length} values, expected ${want.data.length} (shape [${want.dims.join(', ')}], got [${got[k].shape.join(', ')}])` };
        for (let i = 0; i < g.length; i++) {
          const a = Number(g[i]), b = Number(want.data[i]);
          const ok = want.dtype === 'float32'
            ? (Number.isNaN(b) ? Number.isNaN(a) : a === b || Math.abs(a - b) <= 1e-4 + 1e-3 * Math.abs(b))
            : a === b || (want.dtype === 'bool' && !!a === !!b);
          if (!ok) return { name, op, status: 'failed', reason: `output ${k}[${i}]: ${a}, expected ${b}` };
        }
      }
      return { name, op, status: 'passed', ...(note ? { reason: note.trim() } : {}) };
    } finally {
      m.dispose();
    }
  } catch (e) {
    return { name, op, status: 'failed', reason: `run: ${firstLine(e)}` };
  }
}

/**
 * A conversion error: 'unsupported' where the converter refuses the case with a reason (an op or attribute
 * it names as unsupported: UnsupportedOpsError; an element type or value kind it does not read), else 'failed'.
 */
function refusedOrFailed(name: string, op: string, e: unknown): CaseResult {
  const msg = firstLine(e);
  const refused = e instanceof UnsupportedOpsError || /element type \S+ is not supported|is not a tensor \(/.test(msg);
  return refused ? { name, op, status: 'unsupported', reason: `refused: ${msg}` } : { name, op, status: 'failed', reason: `convert: ${msg}` };
}

/** The model with `consts` (tensors named as graph inputs) moved into the initializers. */
function withConstants(bytes: Uint8Array, consts: OnnxTensorMsg[]): Uint8Array {
  const { ModelProto } = onnxTypes();
  const m = ModelProto.toObject(ModelProto.decode(bytes), { longs: Number, arrays: true, bytes: Array }) as { graph: { input: { name: string }[]; initializer?: unknown[] } };
  const names = new Set(consts.map((c) => c.name));
  m.graph.input = m.graph.input.filter((v) => !names.has(v.name));
  m.graph.initializer = [...(m.graph.initializer ?? []), ...consts];
  return ModelProto.encode(ModelProto.fromObject(m)).finish();
}

function firstLine(e: unknown): string {
  const s = `${(e as Error).name ?? 'Error'}: ${(e as Error).message ?? String(e)}`;
  return s.split('\n')[0].slice(0, 300);
}

/** Every case of `dir` (optionally those whose name contains `filter`). */
export async function runConformance(dir = CONFORMANCE_DIR, filter?: string): Promise<CaseResult[]> {
  const claimed = new Set(importableOnnxOps());
  const out: CaseResult[] = [];
  for (const c of fs.readdirSync(dir).sort()) {
    if (filter && !c.includes(filter)) continue;
    if (!fs.existsSync(path.join(dir, c, 'model.onnx'))) continue;
    out.push(await runCase(path.join(dir, c), claimed));
  }
  return out;
}

/** Per op: [passed, failed, unsupported]. */
export function tally(results: readonly CaseResult[]): Map<string, [number, number, number]> {
  const m = new Map<string, [number, number, number]>();
  for (const r of results) {
    const row = m.get(r.op) ?? [0, 0, 0];
    row[r.status === 'passed' ? 0 : r.status === 'failed' ? 1 : 2]++;
    m.set(r.op, row);
  }
  return new Map([...m].sort((a, b) => a[0].localeCompare(b[0])));
}

/** The markdown table (docs/onnx-conformance.md). */
export function table(results: readonly CaseResult[]): string {
  const t = tally(results);
  const tot = [0, 1, 2].map((i) => [...t.values()].reduce((s, r) => s + r[i], 0));
  const claimed = [...t].filter(([, r]) => r[0] + r[1] > 0);
  const lines = [
    '# ONNX node conformance through the converter',
    '',
    'Generated by `npx tsx scripts/onnx-conformance.ts --write docs/onnx-conformance.md` from the ONNX 1.17 node test cases',
    '(`../shared/conformance/onnx-1.17/node`): each case whose ops the converter claims is converted to .tflite, run in the lite',
    'runtime on `test_data_set_0` and compared with the expected outputs (float: |d| <= 1e-4 + 1e-3 |expected|; integers exactly).',
    'Integer, scalar and small 1-D float and bool inputs (axes, shapes, clip bounds, Resize scales and roi, Compress conditions) that the converter needs as constants are folded in as initializers when conversion asks for it.',
    '*unsupported*: an op the converter does not claim, a case it refuses with a reason (an attribute or mode the runtime cannot express), or element types the runtime does not run (double, float16, strings, ...).',
    '`test/converter/onnx-conformance.test.ts` checks that no op passes fewer cases than listed here.',
    '',
    `**Totals: ${tot[0]} passed, ${tot[1]} failed, ${tot[2]} unsupported of ${results.length} cases; ${claimed.length} ops with claimed cases.**`,
    '',
    `Unsupported: ${why(results, /^not claimed/)} with ops the converter does not claim, ${why(results, /^refused/)} refused by the converter with a reason (listed below), ${why(results, /is not supported \(11 to/)} of an opset it does not read, ${why(results, /^element type/)} with element types the runtime does not run, ${why(results, /^(?!not claimed|refused|element type|.*is not supported \(11 to)/)} other.`,
    '',
    '| op | passed | failed | unsupported |',
    '|---|---:|---:|---:|',
    ...[...t].map(([op, r]) => `| ${op} | ${r[0]} | ${r[1]} | ${r[2]} |`),
    '',
    '## Failed cases',
    '',
    ...results.filter((r) => r.status === 'failed').map(item),
    '',
    '## Cases the converter refuses',
    '',
    'Claimed ops with attributes, modes or value kinds the lite runtime cannot express (each refusal is a typed error naming the node and the reason).',
    '',
    ...results.filter((r) => r.status === 'unsupported' && /^refused/.test(r.reason ?? '')).map(item),
    '',
  ];
  return lines.join('\n');
}

const item = (r: CaseResult) => `- \`${r.name}\` (${r.op}): ${(r.reason ?? '').replace(/^refused: /, '').replace(/node 't\d+'/g, 'node').replace(/\|/g, '\\|').replace(/`/g, "'")}`;

const why = (rs: readonly CaseResult[], re: RegExp) => rs.filter((r) => r.status === 'unsupported' && re.test(r.reason ?? '')).length;

/** Per op passed counts of a committed table. */
export function parseTable(md: string): Map<string, number> {
  const m = new Map<string, number>();
  for (const line of md.split('\n')) {
    const r = /^\| (\S+) \| (\d+) \| (\d+) \| (\d+) \|$/.exec(line);
    if (r) m.set(r[1], Number(r[2]));
  }
  return m;
}

async function main(): Promise<void> {
  const arg = (n: string) => { const i = process.argv.indexOf(n); return i >= 0 ? process.argv[i + 1] : undefined; };
  const t0 = Date.now();
  const results = await runConformance(CONFORMANCE_DIR, arg('--filter'));
  const counts = [0, 0, 0];
  for (const r of results) counts[r.status === 'passed' ? 0 : r.status === 'failed' ? 1 : 2]++;
  if (process.argv.includes('--failures')) for (const r of results) if (r.status === 'failed') console.log(`${r.name} (${r.op}): ${r.reason}`);
  console.log(`${results.length} cases in ${((Date.now() - t0) / 1000).toFixed(1)} s: ${counts[0]} passed, ${counts[1]} failed, ${counts[2]} unsupported`);
  const out = arg('--write');
  if (out) { fs.writeFileSync(path.resolve(ROOT, out), table(results)); console.log(`wrote ${out}`); }
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) await main();

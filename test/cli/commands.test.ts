/**
 * The CLI as a new user meets it: `run` reads JSON, .npy and .safetensors inputs and
 * quantizes float inputs to int8 models as the API does (`--raw` passes quantized values);
 * `bench` rejects bad flag values; every command's --help has an example; unknown commands
 * and flags fail; `bundle` and `init worker` write what they say.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { Command } from 'commander';
import { loadModel } from '../../lite-runtime/index.js';
import { readNpy, readSafetensors, toRunInputs } from '../../cli/commands/inputs.js';
import { inspectCommand } from '../../cli/commands/inspect.js';
import { runCommand } from '../../cli/commands/run.js';
import { benchCommand } from '../../cli/commands/bench.js';
import { convertCommand } from '../../cli/commands/convert.js';
import { bundleCommand } from '../../cli/commands/bundle.js';
import { initCommand } from '../../cli/commands/init.js';
import { modelPath } from '../helpers/paths.js';

const ROOT = resolve(import.meta.dirname, '../..');
const INT8 = modelPath('hello_world_int8.tflite');
const DIGITS = join(ROOT, 'examples/models/digits.tflite');

/** Runs the CLI in a child process: { code, out, err }. */
function spawnCli(...args: string[]): { code: number; out: string; err: string } {
  try {
    const out = execFileSync(process.execPath, ['--import', 'tsx', 'cli/index.ts', ...args], { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    return { code: 0, out, err: '' };
  } catch (e) {
    const x = e as { status: number; stdout: string; stderr: string };
    return { code: x.status, out: x.stdout, err: x.stderr };
  }
}

const COMMANDS = [inspectCommand, runCommand, benchCommand, convertCommand, bundleCommand, initCommand];

/** Runs the CLI's commands in this process (as cli/index.ts wires them): { code, out, err }. */
async function cli(...args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '', err = '';
  const io = { writeOut: (s: string) => { out += s; }, writeErr: (s: string) => { err += s; } };
  const program = new Command('tglite').exitOverride().configureOutput(io);
  for (const make of COMMANDS) program.addCommand(make().exitOverride().configureOutput(io));
  const log = vi.spyOn(console, 'log').mockImplementation((...a: unknown[]) => { out += `${a.join(' ')}\n`; });
  try {
    await program.parseAsync(['node', 'tglite', ...args]);
    return { code: 0, out, err };
  } catch (e) {
    const x = e as { exitCode?: number; message: string };
    if (!err.includes(x.message)) err += x.message;
    return { code: x.exitCode || 1, out, err };
  } finally {
    log.mockRestore();
  }
}

/** The API's outputs on a freshly loaded model. */
async function api(path: string, inputs: Parameters<Awaited<ReturnType<typeof loadModel>>['runSync']>[0], dequantize = false): Promise<number[]> {
  const m = await loadModel(readFileSync(path));
  try {
    return Array.from(m.runSync(inputs, { dequantize })[0]!.data as ArrayLike<number>);
  } finally {
    m.dispose();
  }
}

/** A .npy file (format 1.0) of float32 values. */
function npy(shape: number[], data: Float32Array): Uint8Array {
  let header = `{'descr': '<f4', 'fortran_order': False, 'shape': (${shape.join(', ')}${shape.length === 1 ? ',' : ''}), }`;
  header += ' '.repeat(64 - ((10 + header.length + 1) % 64)) + '\n';
  const out = new Uint8Array(10 + header.length + data.byteLength);
  out.set([0x93, ...new TextEncoder().encode('NUMPY'), 1, 0, header.length & 255, header.length >> 8]);
  out.set(new TextEncoder().encode(header), 10);
  out.set(new Uint8Array(data.buffer), 10 + header.length);
  return out;
}

/** A .safetensors file of float32 tensors. */
function safetensors(tensors: Record<string, { shape: number[]; data: Float32Array }>): Uint8Array {
  let off = 0;
  const header: Record<string, unknown> = {};
  for (const [k, t] of Object.entries(tensors)) { header[k] = { dtype: 'F32', shape: t.shape, data_offsets: [off, off + t.data.byteLength] }; off += t.data.byteLength; }
  const h = new TextEncoder().encode(JSON.stringify(header));
  const out = new Uint8Array(8 + h.length + off);
  new DataView(out.buffer).setBigUint64(0, BigInt(h.length), true);
  out.set(h, 8);
  let o = 8 + h.length;
  for (const t of Object.values(tensors)) { out.set(new Uint8Array(t.data.buffer), o); o += t.data.byteLength; }
  return out;
}

describe('tglite CLI commands', { timeout: 120_000 }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'tglite-cli-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('run quantizes float inputs to an int8 model with its parameters, as the API does; --raw passes quantized values', async () => {
    const f = JSON.parse((await cli('run', INT8, '-i', '[[1.5]]', '--dequantize')).out);
    expect(f.outputs[0].data).toEqual(await api(INT8, [new Float32Array([1.5])], true));
    expect(Math.abs(f.outputs[0].data[0] - Math.sin(1.5))).toBeLessThan(0.1); // the new-user case
    const three = JSON.parse((await cli('run', INT8, '-i', '[[3]]', '--dequantize')).out);
    expect(Math.abs(three.outputs[0].data[0] - Math.sin(3))).toBeLessThan(0.1); // 3 is a float value, not a quantized one
    const raw = JSON.parse((await cli('run', INT8, '-i', '[[3]]', '--raw')).out);
    expect(raw.outputs[0]).toMatchObject({ dtype: 'int8', data: await api(INT8, [[3]]) });
    const bad = await cli('run', INT8, '-i', '[[1.5]]', '--raw');
    expect(bad.code).not.toBe(0);
    expect(bad.err).toMatch(/does not fit/);
  });

  it('run reads .npy, .json and .safetensors inputs and gives the API\'s answer', async () => {
    const x = Float32Array.from({ length: 64 }, (_, i) => (i % 7) / 6);
    const want = await api(DIGITS, [x]);
    writeFileSync(join(dir, 'x.npy'), npy([1, 1, 8, 8], x));
    writeFileSync(join(dir, 'x.json'), JSON.stringify({ image: Array.from(x) }));
    writeFileSync(join(dir, 'x.safetensors'), safetensors({ image: { shape: [1, 1, 8, 8], data: x } }));
    for (const f of ['x.npy', 'x.json', 'x.safetensors']) {
      const r = await cli('run', DIGITS, '--input', join(dir, f));
      expect(r.err, f).toBe('');
      expect(JSON.parse(r.out).outputs[0].data, f).toEqual(want);
    }
  });

  it('input readers: .npy and .safetensors round trip; names map to inputs', () => {
    const x = new Float32Array([1, 2, 3, 4, 5, 6]);
    expect(readNpy(npy([2, 3], x))).toMatchObject({ dtype: 'float32', shape: [2, 3] });
    expect(Array.from(readNpy(npy([2, 3], x)).data)).toEqual([1, 2, 3, 4, 5, 6]);
    const st = readSafetensors(safetensors({ a: { shape: [6], data: x } }));
    expect(Array.from(st.a!.data)).toEqual([1, 2, 3, 4, 5, 6]);
    const info = [{ name: 'a', shape: [6], dtype: 'float32' as const }];
    expect(() => toRunInputs({ b: st.a!, c: st.a! }, info, false)).toThrow(/unknown input/);
    expect(() => toRunInputs([st.a!, st.a!], info, false)).toThrow(/takes 1 input/);
    expect(() => readNpy(new Uint8Array(20))).toThrow(/not a .npy/);
  });

  it('bench rejects bad flag values with a clear error', async () => {
    const spawned = spawnCli('bench', INT8, '-n', '0');
    expect(spawned.code).not.toBe(0);
    expect(spawned.err).toMatch(/argument '0' is invalid. expected a whole number >= 1/);
    for (const n of ['abc', '-3', '1.5']) {
      const r = await cli('bench', INT8, '-n', n);
      expect(r.code, n).not.toBe(0);
      expect(r.err, n).toMatch(/expected a whole number >= 1/);
    }
    const w = await cli('bench', INT8, '--warmup', 'x');
    expect(w.err).toMatch(/whole number >= 0/);
    const b = await cli('bench', INT8, '--backend', 'tpu');
    expect((await cli('bench', INT8, '-n', '5', '--warmup', '0', '--backend', 'cpu')).out).toMatch(/median [\d.]+ ms, p90 [\d.]+ ms, p99 [\d.]+ ms, min [\d.]+ ms over 5 runs \(cpu\)/);
    expect(b.err).toMatch(/one of cpu, webgpu/);
  });

  it('unknown commands and flags fail with a non-zero exit', async () => {
    const spawned = spawnCli('frobnicate');
    expect(spawned.code).not.toBe(0);
    expect(spawned.err).toMatch(/unknown command 'frobnicate'/);
    expect((await cli('run', INT8, '--bogus')).err).toMatch(/unknown option '--bogus'/);
    expect((await cli('run', INT8, '-i', '[[1]]', 'extra-arg')).code).not.toBe(0);
  });

  it('every command has --help with an example', () => {
    for (const make of COMMANDS) {
      const c: Command = make();
      let text = '';
      c.configureOutput({ writeOut: (s) => { text += s; } });
      c.outputHelp();
      expect(text, c.name()).toMatch(/Examples?:\n\s+tglite /);
    }
  });

  it('bundle --target worker prints gzipped sizes against the worker limits; init worker copies the template', async () => {
    const out = join(dir, 'dist');
    const r = await cli('bundle', DIGITS, '--target', 'worker', '-o', out);
    expect(r.code, r.err).toBe(0);
    expect(r.out).toMatch(/total [\d.]+ KB, [\d.]+ KB gzipped/);
    expect(r.out).toMatch(/of 3 MB \(free\).*of 10 MB \(paid\): fits both/);
    for (const f of ['worker.js', 'kernels.wasm', 'model.tflite', 'wrangler.toml']) expect(existsSync(join(out, f)), f).toBe(true);
    expect((await cli('bundle', DIGITS, '--target', 'phone')).err).toMatch(/one of worker, browser, node/);
    const w = join(dir, 'my-worker');
    const i = await cli('init', 'worker', w, '--model', INT8);
    expect(i.code, i.err).toBe(0);
    expect(readFileSync(join(w, 'src/runtime.ts'), 'utf8')).toMatch(/from 'tglite\/lite'/);
    expect(readFileSync(join(w, 'src/model.tflite'))).toEqual(readFileSync(INT8));
    for (const f of ['src/worker.ts', 'src/serve.ts', 'src/kernels.wasm', 'wrangler.toml', 'package.json']) expect(existsSync(join(w, f)), f).toBe(true);
    expect((await cli('init', 'worker', w)).err).toMatch(/not empty/);
  });
});

/**
 * The real TFLite runtimes for scripts: LiteRT.js (@litertjs/core, XNNPACK in wasm) and
 * tfjs-tflite (TFLite's interpreter in wasm), from ../shared/tools/tflite-reference copied to
 * `dir` (default $TMPDIR/tglite-tflite-ref; `npm ci` + build.sh on first use).
 *
 * ```ts
 * const ref = await openReference();
 * const outs = await ref.run('litert', bytes, [{ b64 }]);
 * ```
 */
import { execSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** One input as the reference harnesses take it: numbers in the tensor's dtype, or raw bytes in base64. */
export type RefInput = { data: ArrayLike<number> } | { b64: string };
export interface RefOutput { name: string; dtype: string; shape: number[]; data: number[] }
export type RuntimeName = 'litert' | 'tfjs';

interface Harness {
  compile(bytes: Uint8Array, o: { fix: unknown; numThreads: number }): Promise<{ delete(): void }>;
  run(h: unknown, inputs: unknown[]): Promise<RefOutput[]>;
  bench(h: unknown, inputs: unknown[], o?: { warmup?: number; iters?: number; readback?: boolean }): Promise<{ medianMs: number; minMs: number }>;
}

export interface Reference {
  /** Runs `bytes` once in one runtime (file loaded as written unless `fix`), one thread. */
  run(rt: RuntimeName, bytes: Uint8Array, inputs: RefInput[], fix?: unknown): Promise<RefOutput[]>;
  /** Median and best latency of one inference, one thread. */
  bench(rt: RuntimeName, bytes: Uint8Array, inputs: RefInput[], iters?: number): Promise<{ medianMs: number; minMs: number }>;
  /** The model compiled once (one thread): `runs(n)` runs it n times (outputs read back unless `readback` is false); `delete` frees it. */
  compile(rt: RuntimeName, bytes: Uint8Array, inputs: RefInput[], readback?: boolean): Promise<{ runs(n: number): Promise<unknown>; delete(): void }>;
}

/** Copies and builds the reference folder into `dir` if it is not there yet. */
export function ensureReference(dir: string): void {
  if (fs.existsSync(path.join(dir, 'node_modules/@litertjs/core')) && fs.existsSync(path.join(dir, 'www/bundle.js'))) return;
  const src = path.resolve(ROOT, '../shared/tools/tflite-reference');
  if (!fs.existsSync(src)) throw new Error(`the real TFLite runtimes come from ${src}, which is missing`);
  fs.cpSync(src, dir, { recursive: true });
  execSync('chmod -R u+w . && npm ci --no-audit --no-fund && ./build.sh', { cwd: dir, stdio: 'inherit' });
}

/** Loads both runtimes (from `dir`, built on first use). */
export async function openReference(dir = path.join(os.tmpdir(), 'tglite-tflite-ref')): Promise<Reference> {
  dir = path.resolve(dir);
  ensureReference(dir);
  const lr = await import(pathToFileURL(path.join(dir, 'litert_node.mjs')).href);
  const tf = await import(pathToFileURL(path.join(dir, 'tfjs_tflite_node.mjs')).href);
  const h: Record<RuntimeName, Harness> = { litert: await lr.initLiteRtNode(), tfjs: await tf.initTfjsTfliteNode() };
  return {
    async run(rt, bytes, inputs, fix = false) {
      const c = await h[rt].compile(bytes, { fix, numThreads: 1 });
      try { return await h[rt].run(c, inputs); } finally { c.delete(); }
    },
    async bench(rt, bytes, inputs, iters = 30) {
      const c = await h[rt].compile(bytes, { fix: false, numThreads: 1 });
      try { return await h[rt].bench(c, inputs, { warmup: 5, iters, readback: true }); } finally { c.delete(); }
    },
    async compile(rt, bytes, inputs, readback = true) {
      const c = await h[rt].compile(bytes, { fix: false, numThreads: 1 });
      return { runs: (n) => h[rt].bench(c, inputs, { warmup: 0, iters: n, readback }), delete: () => c.delete() };
    },
  };
}

/** Raw little-endian bytes of a typed array, in base64 (the harnesses' fast input form). */
export const toB64 = (a: ArrayBufferView): string => Buffer.from(a.buffer, a.byteOffset, a.byteLength).toString('base64');

/** Value of `--name` in argv, or undefined. */
export function argOf(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

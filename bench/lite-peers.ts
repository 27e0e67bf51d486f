/**
 * The lite benchmark's peers, loaded in this process: LiteRT.js (@litertjs/core,
 * XNNPACK wasm, one thread) and tfjs-tflite (TFLite's interpreter in wasm, one
 * thread) through the harnesses of ../shared/tools/tflite-reference (copied next to
 * this project's node_modules so their package imports resolve here), and
 * onnxruntime-web (wasm, numThreads 1).
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const CACHE = path.join(ROOT, 'node_modules/.cache/tglite-bench');
const TOOL = path.resolve(ROOT, '../shared/tools/tflite-reference');

/** Peer input: numbers in the input's dtype (a typed array costs the harness a native copy per call), in model input order. */
export interface PeerInput { data: ArrayLike<number> }
export interface PeerHandle { compileMs: number; delete(): void }
export interface TflitePeer {
  compile(bytes: Uint8Array, opts: { fix: object | false; numThreads: number }): Promise<PeerHandle>;
  run(h: PeerHandle, inputs: PeerInput[]): Promise<{ data: number[] }[]>;
  /** Times `iters` runs after `warmup` (inputs set once; outputs read back unless `readback` is false). */
  bench(h: PeerHandle, inputs: PeerInput[], opts: { warmup: number; iters: number; readback?: boolean }): Promise<{ medianMs: number; minMs: number }>;
}

/** Copies the reference harness files into the cache; returns the folder, or throws why not. */
export function harnessDir(): string {
  if (!fs.existsSync(path.join(TOOL, 'litert_node.mjs'))) throw new Error(`reference harness not found at ${TOOL}`);
  const dir = path.join(CACHE, 'tflite-reference');
  fs.mkdirSync(dir, { recursive: true });
  for (const f of fs.readdirSync(TOOL).filter((f) => f.endsWith('.mjs'))) fs.copyFileSync(path.join(TOOL, f), path.join(dir, f));
  return dir;
}

type InitFn = (o: { wasmDir: string }) => Promise<TflitePeer>;

export async function liteRtPeer(): Promise<TflitePeer> {
  const mod = (await import(pathToFileURL(path.join(harnessDir(), 'litert_node.mjs')).href)) as { initLiteRtNode: InitFn };
  return mod.initLiteRtNode({ wasmDir: path.join(ROOT, 'node_modules/@litertjs/core/wasm/') });
}

export async function tfjsTflitePeer(): Promise<TflitePeer> {
  const mod = (await import(pathToFileURL(path.join(harnessDir(), 'tfjs_tflite_node.mjs')).href)) as { initTfjsTfliteNode: InitFn };
  return mod.initTfjsTfliteNode({ wasmDir: path.join(ROOT, 'node_modules/@tensorflow/tfjs-tflite/wasm/') });
}

export interface OrtSession { run(feeds: Record<string, unknown>): Promise<Record<string, { data: ArrayLike<number> }>> }
export interface OrtModule {
  env: { wasm: { numThreads: number } };
  InferenceSession: { create(bytes: Uint8Array): Promise<OrtSession> };
  Tensor: new (type: string, data: Float32Array, dims: number[]) => unknown;
}

export async function ortWeb(): Promise<OrtModule> {
  const ort = (await import('onnxruntime-web')) as unknown as OrtModule;
  ort.env.wasm.numThreads = 1;
  return ort;
}

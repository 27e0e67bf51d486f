import { OnnxExportError } from './context.js';

interface FsLike {
  writeFileSync(path: string, data: Uint8Array): void;
  renameSync(from: string, to: string): void;
  rmSync(path: string, opts: { force: boolean }): void;
}

/**
 * Writes bytes atomically: a temp file beside `path`, then a rename, so a
 * reader never sees a half-written model. Node only (uses node:fs).
 */
export function writeFileAtomic(path: string, bytes: Uint8Array): void {
  const proc = (globalThis as { process?: { getBuiltinModule?: (m: string) => unknown; pid?: number } }).process;
  const fs = proc?.getBuiltinModule?.('node:fs') as FsLike | undefined;
  if (!fs) throw new OnnxExportError('onnx.export: writing to a path needs Node (node:fs); omit `path` to get the bytes');
  const tmp = `${path}.tmp-${proc?.pid ?? 0}-${Math.random().toString(36).slice(2)}`;
  try {
    fs.writeFileSync(tmp, bytes);
    fs.renameSync(tmp, path);
  } catch (err) {
    fs.rmSync(tmp, { force: true });
    throw new OnnxExportError(`onnx.export: could not write ${path}: ${(err as Error).message}`);
  }
}

/**
 * File access for Node, looked up at call time (no top-level `node:` import), so
 * the training API also loads in browsers and workers, where only the
 * byte-level functions (`saveBytes`, `onnx.export` without `path`) apply.
 */
interface NodeFs {
  readFileSync(path: string): Uint8Array;
  writeFileSync(path: string, data: Uint8Array): void;
  renameSync(from: string, to: string): void;
  rmSync(path: string, opts: { force: boolean }): void;
}

type Proc = { getBuiltinModule?: (m: string) => unknown; pid?: number };

/** node:fs, or a clear error naming `what` needs it. */
function nodeFs(what: string): NodeFs {
  const proc = (globalThis as { process?: Proc }).process;
  const fs = proc?.getBuiltinModule?.('node:fs') as NodeFs | undefined;
  if (!fs) throw new Error(`${what} needs Node's file system; use the byte-level API instead`);
  return fs;
}

/**
 * Writes bytes atomically: a temp file beside `path`, then a rename, so a
 * reader never sees a half-written file. Throws the file system's error.
 * @example writeFileAtomic('model.onnx', bytes)
 */
export function writeFileAtomic(path: string, bytes: Uint8Array, what = 'writing a file'): void {
  const fs = nodeFs(what);
  const pid = (globalThis as { process?: Proc }).process?.pid ?? 0;
  const tmp = `${path}.tmp-${pid}-${Math.random().toString(36).slice(2)}`;
  try {
    fs.writeFileSync(tmp, bytes);
    fs.renameSync(tmp, path);
  } catch (err) {
    fs.rmSync(tmp, { force: true });
    throw err;
  }
}

/** Reads a whole file. */
export function readFileBytes(path: string, what = 'reading a file'): Uint8Array {
  return nodeFs(what).readFileSync(path);
}

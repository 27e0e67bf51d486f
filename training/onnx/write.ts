import { OnnxExportError } from './context.js';
import { writeFileAtomic as writeAtomic } from '../files.js';

/** Writes an exported model atomically (temp file + rename); errors become OnnxExportError. */
export function writeFileAtomic(path: string, bytes: Uint8Array): void {
  try {
    writeAtomic(path, bytes, 'onnx.export with `path`');
  } catch (err) {
    throw new OnnxExportError(`onnx.export: could not write ${path}: ${(err as Error).message}; omit \`path\` to get the bytes`);
  }
}

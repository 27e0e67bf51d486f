import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseModel } from '../../lite-runtime/index.js';

const FIX = join(import.meta.dirname, '../fixtures/onnx');
const run = (...args: string[]) => spawnSync(process.execPath, ['--import', 'tsx', 'cli/index.ts', ...args], { encoding: 'utf8' });

describe('tglite convert / inspect .onnx', { timeout: 60_000 }, () => {
  it('converts with a summary, writes the file, and inspect reads the .onnx', () => {
    const dir = mkdtempSync(join(tmpdir(), 'tglite-convert-'));
    const out = join(dir, 'cnn.tflite');
    const r = run('convert', join(FIX, 'cnn_opset17.onnx'), '-o', out, '--quantize', 'float16');
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/ops after/);
    expect(r.stdout).toMatch(/DEQUANTIZE/);
    expect(parseModel(new Uint8Array(readFileSync(out))).subgraphs.length).toBe(1);
    expect(readdirSync(dir)).toEqual(['cnn.tflite']);
    const i = execFileSync(process.execPath, ['--import', 'tsx', 'cli/index.ts', 'inspect', join(FIX, 'cnn_opset17.onnx')], { encoding: 'utf8' });
    expect(i).toMatch(/ONNX opset 17/);
    expect(i).toMatch(/Conv x/);
  });

  it('a malformed file: one-line error, non-zero exit, no output file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'tglite-convert-'));
    const bad = join(dir, 'bad.onnx');
    writeFileSync(bad, Buffer.from('this is not a protobuf at all, just text'));
    const out = join(dir, 'bad.tflite');
    const r = run('convert', bad, '-o', out);
    expect(r.status).not.toBe(0);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/OnnxFormatError/);
    expect(existsSync(out)).toBe(false);
    expect(readdirSync(dir)).toEqual(['bad.onnx']);
  });

  it('--help shows an example', () => {
    const r = run('convert', '--help');
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/Example:/);
    expect(r.stdout).toMatch(/--input-shape/);
  });
});

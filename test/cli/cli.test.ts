import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { modelPath } from '../helpers/paths.js';

const cli = (...args: string[]) => execFileSync(process.execPath, ['--import', 'tsx', 'cli/index.ts', ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });

describe('tglite CLI', { timeout: 60_000 }, () => {
  it('inspect lists inputs, outputs, ops and memory', () => {
    const out = cli('inspect', modelPath('person_detect.tflite'));
    expect(out).toMatch(/input: int8\[1, 96, 96, 1\]/);
    expect(out).toMatch(/DEPTHWISE_CONV_2D x14/);
    expect(out).toMatch(/memory: arena/);
  });

  it('run prints outputs as JSON', () => {
    const out = JSON.parse(cli('run', modelPath('hello_world_float.tflite'), '-i', '[[1.5]]'));
    expect(out.outputs[0].shape).toEqual([1, 1]);
    expect(Math.abs(out.outputs[0].data[0] - Math.sin(1.5))).toBeLessThan(0.1);
  });

  it('bench times load and inference of a model', () => {
    const out = cli('bench', modelPath('hello_world_int8.tflite'), '--runs', '20', '--warmup', '2', '--backend', 'cpu');
    expect(out).toMatch(/load [\d.]+ ms, median [\d.]+ ms, p90 [\d.]+ ms, p99 [\d.]+ ms, min [\d.]+ ms over 20 runs \(cpu\)/);
  });

  it('bench stops a backend at its time budget and says so', () => {
    const out = cli('bench', modelPath('hello_world_int8.tflite'), '--runs', '100000000', '--warmup', '0', '--time', '1', '--backend', 'cpu');
    expect(out).toMatch(/over \d+ runs \(cpu\), wall clock \(the 1 s budget stopped it; --time to raise it\)/);
  });

  it('reports bad input as a one-line error and a non-zero exit', () => {
    let err = '';
    try { cli('inspect', modelPath('person.bmp')); } catch (e) { err = String((e as { stderr: string }).stderr); }
    expect(err).toMatch(/tglite: ModelFormatError/);
  });
});

import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { modelPath } from './helpers/paths.js';

const root = resolve(import.meta.dirname, '..');

describe('the built package', () => {
  it('builds, and works when imported by name from another project', () => {
    execFileSync(process.execPath, ['scripts/build.mjs'], { cwd: root, stdio: 'pipe' });
    const app = mkdtempSync(join(tmpdir(), 'tglite-app-'));
    mkdirSync(join(app, 'node_modules'));
    symlinkSync(root, join(app, 'node_modules', 'tglite'), 'dir');
    writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'app', type: 'module' }));
    writeFileSync(join(app, 'main.mjs'), `
      import * as tg from 'tglite';
      import { loadModel } from 'tglite/lite';
      import { writeTflite } from 'tglite/converter';
      import { readFileSync } from 'node:fs';
      const a = tg.tensor(2, { requiresGrad: true });
      const d = a.mul(a.add(3));
      d.backward();
      const model = await loadModel(readFileSync(${JSON.stringify(modelPath('hello_world_float.tflite'))}));
      const [y] = await model.run([new Float32Array([1.5])]);
      // the worker path: kernels handed over as a compiled module
      const wasmPath = new URL(import.meta.resolve('tglite/wasm/kernels-simd.wasm'));
      const wasmModule = new WebAssembly.Module(readFileSync(wasmPath));
      const m2 = await loadModel(readFileSync(${JSON.stringify(modelPath('hello_world_float.tflite'))}), { wasmModule });
      const [y2] = await m2.run([new Float32Array([1.5])]);
      if (y2.data[0] !== y.data[0]) throw new Error('imported-module kernels disagree');
      console.log(JSON.stringify({ d: d.item(), grad: a.grad.item(), y: y.data[0], writer: typeof writeTflite }));
    `);
    const out = JSON.parse(execFileSync(process.execPath, ['main.mjs'], { cwd: app, encoding: 'utf8' }));
    expect(out.d).toBe(10);
    expect(out.grad).toBe(7);
    expect(Math.abs(out.y - Math.sin(1.5))).toBeLessThan(0.1);
    expect(out.writer).toBe('function');
    const cli = execFileSync(process.execPath, [join(root, 'dist/cli/index.js'), '--version'], { encoding: 'utf8' });
    expect(cli.trim()).toBe('0.1.0');
  }, 120_000);
});

/**
 * One error hierarchy: every error tglite throws on bad input is a `TgliteError`
 * (defined in lite-runtime/errors.ts), with a stable lower-case kebab `code`.
 */
import { describe, expect, it } from 'vitest';
import * as tg from '../training/index.js';
import * as lite from '../lite-runtime/index.js';
import * as converter from '../converter/index.js';
import { TgliteError, fmtShape } from '../lite-runtime/errors.js';
import { KernelArgumentError, matmul } from '../lite-runtime/kernels/index.js';
import { OnnxExportError } from '../training/onnx/context.js';

type ErrorClass = abstract new (...a: never[]) => Error;

/** Every exported class of `mod` that extends Error. */
function errorClasses(mod: Record<string, unknown>): [string, ErrorClass][] {
  return Object.entries(mod).filter(([, v]) => typeof v === 'function' && (v as { prototype: unknown }).prototype instanceof Error) as [string, ErrorClass][];
}

/** Runs `fn` and returns what it threw. */
function thrown(fn: () => unknown): unknown {
  try { fn(); } catch (e) { return e; }
  throw new Error('expected a throw');
}

const KEBAB = /^[a-z]+(-[a-z]+)*$/;

describe('error hierarchy', () => {
  it('has one base, shared by training, the lite runtime and the converter', () => {
    expect(tg.TgliteError).toBe(TgliteError);
    expect(lite.TgliteError).toBe(TgliteError);
    expect(tg.KernelArgumentError).toBe(KernelArgumentError);
    const all = [...errorClasses(tg), ...errorClasses(lite), ...errorClasses(converter), ['KernelArgumentError', KernelArgumentError] as const, ['OnnxExportError', OnnxExportError] as const];
    expect(all.length).toBeGreaterThan(15);
    for (const [name, cls] of all) expect(cls === TgliteError || cls.prototype instanceof TgliteError, name).toBe(true);
  });

  it('lite runtime errors are LiteErrors', () => {
    for (const [name, cls] of errorClasses(lite)) {
      if (cls === TgliteError || cls === lite.LiteError) continue;
      expect(cls.prototype instanceof lite.LiteError, name).toBe(true);
    }
  });

  it('codes are lower-case kebab, and the class name is the error name', () => {
    const samples: TgliteError[] = [
      new tg.ShapeError('m'), new tg.DTypeError('m'), new tg.IndexError('m'), new tg.ValueError('m'),
      new tg.GradError('m'), new tg.TraceError('m'), new tg.FormatError('m'), new OnnxExportError('m'),
      new lite.ModelFormatError('m'), new lite.UnsupportedOpError([]), new lite.InputError('m'),
      new lite.KernelError('ADD', 0, 'm'), new lite.BackendError('m'), new lite.LimitError('m'), new lite.DisposedError(),
      new converter.TfliteWriteError('m'), new KernelArgumentError('matmul', 'm'),
    ];
    const codes = samples.map((e) => e.code);
    for (const e of samples) {
      expect(e.code, e.name).toMatch(KEBAB);
      expect(e.name).toBe(e.constructor.name);
    }
    expect(new Set(codes).size).toBe(codes.length);
    expect(new tg.IndexError('m').name).toBe('IndexError');
  });

  it('a numeric kernel size error is a typed error', () => {
    const e = thrown(() => matmul(new Float32Array(6), new Float32Array(12), new Float32Array(5), 2, 3, 4));
    expect(e).toBeInstanceOf(KernelArgumentError);
    expect(e).toBeInstanceOf(TgliteError);
    expect((e as TgliteError).code).toBe('kernel-argument');
    expect((e as Error).message).toMatch(/^matmul: /);
  });

  it('training, runtime and writer errors on bad input are TgliteErrors', async () => {
    const shape = thrown(() => tg.zeros([2, 3]).matmul(tg.zeros([2, 3])));
    expect(shape).toBeInstanceOf(tg.ShapeError);
    expect(shape).toBeInstanceOf(TgliteError);
    expect((shape as TgliteError).code).toBe('shape');

    const load = await lite.loadModel(new Uint8Array([1, 2, 3])).then(() => null, (e: unknown) => e);
    expect(load).toBeInstanceOf(lite.ModelFormatError);
    expect(load).toBeInstanceOf(lite.LiteError);
    expect(load).toBeInstanceOf(TgliteError);
    expect((load as TgliteError).code).toBe('model-format');

    const write = thrown(() => converter.writeTflite({ tensors: [], operators: [], inputs: [0], outputs: [] } as never));
    expect(write).toBeInstanceOf(converter.TfliteWriteError);
    expect(write).toBeInstanceOf(TgliteError);
  });

  it('formats shapes one way everywhere', () => {
    expect(fmtShape([2, 3])).toBe('[2, 3]');
    expect(fmtShape(Int32Array.of(1, 96, 96, 1))).toBe('[1, 96, 96, 1]');
    expect(fmtShape([])).toBe('[]');
    expect(thrown(() => tg.zeros([2, 3]).matmul(tg.zeros([2, 3]))) as Error).toHaveProperty('message', expect.stringContaining('[2, 3]'));
  });
});

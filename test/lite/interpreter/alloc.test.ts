/**
 * `run` allocates nothing in the interpreter, the ops or the numeric kernels: every typed
 * array, ArrayBuffer, Array, `subarray` and `slice` made while the real models run is
 * counted by where it was made (the arenas live in the kernels' WASM memory, read in place).
 */
import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { createBackend } from '../../../lite-runtime/backends/index.js';
import { parseModel } from '../../../lite-runtime/format/model.js';
import { Interpreter } from '../../../lite-runtime/interpreter.js';
import { loadOps } from '../../../lite-runtime/ops/resolver.js';
import { MODEL_FILES, MODELS_DIR } from '../models/shared.js';

const CTORS = ['ArrayBuffer', 'Float32Array', 'Float64Array', 'Int8Array', 'Uint8Array', 'Int16Array',
  'Uint16Array', 'Int32Array', 'Uint32Array', 'BigInt64Array', 'Array'] as const;
type G = Record<string, unknown>;
const TypedProto = Object.getPrototypeOf(Int8Array.prototype) as { subarray: (...a: unknown[]) => unknown; slice: (...a: unknown[]) => unknown };
const saved: { ctors: Record<string, unknown>; subarray: typeof TypedProto.subarray; slice: typeof TypedProto.slice } = {
  ctors: {}, subarray: TypedProto.subarray, slice: TypedProto.slice,
};

/** Counts allocations by the first stack frame inside lite-runtime (file:line). */
function track(): Map<string, number> {
  const seen = new Map<string, number>();
  const note = (what: string): void => {
    const frame = (new Error().stack ?? '').split('\n').slice(2).find((l) => l.includes('/lite-runtime/')) ?? 'outside lite-runtime';
    const at = (/lite-runtime\/[^:)]+/.exec(frame)?.[0] ?? frame.trim()) + ` (${what})`;
    seen.set(at, (seen.get(at) ?? 0) + 1);
  };
  for (const n of CTORS) {
    const C = (globalThis as unknown as G)[n] as new (...a: unknown[]) => object;
    saved.ctors[n] = C;
    (globalThis as unknown as G)[n] = new Proxy(C, { construct: (t, a, nt) => { note(n); return Reflect.construct(t, a, nt) as object; } });
  }
  TypedProto.subarray = function (this: unknown, ...a: unknown[]) { note('subarray'); return saved.subarray.apply(this, a); };
  TypedProto.slice = function (this: unknown, ...a: unknown[]) { note('slice'); return saved.slice.apply(this, a); };
  return seen;
}

function untrack(): void {
  for (const n of CTORS) (globalThis as unknown as G)[n] = saved.ctors[n];
  TypedProto.subarray = saved.subarray;
  TypedProto.slice = saved.slice;
}

describe('no allocation per op per run', () => {
  afterEach(untrack);
  for (const file of MODEL_FILES) {
    it(file, async () => {
      const def = parseModel(new Uint8Array(readFileSync(`${MODELS_DIR}/${file}`)));
      await loadOps(def.opCodes.map((c) => c.code)); // keyword_scrambled's SVDF is a lazily loaded op
      const interp = new Interpreter(def, await createBackend('cpu'));
      const main = interp.subgraph(0);
      main.prepare();
      main.run();
      const seen = track();
      for (let i = 0; i < 3; i++) main.run();
      untrack();
      expect([...seen], `allocations in 3 runs: ${JSON.stringify([...seen])}`).toEqual([]);
    });
  }
});

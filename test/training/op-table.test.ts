import { describe, expect, it } from 'vitest';
import * as tg from '../../training/index.js';
import { apply1 } from '../../training/dispatch.js';
import type { DType } from '../../training/dtype.js';
import type { Attrs, OpDef, TensorMeta } from '../../training/ops/registry.js';
import { trainingOpsTable } from '../../scripts/training-ops-table.js';

/*
 * Tests that walk the op table: every trait is a field of the op's definition,
 * so a new op is checked here without being named.
 */

/** Attrs to try for ops that take some (keyed by op name; the backward ops share their forward's). */
const SAMPLE_ATTRS: Readonly<Record<string, readonly Attrs[]>> = {
  leakyRelu: [{ negativeSlope: 0.2 }, { negativeSlope: -0 }],
  elu: [{ alpha: 1.5 }],
  gelu: [{ approximate: 'none' }, { approximate: 'tanh' }],
  softplus: [{ beta: 2, threshold: 5 }, { beta: -1, threshold: 20 }],
  clamp: [{ min: -1, max: 0.5 }, { min: null, max: 2 }, { min: 1, max: -1 }],
  hardtanh: [{ min: -1, max: 1 }, { min: 0, max: 6 }],
  celu: [{ alpha: 1 }, { alpha: 0.5 }, { alpha: -2 }],
  cast: [{ dtype: 'float32' }, { dtype: 'int32' }, { dtype: 'bool' }],
};
const attrsOf = (op: OpDef): readonly Attrs[] => SAMPLE_ATTRS[op.name.replace(/Grad$/, '')] ?? [{}];

/** A seeded stream of values: random normals over a wide range, with 0, -0, ±3, ±Infinity and NaN mixed in. */
function values(n: number, seed: number, dtype: DType): number[] {
  let s = seed >>> 0;
  const rand = () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32);
  const special = [0, -0, 3, -3, Infinity, -Infinity, NaN, 1e-30];
  return Array.from({ length: n }, (_, i) => {
    if (dtype === 'bool') return rand() < 0.5 ? 1 : 0;
    if (dtype === 'int32') return Math.floor(rand() * 21) - 10;
    if (i % 7 === 3) return special[(i >> 3) % special.length];
    return (rand() - 0.5) * 12;
  });
}

/** Input dtypes the op accepts, float32 first (a bool condition where it needs one). */
function signatures(op: OpDef, arity: number, attrs: Attrs): DType[][] {
  const shape = [64];
  const ok = (dts: DType[]) => {
    try { op.infer(dts.map((dtype): TensorMeta => ({ shape, dtype })), attrs); return true; } catch { return false; }
  };
  const all: DType[][] = [];
  for (const d of ['float32', 'int32'] as const) {
    const same: DType[] = Array(arity).fill(d);
    if (ok(same)) all.push(same);
    else if (ok(['bool', ...same.slice(1)])) all.push(['bool', ...same.slice(1)]);
  }
  return all;
}

/** Bitwise equality of float results (NaN equals NaN, 0 and -0 differ). */
function expectSame(got: tg.Tensor, want: tg.Tensor, what: string): void {
  expect(got.dtype, what).toBe(want.dtype);
  const a = got.data(), b = want.data();
  for (let i = 0; i < b.length; i++) {
    if (!Object.is(a[i], b[i])) expect(`${what}, element ${i}: ${a[i]}`).toBe(`${what}, element ${i}: ${b[i]}`);
  }
}

const elementwise = () => tg.allOps().filter((op) => op.elementwise === true);

describe('op table: fusion', () => {
  it('every elementwise op has a fuse expression, and only elementwise ops do', () => {
    expect(elementwise().filter((op) => !op.fuse).map((op) => op.name)).toEqual([]);
    expect(tg.allOps().filter((op) => op.fuse && !op.elementwise).map((op) => op.name)).toEqual([]);
  });

  for (const op of elementwise()) {
    it(`${op.name} fuses under tg.jit, with results equal to eager`, () => {
      const arity = op.fuse!.arity;
      for (const attrs of attrsOf(op)) {
        const sigs = signatures(op, arity, attrs);
        expect(sigs.length, `${op.name}: no accepted input dtypes`).toBeGreaterThan(0);
        for (const [k, dts] of sigs.entries()) {
          const inputs = dts.map((dtype, j) => tg.tensor(values(64, 17 * k + j + 1, dtype), { dtype }));
          // an exact op after it (neg, or a select of bools), so that a chain fuses into one node
          const fn = (...xs: tg.Tensor[]) => { const y = apply1(op, xs, attrs); return y.dtype === 'bool' ? tg.where(y, 2, 3) : y.neg(); };
          const what = `${op.name}(${dts.join(', ')}) ${JSON.stringify(attrs)}`;
          const f = tg.jit(fn);
          const g = f.optimizedGraphFor(...inputs);
          expect(g.nodes.map((n) => n.op), what).toEqual(['fused.elementwise']);
          expect(g.nodes[0].attrs.ops, what).toContain(op.name);
          expectSame(f(...inputs), fn(...inputs), what);
        }
      }
    });
  }

  it('a chain around hardswish is one fused node', () => {
    const f = tg.jit((x: tg.Tensor) => tg.hardswish(x.mul(2)).add(1));
    const x = tg.tensor(values(64, 5, 'float32'));
    const g = f.optimizedGraphFor(x);
    expect(g.nodes.map((n) => n.op)).toEqual(['fused.elementwise']);
    expect(g.nodes[0].attrs.ops).toEqual(['mul', 'hardswish', 'add']);
    expectSame(f(x), tg.hardswish(x.mul(2)).add(1), 'mul-hardswish-add');
  });

  it('an attr the fused program cannot keep (Infinity) leaves the op unfused and still correct', () => {
    const f = tg.jit((x: tg.Tensor) => tg.softplus(x.neg(), 1, Infinity));
    const x = tg.tensor(values(64, 9, 'float32'));
    expect(f.optimizedGraphFor(x).nodes.map((n) => n.op)).toContain('softplus');
    expectSame(f(x), tg.softplus(x.neg(), 1, Infinity), 'softplus threshold Infinity');
  });
});

describe('op table: ONNX export', () => {
  it('every op exports or says why not', () => {
    for (const op of tg.allOps()) {
      if (typeof op.onnx === 'function') continue;
      expect(typeof op.onnx?.notExported, `${op.name}: onnx field`).toBe('string');
      expect(op.onnx.notExported.length, `${op.name}: reason`).toBeGreaterThan(0);
    }
  });

  it('every composite function is built from registered ops, and docs/training-ops.md lists it', () => {
    const text = trainingOpsTable();
    expect(tg.allComposites().length).toBeGreaterThan(0);
    for (const c of tg.allComposites()) {
      for (const p of c.parts) expect(tg.getOp(p), `${c.name}: part '${p}'`).toBeDefined();
      expect(text).toContain(`| ${c.name} | ${c.parts.join(', ')} |`);
    }
  });

  it('docs/training-ops.md lists every op with its ONNX export or its reason, and its TFLite lowering', () => {
    const rows = new Map(trainingOpsTable().split('\n').filter((l) => l.startsWith('| ') && !l.startsWith('| op ') && !l.startsWith('| ---'))
      .map((l) => { const cells = l.split('|').slice(1, -1).map((c) => c.trim()); return [cells[0], cells] as const; }));
    for (const op of tg.allOps()) {
      const cells = rows.get(op.name);
      expect(cells, op.name).toBeDefined();
      expect(cells![3]).toBe(typeof op.onnx === 'function' ? 'yes' : `no: ${op.onnx.notExported}`);
      expect(cells![4]).toBe(op.tflite ? 'yes' : 'no');
    }
  });
});

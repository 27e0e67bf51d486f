import { alignedStrides, stridedCopy } from '../../../lite-runtime/kernels/strided.js';
import { allocate, type DType, type Storage } from '../../dtype.js';
import { TraceError } from '../../errors.js';
import { getOp, type Attrs, type FuseRule } from '../../ops/registry.js';
import { sizeOf } from '../../shape.js';
import { reluBackward } from '../../kernels/arith.js';
import type { Step, StepContext } from '../executor.js';

/** The program of a fused elementwise node, kept in its attrs as plain data. */
export interface FusedProgram {
  /** Op of each instruction. */
  readonly ops: readonly string[];
  /** Operands, flattened: ref < inputs.length is an input, else an earlier instruction. */
  readonly args: readonly number[];
  /** Result dtype of each instruction. */
  readonly dtypes: readonly string[];
  /** The attrs of each instruction's op, as JSON. */
  readonly opAttrs: readonly string[];
}

type Kernel = (ins: Storage[], maps: (Int32Array | null)[], out: Storage, n: number) => void;
type Calls = Record<string, (x: number) => number>;
const cache = new Map<string, Kernel>();
let codegen: boolean | null = null;

/** Whether JS code generation is allowed here (not in CSP-restricted pages or workers). */
export function canGenerateCode(): boolean {
  if (codegen === null) {
    try { codegen = new Function('return 1')() === 1; } catch { codegen = false; }
  }
  return codegen;
}

function round(dtype: string, e: string): string {
  if (dtype === 'float32') return `Math.fround(${e})`;
  if (dtype === 'int32') return `((${e}) | 0)`;
  return `((${e}) ? 1 : 0)`;
}

/** The fuse rule of each instruction's op (from its definition). */
function rulesOf(p: FusedProgram): FuseRule[] {
  return p.ops.map((op) => {
    const rule = getOp(op)?.fuse;
    if (!rule) throw new TraceError(`jit: op '${op}' cannot be fused`);
    return rule;
  });
}

/** Every function bound so far, by name: kernels are cached by source, so a name means one function. */
const bound: Calls = {};

/** The numeric functions the program's expressions call, by name. */
function callsOf(p: FusedProgram): Calls {
  const calls: Calls = {};
  for (const rule of rulesOf(p)) {
    for (const [name, f] of Object.entries(rule.calls ?? {})) {
      if (Object.hasOwn(bound, name) && bound[name] !== f) throw new TraceError(`jit: fused ops call different functions named '${name}'`);
      bound[name] = calls[name] = f;
    }
  }
  return calls;
}

/** JS source of the loop body evaluating the program per element (no intermediate arrays). */
export function programSource(p: FusedProgram, kinds: readonly ('full' | 'scalar' | 'map')[]): string {
  const k = kinds.length;
  const lines: string[] = [];
  const pre: string[] = ['const sel = new Float64Array(2), sw = new Float64Array(2);'];
  kinds.forEach((kind, j) => {
    pre.push(`const in${j} = ins[${j}];`);
    if (kind === 'map') pre.push(`const m${j} = maps[${j}];`);
    if (kind === 'scalar') pre.push(`const s${j} = in${j}[0];`);
  });
  kinds.forEach((kind, j) => {
    if (kind === 'full') lines.push(`const x${j} = in${j}[i];`);
    else if (kind === 'map') lines.push(`const x${j} = in${j}[m${j}[i]];`);
  });
  const name = (r: number) => (r < k ? (kinds[r] === 'scalar' ? `s${r}` : `x${r}`) : `t${r - k}`);
  let a = 0;
  rulesOf(p).forEach((def, i) => {
    const operands = p.args.slice(a, a + def.arity).map(name);
    a += def.arity;
    const attrs = JSON.parse(p.opAttrs[i] ?? '{}') as Attrs;
    lines.push(`const t${i} = ${round(p.dtypes[i], def.expr(operands, attrs))};`);
  });
  lines.push(`out[i] = t${p.ops.length - 1};`);
  return `${pre.join('\n')}\nfor (let i = 0; i < n; i++) {\n  ${lines.join('\n  ')}\n}`;
}

/** The compiled loop; functions the expressions call (e.g. erf) are bound by name around it. */
function kernelFor(p: FusedProgram, kinds: ('full' | 'scalar' | 'map')[]): Kernel {
  const src = programSource(p, kinds);
  let f = cache.get(src);
  if (!f) {
    const calls = callsOf(p);
    const names = Object.keys(calls);
    f = names.length === 0
      ? new Function('ins', 'maps', 'out', 'n', src) as Kernel
      : new Function(...names, `return function (ins, maps, out, n) {\n${src}\n};`)(...names.map((k) => calls[k])) as Kernel;
    cache.set(src, f);
  }
  return f;
}

/** Index of the input element read for each output element (broadcasting). */
function indexMap(inShape: readonly number[], outShape: readonly number[]): Int32Array {
  const n = sizeOf(inShape);
  const iota = new Int32Array(n);
  for (let i = 0; i < n; i++) iota[i] = i;
  const map = new Int32Array(sizeOf(outShape));
  stridedCopy(iota, 0, alignedStrides(inShape, outShape), map, outShape);
  return map;
}

/**
 * Programs of one instruction on full float32 operands that run faster as the op's own kernel
 * (the same values): relu's gradient, a SIMD loop in the training wasm module (training
 * graphs hold one per hidden layer; the generated loop selects through a scratch array).
 */
const DIRECT: Record<string, (ins: Storage[], out: Storage) => void> = {
  reluGrad: ([g, x], out) => reluBackward(g, x, out),
};

/** The step of a `fused.elementwise` node: one generated loop over the output. */
export function fusedElementwiseStep({ node, slot, planned }: StepContext): Step {
  const p = node.attrs as unknown as FusedProgram;
  const out = node.outputs[0];
  const n = sizeOf(out.shape);
  const kinds = node.inputs.map((v) => {
    const m = sizeOf(v.shape);
    return m === n ? 'full' as const : m === 1 ? 'scalar' as const : 'map' as const;
  });
  const maps = node.inputs.map((v, j) => (kinds[j] === 'map' ? indexMap(v.shape, out.shape) : null));
  const direct = p.ops.length === 1 && kinds.every((k) => k === 'full') && [...node.inputs, out].every((v) => v.dtype === 'float32') ? DIRECT[p.ops[0]] : undefined;
  const operands: Storage[] = [];
  const kernel: Kernel = direct
    ? (ins, _maps, o) => { p.args.forEach((r, i) => { operands[i] = ins[r]; }); direct(operands, o); }
    : kernelFor(p, kinds);
  const ins = node.inputs.map(slot);
  const oi = slot(out);
  const buf = planned(out);
  const dtype = out.dtype as DType;
  const args: Storage[] = new Array(ins.length);
  return (s) => {
    for (let j = 0; j < ins.length; j++) args[j] = s[ins[j]]!;
    const o = buf ?? allocate(dtype, n);
    kernel(args, maps, o, n);
    s[oi] = o;
  };
}

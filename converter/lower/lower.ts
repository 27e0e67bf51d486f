/**
 * Flattens a graph of the IR into a TFLite model description (the writer's
 * ModelDesc): each node lowers through its op definition's `tflite` field, with
 * the layouts of passes/layout.ts. Constants are materialized in whatever layout
 * their readers ask for; values computed at run time get a TRANSPOSE (or a
 * RESHAPE, when only size-1 dims move) where a reader needs another layout.
 * @example const desc = lowerGraph(g, assignLayouts(g), { inputNames: ['x'], outputNames: ['y'] });
 */
import type { DType, Storage } from '../../training/dtype.js';
import type { Graph, Node, Value } from '../../training/graph/ir.js';
import { getOp } from '../../training/ops/registry.js';
import type { FusedActivation, Perm, TfliteLowerContext } from '../../training/ops/convert-traits.js';
import { identity, inverse, isIdentity, permuteData, permuted, samePerm, sameMemoryOrder } from '../../training/ops/convert/perm.js';
import type { BuiltinOpName, ModelDesc, OperatorDesc, TensorDesc } from '../tflite-writer/types.js';
import { UnsupportedOpsError, type UnsupportedOp } from '../errors.js';
import type { Layouts } from '../passes/layout.js';

export interface LowerOptions {
  inputNames: readonly string[];
  outputNames: readonly string[];
  /** Rank-4 outputs stored NHWC. */
  nhwcIO?: boolean;
  /** For unsupported-op messages. */
  opset?: number;
}

class Unsupported extends Error {}

type Data = ArrayBufferView | ArrayLike<number>;

/** The model description plus, per tensor index, the IR value it holds (for quantization and reports). */
export interface Lowered {
  desc: ModelDesc;
  /** Tensor index -> IR value and the layout it is stored in (activations and inputs only). */
  valueOf: Map<number, { value: Value; perm: Perm }>;
}

export function lowerGraph(g: Graph, layouts: Layouts, opts: LowerOptions): Lowered {
  const tensors: TensorDesc[] = [];
  const operators: OperatorDesc[] = [];
  const names = new Set<string>();
  const constData = new Map(g.constants.map((c) => [c.value, c.data]));
  /** value -> (perm key -> tensor index) */
  const stored = new Map<Value, Map<string, number>>();
  const valueOf = new Map<number, { value: Value; perm: Perm }>();
  const failures: UnsupportedOp[] = [];

  const unique = (hint: string) => {
    const base = hint.replace(/[^A-Za-z0-9_.:/-]/g, '_') || 't';
    let name = base;
    for (let k = 1; names.has(name); k++) name = `${base}_${k}`;
    names.add(name);
    return name;
  };
  const addTensor = (t: TensorDesc): number => { tensors.push({ ...t, name: unique(t.name) }); return tensors.length - 1; };
  const put = (v: Value, perm: Perm, index: number) => {
    let m = stored.get(v);
    if (!m) stored.set(v, (m = new Map()));
    m.set(perm.join(','), index);
    if (!constData.has(v)) valueOf.set(index, { value: v, perm });
  };
  const layoutOf = (v: Value): Perm => layouts.get(v) ?? identity(v.shape.length);
  const liteType = (d: DType) => d;
  const tname = (v: Value) => v.name ?? `t${v.id}`;

  const constantIn = (v: Value, perm: Perm): number => {
    const key = perm.join(',');
    const hit = stored.get(v)?.get(key);
    if (hit !== undefined) return hit;
    const d = constData.get(v)!;
    const make = (n: number) => (d instanceof Float32Array ? new Float32Array(n) : d instanceof Int32Array ? new Int32Array(n) : new Uint8Array(n)) as Storage;
    const data = permuteData(d as Storage, v.shape, perm, make as never);
    const idx = addTensor({ name: tname(v), shape: permuted(v.shape, perm), dtype: liteType(v.dtype), data });
    put(v, perm, idx);
    return idx;
  };

  /** Tensor of `v` in `perm`, converting from the layout it is stored in. */
  const valueIn = (v: Value, perm: Perm): number => {
    if (constData.has(v)) return constantIn(v, perm);
    const key = perm.join(',');
    const m = stored.get(v);
    const hit = m?.get(key);
    if (hit !== undefined) return hit;
    const from = layoutOf(v);
    const src = m?.get(from.join(','));
    if (src === undefined) throw new Error(`internal: value %${v.id} is read before it is produced`);
    const idx = addTensor({ name: `${tname(v)}_${isIdentity(perm) ? 'logical' : 'perm'}`, shape: permuted(v.shape, perm), dtype: liteType(v.dtype) });
    if (sameMemoryOrder(v.shape, from, perm)) {
      const shape = addTensor({ name: `${tname(v)}_shape`, shape: [perm.length], dtype: 'int32', data: Int32Array.from(permuted(v.shape, perm)) });
      operators.push({ op: 'RESHAPE', inputs: [src, shape], outputs: [idx], options: { new_shape: permuted(v.shape, perm) } });
    } else {
      // physical `from` -> physical `perm`: output dim i holds logical perm[i], found at from.indexOf(perm[i])
      const p = perm.map((d) => from.indexOf(d));
      const pt = addTensor({ name: `${tname(v)}_perm`, shape: [p.length], dtype: 'int32', data: Int32Array.from(p) });
      operators.push({ op: 'TRANSPOSE', inputs: [src, pt], outputs: [idx] });
    }
    put(v, perm, idx);
    return idx;
  };

  g.inputs.forEach((v, i) => {
    const perm = layoutOf(v);
    const idx = addTensor({ name: opts.inputNames[i] ?? tname(v), shape: permuted(v.shape, perm), dtype: liteType(v.dtype) });
    put(v, perm, idx);
  });

  const outputSet = new Map<Value, number>();
  g.outputs.forEach((v, i) => { if (!outputSet.has(v)) outputSet.set(v, i); });

  const failed = new Set<Value>();
  const used = new Set<Value>(g.outputs);
  for (const n of g.nodes) for (const v of n.inputs) used.add(v);
  for (const n of g.nodes) {
    const def = getOp(n.op);
    const t = def?.tflite;
    const fail = (reason: string) => {
      failures.push({ opType: n.op, node: n.outputs.map(tname).join(','), opset: opts.opset ?? 0, reason });
      for (const o of n.outputs) failed.add(o);
    };
    // a node reading the output of a node that failed: only the first failure is reported
    if (n.inputs.some((v) => failed.has(v))) { for (const o of n.outputs) failed.add(o); continue; }
    if (!t) { fail('the op has no TFLite lowering'); continue; }
    const why = t.check?.(n);
    if (why) { fail(why); continue; }
    const ctx = makeContext(n);
    try {
      if (t.lower) t.lower(ctx);
      else lowerBuiltin(ctx, t.builtin!, t.options?.(n) ?? null, t.fusesActivation === true);
    } catch (e) {
      if (e instanceof Unsupported) { fail(e.message); continue; }
      throw e;
    }
    for (const o of n.outputs) {
      if (!used.has(o)) continue;
      if (!stored.get(o)?.has(layoutOf(o).join(','))) throw new Error(`internal: lowering of ${n.op} did not produce %${o.id}`);
    }
  }
  if (failures.length) throw new UnsupportedOpsError(failures, 'lowering');

  // Outputs: in the logical layout (NHWC for rank 4 with nhwcIO), named as the model's outputs.
  const outputs_: number[] = [];
  const inputIdx = new Set(g.inputs.map((v) => stored.get(v)!.get(layoutOf(v).join(','))!));
  const outputs = g.outputs.map((v, i) => {
    const want = opts.nhwcIO && v.shape.length === 4 ? [0, 2, 3, 1] : identity(v.shape.length);
    let idx = valueIn(v, want);
    const name = opts.outputNames[i] ?? tname(v);
    const isInput = inputIdx.has(idx) || tensors[idx].data !== undefined || outputs_.includes(idx);
    if (isInput) {
      // an output must be produced by an operator of its own
      const dims = tensors[idx].shape;
      if (tensors[idx].data !== undefined && dims.some((d) => d === 0)) {
        // a .tflite buffer without bytes reads as "no data": a constant output with no elements cannot be stored
        throw new UnsupportedOpsError([{ opType: 'output', node: name, opset: opts.opset ?? 0, reason: `constant output [${dims.join(', ')}] with no elements` }], 'lowering');
      }
      const copy = addTensor({ name, shape: dims, dtype: tensors[idx].dtype });
      // a rank-0 shape tensor would be an empty buffer too: scalars take new_shape alone
      const shape = dims.length ? [addTensor({ name: `${name}_shape`, shape: [dims.length], dtype: 'int32', data: Int32Array.from(dims) })] : [];
      operators.push({ op: 'RESHAPE', inputs: [idx, ...shape], outputs: [copy], options: { new_shape: [...dims] } });
      idx = copy;
    } else if (tensors[idx].name !== name) {
      names.delete(tensors[idx].name);
      tensors[idx] = { ...tensors[idx], name: unique(name) };
    }
    outputs_.push(idx);
    return idx;
  });
  const inputs = g.inputs.map((v) => stored.get(v)!.get(layoutOf(v).join(','))!);
  const desc: ModelDesc = {
    tensors, operators, inputs, outputs,
    signatureDefs: [{
      key: 'serving_default',
      inputs: inputs.map((t, i) => ({ name: opts.inputNames[i] ?? tensors[t].name, tensor: t })),
      outputs: outputs.map((t, i) => ({ name: opts.outputNames[i] ?? tensors[t].name, tensor: t })),
    }],
  };
  return { desc, valueOf };

  function makeContext(n: Node): TfliteLowerContext {
    const ctx: TfliteLowerContext = {
      node: n,
      input: (i, perm) => valueIn(n.inputs[i], perm ?? identity(n.inputs[i].shape.length)),
      inputAligned: (i, rank, perm) => {
        const v = n.inputs[i];
        if (v.shape.length === rank) return valueIn(v, perm);
        const shape = [...new Array(rank - v.shape.length).fill(1), ...v.shape];
        const d = constData.get(v);
        if (d) {
          const key = `aligned:${rank}:${perm.join(',')}`;
          const hit = stored.get(v)?.get(key);
          if (hit !== undefined) return hit;
          const make = (k: number) => (d instanceof Float32Array ? new Float32Array(k) : d instanceof Int32Array ? new Int32Array(k) : new Uint8Array(k)) as Storage;
          const idx = addTensor({ name: tname(v), shape: permuted(shape, perm), dtype: liteType(v.dtype), data: permuteData(d, shape, perm, make as never) });
          let m = stored.get(v);
          if (!m) stored.set(v, (m = new Map()));
          m.set(key, idx);
          return idx;
        }
        // a run-time value of lower rank: reshape to full rank, then into `perm`
        const src = valueIn(v, identity(v.shape.length));
        const full = addTensor({ name: `${tname(v)}_r${rank}`, shape, dtype: liteType(v.dtype) });
        const st = addTensor({ name: `${tname(v)}_r${rank}_shape`, shape: [rank], dtype: 'int32', data: Int32Array.from(shape) });
        operators.push({ op: 'RESHAPE', inputs: [src, st], outputs: [full], options: { new_shape: shape } });
        if (sameMemoryOrder(shape, identity(rank), perm)) {
          if (isIdentity(perm)) return full;
          const out = addTensor({ name: `${tname(v)}_r${rank}p`, shape: permuted(shape, perm), dtype: liteType(v.dtype) });
          const st2 = addTensor({ name: `${tname(v)}_r${rank}p_shape`, shape: [rank], dtype: 'int32', data: Int32Array.from(permuted(shape, perm)) });
          operators.push({ op: 'RESHAPE', inputs: [full, st2], outputs: [out], options: { new_shape: permuted(shape, perm) } });
          return out;
        }
        const out = addTensor({ name: `${tname(v)}_r${rank}t`, shape: permuted(shape, perm), dtype: liteType(v.dtype) });
        const pt = addTensor({ name: `${tname(v)}_r${rank}t_perm`, shape: [rank], dtype: 'int32', data: Int32Array.from(perm) });
        operators.push({ op: 'TRANSPOSE', inputs: [full, pt], outputs: [out] });
        return out;
      },
      layoutOf: (i) => layoutOf(n.inputs[i]),
      constant: (i) => constData.get(n.inputs[i]),
      outputLayout: (i) => layoutOf(n.outputs[i]),
      output: (i) => {
        const o = n.outputs[i];
        const perm = layoutOf(o);
        const hit = stored.get(o)?.get(perm.join(','));
        if (hit !== undefined) return hit;
        const idx = addTensor({ name: tname(o), shape: permuted(o.shape, perm), dtype: liteType(o.dtype) });
        put(o, perm, idx);
        return idx;
      },
      alias: (i, t) => put(n.outputs[i], layoutOf(n.outputs[i]), t),
      addConstant: (name, shape, dtype, data) => addTensor({ name, shape, dtype, data: data as Data }),
      addTensor: (name, shape, dtype) => addTensor({ name, shape, dtype: liteType(dtype) }),
      emit: (op, inputs, outputs, options, version) => {
        const d = { op: op as BuiltinOpName, inputs: [...inputs], outputs: [...outputs] } as OperatorDesc & { options?: unknown; version?: number };
        if (options !== undefined) d.options = options;
        if (version !== undefined) d.version = version;
        operators.push(d as OperatorDesc);
      },
      activation: ((n.attrs.fusedActivation as string | undefined) ?? 'NONE') as FusedActivation,
      unsupported: (reason) => { throw new Unsupported(reason); },
    };
    return ctx;
  }
}

/** The common lowering: one builtin over inputs aligned to the output's rank and layout. */
export function lowerBuiltin(ctx: TfliteLowerContext, op: BuiltinOpName, options: Record<string, unknown> | null, fuses: boolean): void {
  const out = ctx.node.outputs[0];
  const perm = ctx.outputLayout(0);
  const ins = ctx.node.inputs.map((_, i) => ctx.inputAligned(i, out.shape.length, perm));
  const opts = fuses ? { ...(options ?? {}), fused_activation_function: ctx.activation } : options ?? undefined;
  if (!fuses && ctx.activation !== 'NONE') ctx.unsupported(`a fused ${ctx.activation} on ${op}`);
  ctx.emit(op, ins, ctx.node.outputs.map((_, i) => ctx.output(i)), opts);
}

export { inverse, samePerm };

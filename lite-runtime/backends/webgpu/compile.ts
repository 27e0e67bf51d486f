/// <reference types="@webgpu/types" />
/**
 * Compiles a prepared subgraph for one WebGPU device, once at load (again only when an
 * input shape changes):
 * - each op asks its kernel for programs; an op without one (or with tensors the GPU does
 *   not hold, e.g. int32) runs its CPU kernel, and the CPU<->GPU transfers this needs are
 *   planned here, in order, and reported in the plan;
 * - activations live in one GPU arena planned from tensor lifetimes with the CPU's planner;
 *   constants (dequantized, transposed weights) are uploaded once into one buffer; the
 *   uniforms of every dispatch are written once into one buffer; bind groups made once;
 * - pipelines come from the session's cache (createComputePipelineAsync, by shader key).
 * `GpuExecutor.run` then encodes every dispatch of a run into one command buffer (more only
 * where a CPU op needs GPU results) and reads each output back once.
 *
 * ```ts
 * const exec = await compileSubgraph(session, runner, new Set());
 * await exec.run(); // inputs from runner.inputTensors, outputs into runner.outputTensors
 * ```
 */
import { DisposedError, LiteError } from '../../format/errors.js';
import { BuiltinOp, opName } from '../../format/schema.js';
import type { RtTensor } from '../../ops/op.js';
import type { SubgraphRunner } from '../../interpreter.js';
import { planArena } from '../../planner.js';
import { GpuDeviceLostError, GpuValidationError } from '../gpu-errors.js';
import type { BackendPlan } from '../plan.js';
import { realValues, toHalf } from './consts.js';
import type { GpuSession } from './device.js';
import { GPU_KERNELS } from './kernels.js';
import { isView, layoutKernel } from './layout.js';
import { foldEpilogues, foldInputTransposes, foldLayerNorms, foldPoolPads } from './fold.js';
import { elementwiseChain, isElementwise, isUnary, scalarOperand, type ChainView } from './elementwise.js';
import type { GpuTensor } from './chain.js';
import { count, dispatch1d, gpuDType, main1d, params, storage, type GpuCopy, type GpuProgram, type GpuRef, type GpuStep, type KernelContext } from './program.js';

const U_STORAGE = 0x80, U_COPY_SRC = 0x04, U_COPY_DST = 0x08, U_MAP_READ = 0x01, U_UNIFORM = 0x40;
const MAP_READ = 1;

type Where = { buf: 'arena' | 'const' | 'scratch'; offset: number; bytes: number };

interface Transfer { t: RtTensor; at: number; bytes: number; buf: GPUBuffer; host: Float32Array<ArrayBuffer> | null }

type Action =
  | { kind: 'dispatch'; pipeline: GPUComputePipeline; group: GPUBindGroup; wg: [number, number, number] }
  | { kind: 'copy'; src: GPUBuffer; srcOffset: number; dst: GPUBuffer; dstOffset: number; bytes: number }
  | { kind: 'upload'; x: Transfer }
  | { kind: 'download'; xs: Transfer[]; final: boolean }
  | { kind: 'cpu'; from: number; to: number };

const alignUp = (n: number, a: number): number => Math.ceil(n / a) * a;

/** Ops whose GPU form is a strided view of their input (read in place by a following elementwise shader). */
const VIEW_CODES = new Set<number>([BuiltinOp.STRIDED_SLICE, BuiltinOp.SLICE]);
/** RESHAPE-like ops: the data does not move. */
const COPY_CODES = new Set<number>([BuiltinOp.RESHAPE, BuiltinOp.SQUEEZE, BuiltinOp.EXPAND_DIMS]);

function isCopy(s: GpuStep): s is GpuCopy {
  return 'copy' in s;
}

/** Bindings of a step: storage refs (programs) or copy endpoints. */
function refsOf(s: GpuStep): GpuRef[] {
  return isCopy(s) ? [s.copy.src, s.copy.dst] : s.bindings;
}

/** Makes duplicate tensor bindings of a program distinct (writable bindings may not alias): later ones read a scratch copy. */
function dedupe(steps: GpuStep[], stepIndex: number): GpuStep[] {
  const out: GpuStep[] = [];
  for (const s of steps) {
    if (isCopy(s)) { out.push(s); continue; }
    const seen = new Set<RtTensor>();
    const bindings = s.bindings.map((r, k) => {
      if (!('tensor' in r)) return r;
      if (!seen.has(r.tensor)) { seen.add(r.tensor); return r; }
      const bytes = Math.max(4, count(r.tensor.shape) * 4);
      const scratch: GpuRef = { scratch: bytes, id: `dup:${stepIndex}:${k}` };
      out.push({ name: 'alias copy', copy: { src: r, dst: scratch, bytes } });
      return scratch;
    });
    out.push({ ...s, bindings });
  }
  return out;
}

/** A compiled subgraph on one device: `run` executes it. */
export class GpuExecutor {
  private readonly buffers: GPUBuffer[] = [];
  private arena: GPUBuffer | null = null;
  private root: (t: RtTensor) => RtTensor = (t) => t;
  private actions: Action[] = [];
  /** Inputs a CPU op reads (or that are outputs as they are): a GPU buffer given for one is read back first. */
  private cpuInputs = new Set<RtTensor>();
  /** Bytes of constants stored as f16 (shader-f16). */
  halfBytes = 0;
  plan!: BackendPlan;
  /** Set when the subgraph was prepared again (new shapes) since this compile: compile anew. */
  stale = false;
  private disposed = false;

  constructor(private readonly session: GpuSession, private readonly runner: SubgraphRunner) {}

  /** Plans and uploads everything; `cpuCodes`: builtin codes that must run on the CPU (overridden ops). */
  async compile(cpuCodes: ReadonlySet<number>, reason: string): Promise<void> {
    const { device } = this.session;
    const limits = device.limits;
    const steps = this.runner.preparedSteps;
    const ctx: KernelContext = {
      maxWorkgroupsPerDim: limits.maxComputeWorkgroupsPerDimension,
      maxInvocations: limits.maxComputeInvocationsPerWorkgroup,
      maxStorageBuffers: limits.maxStorageBuffersPerShaderStage,
      f16: this.session.f16,
      halfConsts: new Set(steps.filter((s) => s.folded && s.op.name === 'DEQUANTIZE' && s.node.inputs[0]?.dtype === 'float16').map((s) => s.node.outputs[0]!)),
    };
    const n = steps.length;
    // 1. Kernels: GPU steps or a reason to run on the CPU.
    const gpu: (GpuStep[] | null)[] = steps.map(() => null);
    const cpuOps: BackendPlan['cpuOps'] = [];
    const readers = new Map<RtTensor, number>();
    for (const t of this.runner.outputTensors) readers.set(t, Infinity);
    for (const s of steps) if (!s.folded) for (const t of s.node.inputs) if (t) readers.set(t, (readers.get(t) ?? 0) + 1);
    let fusedOps = foldPoolPads(steps, readers, ctx, gpu, cpuCodes) + foldInputTransposes(steps, readers, ctx, gpu, cpuCodes)
      + foldLayerNorms(steps, readers, ctx, gpu, cpuCodes) + this.fuse(cpuCodes, ctx, gpu, readers);
    steps.forEach((s, i) => {
      if (s.folded || gpu[i]) return;
      const name = s.op.name;
      let why: string | null = null;
      const kernel = GPU_KERNELS.get(s.op.code) ?? layoutKernel;
      if (cpuCodes.has(s.op.code)) why = 'op overridden by LoadOptions.ops';
      else {
        let r: GpuStep[] | string;
        try {
          r = kernel(s.node, ctx, s.state);
        } catch (e) {
          r = `kernel rejected the node: ${(e as Error).message}`;
        }
        if (typeof r === 'string') why = r;
        else {
          why = this.checkSteps(r, ctx);
          if (!why) gpu[i] = dedupe(r, i);
        }
      }
      if (why) cpuOps.push({ node: s.node.index, op: name || opName(s.op.code), reason: why });
    });
    fusedOps += foldEpilogues(steps, readers, gpu, cpuCodes);
    // 2. Residency: where each tensor is valid as the steps run; transfers where a side needs it.
    const onCpu = new Set<RtTensor>(this.runner.inputTensors);
    const onGpu = new Set<RtTensor>();
    type Planned = { kind: 'gpu'; i: number } | { kind: 'upload'; t: RtTensor; i: number } | { kind: 'download'; ts: RtTensor[]; i: number } | { kind: 'cpu'; i: number };
    const order: Planned[] = [];
    const uses = new Map<RtTensor, number[]>();
    // RESHAPE-like copies of a whole tensor alias their input: one arena region, no copy.
    const alias = new Map<RtTensor, RtTensor>();
    const root = (t: RtTensor): RtTensor => alias.get(t) ?? t;
    this.root = root;
    const use = (t0: RtTensor, i: number): void => {
      const t = root(t0);
      let u = uses.get(t);
      if (!u) uses.set(t, (u = []));
      u.push(i);
    };
    for (let i = 0; i < n; i++) {
      const s = steps[i]!;
      if (s.folded) continue;
      const g = gpu[i];
      if (g) {
        const outs = new Set(s.node.outputs);
        gpu[i] = g.filter((st) => {
          if (!isCopy(st) || st.copy.srcOffset || st.copy.dstOffset) return true;
          const { src, dst } = st.copy;
          if (!('tensor' in src) || !('tensor' in dst) || src.tensor.isConst || !outs.has(dst.tensor)) return true;
          if (st.copy.bytes !== count(dst.tensor.shape) * 4 || count(src.tensor.shape) !== count(dst.tensor.shape)) return true;
          alias.set(dst.tensor, root(src.tensor));
          return false;
        });
        for (const st of gpu[i]!) {
          for (const r of refsOf(st)) {
            if (!('tensor' in r) || r.tensor.isConst) continue;
            use(r.tensor, i);
            if (!outs.has(r.tensor) && !onGpu.has(root(r.tensor))) {
              order.push({ kind: 'upload', t: root(r.tensor), i });
              onGpu.add(root(r.tensor));
            }
          }
        }
        for (const t of outs) {
          if (!alias.has(t)) continue;
          use(t, i);
          if (!onGpu.has(root(t))) {
            order.push({ kind: 'upload', t: root(t), i });
            onGpu.add(root(t));
          }
        }
        order.push({ kind: 'gpu', i });
        for (const t of outs) { onGpu.add(root(t)); onCpu.delete(t); }
      } else {
        const need = s.node.inputs.filter((t): t is RtTensor => !!t && !t.isConst && !onCpu.has(t) && onGpu.has(root(t)));
        const uniq = [...new Set(need)];
        if (uniq.length) {
          for (const t of uniq) { use(t, i); onCpu.add(t); }
          order.push({ kind: 'download', ts: uniq, i });
        }
        order.push({ kind: 'cpu', i });
        for (const t of s.node.outputs) { onCpu.add(t); onGpu.delete(root(t)); }
      }
    }
    const finals = [...new Set(this.runner.outputTensors.filter((t) => !t.isConst && !onCpu.has(t) && onGpu.has(root(t))))];
    for (const t of finals) use(t, n);
    if (finals.length) order.push({ kind: 'download', ts: finals, i: n });
    const ins = new Set(this.runner.inputTensors);
    this.cpuInputs = new Set([
      ...steps.flatMap((s, i) => (s.folded || gpu[i] ? [] : s.node.inputs.filter((t): t is RtTensor => !!t && ins.has(t)))),
      ...this.runner.outputTensors.filter((t) => ins.has(t)),
    ]);
    // Copies inside the arena (one buffer: copyBufferToBuffer refuses it) become a copy shader.
    for (let i = 0; i < n; i++) gpu[i] = gpu[i]?.map((st) => (isCopy(st) && inArena(st.copy.src) && inArena(st.copy.dst) ? copyProgram(st, ctx) : st)) ?? null;
    // 3. The GPU arena: every non-constant tensor the GPU touches, plus scratch, by lifetime.
    const align = Math.max(16, limits.minStorageBufferOffsetAlignment);
    // (every tensor in `uses` is bound by a GPU step or read back from the GPU)
    const arenaTensors = [...uses.keys()];
    const scratch = new Map<string, { bytes: number; i: number }>();
    gpu.forEach((g, i) => g?.forEach((st) => refsOf(st).forEach((r) => { if ('scratch' in r) scratch.set(r.id, { bytes: r.scratch, i }); })));
    const items = [
      ...arenaTensors.map((t) => {
        const u = uses.get(t)!;
        return { bytes: Math.max(4, count(t.shape) * 4), first: Math.min(...u), last: Math.max(...u) };
      }),
      ...[...scratch.values()].map((s) => ({ bytes: s.bytes, first: s.i, last: s.i })),
    ];
    const { offsets, arenaBytes } = planArena(items, align);
    const place = new Map<RtTensor | string, Where>();
    arenaTensors.forEach((t, k) => place.set(t, { buf: 'arena', offset: offsets[k]!, bytes: items[k]!.bytes }));
    [...scratch.keys()].forEach((id, k) => {
      const j = arenaTensors.length + k;
      place.set(id, { buf: 'arena', offset: offsets[j]!, bytes: items[j]!.bytes });
    });
    // 4. Constants (one buffer) and uniforms (one buffer).
    const constAt = new Map<RtTensor | Float32Array, Where & { data: ArrayBufferView }>();
    let constBytes = 0;
    const constOf = (r: GpuRef): Where => {
      const key = 'tensor' in r ? r.tensor : (r as { data: Float32Array }).data;
      let w = constAt.get(key);
      if (!w) {
        const f32 = 'tensor' in r ? realValues(r.tensor)! : (r as { data: Float32Array }).data;
        const data = 'half' in r && r.half ? toHalf(f32) : f32;
        w = { buf: 'const', offset: constBytes, bytes: Math.max(4, alignUp(data.byteLength, 4)), data };
        constAt.set(key, w);
        constBytes = alignUp(constBytes + w.bytes, align);
      }
      return w;
    };
    const uAlign = Math.max(16, limits.minUniformBufferOffsetAlignment);
    let uniformBytes = 0;
    const uniformAt = new Map<GpuProgram, number>();
    gpu.forEach((g) => g?.forEach((st) => {
      if (isCopy(st)) { refsOf(st).forEach((r) => { if ('data' in r || ('tensor' in r && r.tensor.isConst)) constOf(r); }); return; }
      st.bindings.forEach((r) => { if ('data' in r || ('tensor' in r && r.tensor.isConst)) constOf(r); });
      if (st.uniforms) { uniformAt.set(st, uniformBytes); uniformBytes = alignUp(uniformBytes + st.uniforms.byteLength, uAlign); }
    }));
    device.pushErrorScope('out-of-memory');
    device.pushErrorScope('validation');
    const mk = (size: number, usage: number, label: string, mapped = false): GPUBuffer => {
      const b = device.createBuffer({ size: alignUp(Math.max(16, size), 16), usage, label, mappedAtCreation: mapped });
      this.buffers.push(b);
      return b;
    };
    const arena = mk(arenaBytes, U_STORAGE | U_COPY_SRC | U_COPY_DST, 'tglite arena');
    this.arena = arena;
    const constBuf = mk(constBytes, U_STORAGE | U_COPY_SRC, 'tglite constants', true);
    {
      const dst = new Uint8Array(constBuf.getMappedRange());
      for (const w of constAt.values()) dst.set(new Uint8Array(w.data.buffer, w.data.byteOffset, w.data.byteLength), w.offset);
      this.halfBytes = [...constAt.values()].reduce((n, w) => n + (w.data instanceof Uint16Array ? w.data.byteLength : 0), 0);
      constBuf.unmap();
    }
    const uniformBuf = mk(uniformBytes, U_UNIFORM | U_COPY_DST, 'tglite uniforms', true);
    {
      const dst = new Uint8Array(uniformBuf.getMappedRange());
      for (const [p, at] of uniformAt) dst.set(new Uint8Array(p.uniforms!), at);
      uniformBuf.unmap();
    }
    const resolve = (r: GpuRef): { buffer: GPUBuffer; offset: number; size: number } => {
      const w = 'scratch' in r ? place.get(r.id)! : 'data' in r || r.tensor.isConst ? constOf(r) : place.get(root(r.tensor))!;
      return { buffer: w.buf === 'const' ? constBuf : arena, offset: w.offset, size: w.bytes };
    };
    // 5. Pipelines (shared cache), then the actions of a run.
    const progs = gpu.flatMap((g) => (g ?? []).filter((s): s is GpuProgram => !isCopy(s)));
    let pipelines: GPUComputePipeline[];
    try {
      pipelines = await Promise.all(progs.map((p) => this.session.pipeline(p)));
    } catch (e) {
      await device.popErrorScope();
      await device.popErrorScope();
      this.session.checkAlive();
      throw new GpuValidationError('validation', `creating a pipeline failed: ${(e as Error).message}`);
    }
    const pipeOf = new Map(progs.map((p, k) => [p, pipelines[k]!]));
    const transfers: BackendPlan['transfers'] = [];
    const nodeName = (i: number): string => (i >= n ? 'end' : `node ${steps[i]!.node.index} (${steps[i]!.op.name})`);
    const actions: Action[] = [];
    let dispatches = 0, commandBuffers = 0, pendingGpu = false;
    for (const o of order) {
      if (o.kind === 'gpu') {
        for (const st of gpu[o.i]!) {
          pendingGpu = true;
          if (isCopy(st)) {
            const s = resolve(st.copy.src), d = resolve(st.copy.dst);
            actions.push({ kind: 'copy', src: s.buffer, srcOffset: s.offset + (st.copy.srcOffset ?? 0), dst: d.buffer, dstOffset: d.offset + (st.copy.dstOffset ?? 0), bytes: st.copy.bytes });
            continue;
          }
          const pipeline = pipeOf.get(st)!;
          const entries: GPUBindGroupEntry[] = [];
          if (st.uniforms) entries.push({ binding: 0, resource: { buffer: uniformBuf, offset: uniformAt.get(st)!, size: st.uniforms.byteLength } });
          st.bindings.forEach((r, k) => entries.push({ binding: k + 1, resource: resolve(r) }));
          const group = device.createBindGroup({ layout: pipeline.getBindGroupLayout(0), entries, label: st.name });
          actions.push({ kind: 'dispatch', pipeline, group, wg: st.dispatch });
          dispatches++;
        }
      } else if (o.kind === 'upload') {
        const w = place.get(o.t)!;
        const bytes = count(o.t.shape) * 4;
        const buf = mk(bytes, U_COPY_SRC | U_COPY_DST, `upload ${o.t.name}`);
        const x: Transfer = { t: o.t, at: w.offset, bytes, buf, host: o.t.dtype === 'float32' ? null : new Float32Array(count(o.t.shape)) };
        actions.push({ kind: 'upload', x });
        transfers.push({ tensor: o.t.name, direction: 'upload', before: nodeName(o.i), bytes });
      } else if (o.kind === 'download') {
        const xs = o.ts.map((t) => {
          const bytes = count(t.shape) * 4;
          transfers.push({ tensor: t.name, direction: 'download', before: nodeName(o.i), bytes });
          return { t, at: place.get(root(t))!.offset, bytes, buf: mk(bytes, U_MAP_READ | U_COPY_DST, `readback ${t.name}`), host: null };
        });
        actions.push({ kind: 'download', xs, final: o.i >= n });
        commandBuffers++;
        pendingGpu = false;
      } else {
        const last = actions[actions.length - 1];
        if (last?.kind === 'cpu' && last.to === o.i) last.to = o.i + 1;
        else actions.push({ kind: 'cpu', from: o.i, to: o.i + 1 });
      }
    }
    if (pendingGpu) commandBuffers++;
    const val = await device.popErrorScope();
    const oom = await device.popErrorScope();
    this.session.checkAlive();
    if (val) throw new GpuValidationError('validation', val.message);
    if (oom) throw new GpuValidationError('out-of-memory', oom.message);
    this.actions = actions;
    const info = (this.session.adapter as { info?: GPUAdapterInfo }).info;
    this.plan = {
      backend: 'webgpu', reason,
      adapter: info ? [info.vendor, info.architecture, info.description].filter(Boolean).join(' ') || 'unknown adapter' : 'unknown adapter',
      gpuOps: gpu.filter((g) => g).length, fusedOps, cpuOps, transfers, dispatches, commandBuffers,
      pipelines: new Set(progs.map((p) => p.cacheKey)).size, gpuArenaBytes: arenaBytes, gpuConstBytes: constBytes,
      ...(this.halfBytes ? { gpuHalfBytes: this.halfBytes } : {}),
    };
  }

  /**
   * Elementwise chains the model left apart (an elementwise op, then unary ops each reading
   * only the previous one's float32 result) become one shader: the last op of a chain gets
   * it, the others an empty step (their results never exist). Returns how many ops were fused.
   */
  private fuse(cpuCodes: ReadonlySet<number>, ctx: KernelContext, gpu: (GpuStep[] | null)[], consumers: ReadonlyMap<RtTensor, number>): number {
    const steps = this.runner.preparedSteps;
    const producer = new Map<RtTensor, number>();
    steps.forEach((s, i) => {
      if (!s.folded) for (const t of s.node.outputs) producer.set(t, i);
    });
    const ok = (i: number): boolean => {
      const s = steps[i]!;
      return !s.folded && !gpu[i] && !cpuCodes.has(s.op.code) && GPU_KERNELS.has(s.op.code) && isElementwise(s.op.code) && s.node.outputs.length === 1;
    };
    const chainOf = new Map<number, number[]>();
    const valueOf = new Map<number, RtTensor>(); // the chain value a link reads
    // a chain value: a float32 result of a chain-able step read only here
    const joins = (x: RtTensor | null | undefined): x is RtTensor =>
      !!x && x.dtype === 'float32' && !x.isConst && consumers.get(x) === 1 && producer.has(x) && ok(producer.get(x)!);
    // tensor operands a chain reads besides its first op's (each one more storage binding)
    const operands = (chain: number[]): number => chain.slice(1).filter((k) => !isUnary(steps[k]!.op.code) && !scalarOperand(steps[k]!.op.code, steps[k]!.node)).length;
    steps.forEach((s, i) => {
      if (!ok(i)) return;
      // unary followers, binary ones with a float32 scalar constant (x * 0.5, x + 1, ...), and
      // binary ones with a float32 tensor operand of (or broadcast to) the chain's shape
      const sc = isUnary(s.op.code) ? null : scalarOperand(s.op.code, s.node);
      let x: RtTensor | null | undefined = isUnary(s.op.code) ? s.node.inputs[0] : sc ? s.node.inputs[1 - sc.at] : null;
      if (!isUnary(s.op.code) && !sc) {
        const [a, b] = s.node.inputs, y = s.node.outputs[0]!;
        if (!a || !b || a === b || s.node.inputs.length !== 2) return;
        x = [a, b].find((t) => joins(t) && t.shape.join() === y.shape.join()
          && operands(chainOf.get(producer.get(t)!) ?? []) + 4 <= ctx.maxStorageBuffers);
        const other = x === a ? b : a;
        if (!x || other.dtype !== 'float32') return;
      }
      if (!joins(x)) return;
      const j = producer.get(x)!;
      const chain = chainOf.get(j) ?? [j];
      chainOf.delete(j);
      chainOf.set(i, [...chain, i]);
      valueOf.set(i, x);
    });
    // unary ops standing alone are chains of one (they may read through a view)
    const member = new Set([...chainOf.values()].flat());
    steps.forEach((s, i) => { if (ok(i) && isUnary(s.op.code) && !member.has(i)) chainOf.set(i, [i]); });
    let fused = 0;
    for (const [last, chain] of chainOf) {
      const view = this.viewInto(chain[0]!, consumers, cpuCodes);
      if (chain.length === 1 && !view) continue;
      let r: GpuStep[] | string;
      try {
        r = elementwiseChain(chain.map((k) => ({ code: steps[k]!.op.code, node: steps[k]!.node, x: valueOf.get(k) })), ctx, view?.view);
      } catch {
        continue;
      }
      if (typeof r === 'string' || this.checkSteps(r, ctx)) continue;
      for (const k of [...chain, ...(view?.steps ?? [])]) gpu[k] = [];
      gpu[last] = dedupe(r, last);
      fused += chain.length - 1 + (view?.steps.length ?? 0);
    }
    return fused;
  }

  /**
   * When unary step `i` reads (through RESHAPE-like copies) the result of a strided view
   * (STRIDED_SLICE, SLICE... whose CPU prepare gave `{ shape, offset, strides }`) that nothing
   * else reads: the view, to be read in place by the elementwise shader, and the steps it
   * replaces. Else null.
   */
  private viewInto(i: number, consumers: ReadonlyMap<RtTensor, number>, cpuCodes: ReadonlySet<number>): { view: ChainView; steps: number[] } | null {
    const steps = this.runner.preparedSteps;
    const s0 = steps[i]!;
    if (!isUnary(s0.op.code)) return null;
    let t = s0.node.inputs[0];
    const passed: number[] = [];
    for (let guard = 0; guard < 8 && t; guard++) {
      if (t.dtype !== 'float32' || t.isConst || consumers.get(t) !== 1) return null;
      const j = this.producerOf(t);
      if (j === undefined || cpuCodes.has(steps[j]!.op.code)) return null;
      const s = steps[j]!;
      if (COPY_CODES.has(s.op.code)) { passed.push(j); t = s.node.inputs[0]; continue; }
      const x = s.node.inputs[0];
      if (!VIEW_CODES.has(s.op.code) || !isView(s.state) || !x || x.dtype !== 'float32' || x.isConst || s.node.outputs.length !== 1) return null;
      if (s.state.shape.length > 8 || count(s.state.shape) !== count(t.shape)) return null;
      return { view: { x, shape: s.state.shape, offset: s.state.offset, strides: s.state.strides }, steps: [...passed, j] };
    }
    return null;
  }

  private producers: Map<RtTensor, number> | null = null;

  private producerOf(t: RtTensor): number | undefined {
    if (!this.producers) {
      this.producers = new Map();
      this.runner.preparedSteps.forEach((s, i) => { if (!s.folded) for (const o of s.node.outputs) this.producers!.set(o, i); });
    }
    return this.producers.get(t);
  }

  /** A reason when a kernel's steps cannot run on this device (binding count), else null. */
  private checkSteps(st: GpuStep[], ctx: KernelContext): string | null {
    for (const s of st) {
      for (const r of refsOf(s)) {
        if ('tensor' in r && !gpuDType(r.tensor)) return `tensor '${r.tensor.name}' is ${r.tensor.dtype}`;
        if ('tensor' in r && r.tensor.isConst && !realValues(r.tensor)) return `constant '${r.tensor.name}' (${r.tensor.dtype}) cannot be dequantized`;
      }
      if (!isCopy(s) && s.bindings.length > ctx.maxStorageBuffers) return `${s.bindings.length} storage buffers, over the device's ${ctx.maxStorageBuffers}`;
    }
    return null;
  }

  /**
   * Runs the subgraph: inputs read from the runner's input tensors (or from `gpuIn`: GPU
   * buffers of real values by input position), outputs written to its output tensors, or
   * with `keepNames` (the outputs' names) returned as new GPU buffers (no readback).
   */
  run(gpuIn?: ReadonlyMap<number, { buffer: GPUBuffer }>, keepNames?: string[] | false): Promise<GpuTensor[] | null> {
    const byTensor = new Map([...(gpuIn ?? [])].map(([k, v]) => [this.runner.inputTensors[k]!, v.buffer]));
    return this.session.exclusive(async () => {
      const kept = await this.runNow(byTensor, !!keepNames);
      return kept && keepNames ? kept.map((t, k) => ({ ...t, name: keepNames[k] ?? t.name })) : kept;
    });
  }

  private async runNow(gpuIn: ReadonlyMap<RtTensor, GPUBuffer>, keep: boolean): Promise<GpuTensor[] | null> {
    if (this.disposed) throw new DisposedError();
    const s = this.session;
    s.checkAlive();
    const { device } = s;
    device.pushErrorScope('out-of-memory');
    device.pushErrorScope('validation');
    const kept = new Map<RtTensor, GpuTensor>();
    const keepBuf = (t: RtTensor, bytes: number): GPUBuffer => {
      const b = device.createBuffer({ size: alignUp(Math.max(16, bytes), 16), usage: U_STORAGE | U_COPY_SRC | U_COPY_DST, label: `tglite output ${t.name}` });
      kept.set(t, { name: t.name, shape: t.shape.slice(), dtype: 'float32', buffer: b });
      return b;
    };
    let enc: GPUCommandEncoder | null = null;
    let pass: GPUComputePassEncoder | null = null;
    const endPass = (): GPUCommandEncoder => {
      if (!enc) enc = device.createCommandEncoder();
      if (pass) { pass.end(); pass = null; }
      return enc;
    };
    let failure: unknown = null;
    let scopes: Promise<[GPUError | null, GPUError | null]> | null = null;
    try {
      // GPU inputs that CPU ops read: one readback of them first.
      const back = [...gpuIn].filter(([t]) => this.cpuInputs.has(t));
      if (back.length) {
        const e = device.createCommandEncoder();
        const bufs = back.map(([t, b]) => {
          const bytes = count(t.shape) * 4;
          const r = device.createBuffer({ size: alignUp(Math.max(16, bytes), 16), usage: U_MAP_READ | U_COPY_DST });
          if (bytes > 0) e.copyBufferToBuffer(b, 0, r, 0, bytes);
          return { t, r, bytes };
        });
        device.queue.submit([e.finish()]);
        await Promise.all(bufs.map((x) => x.r.mapAsync(MAP_READ)));
        for (const x of bufs) {
          store(x.t, new Float32Array(x.r.getMappedRange(0, x.bytes)));
          x.r.destroy();
        }
      }
      for (const a of this.actions) {
        switch (a.kind) {
          case 'dispatch': {
            if (!pass) pass = (enc ??= device.createCommandEncoder()).beginComputePass();
            pass.setPipeline(a.pipeline);
            pass.setBindGroup(0, a.group);
            pass.dispatchWorkgroups(a.wg[0], a.wg[1], a.wg[2]);
            break;
          }
          case 'copy':
            endPass().copyBufferToBuffer(a.src, a.srcOffset, a.dst, a.dstOffset, a.bytes);
            break;
          case 'upload': {
            const x = a.x, src = x.t.data, g = gpuIn.get(x.t);
            if (g) {
              if (x.bytes > 0) endPass().copyBufferToBuffer(g, 0, this.arena!, x.at, x.bytes);
            } else if (x.bytes > 0) {
              // Nothing encoded and unsubmitted yet (e.g. the model's inputs): write into the arena
              // directly; otherwise through the staging buffer, in order with the encoded work.
              const direct = !enc;
              const dst = direct ? this.arena! : x.buf, at = direct ? x.at : 0;
              if (x.host) device.queue.writeBuffer(dst, at, dequantize(x.t, x.host));
              else device.queue.writeBuffer(dst, at, src.buffer, src.byteOffset, x.bytes);
              if (!direct) endPass().copyBufferToBuffer(x.buf, 0, this.arena!, x.at, x.bytes);
            }
            break;
          }
          case 'download': {
            const e = endPass();
            if (keep && a.final) {
              for (const x of a.xs) {
                const b = keepBuf(x.t, x.bytes);
                if (x.bytes > 0) e.copyBufferToBuffer(this.arena!, x.at, b, 0, x.bytes);
              }
              break;
            }
            const xs = a.xs.filter((x) => x.bytes > 0);
            for (const x of xs) e.copyBufferToBuffer(this.arena!, x.at, x.buf, 0, x.bytes);
            device.queue.submit([e.finish()]);
            enc = null;
            // after the last submit, the error scopes are popped while the readback is in flight
            if (a === this.actions[this.actions.length - 1]) scopes = popScopes(device);
            await Promise.all(xs.map((x) => x.buf.mapAsync(MAP_READ, 0, x.bytes)));
            for (const x of xs) {
              store(x.t, new Float32Array(x.buf.getMappedRange(0, x.bytes)));
              x.buf.unmap();
            }
            break;
          }
          case 'cpu':
            if (pass || enc) { device.queue.submit([endPass().finish()]); enc = null; }
            this.runner.runSteps(a.from, a.to);
            break;
        }
      }
      if (pass || enc) device.queue.submit([endPass().finish()]);
      if (keep) {
        // outputs last written on the CPU: uploaded as real values
        for (const t of this.runner.outputTensors) {
          if (kept.has(t)) continue;
          const v = realOf(t);
          device.queue.writeBuffer(keepBuf(t, v.byteLength), 0, v.buffer, v.byteOffset, v.byteLength);
        }
      }
    } catch (e) {
      failure = e;
      for (const k of kept.values()) k.buffer.destroy();
    }
    const [val, oom] = await (scopes ?? popScopes(device));
    if (s.lostReason !== null) throw new GpuDeviceLostError(s.lostReason);
    if (val) throw new GpuValidationError('validation', val.message);
    if (oom) throw new GpuValidationError('out-of-memory', oom.message);
    if (failure) {
      if (failure instanceof LiteError) throw failure;
      throw new GpuValidationError('internal', (failure as Error).message ?? String(failure));
    }
    if (!keep) return null;
    // one buffer per output position (a tensor listed twice gets a second copy)
    const seen = new Set<RtTensor>();
    return this.runner.outputTensors.map((t) => {
      const k = kept.get(t)!;
      if (!seen.has(t)) { seen.add(t); return k; }
      const b = device.createBuffer({ size: k.buffer.size, usage: k.buffer.usage });
      const e = device.createCommandEncoder();
      e.copyBufferToBuffer(k.buffer, 0, b, 0, k.buffer.size);
      device.queue.submit([e.finish()]);
      return { ...k, shape: k.shape.slice(), buffer: b };
    });
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    for (const b of this.buffers) b.destroy();
    this.buffers.length = 0;
    this.actions = [];
  }
}

/** The real values of `t` (any dtype) as float32. */
function realOf(t: RtTensor): Float32Array<ArrayBuffer> {
  const n = count(t.shape);
  if (t.dtype === 'float32') return (t.data as Float32Array<ArrayBuffer>).subarray(0, n);
  if (t.quant) return dequantize(t, new Float32Array(n));
  return Float32Array.from({ length: n }, (_, i) => Number(t.data[i]));
}

/** The real values of a quantized (or float) tensor's data into `out`. */
function dequantize(t: RtTensor, out: Float32Array<ArrayBuffer>): Float32Array<ArrayBuffer> {
  const d = t.data as Int32Array, q = t.quant;
  const s = q ? q.scale[0]! : 1, z = q ? q.zeroPoint[0]! : 0;
  for (let i = 0; i < out.length; i++) out[i] = s * (d[i]! - z);
  return out;
}

const Q_RANGE: Record<string, [number, number]> = { int8: [-128, 127], uint8: [0, 255], int16: [-32768, 32767] };

/** Writes real values read back from the GPU into `t`'s data (quantizing for quantized dtypes). */
function store(t: RtTensor, v: Float32Array): void {
  const d = t.data;
  if (t.dtype === 'float32') { (d as Float32Array).set(v.subarray(0, d.length)); return; }
  const [lo, hi] = Q_RANGE[t.dtype]!;
  const s = t.quant!.scale[0]!, z = t.quant!.zeroPoint[0]!;
  const out = d as Int32Array;
  for (let i = 0; i < out.length; i++) {
    const q = Math.round(v[i]! / s) + z;
    out[i] = q < lo ? lo : q > hi ? hi : q;
  }
}

/** Pops the validation and out-of-memory scopes of a run (both requests sent at once). */
function popScopes(device: GPUDevice): Promise<[GPUError | null, GPUError | null]> {
  const val = device.popErrorScope().catch(() => null);
  const oom = device.popErrorScope().catch(() => null);
  return Promise.all([val, oom]);
}

/** True when `r` lives in the arena (an activation or a scratch), not in the constant buffer. */
function inArena(r: GpuRef): boolean {
  return 'scratch' in r || ('tensor' in r && !r.tensor.isConst);
}

/** A copy between two arena regions as a shader (offsets in bytes, multiples of 4). */
function copyProgram(st: GpuCopy, ctx: KernelContext): GpuProgram {
  const { src, dst, bytes, srcOffset = 0, dstOffset = 0 } = st.copy;
  const n = bytes / 4;
  const p = params({ n: ['u32', n], so: ['u32', srcOffset / 4], dof: ['u32', dstOffset / 4] });
  return {
    name: st.name, cacheKey: 'arena-copy',
    wgsl: `${p.wgsl}${storage(['S', 'f32'], ['D', 'f32'])}${main1d()}
  if (i >= P.n) { return; }
  D[P.dof + i] = S[P.so + i];
}`,
    dispatch: dispatch1d(n, ctx.maxWorkgroupsPerDim), uniforms: p.bytes, bindings: [src, dst],
  };
}

/** Compiles `runner` (prepared) for `session`. */
export async function compileSubgraph(session: GpuSession, runner: SubgraphRunner, cpuCodes: ReadonlySet<number>, reason: string): Promise<GpuExecutor> {
  const exec = new GpuExecutor(session, runner);
  try {
    await exec.compile(cpuCodes, reason);
  } catch (e) {
    exec.dispose();
    throw e;
  }
  return exec;
}

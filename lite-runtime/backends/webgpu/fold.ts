/**
 * Producer folding at compile (GPU only; the CPU plan is untouched), each removing a dispatch
 * and a tensor that never needs to exist:
 * - a PAD/PADV2 whose only reader is a VALID MAX_POOL_2D, padding H and W with the lowest
 *   float (-inf or -FLT_MAX, as ONNX MaxPool's pads are lowered) by less than the window,
 *   becomes the pool's explicit padding: the pool skips elements outside the image, and every
 *   window keeps at least one of them, so the maximum is the same without the padded copy;
 * - unary elementwise ops (and binary ones with a float32 scalar constant) that alone read a
 *   float32 convolution / matmul / pool result are applied in that kernel's epilogue
 *   (`HARD_SWISH` after a depthwise conv, `GELU` after a FULLY_CONNECTED);
 * - a layer normalization lowered to MEAN / SUB / MUL / MEAN / ADD / RSQRT / MUL (/ MUL / ADD)
 *   is one shader (`foldLayerNorms`);
 * - a TRANSPOSE read only by a CONV_2D with fewer than 4 (or not a multiple of 4) input
 *   channels (the NCHW -> NHWC transpose at an image model's input) is read through strides by
 *   the convolution (`foldInputTransposes`); a TRANSPOSE (then RESHAPEs) flattened into a
 *   batch-1 FULLY_CONNECTED with float32 constant weights is the weights' columns permuted at
 *   load (`foldInputTransposes` too).
 *
 * ```ts
 * const folded = foldPoolPads(steps, readers, ctx, gpu, cpuCodes); // gpu[pad] = [], gpu[pool] = the pool's programs
 * const fused = foldEpilogues(steps, readers, gpu, cpuCodes); // gpu[conv] writes the activation's output
 * ```
 */
import { BuiltinOp as B, Padding, Pool2DOptions } from '../../format/schema.js';
import type { OpNode, OptionsTable, RtTensor } from '../../ops/op.js';
import type { Step } from '../../interpreter.js';
import { GPU_KERNELS } from './kernels.js';
import { conv2dFrom } from './conv.js';
import { elementwiseTail, isUnary, scalarOperand } from './elementwise.js';
import { EPILOGUE_WGSL, F32_MAX, count, dispatch1d, epilogueParams, main1d, params, storage, strides, type GpuProgram, type GpuStep, type KernelContext } from './program.js';

/** `o` with a folded [top, bottom, left, right] padding that `windowOf` reads (every field read as before). */
/** The GPU steps of a folded node, or null where its kernel declines (a reason) or throws: the fold is then skipped. */
function tryKernel(build: () => GpuStep[] | string): GpuStep[] | null {
  try {
    const r = build();
    return typeof r === 'string' ? null : r;
  } catch {
    return null;
  }
}

function withPadding(o: OptionsTable, pads: [number, number, number, number]): OptionsTable {
  return Object.assign(Object.create(o) as OptionsTable, { explicitPadding: pads });
}

/** The [top, bottom, left, right] padding of a float32 PAD/PADV2 step that pads H/W with the lowest float, else null. */
function lowestPads(s: Readonly<Step>): [number, number, number, number] | null {
  const { node } = s;
  if (s.op.code !== B.PADV2) return null;
  const x = node.inputs[0], pads = node.inputs[1], fill = node.inputs[2], y = node.outputs[0];
  if (!x || !pads?.isConst || !fill?.isConst || !y || x.dtype !== 'float32' || y.dtype !== 'float32' || x.shape.length !== 4) return null;
  if (fill.dtype !== 'float32' || fill.data.length !== 1 || !(Number(fill.data[0]) <= -F32_MAX)) return null;
  const v = Array.from(pads.data as ArrayLike<number | bigint>, Number);
  if (v.length !== 8 || v.some((d) => !(d >= 0)) || v[0] || v[1] || v[6] || v[7]) return null;
  return [v[2]!, v[3]!, v[4]!, v[5]!];
}

/**
 * Folds each foldable PADV2 into the MAX_POOL_2D reading it: `gpu[pad]` becomes [] (its output
 * never exists) and `gpu[pool]` the pool's programs on the unpadded input. `readers`: how many
 * steps (or outputs: Infinity) read each tensor. Returns how many pads were folded.
 */
export function foldPoolPads(
  steps: ReadonlyArray<Readonly<Step>>, readers: ReadonlyMap<RtTensor, number>, ctx: KernelContext,
  gpu: (GpuStep[] | null)[], cpuCodes: ReadonlySet<number>,
): number {
  const byInput = new Map<RtTensor, number>();
  steps.forEach((s, i) => { if (!s.folded && s.node.inputs[0]) byInput.set(s.node.inputs[0], i); });
  const pool = GPU_KERNELS.get(B.MAX_POOL_2D)!;
  let folded = 0;
  steps.forEach((s, i) => {
    if (s.folded || gpu[i] || cpuCodes.has(s.op.code) || cpuCodes.has(B.MAX_POOL_2D)) return;
    const pads = lowestPads(s);
    const t = s.node.outputs[0]!;
    if (!pads || readers.get(t) !== 1) return;
    const k = byInput.get(t);
    const c = k === undefined ? null : steps[k]!;
    const o = c?.node.options;
    if (!c || c.op.code !== B.MAX_POOL_2D || gpu[k!] || !o || 'explicitPadding' in o) return;
    if (o.i8(Pool2DOptions.padding, Padding.SAME) !== Padding.VALID) return;
    const kh = o.i32(Pool2DOptions.filter_height, 1), kw = o.i32(Pool2DOptions.filter_width, 1);
    if (pads[0] >= kh || pads[1] >= kh || pads[2] >= kw || pads[3] >= kw) return;
    const node: OpNode = { ...c.node, inputs: [s.node.inputs[0]!], options: withPadding(o, pads) };
    const r = tryKernel(() => pool(node, ctx, c.state));
    if (!r) return;
    gpu[i] = [];
    gpu[k!] = r;
    folded++;
  });
  return folded;
}

/** Producers whose kernels write their one output only through the epilogue (`epi`/`epi4`), once per element. */
const EPILOGUE_PRODUCERS = new Set<number>([
  B.CONV_2D, B.DEPTHWISE_CONV_2D, B.TRANSPOSE_CONV, B.FULLY_CONNECTED, B.BATCH_MATMUL, B.MAX_POOL_2D, B.AVERAGE_POOL_2D,
]);

/** EPILOGUE_WGSL with `post` applied to each value after the clamp (float32 outputs: no fake-quantization). */
function postEpilogue(fns: string, post: string): string {
  return `${fns}
fn epi(v: f32) -> f32 {
  let x = clamp(v, P.lo, P.hi);
  return ${post};
}
fn epi4(v: vec4<f32>) -> vec4<f32> {
  return vec4<f32>(epi(v.x), epi(v.y), epi(v.z), epi(v.w));
}
`;
}

/**
 * Applies the unary elementwise chain that alone reads a producer's float32 output in the
 * producer's epilogue: `gpu[producer]` then writes the chain's last tensor and the chain's
 * steps become [] (a chain compile's fuse made of them included). Runs after the producers'
 * kernels are compiled. Returns how many ops were fused.
 */
export function foldEpilogues(
  steps: ReadonlyArray<Readonly<Step>>, readers: ReadonlyMap<RtTensor, number>,
  gpu: (GpuStep[] | null)[], cpuCodes: ReadonlySet<number>,
): number {
  const byInput = new Map<RtTensor, number>();
  steps.forEach((s, i) => {
    if (s.folded) return;
    for (const t of s.node.inputs) if (t && !t.isConst) byInput.set(t, i);
  });
  // a follower: elementwise on the GPU, reading only `t` (besides a scalar constant), one float32 output
  const follower = (t: RtTensor): number | null => {
    if (readers.get(t) !== 1) return null;
    const j = byInput.get(t);
    if (j === undefined) return null;
    const s = steps[j]!;
    if (!gpu[j] || cpuCodes.has(s.op.code) || s.node.outputs.length !== 1 || s.node.outputs[0]!.dtype !== 'float32') return null;
    if (isUnary(s.op.code) ? s.node.inputs[0] !== t : scalarOperand(s.op.code, s.node)?.at !== (s.node.inputs[0] === t ? 1 : 0)) return null;
    return j;
  };
  let fused = 0;
  steps.forEach((s, i) => {
    const progs = gpu[i];
    if (s.folded || !progs || !EPILOGUE_PRODUCERS.has(s.op.code) || s.node.outputs.length !== 1) return;
    const y = s.node.outputs[0]!;
    if (y.dtype !== 'float32') return;
    const chain: number[] = [];
    for (let t = y, j = follower(t); j !== null; t = steps[j]!.node.outputs[0]!, j = follower(t)) chain.push(j);
    // an elementwise chain (compile's fuse) ending after ours would read a tensor that no longer exists
    if (!chain.length || !gpu[chain[chain.length - 1]!]!.length) return;
    const writers = progs.filter((p) => 'bindings' in p && p.bindings.some((r) => 'tensor' in r && r.tensor === y));
    const prog = writers[0] as GpuProgram | undefined;
    if (writers.length !== 1 || progs.length !== 1 || !prog || !prog.wgsl.includes(EPILOGUE_WGSL)) return;
    const tail = elementwiseTail(chain.map((j) => ({ code: steps[j]!.op.code, node: steps[j]!.node })), 'x', 1);
    if (typeof tail === 'string') return;
    const last = steps[chain[chain.length - 1]!]!.node.outputs[0]!;
    gpu[i] = [{
      ...prog,
      name: `${prog.name}+${chain.map((j) => steps[j]!.op.name).join('+')}`,
      cacheKey: `${prog.cacheKey}|post:${tail.keys.join('|')}`,
      wgsl: prog.wgsl.replace(EPILOGUE_WGSL, postEpilogue([...tail.libs, ...tail.fns].join('\n'), tail.v)),
      bindings: prog.bindings.map((r) => ('tensor' in r && r.tensor === y ? { tensor: last } : r)),
    }];
    // ops that still had a dispatch of their own (the others were counted by compile's fuse)
    fused += chain.filter((j) => gpu[j]!.length).length;
    for (const j of chain) gpu[j] = [];
  });
  return fused;
}

/**
 * Layer normalization as the converter lowers it (over the last axis of a float32 tensor):
 * `m = MEAN(x)`, `d = x - m`, `v = MEAN(d * d)`, `r = RSQRT(v + eps)`, `n = d * r`, then
 * optionally `* gamma` and `+ beta` (constants over the last axis). When every intermediate is
 * read only inside the pattern, the whole of it becomes one shader, one invocation per row
 * (the nine ops were seven dispatches). Returns how many ops were folded.
 */
export function foldLayerNorms(
  steps: ReadonlyArray<Readonly<Step>>, readers: ReadonlyMap<RtTensor, number>, ctx: KernelContext,
  gpu: (GpuStep[] | null)[], cpuCodes: ReadonlySet<number>,
): number {
  const readersOf = new Map<RtTensor, number[]>();
  steps.forEach((s, i) => {
    if (!s.folded) for (const t of new Set(s.node.inputs)) if (t) { const r = readersOf.get(t) ?? []; r.push(i); readersOf.set(t, r); }
  });
  const only = (t: RtTensor, n = 1): number[] | null => (readers.get(t) === n ? readersOf.get(t) ?? null : null);
  const is = (i: number | undefined, code: number): boolean => i !== undefined && !gpu[i] && !cpuCodes.has(code) && steps[i]!.op.code === code && steps[i]!.node.outputs[0]!.dtype === 'float32';
  const other = (i: number, t: RtTensor): RtTensor | null => {
    const [a, b] = steps[i]!.node.inputs;
    return a === t ? b ?? null : b === t ? a ?? null : null;
  };
  // a constant over the last axis (D values, or one)
  const lastAxisConst = (t: RtTensor | null, D: number): Float32Array | null => {
    if (!t || !t.isConst || t.dtype !== 'float32' || t.shape.slice(0, -1).some((d) => d !== 1)) return null;
    const n = t.data.length;
    if (n === D) return t.data as Float32Array;
    return n === 1 ? new Float32Array(D).fill((t.data as Float32Array)[0]!) : null;
  };
  const lastAxisMean = (i: number, x: RtTensor): boolean => {
    const axes = steps[i]!.node.inputs[1];
    if (!axes?.isConst || axes.data.length !== 1) return false;
    const a = Number(axes.data[0]), r = x.shape.length;
    return (a < 0 ? a + r : a) === r - 1 && steps[i]!.node.outputs[0]!.shape.length === r;
  };
  let folded = 0;
  steps.forEach((s, i0) => {
    if (!is(i0, B.MEAN)) return;
    const x = s.node.inputs[0]!, m = s.node.outputs[0]!;
    if (x.dtype !== 'float32' || x.shape.length < 1 || x.shape.length > 8 || !lastAxisMean(i0, x)) return;
    const D = x.shape[x.shape.length - 1]!, rows = D ? count(x.shape) / D : 0;
    if (!rows) return;
    const iSub = only(m)?.[0];
    if (!is(iSub, B.SUB) || steps[iSub!]!.node.inputs[0] !== x || steps[iSub!]!.node.inputs[1] !== m) return;
    const d = steps[iSub!]!.node.outputs[0]!;
    if (d.shape.join() !== x.shape.join()) return;
    // d is read by MUL(d, d) (twice) and MUL(d, r)
    const dr = readersOf.get(d) ?? [];
    if (readers.get(d) !== 3 || dr.length !== 2) return;
    const iSq = dr.find((k) => steps[k]!.node.inputs[0] === d && steps[k]!.node.inputs[1] === d);
    const iN = dr.find((k) => k !== iSq);
    if (!is(iSq, B.MUL) || !is(iN, B.MUL)) return;
    const iVar = only(steps[iSq!]!.node.outputs[0]!)?.[0];
    if (!is(iVar, B.MEAN) || !lastAxisMean(iVar!, d)) return;
    const iEps = only(steps[iVar!]!.node.outputs[0]!)?.[0];
    if (!is(iEps, B.ADD)) return;
    const epsT = other(iEps!, steps[iVar!]!.node.outputs[0]!);
    if (!epsT?.isConst || epsT.dtype !== 'float32' || epsT.data.length !== 1) return;
    const iR = only(steps[iEps!]!.node.outputs[0]!)?.[0];
    if (!is(iR, B.RSQRT) || other(iN!, d) !== steps[iR!]!.node.outputs[0]) return;
    if (readers.get(steps[iR!]!.node.outputs[0]!) !== 1) return;
    const ops = [i0, iSub!, iSq!, iVar!, iEps!, iR!, iN!];
    if (ops.some((k) => steps[k]!.node.options && k !== i0 && k !== iVar && steps[k]!.node.options!.i8(0, 0) !== 0)) return;
    let y = steps[iN!]!.node.outputs[0]!;
    let gamma: Float32Array = new Float32Array(D).fill(1), beta: Float32Array = new Float32Array(D);
    const next = only(y)?.[0];
    if (is(next, B.MUL) && !steps[next!]!.node.options?.i8(0, 0)) {
      const g = lastAxisConst(other(next!, y), D);
      if (g && steps[next!]!.node.outputs[0]!.shape.join() === x.shape.join()) { gamma = g; y = steps[next!]!.node.outputs[0]!; ops.push(next!); }
    }
    const after = only(y)?.[0];
    if (is(after, B.ADD) && !steps[after!]!.node.options?.i8(0, 0)) {
      const b = lastAxisConst(other(after!, y), D);
      if (b && steps[after!]!.node.outputs[0]!.shape.join() === x.shape.join()) { beta = b; y = steps[after!]!.node.outputs[0]!; ops.push(after!); }
    }
    if (ops.some((k) => gpu[k])) return;
    const p = params({ rows: ['u32', rows], D: ['u32', D], eps: ['f32', (epsT.data as Float32Array)[0]!], ...epilogueParams(y) });
    const wgsl = `${p.wgsl}${storage(['X', 'f32'], ['G', 'f32'], ['Bt', 'f32'], ['Y', 'f32'])}${EPILOGUE_WGSL}
${main1d()}
  if (i >= P.rows) { return; }
  let base = i * P.D;
  var s = 0.0;
  for (var j = 0u; j < P.D; j++) { s += X[base + j]; }
  let m = s / f32(P.D);
  var q = 0.0;
  for (var j = 0u; j < P.D; j++) { let d = X[base + j] - m; q += d * d; }
  let r = inverseSqrt(q / f32(P.D) + P.eps);
  for (var j = 0u; j < P.D; j++) { Y[base + j] = epi((X[base + j] - m) * r * G[j] + Bt[j]); }
}`;
    const prog: GpuProgram = {
      name: 'layer norm', cacheKey: 'layernorm', wgsl, dispatch: dispatch1d(rows, ctx.maxWorkgroupsPerDim), uniforms: p.bytes,
      bindings: [{ tensor: x }, { data: gamma, label: 'layer norm gamma' }, { data: beta, label: 'layer norm beta' }, { tensor: y }],
    };
    for (const k of ops) gpu[k] = [];
    gpu[ops[ops.length - 1]!] = [prog];
    folded += ops.length - 1;
  });
  return folded;
}

/** RESHAPE-like ops: the data does not move. */
const COPY_CODES = new Set<number>([B.RESHAPE, B.SQUEEZE, B.EXPAND_DIMS]);

/**
 * Folds each rank-4 float32 TRANSPOSE (constant permutation), read only by a batch-1
 * FULLY_CONNECTED with float32 constant weights (through RESHAPEs; its weight columns are
 * permuted) or by a CONV_2D whose
 * input channels are not a multiple of 4 (it reads scalars anyway) into that convolution:
 * `gpu[transpose]` becomes [] and the convolution reads the transpose's input at the permuted
 * strides. Returns how many steps were folded.
 */
export function foldInputTransposes(
  steps: ReadonlyArray<Readonly<Step>>, readers: ReadonlyMap<RtTensor, number>, ctx: KernelContext,
  gpu: (GpuStep[] | null)[], cpuCodes: ReadonlySet<number>,
): number {
  const byInput = new Map<RtTensor, number>();
  steps.forEach((s, i) => { if (!s.folded && s.node.inputs[0]) byInput.set(s.node.inputs[0], i); });
  let folded = 0;
  steps.forEach((s, i) => {
    if (s.folded || gpu[i] || s.op.code !== B.TRANSPOSE || cpuCodes.has(B.TRANSPOSE) || cpuCodes.has(B.CONV_2D)) return;
    const x = s.node.inputs[0], perm = s.node.inputs[1], t = s.node.outputs[0]!;
    if (!x || !perm?.isConst || x.isConst || x.dtype !== 'float32' || t.dtype !== 'float32' || x.shape.length !== 4 || readers.get(t) !== 1) return;
    const xs = strides(x.shape);
    const pv = Array.from(perm.data as ArrayLike<number | bigint>, (v) => (Number(v) < 0 ? Number(v) + 4 : Number(v)));
    if (pv.length !== 4) return;
    let k = byInput.get(t);
    // through RESHAPE-like steps read only once, to a batch-1 FULLY_CONNECTED: permute its weights' columns
    const passed: number[] = [];
    for (let u = t; k !== undefined && COPY_CODES.has(steps[k]!.op.code) && !gpu[k] && readers.get(steps[k]!.node.outputs[0]!) === 1; k = byInput.get(u)) {
      passed.push(k);
      u = steps[k]!.node.outputs[0]!;
    }
    if (k !== undefined && steps[k]!.op.code === B.FULLY_CONNECTED && !gpu[k] && !cpuCodes.has(B.FULLY_CONNECTED)) {
      const fc = steps[k]!, w = fc.node.inputs[1];
      const K = count(t.shape);
      if (!w?.isConst || w.dtype !== 'float32' || w.shape.length !== 2 || w.shape[1] !== K) return;
      const N = w.shape[0]!, wd = w.data as Float32Array, wp = new Float32Array(N * K);
      // t's flat index j (digits over t.shape) reads x at src(j) = sum digit_k * xs[perm[k]]: W'[n, src(j)] = W[n, j]
      const ts = strides(t.shape);
      for (let j = 0; j < K; j++) {
        let src = 0;
        for (let d = 0; d < 4; d++) src += (Math.floor(j / ts[d]!) % t.shape[d]!) * xs[pv[d]!]!;
        for (let n = 0; n < N; n++) wp[n * K + src] = wd[n * K + j]!;
      }
      // the weights as a tensor with the permuted data (every other field read from the model's)
      const wt = Object.defineProperty(Object.create(w) as RtTensor, 'data', { value: wp });
      const node: OpNode = { ...fc.node, inputs: [x, wt, ...fc.node.inputs.slice(2)] };
      const r = tryKernel(() => GPU_KERNELS.get(B.FULLY_CONNECTED)!(node, ctx, fc.state));
      if (!r) return;
      for (const j of [i, ...passed]) gpu[j] = [];
      gpu[k] = r;
      folded += 1 + passed.length;
      return;
    }
    const c = k === undefined || passed.length ? null : steps[k]!;
    if (!c || c.folded || gpu[k!] || c.op.code !== B.CONV_2D || t.shape[3]! % 4 === 0) return;
    const r = tryKernel(() => conv2dFrom(c.node, ctx, { tensor: x, strides: [xs[pv[0]!]!, xs[pv[1]!]!, xs[pv[2]!]!, xs[pv[3]!]!] }));
    if (!r) return;
    gpu[i] = [];
    gpu[k!] = r;
    folded++;
  });
  return folded;
}

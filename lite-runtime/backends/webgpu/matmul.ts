/**
 * FULLY_CONNECTED and BATCH_MATMUL: C[M,N] = A[M,K] B[K,N] (+ bias, activation), each
 * invocation computing a 4x4 block of C in registers (four vec4 accumulators), 8x8
 * invocations per workgroup, no workgroup memory (on software adapters register blocking
 * beats shared-memory tiling). Constant weights are transposed to [K, N] and padded to a
 * multiple of 4 columns at load, read as vec4; A is read as vec4 along K when K % 4 == 0.
 *
 * ```ts
 * MATMUL_KERNELS.get(BuiltinOp.FULLY_CONNECTED)!(node, ctx);
 * ```
 */
import { BuiltinOp as B } from '../../format/schema.js';
import type { OpNode } from '../../ops/op.js';
import { biasValues, realValues, transposePadded } from './consts.js';
import { unsupportedDType } from './elementwise.js';
import { EPILOGUE_WGSL, actRange, count, epilogueParams, params, type GpuKernel, type GpuRef, type KernelContext } from './program.js';

interface GemmShape {
  M: number; N: number; K: number;
  /** Batch: output batch dims and the element offsets of A and B per batch index (broadcast). */
  batch: number; batchDims: number[]; aBatchStrides: number[]; bBatchStrides: number[];
  /** A element (m, k) at m * am + k * ak; B (scalar mode) element (k, n) at k * bk + n * bn. */
  am: number; ak: number; bk: number; bn: number;
}

/**
 * WGSL of the blocked GEMM. `bPadded`: B is a [K, Np] constant read as vec4 (Np = N rounded
 * up to 4), else scalar strided. `aVec`: A rows are dense with K % 4 == 0, read as vec4.
 */
export function gemmWgsl(pw: string, bPadded: boolean, aVec: boolean, bias: boolean, oneRow = false, bHalf = false, wg: [number, number] = [8, 8]): string {
  const decl = [
    `@group(0) @binding(1) var<storage, read_write> A: array<${aVec ? 'vec4<f32>' : 'f32'}>;`,
    `@group(0) @binding(2) var<storage, read_write> Bm: array<${bPadded ? (bHalf ? 'vec4<f16>' : 'vec4<f32>') : 'f32'}>;`,
    ...(bias ? ['@group(0) @binding(3) var<storage, read_write> Bias: array<vec4<f32>>;'] : []),
    `@group(0) @binding(${bias ? 4 : 3}) var<storage, read_write> C: array<f32>;`,
  ].join('\n');
  const loadB = bPadded
    ? `fn loadB(boff: u32, k: u32, c0: u32) -> vec4<f32> { return ${bHalf ? 'vec4<f32>(Bm[(boff + k * P.Np + c0) / 4u])' : 'Bm[(boff + k * P.Np + c0) / 4u]'}; }`
    : `fn loadB(boff: u32, k: u32, c0: u32) -> vec4<f32> {
  let base = boff + k * P.bk;
  let n1 = P.N - 1u;
  return vec4<f32>(Bm[base + min(c0, n1) * P.bn], Bm[base + min(c0 + 1u, n1) * P.bn],
                   Bm[base + min(c0 + 2u, n1) * P.bn], Bm[base + min(c0 + 3u, n1) * P.bn]);
}`;
  const loop = oneRow
    ? aVec
      ? `for (var k = 0u; k < P.K; k += 4u) {
    let a0 = A[(a0o + k) / 4u];
    acc0 += a0.x * loadB(boff, k, c0) + a0.y * loadB(boff, k + 1u, c0) + a0.z * loadB(boff, k + 2u, c0) + a0.w * loadB(boff, k + 3u, c0);
  }`
      : `for (var k = 0u; k < P.K; k++) { acc0 += A[a0o + k * P.ak] * loadB(boff, k, c0); }`
    : aVec
    ? `for (var k = 0u; k < P.K; k += 4u) {
    let b0 = loadB(boff, k, c0); let b1 = loadB(boff, k + 1u, c0);
    let b2 = loadB(boff, k + 2u, c0); let b3 = loadB(boff, k + 3u, c0);
    let a0 = A[(a0o + k) / 4u]; let a1 = A[(a1o + k) / 4u]; let a2 = A[(a2o + k) / 4u]; let a3 = A[(a3o + k) / 4u];
    acc0 += a0.x * b0 + a0.y * b1 + a0.z * b2 + a0.w * b3;
    acc1 += a1.x * b0 + a1.y * b1 + a1.z * b2 + a1.w * b3;
    acc2 += a2.x * b0 + a2.y * b1 + a2.z * b2 + a2.w * b3;
    acc3 += a3.x * b0 + a3.y * b1 + a3.z * b2 + a3.w * b3;
  }`
    : `for (var k = 0u; k < P.K; k++) {
    let b = loadB(boff, k, c0);
    let ko = k * P.ak;
    acc0 += A[a0o + ko] * b; acc1 += A[a1o + ko] * b; acc2 += A[a2o + ko] * b; acc3 += A[a3o + ko] * b;
  }`;
  return `${bHalf ? 'enable f16;\n' : ''}${pw}${decl}
${EPILOGUE_WGSL}
${loadB}
fn store(row: u32, c0: u32, coff: u32, v: vec4<f32>) {
  if (row >= P.M) { return; }
  let o = coff + row * P.N;
  ${bias ? 'let bv = Bias[c0 / 4u]; let r = v + bv;' : 'let r = v;'}
  let e = epi4(r);
  C[o + c0] = e.x;
  if (c0 + 1u < P.N) { C[o + c0 + 1u] = e.y; }
  if (c0 + 2u < P.N) { C[o + c0 + 2u] = e.z; }
  if (c0 + 3u < P.N) { C[o + c0 + 3u] = e.w; }
}
@compute @workgroup_size(${oneRow ? '64, 1, 1' : `${wg[0]}, ${wg[1]}, 1`})
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
  let c0 = gid.x * 4u; let r0 = gid.y * 4u; let z = gid.z;
  if (c0 >= P.N || r0 >= P.M) { return; }
  var aoff = 0u; var boff = 0u; var rem = z;
  for (var d = i32(P.brank) - 1; d >= 0; d--) {
    let n = P.bdims[d / 4][d % 4];
    let c = rem % n; rem = rem / n;
    aoff += c * P.sa[d / 4][d % 4]; boff += c * P.sb[d / 4][d % 4];
  }
  let m1 = P.M - 1u;
  let a0o = aoff + r0 * P.am; let a1o = aoff + min(r0 + 1u, m1) * P.am;
  let a2o = aoff + min(r0 + 2u, m1) * P.am; let a3o = aoff + min(r0 + 3u, m1) * P.am;
  var acc0 = vec4<f32>(0.0); var acc1 = vec4<f32>(0.0); var acc2 = vec4<f32>(0.0); var acc3 = vec4<f32>(0.0);
  ${loop}
  let coff = z * P.M * P.N;
  store(r0, c0, coff, acc0);${oneRow ? '' : ' store(r0 + 1u, c0, coff, acc1); store(r0 + 2u, c0, coff, acc2); store(r0 + 3u, c0, coff, acc3);'}
}`;
}

/** The GEMM program for `g` with epilogue of `out`; `b` a padded constant (bPadded) or a tensor. */
export function gemmProgram(
  name: string, g: GemmShape, a: GpuRef, b: GpuRef, bPadded: boolean, bias: GpuRef | null, out: GpuRef & { tensor: import('../../ops/op.js').RtTensor },
  lo: number, hi: number, ctx: KernelContext,
): import('./program.js').GpuProgram | string {
  const bHalf = bPadded && 'data' in b && !!b.half;
  const aVec = g.ak === 1 && g.am === g.K && g.K % 4 === 0;
  const Np = Math.ceil(g.N / 4) * 4;
  // one row (batch-1 FULLY_CONNECTED, matrix-vector): 4 outputs per invocation, 64 invocations per group
  const oneRow = g.M === 1;
  const wg = gemmWorkgroup(g.M, g.N);
  const gy = oneRow ? 1 : Math.ceil(g.M / (4 * wg[1]));
  if (gy > ctx.maxWorkgroupsPerDim || g.batch > ctx.maxWorkgroupsPerDim) return `${g.M} rows or ${g.batch} batches is over the dispatch limit`;
  const p = params({
    M: ['u32', g.M], N: ['u32', g.N], K: ['u32', g.K], Np: ['u32', Np],
    am: ['u32', g.am], ak: ['u32', g.ak], bk: ['u32', g.bk], bn: ['u32', g.bn], brank: ['u32', g.batchDims.length],
    ...epilogueParams(out.tensor, lo, hi),
    bdims: ['u32x8', g.batchDims], sa: ['u32x8', g.aBatchStrides], sb: ['u32x8', g.bBatchStrides],
  });
  return {
    name, cacheKey: `gemm:${bPadded}:${aVec}:${!!bias}:${oneRow}:${bHalf}${oneRow ? '' : `:${wg.join('x')}`}`, wgsl: gemmWgsl(p.wgsl, bPadded, aVec, !!bias, oneRow, bHalf, wg),
    dispatch: [Math.ceil(g.N / (oneRow ? 256 : 4 * wg[0])), gy, g.batch], uniforms: p.bytes,
    bindings: bias ? [a, b, bias, out] : [a, b, out],
  };
}

/**
 * Workgroup shape [gx, gy] of a GEMM with 4x4 outputs per invocation: no more invocations
 * across the N columns or down the M rows than they need (so no lane of a group idles on a
 * small side), at most 64 in all.
 */
export function gemmWorkgroup(M: number, N: number): [number, number] {
  const cx = Math.ceil(N / 4), cy = Math.ceil(M / 4);
  const gy = Math.min(cy, Math.floor(64 / Math.min(8, cx)));
  return [Math.min(cx, Math.floor(64 / gy)), gy];
}

/** A bias padded to a multiple of 4 (zeros), or zeros when there is none. */
export function paddedBias(values: Float32Array | null, n: number): Float32Array {
  const out = new Float32Array(Math.ceil(n / 4) * 4);
  if (values) out.set(values.subarray(0, n));
  return out;
}

const fullyConnected: GpuKernel = (node: OpNode, ctx: KernelContext) => {
  const x = node.inputs[0]!, w = node.inputs[1]!, b = node.inputs[2] ?? null, y = node.outputs[0]!;
  const bad = unsupportedDType(x, w, y);
  if (bad) return bad;
  if (b && !b.isConst) return 'bias is not constant';
  const act = node.options ? node.options.i8(0, 0) : 0, range = actRange(act);
  if (!range) return `fused activation ${act} is not a clamp`;
  const [units, K] = w.shape as [number, number];
  const M = count(x.shape) / K;
  const g: GemmShape = { M, N: units, K, batch: 1, batchDims: [], aBatchStrides: [], bBatchStrides: [], am: K, ak: 1, bk: 1, bn: K };
  if (!w.isConst) {
    // Weights computed at run time: B[k, n] = W[n, k], read in place.
    const bias = b ? biasValues(b, x.quant?.scale[0] ?? 1, w.quant?.scale ?? null) : null;
    if (b && !bias) return `bias of dtype ${b.dtype} cannot be dequantized`;
    const prog = gemmProgram('FULLY_CONNECTED', g, { tensor: x }, { tensor: w }, false,
      { data: paddedBias(bias, units), label: b ? b.name : 'zero bias' }, { tensor: y }, range[0], range[1], ctx);
    return typeof prog === 'string' ? prog : [prog];
  }
  const wv = realValues(w);
  if (!wv) return `weights of dtype ${w.dtype} cannot be dequantized`;
  let bv: Float32Array | null = null;
  if (b) {
    bv = biasValues(b, x.quant?.scale[0] ?? 1, w.quant?.scale ?? null);
    if (!bv) return `bias of dtype ${b.dtype} cannot be dequantized`;
  }
  const bt = transposePadded(wv, units, K);
  // float16 weights stay f16 on a device with shader-f16 (products and sums in f32)
  const half = ctx.f16 && ctx.halfConsts.has(w);
  const prog = gemmProgram('FULLY_CONNECTED', g, { tensor: x }, { data: bt.data, label: `${w.name}^T`, half }, true,
    { data: paddedBias(bv, units), label: b ? b.name : 'zero bias' }, { tensor: y }, range[0], range[1], ctx);
  return typeof prog === 'string' ? prog : [prog];
};

const batchMatmul: GpuKernel = (node: OpNode, ctx: KernelContext) => {
  const x = node.inputs[0]!, w = node.inputs[1]!, y = node.outputs[0]!;
  const bad = unsupportedDType(x, w, y);
  if (bad) return bad;
  if (x.dtype !== 'float32' || w.dtype !== 'float32') return 'quantized BATCH_MATMUL runs on the CPU';
  const adjX = node.options ? node.options.bool(0, false) : false, adjY = node.options ? node.options.bool(1, false) : false;
  const rx = x.shape.length, rw = w.shape.length, ry = y.shape.length;
  if (rx < 2 || rw < 2 || ry > 10) return 'ranks out of range';
  const M = y.shape[ry - 2]!, N = y.shape[ry - 1]!;
  const K = adjX ? x.shape[rx - 2]! : x.shape[rx - 1]!;
  const batchDims = y.shape.slice(0, -2);
  if (batchDims.length > 8) return 'more than 8 batch dims';
  const bstr = (shape: number[]): number[] => {
    const bd = shape.slice(0, -2), mat = shape[shape.length - 2]! * shape[shape.length - 1]!;
    const off = batchDims.length - bd.length;
    const st: number[] = [];
    let s = mat;
    for (let k = bd.length - 1; k >= 0; k--) { st[k] = bd[k] === 1 ? 0 : s; s *= bd[k]!; }
    return batchDims.map((_, k) => (k < off ? 0 : st[k - off]!));
  };
  const g: GemmShape = {
    M, N, K, batch: count(batchDims), batchDims, aBatchStrides: bstr(x.shape), bBatchStrides: bstr(w.shape),
    am: adjX ? 1 : K, ak: adjX ? M : 1, bk: adjY ? 1 : N, bn: adjY ? K : 1,
  };
  const prog = gemmProgram('BATCH_MATMUL', g, { tensor: x }, { tensor: w }, false, null, { tensor: y }, -Infinity, Infinity, ctx);
  return typeof prog === 'string' ? prog : [prog];
};

/** Matmul kernels by builtin code. */
export const MATMUL_KERNELS = new Map<number, GpuKernel>([
  [B.FULLY_CONNECTED, fullyConnected],
  [B.BATCH_MATMUL, batchMatmul],
]);

/**
 * Data-movement ops whose CPU prepare already computed where each output element comes
 * from, run on the GPU from that plan: a strided view `{ shape, offset, strides }` (SLICE,
 * STRIDED_SLICE, REVERSE_V2, TRANSPOSE) becomes an index computation per element; an index
 * map `{ map: Int32Array }` (TILE, BROADCAST_TO, DEPTH_TO_SPACE, SPACE_TO_DEPTH,
 * BATCH_TO_SPACE_ND, SPACE_TO_BATCH_ND, RESIZE_NEAREST_NEIGHBOR) is uploaded once and read
 * per element (-1: the real zero). A state of any other form leaves the op on the CPU.
 *
 * ```ts
 * layoutKernel(node, ctx, cpuState); // GpuStep[] | reason
 * ```
 */
import type { OpNode, RtTensor } from '../../ops/op.js';
import { unsupportedDType } from './elementwise.js';
import { count, dispatch1d, main1d, params, type GpuStep, type KernelContext } from './program.js';

/** Same quantization (or none) on both sides: moving raw values keeps the real values. */
export function sameQuant(a: RtTensor, b: RtTensor): boolean {
  if (a.dtype === 'float32' && b.dtype === 'float32') return true;
  return !!a.quant && !!b.quant && a.quant.scale[0] === b.quant.scale[0] && a.quant.zeroPoint[0] === b.quant.zeroPoint[0];
}

export function isView(s: unknown): s is { shape: number[]; offset: number; strides: number[] } {
  const v = s as { shape?: unknown; offset?: unknown; strides?: unknown } | null;
  return !!v && Array.isArray(v.shape) && typeof v.offset === 'number' && Array.isArray(v.strides) && v.strides.length === v.shape.length;
}

function isMap(s: unknown): s is { map: Int32Array } {
  return !!s && (s as { map?: unknown }).map instanceof Int32Array;
}

/** `y[i] = x[offset + sum_k digit_k(i) * strides_k]` over up to 8 dims (strides may be negative or 0). */
export function viewProgram(name: string, x: RtTensor, y: RtTensor, shape: number[], offset: number, st: number[], ctx: KernelContext): GpuStep {
  const n = count(shape);
  const p = params({ n: ['u32', n], rank: ['u32', shape.length], offset: ['i32', offset], dims: ['u32x8', shape], st: ['i32x8', st] });
  const wgsl = `${p.wgsl}@group(0) @binding(1) var<storage, read_write> X: array<f32>;
@group(0) @binding(2) var<storage, read_write> Y: array<f32>;
${main1d()}
  if (i >= P.n) { return; }
  var rem = i; var src = P.offset;
  for (var k = i32(P.rank) - 1; k >= 0; k--) {
    let d = P.dims[k / 4][k % 4];
    src += i32(rem % d) * P.st[k / 4][k % 4]; rem = rem / d;
  }
  Y[i] = X[src];
}`;
  return { name, cacheKey: 'view', wgsl, dispatch: dispatch1d(n, ctx.maxWorkgroupsPerDim), uniforms: p.bytes, bindings: [{ tensor: x }, { tensor: y }] };
}

/** The GPU form of a data-movement op from its CPU plan, or a reason it has none. */
export function layoutKernel(node: OpNode, ctx: KernelContext, state: unknown): GpuStep[] | string {
  const x = node.inputs[0], y = node.outputs[0];
  if (!x || !y || node.outputs.length !== 1) return 'no WebGPU kernel';
  if (!isView(state) && !isMap(state)) return 'no WebGPU kernel';
  const bad = unsupportedDType(x, y);
  if (bad) return bad;
  if (!sameQuant(x, y)) return 'input and output quantization differ';
  if (x.isConst) return 'constant input';
  const n = count(y.shape);
  if (isView(state)) {
    if (state.shape.length > 8 || count(state.shape) !== n) return 'view out of range';
    return [viewProgram('view', x, y, state.shape, state.offset, state.strides, ctx)];
  }
  if (state.map.length !== n) return 'index map does not match the output';
  return [mapProgram('gather map', x, y, state.map, ctx)];
}

/** `y[i] = x[map[i]]` (-1: the real zero) with the index map uploaded once as a constant. */
export function mapProgram(name: string, x: RtTensor, y: RtTensor, map: Int32Array, ctx: KernelContext): GpuStep {
  const n = map.length;
  const p = params({ n: ['u32', n] });
  const wgsl = `${p.wgsl}@group(0) @binding(1) var<storage, read_write> X: array<f32>;
@group(0) @binding(2) var<storage, read_write> M: array<i32>;
@group(0) @binding(3) var<storage, read_write> Y: array<f32>;
${main1d()}
  if (i >= P.n) { return; }
  let j = M[i];
  Y[i] = select(0.0, X[max(j, 0)], j >= 0);
}`;
  return {
    name, cacheKey: 'gathermap', wgsl, dispatch: dispatch1d(n, ctx.maxWorkgroupsPerDim), uniforms: p.bytes,
    bindings: [{ tensor: x }, { data: new Float32Array(map.buffer, map.byteOffset, map.length), label: 'index map' }, { tensor: y }],
  };
}

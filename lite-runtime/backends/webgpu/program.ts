/**
 * WebGPU programs described as data: a kernel turns one prepared op node into a list of
 * `GpuProgram`s `{ name, cacheKey, wgsl, dispatch, ... }`; the compiler (compile.ts) creates
 * one pipeline per `cacheKey` (per device, shared by every model on it), binds the buffers
 * and encodes the dispatches. Every tensor on the GPU is float32 holding real values: int8
 * and fp16 weights are dequantized at load, quantized activations are fake-quantized in the
 * epilogue of the op that writes them (see `epilogue`).
 *
 * Binding convention (group 0): binding 0 is the uniform `P` (from `params`), then the
 * `bindings` in order, each `var<storage, read_write>` (one arena buffer holds every
 * activation, so read-only and writable views of it may not meet in one dispatch).
 *
 * ```ts
 * const p = params({ n: ['u32', 16] });
 * const prog: GpuProgram = { name: 'copy', cacheKey: 'copy', wgsl: `${p.wgsl} ...`, dispatch: [1, 1, 1],
 *   uniforms: p.bytes, bindings: [{ tensor: x }, { tensor: y }] };
 * ```
 */
import type { RtTensor } from '../../ops/op.js';

/** What a binding refers to: a model tensor (activation or constant) or constant data derived at load. */
export type GpuRef =
  | { tensor: RtTensor }
  | { data: Float32Array; label: string; half?: boolean }
  /** A temporary of `bytes` bytes alive for this op only (planned in the arena). */
  | { scratch: number; id: string };

export interface GpuProgram {
  name: string;
  /** Same key, same WGSL: pipelines are created once per key. */
  cacheKey: string;
  wgsl: string;
  /** Workgroups in x, y, z. */
  dispatch: [number, number, number];
  /** Bytes of the uniform `P` (binding 0), or undefined when the shader has none. */
  uniforms?: ArrayBuffer;
  /** Storage bindings 1.., in order. */
  bindings: GpuRef[];
}

/** A buffer-to-buffer copy (RESHAPE and friends): `bytes` from `src` at `srcOffset` to `dst` at `dstOffset`. */
export interface GpuCopy {
  name: string;
  copy: { src: GpuRef; dst: GpuRef; bytes: number; srcOffset?: number; dstOffset?: number };
}

export type GpuStep = GpuProgram | GpuCopy;

/** What a kernel sees beyond the node: the adapter's limits. */
export interface KernelContext {
  maxWorkgroupsPerDim: number;
  maxInvocations: number;
  maxStorageBuffers: number;
  /** The device has `shader-f16`: constants in `halfConsts` may be stored as f16 (`{ data, half: true }`). */
  f16: boolean;
  /** Constants whose values came from float16 weights (a DEQUANTIZE of a float16 tensor folded at load). */
  halfConsts: ReadonlySet<RtTensor>;
}

/**
 * A kernel for one builtin op: the programs that compute `node`'s outputs on the GPU,
 * or a string saying why it cannot (the op then runs on the CPU, reported in the plan).
 * `cpuState` is what the CPU op's prepare returned (layout.ts reads index plans from it).
 */
export type GpuKernel = (node: import('../../ops/op.js').OpNode, ctx: KernelContext, cpuState?: unknown) => GpuStep[] | string;

export type Field = ['u32' | 'i32' | 'f32', number] | ['u32x8' | 'i32x8', ArrayLike<number>];

/**
 * A uniform struct `P` from named fields (scalars first, then 8-wide vectors stored as
 * `array<vec4u, 2>`, read with `P.name[i / 4u][i % 4u]`); returns its WGSL and bytes.
 * @example params({ n: ['u32', 10], lo: ['f32', 0] }).wgsl // "struct Params { n: u32, lo: f32, } ..."
 */
export function params(fields: Record<string, Field>): { wgsl: string; bytes: ArrayBuffer } {
  const entries = Object.entries(fields);
  const scalars = entries.filter(([, f]) => f[0].length === 3);
  const vectors = entries.filter(([, f]) => f[0].length > 3);
  let off = 0;
  const lines: string[] = [];
  const writes: ((dv: DataView) => void)[] = [];
  for (const [name, f] of scalars) {
    const at = off;
    lines.push(`${name}: ${f[0]},`);
    const v = f[1] as number;
    writes.push((dv) => (f[0] === 'f32' ? dv.setFloat32(at, v, true) : f[0] === 'i32' ? dv.setInt32(at, v, true) : dv.setUint32(at, v >>> 0, true)));
    off += 4;
  }
  off = Math.ceil(off / 16) * 16;
  for (const [name, f] of vectors) {
    const at = off;
    const vals = f[1] as ArrayLike<number>;
    if (vals.length > 8) throw new Error(`params: ${name} has ${vals.length} values, at most 8`);
    lines.push(`${name}: array<vec4<${f[0].slice(0, 3)}>, 2>,`);
    writes.push((dv) => {
      for (let i = 0; i < vals.length; i++) {
        if (f[0] === 'i32x8') dv.setInt32(at + 4 * i, vals[i]!, true);
        else dv.setUint32(at + 4 * i, vals[i]! >>> 0, true);
      }
    });
    off += 32;
  }
  const size = Math.max(16, Math.ceil(off / 16) * 16);
  const bytes = new ArrayBuffer(size);
  const dv = new DataView(bytes);
  for (const w of writes) w(dv);
  return { wgsl: `struct Params {\n  ${lines.join('\n  ')}\n}\n@group(0) @binding(0) var<uniform> P: Params;\n`, bytes };
}

/** Declares storage bindings 1.. as `array<T>` named as given: `storage(['X', 'f32'], ['Y', 'f32'])`. */
export function storage(...names: [string, 'f32' | 'vec4f'][]): string {
  return names.map(([n, t], i) => `@group(0) @binding(${i + 1}) var<storage, read_write> ${n}: array<${t === 'f32' ? 'f32' : 'vec4<f32>'}>;`).join('\n') + '\n';
}

/** Largest finite f32: clamps stand in for +-infinity (shaders may assume no infinities). */
export const F32_MAX = 3.4028234663852886e38;

/**
 * The epilogue every kernel applies before a store: clamp to the fused activation's range
 * [lo, hi], then, for a quantized output, fake-quantize to its grid (scale qs > 0, zero point
 * qz, integer range [qmin, qmax]): `(clamp(round(v / qs) + qz, qmin, qmax) - qz) * qs`.
 * Fields to add to `params`: `epilogueParams(out, lo, hi)`.
 */
export const EPILOGUE_WGSL = `
fn epi(v: f32) -> f32 {
  var r = clamp(v, P.lo, P.hi);
  if (P.qs > 0.0) { r = (clamp(round(r / P.qs) + P.qz, P.qmin, P.qmax) - P.qz) * P.qs; }
  return r;
}
fn epi4(v: vec4<f32>) -> vec4<f32> {
  var r = clamp(v, vec4<f32>(P.lo), vec4<f32>(P.hi));
  if (P.qs > 0.0) { r = (clamp(round(r / P.qs) + P.qz, vec4<f32>(P.qmin), vec4<f32>(P.qmax)) - P.qz) * P.qs; }
  return r;
}
`;

const Q_RANGE: Record<string, [number, number]> = { int8: [-128, 127], uint8: [0, 255], int16: [-32768, 32767] };

/** Uniform fields of `EPILOGUE_WGSL` for output `out` with clamp range [lo, hi] (real values). */
export function epilogueParams(out: RtTensor, lo = -F32_MAX, hi = F32_MAX): Record<string, Field> {
  const range = Q_RANGE[out.dtype];
  const q = range && out.quant ? out.quant : null;
  return {
    lo: ['f32', Math.max(lo, -F32_MAX)], hi: ['f32', Math.min(hi, F32_MAX)],
    qs: ['f32', q ? q.scale[0]! : 0], qz: ['f32', q ? q.zeroPoint[0]! : 0],
    qmin: ['f32', range ? range[0] : 0], qmax: ['f32', range ? range[1] : 0],
  };
}

/** The clamp range of a fused activation code (TFLite ActivationFunctionType), or null when it is not a clamp. */
export function actRange(act: number): [number, number] | null {
  switch (act) {
    case 0: return [-F32_MAX, F32_MAX];
    case 1: return [0, F32_MAX];
    case 2: return [-1, 1];
    case 3: return [0, 6];
    default: return null;
  }
}

/** Workgroup size of 1-D kernels. */
export const WG = 64;

/** A 1-D dispatch of `n` invocations (WG per group) folded into x and y when x would pass `maxPerDim`. */
export function dispatch1d(n: number, maxPerDim: number, wg = WG): [number, number, number] {
  const groups = Math.max(1, Math.ceil(n / wg));
  if (groups <= maxPerDim) return [groups, 1, 1];
  const y = Math.ceil(groups / maxPerDim);
  return [Math.ceil(groups / y), y, 1];
}

/** WGSL header of a 1-D kernel: `i` is the flat invocation index (see `dispatch1d`). */
export function main1d(wg = WG): string {
  return `@compute @workgroup_size(${wg})
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = gid.x + gid.y * nwg.x * ${wg}u;`;
}

/** Tensor kinds the GPU holds (as real values in f32): float32, and quantized 8/16-bit with one scale. */
export function gpuDType(t: RtTensor): boolean {
  if (t.dtype === 'float32') return true;
  if (t.dtype === 'int8' || t.dtype === 'uint8' || t.dtype === 'int16') return !!t.quant && (t.isConst || t.quant.scale.length === 1);
  return false;
}

/** Row-major strides of `shape`. */
export function strides(shape: ReadonlyArray<number>): number[] {
  const s = new Array<number>(shape.length).fill(1);
  for (let i = shape.length - 2; i >= 0; i--) s[i] = s[i + 1]! * shape[i + 1]!;
  return s;
}

/** Product of `shape`. */
export function count(shape: ReadonlyArray<number>): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

/**
 * Float NHWC convolution of whole images in the wasm kernels: im2col into the
 * kernels' scratch memory, then the packed GEMM with bias and activation, the
 * input and output read and written in place when they live in the kernels'
 * memory (interpreter arenas). False where it cannot run in wasm now (JS
 * backend, weights not resident, no scratch): the caller takes its own path.
 */
import { KernelArgumentError, checkLen } from './errors.js';
import { activeWasm } from './backend.js';
import { actCode, type Activation } from './act.js';
import { convOutputSize, type ConvGeometry } from './im2col.js';
import { Packed, type PackedMatrix } from './packed.js';

/** Where the image starts in x and its output in y (elements). */
export interface ConvImageOffsets {
  xOffset?: number;
  yOffset?: number;
}

/**
 * y[outH*outW, n] = act(im2col(x[h, w, c]) @ packed + bias) for one image; packed from
 * `packB(filter, kh*kw*c, n, true)` (TFLite's OHWI filter). False when not run.
 * @example if (!convNHWCPacked(x, w, y, geometry, bias, 'relu')) slowPath();
 */
export function convNHWCPacked(x: Float32Array, packed: PackedMatrix, y: Float32Array, geometry: ConvGeometry,
  bias: Float32Array | null = null, act: Activation = null, at: ConvImageOffsets = {}): boolean {
  const k = activeWasm();
  if (!k || !(packed instanceof Packed) || packed.kind !== 'f32') return false;
  const s = packed.storage('convNHWCPacked');
  if (!('owner' in s) || s.owner !== k) return false;
  const g = convOutputSize(geometry, 'convNHWCPacked');
  const n = packed.n, xOff = at.xOffset ?? 0, yOff = at.yOffset ?? 0;
  if (packed.k !== g.kh * g.kw * g.c) throw new KernelArgumentError('convNHWCPacked', `packed k = ${packed.k}, expected kh*kw*c = ${g.kh * g.kw * g.c}`);
  if (!(xOff >= 0 && xOff + g.h * g.w * g.c <= x.length)) throw new KernelArgumentError('convNHWCPacked', `x of ${x.length} elements has no ${g.h}x${g.w}x${g.c} image at ${xOff}`);
  if (!(yOff >= 0 && yOff + g.outH * g.outW * n <= y.length)) throw new KernelArgumentError('convNHWCPacked', `y of ${y.length} elements has no ${g.outH}x${g.outW}x${n} output at ${yOff}`);
  if (bias) checkLen('convNHWCPacked', 'bias', bias, n, 'n');
  const code = actCode(act);
  if (code < 0) throw new KernelArgumentError('convNHWCPacked', `act must be 'relu', 'relu6' or null, got '${String(act)}'`);
  return k.convPacked(x, xOff, s.block, n, y, yOff, g, bias, code);
}

/**
 * Reserves the kernels' scratch memory for `convNHWCPacked` on this geometry (call at
 * prepare: during a model run the memory cannot grow, and a call without room declines).
 * @example reserveConvNHWCPacked(w, geometry);
 */
export function reserveConvNHWCPacked(packed: PackedMatrix, geometry: ConvGeometry): void {
  const k = activeWasm();
  if (k && packed instanceof Packed && packed.kind === 'f32') k.reserveConv(convOutputSize(geometry, 'reserveConvNHWCPacked'), packed.n);
}

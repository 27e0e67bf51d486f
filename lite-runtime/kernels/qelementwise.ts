/**
 * int8 ADD/SUB/MUL in the wasm kernels (XNNPACK's arithmetic, see ops/util/xnnq.ts), in
 * place when the operands live in the kernels' memory (the arena does), else through the
 * scratch area. `b` repeats every `bn` elements of `a` and `y` (bn = n: same shape; 1: a
 * scalar; else trailing dims, n a multiple of bn). False where wasm cannot run it now:
 * the caller takes its JS path.
 *
 * ```ts
 * if (!qaddI8(a, b, y, b.length, { ma, mb, shift, bias, zp, lo, hi })) jsLoop();
 * ```
 */
import { activeWasm } from './backend.js';
import type { WasmKernels } from './wasm/runtime.js';

/** The module's exports these calls use (src/qelementwise.ts). */
interface QExports {
  qaddI8(a: number, b: number, y: number, n: number, bn: number, ma: number, mb: number, bias: number, shift: number, zp: number, lo: number, hi: number): void;
  qmulI8(a: number, b: number, y: number, n: number, bn: number, za: number, zb: number, scale: number, zp: number, lo: number, hi: number): void;
}

/** XNNPACK's int8 add: y = clamp(((bias + ma*a + mb*b) >> shift) + zp, lo, hi). */
export interface QAddArgs { ma: number; mb: number; shift: number; bias: number; zp: number; lo: number; hi: number }

/** XNNPACK's int8 mul: y = clamp(nearest(f32((a - za) * (b - zb)) * scale) + zp, lo, hi). */
export interface QMulArgs { za: number; zb: number; scale: number; zp: number; lo: number; hi: number }

/** Byte offsets of a, b, y in wasm memory (copying the ones that live elsewhere), or null. */
function place(k: WasmKernels, a: Int8Array, b: Int8Array, y: Int8Array): [number, number, number, boolean] | null {
  let pa = k.resident(a), pb = k.resident(b), py = k.resident(y);
  if (pa >= 0 && pb >= 0 && py >= 0) return [pa, pb, py, false];
  const al = (v: number): number => (v + 63) & ~63;
  const need = (pa < 0 ? al(a.length) : 0) + (pb < 0 ? al(b.length) : 0) + (py < 0 ? al(y.length) : 0);
  let base: number;
  try { base = k.scratchArea(need); } catch (e) {
    if (e instanceof RangeError) return null;
    throw e;
  }
  const mem = k.bytes();
  if (pa < 0) { pa = base; mem.set(new Uint8Array(a.buffer, a.byteOffset, a.length), pa); base += al(a.length); }
  if (pb < 0) { pb = base; mem.set(new Uint8Array(b.buffer, b.byteOffset, b.length), pb); base += al(b.length); }
  const copyOut = py < 0;
  if (copyOut) py = base;
  return [pa, pb, py, copyOut];
}

function finish(k: WasmKernels, y: Int8Array, py: number, copyOut: boolean): void {
  if (copyOut) new Uint8Array(y.buffer, y.byteOffset, y.length).set(k.bytes().subarray(py, py + y.length));
}

/**
 * int8 add (SUB: `mb` negated) of `y.length` elements; b repeats every `bn`.
 * @example qaddI8(a, b, y, b.length, xnnAddParamsWithClamp)
 */
export function qaddI8(a: Int8Array, b: Int8Array, y: Int8Array, bn: number, p: QAddArgs): boolean {
  const k = activeWasm();
  if (!k) return false;
  const at = place(k, a, b, y);
  if (!at) return false;
  const [pa, pb, py, copyOut] = at;
  (k.exports as unknown as QExports).qaddI8(pa, pb, py, y.length, bn, p.ma, p.mb, p.bias, p.shift, p.zp, p.lo, p.hi);
  finish(k, y, py, copyOut);
  return true;
}

/**
 * int8 mul of `y.length` elements; b repeats every `bn`.
 * @example qmulI8(a, b, y, 1, { za, zb, scale, zp, lo, hi })
 */
export function qmulI8(a: Int8Array, b: Int8Array, y: Int8Array, bn: number, p: QMulArgs): boolean {
  const k = activeWasm();
  if (!k) return false;
  const at = place(k, a, b, y);
  if (!at) return false;
  const [pa, pb, py, copyOut] = at;
  (k.exports as unknown as QExports).qmulI8(pa, pb, py, y.length, bn, p.za, p.zb, p.scale, p.zp, p.lo, p.hi);
  finish(k, y, py, copyOut);
  return true;
}

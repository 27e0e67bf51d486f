/**
 * Float32 ADD/SUB/MUL and SOFTMAX rows in the wasm kernels (src/elementwise.ts), in place
 * when the operands live in the kernels' memory (the arena does), else through the scratch
 * area. Rows are a multiple of 4 floats. Each returns false where wasm cannot run it now:
 * the caller takes its JS path.
 *
 * ```ts
 * const plan = binF32Plan(aShape, bShape, outShape); // at prepare; null: a broadcast wasm does not run
 * if (!plan || !binaryF32(1, a, b, y, plan, lo, hi)) jsLoop();
 * ```
 */
import { activeWasm } from './backend.js';
import type { WasmKernels } from './wasm/runtime.js';

interface FExports {
  binF32(a: number, b: number, y: number, rows: number, len: number, bRow: number, bStep: number, op: number, lo: number, hi: number): void;
  softmaxF32(x: number, y: number, rows: number, len: number, beta: number): void;
}

/**
 * How the kernel walks a broadcast: the operand with the output's element count first
 * (`swap`: it is input 1), over `rows` rows of `len`; the other operand advances `bRow` per
 * row and `bStep` per element (same shape, a scalar, trailing dims, or leading dims).
 */
export interface BinF32Plan { swap: boolean; rows: number; len: number; bRow: number; bStep: number }

const count = (s: readonly number[]): number => s.reduce((x, y) => x * y, 1);

/**
 * The plan of a binary op on shapes a and b with output `out`, or null.
 * @example binF32Plan([128, 256], [128, 1], [128, 256]) // { swap: false, rows: 128, len: 256, bRow: 1, bStep: 0 }
 */
export function binF32Plan(a: readonly number[], b: readonly number[], out: readonly number[]): BinF32Plan | null {
  const n = count(out), swap = count(a) !== n, s = swap ? a : b, m = count(s);
  if (count(swap ? b : a) !== n) return null;
  // trailing: 1s, then the output's last dims; leading: the output's first dims, then 1s
  const d = [...Array<number>(out.length - s.length).fill(1), ...s];
  let f = 0, l = d.length;
  while (d[f] === 1) f++;
  while (d[l - 1] === 1) l--;
  const mid = d.slice(f, l).every((v, i) => v === out[f + i]);
  const p = m === n || m === 1 ? { swap, rows: 1, len: n, bRow: 0, bStep: m === n ? 1 : 0 }
    : mid && l === d.length ? { swap, rows: n / m, len: m, bRow: 0, bStep: 1 }
    : mid && f === 0 ? { swap, rows: m, len: n / m, bRow: 1, bStep: 0 } : null;
  return p && p.len % 4 === 0 ? p : null;
}

type F32 = Float32Array;

/** Runs `call` on the arrays' byte offsets in wasm memory, copying in those that live elsewhere (the last, the output, back out); false when it cannot. */
function inWasm(arrays: F32[], call: (k: WasmKernels, at: number[]) => void): boolean {
  const k = activeWasm();
  if (!k) return false;
  const at = arrays.map((a) => k.resident(a)), size = (a: F32): number => (a.byteLength + 63) & ~63;
  let base = 0;
  if (at.includes(-1)) {
    try { base = k.scratchArea(arrays.reduce((s, a, i) => s + (at[i]! < 0 ? size(a) : 0), 0)); } catch (e) {
      if (e instanceof RangeError) return false;
      throw e;
    }
  }
  arrays.forEach((a, i) => {
    if (at[i]! >= 0) return;
    at[i] = base;
    if (i < arrays.length - 1) k.floats().set(a, base >> 2);
    base += size(a);
  });
  call(k, at);
  const y = arrays[arrays.length - 1]!;
  if (at[at.length - 1] !== k.resident(y)) y.set(k.f32(at[at.length - 1]!, y.length));
  return true;
}

/**
 * y = clamp(a op b, lo, hi) over y.length elements, broadcast as `plan` says; op 0 add, 1 sub, 3 mul.
 * @example binaryF32(1, x, mean, y, binF32Plan([128, 256], [128, 1], [128, 256])!, -Infinity, Infinity)
 */
export function binaryF32(op: 0 | 1 | 3, a: F32, b: F32, y: F32, p: BinF32Plan, lo: number, hi: number): boolean {
  return inWasm(p.swap ? [b, a, y] : [a, b, y], (k, [pa, pb, py]) => (k.exports as unknown as FExports)
    .binF32(pa!, pb!, py!, p.rows, p.len, p.bRow, p.bStep, p.swap && op === 1 ? 2 : op, lo, hi));
}

/**
 * Softmax of `rows` rows of `len` floats (exp(beta (x - max)) / sum, float32 within a few ulp);
 * false unless len is a multiple of 4 (short rows: the caller's loop costs as little).
 * @example softmaxF32(x, y, 512, 128, 1)
 */
export function softmaxF32(x: F32, y: F32, rows: number, len: number, beta: number): boolean {
  return beta > 0 && len % 4 === 0 && inWasm([x, y], (k, [px, py]) => (k.exports as unknown as FExports).softmaxF32(px!, py!, rows, len, beta));
}

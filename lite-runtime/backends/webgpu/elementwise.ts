/**
 * Elementwise kernels: unary math and activations, binary arithmetic with broadcasting
 * (fused activations applied in the epilogue), QUANTIZE/DEQUANTIZE (identity on real values,
 * the epilogue fake-quantizes a quantized output).
 *
 * ```ts
 * ELEMENTWISE_KERNELS.get(BuiltinOp.ADD)!(node, ctx); // [GpuProgram]
 * ```
 */
import { BuiltinOp as B } from '../../format/schema.js';
import type { OpNode, RtTensor } from '../../ops/op.js';
import {
  EPILOGUE_WGSL, actRange, type Field, count, dispatch1d, epilogueParams, gpuDType, main1d, params, storage, strides,
  type GpuKernel, type GpuRef, type GpuStep, type KernelContext,
} from './program.js';

const ERF = `
fn erf_(x: f32) -> f32 {
  let t = 1.0 / (1.0 + 0.3275911 * abs(x));
  let y = 1.0 - (((((1.061405429 * t - 1.453152027) * t) + 1.421413741) * t - 0.284496736) * t + 0.254829592) * t * exp(-x * x);
  return select(-y, y, x >= 0.0);
}`;
const TANH = `
fn tanh_(x: f32) -> f32 {
  let e = exp(-2.0 * abs(x));
  return sign(x) * (1.0 - e) / (1.0 + e);
}`;

// WGSL's sin/cos may be off by 2^-11 (SwiftShader is, by ~2e-4): reduce to [-pi/2, pi/2] and use a degree-11 odd polynomial (error < 1e-7 there).
const SIN = `
fn sin_(x0: f32) -> f32 {
  var x = x0 - 6.283185307179586 * round(x0 * 0.15915494309189535);
  if (x > 1.5707963267948966) { x = 3.141592653589793 - x; }
  if (x < -1.5707963267948966) { x = -3.141592653589793 - x; }
  let x2 = x * x;
  return x * (1.0 + x2 * (-0.16666666666666666 + x2 * (0.008333333333333333 + x2 * (-0.0001984126984126984 + x2 * (2.7557319223985893e-6 + x2 * -2.505210838544172e-8)))));
}`;

/** WGSL expression of each unary op over `x` (`P.alpha` for LEAKY_RELU), and helper functions it needs. */
const UNARY: Record<number, { expr: string; lib?: string }> = {
  [B.ABS]: { expr: 'abs(x)' },
  [B.NEG]: { expr: '-x' },
  [B.SQUARE]: { expr: 'x * x' },
  [B.SQRT]: { expr: 'sqrt(x)' },
  [B.RSQRT]: { expr: 'inverseSqrt(x)' },
  [B.EXP]: { expr: 'exp(x)' },
  [B.LOG]: { expr: 'log(x)' },
  [B.SIN]: { expr: 'sin_(x)', lib: SIN },
  [B.COS]: { expr: 'sin_(x + 1.5707963267948966)', lib: SIN },
  [B.FLOOR]: { expr: 'floor(x)' },
  [B.CEIL]: { expr: 'ceil(x)' },
  [B.ROUND]: { expr: 'round(x)' },
  [B.LOGISTIC]: { expr: '1.0 / (1.0 + exp(-x))' },
  [B.TANH]: { expr: 'tanh_(x)', lib: TANH },
  [B.RELU]: { expr: 'max(x, 0.0)' },
  [B.RELU6]: { expr: 'clamp(x, 0.0, 6.0)' },
  [B.RELU_N1_TO_1]: { expr: 'clamp(x, -1.0, 1.0)' },
  [B.RELU_0_TO_1]: { expr: 'clamp(x, 0.0, 1.0)' },
  [B.HARD_SWISH]: { expr: 'x * clamp(x + 3.0, 0.0, 6.0) / 6.0' },
  [B.LEAKY_RELU]: { expr: 'select(x * P.alpha, x, x >= 0.0)' },
  [B.ELU]: { expr: 'select(exp(x) - 1.0, x, x > 0.0)' },
  [B.QUANTIZE]: { expr: 'x' },
  [B.DEQUANTIZE]: { expr: 'x' },
};

const GELU_EXACT = { expr: '0.5 * x * (1.0 + erf_(x * 0.7071067811865476))', lib: ERF };
const GELU_TANH = { expr: '0.5 * x * (1.0 + tanh_(0.7978845608028654 * (x + 0.044715 * x * x * x)))', lib: TANH };

/** WGSL expression of each binary op over `a`, `b`. */
const BINARY: Record<number, { expr: string; act: boolean; lib?: string }> = {
  [B.ADD]: { expr: 'a + b', act: true },
  [B.SUB]: { expr: 'a - b', act: true },
  [B.MUL]: { expr: 'a * b', act: true },
  [B.DIV]: { expr: 'a / b', act: true },
  [B.MAXIMUM]: { expr: 'max(a, b)', act: false },
  [B.MINIMUM]: { expr: 'min(a, b)', act: false },
  [B.SQUARED_DIFFERENCE]: { expr: '(a - b) * (a - b)', act: false },
  [B.PRELU]: { expr: 'select(a * b, a, a >= 0.0)', act: false },
  [B.FLOOR_DIV]: { expr: 'floor(a / b)', act: false },
  [B.FLOOR_MOD]: { expr: 'a - floor(a / b) * b', act: false },
  [B.POW]: {
    expr: 'pow_(a, b)', act: false, lib: `
fn pow_(a: f32, b: f32) -> f32 {
  if (b == 0.0) { return 1.0; }
  if (a >= 0.0) { return pow(a, b); }
  var nan = 0x7fc00000u;
  if (fract(b) != 0.0) { return bitcast<f32>(nan); }
  let m = pow(-a, b);
  return select(m, -m, fract(b * 0.5) != 0.0);
}`,
  },
};

/** Checks that every tensor is one the GPU holds; a reason string when not. */
export function unsupportedDType(...ts: (RtTensor | null | undefined)[]): string | null {
  for (const t of ts) {
    if (t && !gpuDType(t)) return `tensor '${t.name}' is ${t.dtype}${t.quant ? '' : ' (not quantized)'}`;
  }
  return null;
}

/** A WGSL float literal. */
function lit(v: number): string {
  return Number.isFinite(v) ? v.toExponential() : v > 0 ? '3.4028234e38' : '-3.4028234e38';
}

function unaryOf(code: number, node: OpNode): { expr: string; lib?: string } | null {
  if (code === B.GELU) return node.options?.bool(0, false) ? GELU_TANH : GELU_EXACT;
  const op = UNARY[code];
  if (!op) return null;
  if (code === B.LEAKY_RELU) return { expr: op.expr.replace('P.alpha', lit(node.options?.f32(0, 0) ?? 0)) };
  return op;
}

/** Whether `code` is an elementwise op this file computes (unary or binary). */
export function isElementwise(code: number): boolean {
  return code === B.GELU || code in UNARY || code in BINARY;
}

/** Unary ops whose result is a function of one element (they may follow another elementwise op in one shader). */
export function isUnary(code: number): boolean {
  return code === B.GELU || code in UNARY;
}

/**
 * One shader for a chain of elementwise ops: `first` (unary or binary) then the `tail` ops
 * (see `elementwiseTail`), each feeding only the next (the intermediate tensors never exist).
 * Returns the program, or a reason when one of them is not elementwise on GPU tensors.
 */
export function elementwiseChain(chain: ReadonlyArray<ChainLink>, ctx: KernelContext, view?: ChainView): GpuStep[] | string {
  const first = chain[0]!, last = chain[chain.length - 1]!;
  const y = last.node.outputs[0]!;
  const libs = new Set<string>();
  const fns: string[] = [];
  let body: string;
  let bindings: GpuRef[];
  let lo = -Infinity, hi = Infinity, n = count(y.shape), keyHead: string;
  let fields: Record<string, Field>;
  if (isUnary(first.code)) {
    const x = first.node.inputs[0]!;
    const bad = unsupportedDType(x, y);
    if (bad) return bad;
    const op = unaryOf(first.code, first.node)!;
    if (op.lib) libs.add(op.lib);
    fns.push(`fn s0(x: f32) -> f32 { return ${op.expr}; }`);
    body = view ? `var rem = i; var src = P.voff;
  for (var k = i32(P.vrank) - 1; k >= 0; k--) {
    let d = P.vdims[k / 4][k % 4];
    src += i32(rem % d) * P.vst[k / 4][k % 4]; rem = rem / d;
  }
  let v = s0(X[src]);` : 'let v = s0(X[i]);';
    keyHead = `u${view ? 'v' : ''}:${op.expr}`;
    fields = {
      n: ['u32', n], rank: ['u32', y.shape.length], ...epilogueParams(y), dims: ['u32x8', y.shape],
      ...(view ? { vrank: ['u32', view.shape.length], voff: ['i32', view.offset], vdims: ['u32x8', view.shape], vst: ['i32x8', view.strides] } : {}),
    } as Record<string, Field>;
    bindings = [{ tensor: view ? view.x : x }];
  } else {
    const a = first.node.inputs[0]!, b = first.node.inputs[1]!;
    const bad = unsupportedDType(a, b, y);
    if (bad) return bad;
    const op = BINARY[first.code]!;
    if (op.lib) libs.add(op.lib);
    const act = op.act && first.node.options ? first.node.options.i8(0, 0) : 0;
    const range = actRange(act);
    if (!range) return `fused activation ${act} is not a clamp`;
    if (y.shape.length > 8) return `rank ${y.shape.length} is over 8`;
    const out = first.node.outputs[0]!;
    const na = count(a.shape), nb = count(b.shape);
    n = count(out.shape);
    const mode = na === n && nb === n ? 'same' : nb === 1 && na === n ? 'sb' : na === 1 && nb === n ? 'sa' : 'bcast';
    if (chain.length === 1) [lo, hi] = range;
    const clampExpr = chain.length === 1 || act === 0 ? op.expr : `clamp(${op.expr}, ${lit(range[0])}, ${lit(range[1])})`;
    fns.push(`fn s0(a: f32, b: f32) -> f32 { return ${clampExpr}; }`);
    body = `${mode === 'same' ? 'let ia = i; let ib = i;'
      : mode === 'sb' ? 'let ia = i; let ib = 0u;'
        : mode === 'sa' ? 'let ia = 0u; let ib = i;'
          : `var ia = 0u; var ib = 0u; var rem = i;
  for (var k = i32(P.rank) - 1; k >= 0; k--) {
    let d = P.dims[k / 4][k % 4];
    let c = rem % d; rem = rem / d;
    ia += c * P.sa[k / 4][k % 4]; ib += c * P.sb[k / 4][k % 4];
  }`}
  let v = s0(A[ia], Bv[ib]);`;
    keyHead = `b:${clampExpr}:${mode}`;
    fields = {
      n: ['u32', n], rank: ['u32', out.shape.length], ...epilogueParams(y, lo, hi),
      dims: ['u32x8', out.shape], sa: ['u32x8', broadcastStrides(a.shape, out.shape)], sb: ['u32x8', broadcastStrides(b.shape, out.shape)],
    };
    bindings = [{ tensor: a }, { tensor: b }];
  }
  if (y.shape.length > 8) return `rank ${y.shape.length} is over 8`;
  const tail = elementwiseTail(chain.slice(1), 'v', 1, y);
  if (typeof tail === 'string') return tail;
  fns.push(...tail.fns);
  for (const l of tail.libs) libs.add(l);
  const v = tail.v;
  const keys = [keyHead, ...tail.keys];
  tail.operands.forEach((o, m) => { if (o.strides) fields[`o${m}`] = ['u32x8', o.strides]; });
  const p = params(fields);
  const ins: [string, 'f32'][] = bindings.length === 1 ? [['X', 'f32']] : [['A', 'f32'], ['Bv', 'f32']];
  const names = storage(...ins, ...tail.operands.map((_, m): [string, 'f32'] => [`O${m}`, 'f32']), ['Y', 'f32']);
  bindings.push(...tail.operands.map((o) => ({ tensor: o.tensor })), { tensor: y });
  const wgsl = `${p.wgsl}${names}${EPILOGUE_WGSL}${[...libs].join('')}
${fns.join('\n')}
${main1d()}
  if (i >= P.n) { return; }
  ${body}
  Y[i] = epi(${v});
}`;
  return [{
    name: chain.map((c) => c.code).join('+'), cacheKey: `ew:${keys.join('|')}`, wgsl, dispatch: dispatch1d(n, ctx.maxWorkgroupsPerDim),
    uniforms: p.bytes, bindings,
  }];
}

/** A strided view the chain's first (unary) op reads in place of its input: `x[offset + sum digit_k * strides_k]` over `shape`. */
export interface ChainView { x: RtTensor; shape: number[]; offset: number; strides: number[] }

/** One op of an elementwise chain; `x`: the chain's value among its inputs (binary ops with a tensor operand). */
export interface ChainLink { code: number; node: OpNode; x?: RtTensor }

/**
 * The WGSL of elementwise ops applied one after another to a value `v0`: unary ops, binary
 * ops with a float32 scalar constant operand (the constant a literal), and, where `y` (the
 * chain's output, whose shape every link keeps) is given, binary ops whose other operand is a
 * tensor, read from storage `O{m}` at the element's index (broadcast through uniform strides
 * `P.o{m}` over `P.rank`/`P.dims`). Functions are named `s{first}`, `s{first + 1}`...; `v` is
 * the expression of the result, `keys` the cache key parts, `libs` the helper functions, and
 * `operands` the tensors to bind. A reason when one of them is none of these.
 */
export function elementwiseTail(
  links: ReadonlyArray<ChainLink>, v0: string, first: number, y?: RtTensor,
): { fns: string[]; v: string; keys: string[]; libs: Set<string>; operands: { tensor: RtTensor; strides?: number[] }[] } | string {
  const fns: string[] = [], keys: string[] = [], libs = new Set<string>();
  const operands: { tensor: RtTensor; strides?: number[] }[] = [];
  let v = v0;
  for (let j = 0; j < links.length; j++) {
    const { code, node, x } = links[j]!, k = first + j;
    const sc = scalarOperand(code, node);
    const bop = BINARY[code];
    if (sc || bop) {
      if (!bop) return 'not elementwise';
      if (bop.lib) libs.add(bop.lib);
      const act = bop.act && node.options ? node.options.i8(0, 0) : 0, range = actRange(act);
      if (!range) return `fused activation ${act} is not a clamp`;
      const expr = act === 0 ? bop.expr : `clamp(${bop.expr}, ${lit(range[0])}, ${lit(range[1])})`;
      if (sc) {
        // a binary op with a float32 scalar constant: the chain's value is `a` or `b`, the constant a literal
        const ab = sc.at === 1 ? `let a = x; let b = ${lit(sc.value)};` : `let a = ${lit(sc.value)}; let b = x;`;
        fns.push(`fn s${k}(x: f32) -> f32 { ${ab} return ${expr}; }`);
        v = `s${k}(${v})`;
        keys.push(`${ab}${expr}`);
        continue;
      }
      const at = node.inputs[0] === x ? 0 : node.inputs[1] === x ? 1 : -1;
      const other = node.inputs[1 - at];
      if (!y || !x || at < 0 || !other || other === x || other.dtype !== 'float32' || node.outputs[0]!.shape.join() !== y.shape.join()) return 'not a chain link';
      const m = operands.length, no = count(other.shape), ny = count(y.shape);
      const mode = no === ny ? 'same' : no === 1 ? 'one' : 'bcast';
      operands.push(mode === 'bcast' ? { tensor: other, strides: broadcastStrides(other.shape, y.shape) } : { tensor: other });
      const idx = mode === 'same' ? 'i' : mode === 'one' ? '0u' : `bidx${m}(i)`;
      if (mode === 'bcast') {
        fns.push(`fn bidx${m}(i: u32) -> u32 {
  var rem = i; var o = 0u;
  for (var d = i32(P.rank) - 1; d >= 0; d--) {
    let n = P.dims[d / 4][d % 4];
    o += (rem % n) * P.o${m}[d / 4][d % 4]; rem = rem / n;
  }
  return o;
}`);
      }
      const ab = at === 0 ? 'let a = x; let b = o;' : 'let a = o; let b = x;';
      fns.push(`fn s${k}(x: f32, o: f32) -> f32 { ${ab} return ${expr}; }`);
      v = `s${k}(${v}, O${m}[${idx}])`;
      keys.push(`t${mode}:${ab}${expr}`);
      continue;
    }
    const op = unaryOf(code, node);
    if (!op) return 'not elementwise';
    if (op.lib) libs.add(op.lib);
    fns.push(`fn s${k}(x: f32) -> f32 { return ${op.expr}; }`);
    v = `s${k}(${v})`;
    keys.push(op.expr);
  }
  return { fns, v, keys, libs, operands };
}

/**
 * For a binary elementwise op with one float32 scalar constant operand (and the other of the
 * output's shape): which input is the constant and its value; else null. Such an op may follow
 * another elementwise op in one shader.
 */
export function scalarOperand(code: number, node: OpNode): { at: 0 | 1; value: number } | null {
  if (!(code in BINARY) || node.inputs.length !== 2) return null;
  const y = node.outputs[0];
  for (const at of [0, 1] as const) {
    const c = node.inputs[at], x = node.inputs[1 - at];
    if (!c || !x || !y || !c.isConst || c.dtype !== 'float32' || count(c.shape) !== 1 || x.isConst) continue;
    if (x.shape.length !== y.shape.length || count(x.shape) !== count(y.shape) || y.dtype !== 'float32') continue;
    return { at, value: (c.data as Float32Array)[0]! };
  }
  return null;
}

function unary(code: number): GpuKernel {
  return (node: OpNode, ctx: KernelContext) => elementwiseChain([{ code, node }], ctx);
}

function binary(code: number): GpuKernel {
  return (node: OpNode, ctx: KernelContext) => elementwiseChain([{ code, node }], ctx);
}

/** Strides of `shape` broadcast to `out` (rank-aligned at the end; 0 along broadcast dims). */
export function broadcastStrides(shape: ReadonlyArray<number>, out: ReadonlyArray<number>): number[] {
  const st = strides(shape), r = out.length, off = r - shape.length;
  return out.map((_, k) => (k < off || shape[k - off] === 1 ? 0 : st[k - off]!));
}

/** Elementwise kernels by builtin code. */
export const ELEMENTWISE_KERNELS = new Map<number, GpuKernel>([
  ...Object.keys(UNARY).map((c) => [Number(c), unary(Number(c))] as [number, GpuKernel]),
  [B.GELU, unary(B.GELU)],
  ...Object.keys(BINARY).map((c) => [Number(c), binary(Number(c))] as [number, GpuKernel]),
]);

export type { GpuStep };

/**
 * CONV_2D and DEPTHWISE_CONV_2D (NHWC, SAME/VALID padding, strides, dilations).
 * CONV_2D is an implicit GEMM: rows are output pixels, columns output channels, the sum runs
 * over (ky, kx, ci); each invocation computes 4 pixels x 4 channels in registers (the input
 * read as vec4 along channels when Cin % 4 == 0; workgroups shaped to the channel count), the filter transposed to [kh*kw*Cin, Cout]
 * (padded to 4 columns) at load. DEPTHWISE_CONV_2D: one invocation per pixel and 4 channels
 * (vec4) when the depth multiplier is 1 and C % 4 == 0, else per output element.
 *
 * ```ts
 * CONV_KERNELS.get(BuiltinOp.CONV_2D)!(node, ctx);
 * ```
 */
import { BuiltinOp as B } from '../../format/schema.js';
import type { OpNode, RtTensor } from '../../ops/op.js';
import { biasValues, realValues, transposePadded } from './consts.js';
import { unsupportedDType } from './elementwise.js';
import { gemmWorkgroup, paddedBias } from './matmul.js';
import { EPILOGUE_WGSL, actRange, dispatch1d, epilogueParams, main1d, params, type Field, type GpuKernel, type GpuStep, type KernelContext } from './program.js';

/** Leading padding along one axis (TFLite: SAME splits the total, the extra on the trailing side; VALID none). */
export function padBefore(same: boolean, inSize: number, outSize: number, k: number, stride: number, dilation: number): number {
  if (!same) return 0;
  const total = Math.max(0, (outSize - 1) * stride + (k - 1) * dilation + 1 - inSize);
  return Math.floor(total / 2);
}

export interface Window { sh: number; sw: number; dh: number; dw: number; pt: number; pl: number; kh: number; kw: number }

/** The window of a conv/pool node: strides, dilations and padding from its options (field ids given). */
export function windowOf(
  node: OpNode, x: RtTensor, y: RtTensor, kh: number, kw: number,
  f: { padding: number; stride_w: number; stride_h: number; dilation_w?: number; dilation_h?: number },
): Window {
  const o = node.options;
  const same = (o ? o.i8(f.padding, 0) : 0) === 0;
  const sw = o ? o.i32(f.stride_w, 1) : 1, sh = o ? o.i32(f.stride_h, 1) : 1;
  const dw = f.dilation_w !== undefined && o ? o.i32(f.dilation_w, 1) : 1, dh = f.dilation_h !== undefined && o ? o.i32(f.dilation_h, 1) : 1;
  // A PAD folded into the convolution at load carries its [top, bottom, left, right] padding in the options.
  const ex = (o as { explicitPadding?: ReadonlyArray<number> } | null)?.explicitPadding;
  if (ex) return { sh, sw, dh, dw, kh, kw, pt: ex[0]!, pl: ex[2]! };
  return {
    sh, sw, dh, dw, kh, kw,
    pt: padBefore(same, x.shape[1]!, y.shape[1]!, kh, sh, dh), pl: padBefore(same, x.shape[2]!, y.shape[2]!, kw, sw, dw),
  };
}

function winParams(x: RtTensor, y: RtTensor, w: Window): Record<string, ['u32' | 'i32', number]> {
  return {
    H: ['u32', x.shape[1]!], W: ['u32', x.shape[2]!], C: ['u32', x.shape[3]!], OH: ['u32', y.shape[1]!], OW: ['u32', y.shape[2]!],
    KH: ['u32', w.kh], KW: ['u32', w.kw], sh: ['u32', w.sh], sw: ['u32', w.sw], dh: ['i32', w.dh], dw: ['i32', w.dw],
    pt: ['i32', w.pt], pl: ['i32', w.pl],
  };
}

function convWgsl(pw: string, vec: boolean, half: boolean, wg: [number, number]): string {
  return half ? halfWeights(convWgsl32(pw, vec, wg)) : convWgsl32(pw, vec, wg);
}


/** The conv shader reading its weights `Bm` as f16 (shader-f16), widened to f32 at each load. */
function halfWeights(wgsl: string): string {
  return 'enable f16;\n' + wgsl
    .replace('var<storage, read_write> Bm: array<vec4<f32>>;', 'var<storage, read_write> Bm: array<vec4<f16>>;\nfn bm(i: u32) -> vec4<f32> { return vec4<f32>(Bm[i]); }')
    .replace(/Bm\[((?:[^\[\]]|\([^()]*\))*)\];/g, (m, i: string) => (m.includes('array') ? m : `bm(${i});`));
}

function convWgsl32(pw: string, vec: boolean, [gx, gy]: [number, number]): string {
  const rows = [0, 1, 2, 3];
  const setup = rows.map((p) => `
  let m${p} = min(r0 + ${p}u, P.M - 1u);
  let ow${p} = m${p} % P.OW; let t${p} = m${p} / P.OW;
  let iy${p} = i32((t${p} % P.OH) * P.sh) - P.pt; let ix${p} = i32(ow${p} * P.sw) - P.pl;
  let base${p} = (t${p} / P.OH) * ${vec ? 'P.H * P.W * P.C' : 'P.sB'};`).join('');
  const pix = rows.map((p) => `
      let y${p} = iy${p} + i32(ky) * P.dh; let x${p} = ix${p} + i32(kx) * P.dw;
      let ok${p} = y${p} >= 0 && y${p} < i32(P.H) && x${p} >= 0 && x${p} < i32(P.W);
      let o${p} = select(0u, base${p} + ${vec ? `(u32(y${p}) * P.W + u32(x${p})) * P.C` : `u32(y${p}) * P.sY + u32(x${p}) * P.sX`}, ok${p});`).join('');
  const inner = vec
    ? `for (var ci = 0u; ci < P.C; ci += 4u) {
        let kr = (kb + ci) * P.Np + c0;
        let b0 = Bm[kr / 4u]; let b1 = Bm[(kr + P.Np) / 4u]; let b2 = Bm[(kr + 2u * P.Np) / 4u]; let b3 = Bm[(kr + 3u * P.Np) / 4u];
${rows.map((p) => `        let a${p} = select(vec4<f32>(0.0), X[(o${p} + ci) / 4u], ok${p});
        acc${p} += a${p}.x * b0 + a${p}.y * b1 + a${p}.z * b2 + a${p}.w * b3;`).join('\n')}
      }`
    : `for (var ci = 0u; ci < P.C; ci++) {
        let b = Bm[((kb + ci) * P.Np + c0) / 4u];
${rows.map((p) => `        acc${p} += select(0.0, X[o${p} + ci * P.sC], ok${p}) * b;`).join('\n')}
      }`;
  return `${pw}@group(0) @binding(1) var<storage, read_write> X: array<${vec ? 'vec4<f32>' : 'f32'}>;
@group(0) @binding(2) var<storage, read_write> Bm: array<vec4<f32>>;
@group(0) @binding(3) var<storage, read_write> Bias: array<vec4<f32>>;
@group(0) @binding(4) var<storage, read_write> Y: array<f32>;
${EPILOGUE_WGSL}
fn store(row: u32, c0: u32, v: vec4<f32>) {
  if (row >= P.M) { return; }
  let o = row * P.N;
  let e = epi4(v + Bias[c0 / 4u]);
  Y[o + c0] = e.x;
  if (c0 + 1u < P.N) { Y[o + c0 + 1u] = e.y; }
  if (c0 + 2u < P.N) { Y[o + c0 + 2u] = e.z; }
  if (c0 + 3u < P.N) { Y[o + c0 + 3u] = e.w; }
}
@compute @workgroup_size(${gx}, ${gy}, 1)
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
  let c0 = gid.x * 4u; let r0 = gid.y * 4u;
  if (c0 >= P.N || r0 >= P.M) { return; }${setup}
  var acc0 = vec4<f32>(0.0); var acc1 = vec4<f32>(0.0); var acc2 = vec4<f32>(0.0); var acc3 = vec4<f32>(0.0);
  for (var ky = 0u; ky < P.KH; ky++) {
    for (var kx = 0u; kx < P.KW; kx++) {${pix}
      let kb = (ky * P.KW + kx) * P.C;
      ${inner}
    }
  }
  store(r0, c0, acc0); store(r0 + 1u, c0, acc1); store(r0 + 2u, c0, acc2); store(r0 + 3u, c0, acc3);
}`;
}

/**
 * CONV_2D, its input read from `src` when given: another tensor holding the NHWC input at
 * element strides [batch, row, column, channel] (a TRANSPOSE folded into the read; the
 * scalar-input path only).
 */
export function conv2dFrom(node: OpNode, ctx: KernelContext, src?: { tensor: RtTensor; strides: [number, number, number, number] }): GpuStep[] | string {
  const x = node.inputs[0]!, f = node.inputs[1]!, b = node.inputs[2] ?? null, y = node.outputs[0]!;
  const bad = unsupportedDType(x, f, y);
  if (bad) return bad;
  if (!f.isConst || (b && !b.isConst)) return 'filter or bias is not constant';
  if (x.shape.length !== 4 || f.shape.length !== 4) return 'not rank 4';
  const [cout, kh, kw, cin] = f.shape as [number, number, number, number];
  if (cin !== x.shape[3]) return `grouped convolution (${x.shape[3]} input channels, filter ${cin})`;
  const act = node.options ? node.options.i8(3, 0) : 0, range = actRange(act);
  if (!range) return `fused activation ${act} is not a clamp`;
  const fv = realValues(f);
  if (!fv) return `filter of dtype ${f.dtype} cannot be dequantized`;
  const bv = b ? biasValues(b, x.quant?.scale[0] ?? 1, f.quant?.scale ?? null) : null;
  if (b && !bv) return `bias of dtype ${b.dtype} cannot be dequantized`;
  const w = windowOf(node, x, y, kh, kw, { padding: 0, stride_w: 1, stride_h: 2, dilation_w: 4, dilation_h: 5 });
  const M = y.shape[0]! * y.shape[1]! * y.shape[2]!, K = kh * kw * cin;
  const bt = transposePadded(fv, cout, K);
  const wg = gemmWorkgroup(M, cout);
  const gy = Math.ceil(M / (4 * wg[1]));
  if (gy > ctx.maxWorkgroupsPerDim) return `${M} output pixels is over the dispatch limit`;
  const vec = cin % 4 === 0 && !src;
  // float16 filters stay f16 on a device with shader-f16 (products and sums in f32)
  const half = ctx.f16 && ctx.halfConsts.has(f);
  const [H, W] = [x.shape[1]!, x.shape[2]!];
  const st = src?.strides ?? [H * W * cin, W * cin, cin, 1];
  const p = params({
    M: ['u32', M], N: ['u32', cout], Np: ['u32', bt.pad], ...winParams(x, y, w), ...epilogueParams(y, range[0], range[1]),
    ...(vec ? {} : { sB: ['u32', st[0]], sY: ['u32', st[1]], sX: ['u32', st[2]], sC: ['u32', st[3]] }),
  } as Record<string, Field>);
  return [{
    name: 'CONV_2D', cacheKey: `conv2d:${vec}:${half}:${wg.join('x')}`, wgsl: convWgsl(p.wgsl, vec, half, wg), dispatch: [Math.ceil(cout / (4 * wg[0])), gy, 1], uniforms: p.bytes,
    bindings: [{ tensor: src?.tensor ?? x }, { data: bt.data, label: `${f.name}^T`, half }, { data: paddedBias(bv, cout), label: b ? b.name : 'zero bias' }, { tensor: y }],
  }];
}

const conv2d: GpuKernel = (node: OpNode, ctx: KernelContext) => conv2dFrom(node, ctx);

const depthwise: GpuKernel = (node: OpNode, ctx: KernelContext) => {
  const x = node.inputs[0]!, f = node.inputs[1]!, b = node.inputs[2] ?? null, y = node.outputs[0]!;
  const bad = unsupportedDType(x, f, y);
  if (bad) return bad;
  if (!f.isConst || (b && !b.isConst)) return 'filter or bias is not constant';
  if (x.shape.length !== 4 || f.shape.length !== 4) return 'not rank 4';
  const [, kh, kw, cout] = f.shape as [number, number, number, number];
  const cin = x.shape[3]!, mult = cout / cin;
  if (!Number.isInteger(mult) || mult < 1) return `${cout} output channels for ${cin} input channels`;
  const act = node.options ? node.options.i8(4, 0) : 0, range = actRange(act);
  if (!range) return `fused activation ${act} is not a clamp`;
  const fv = realValues(f);
  if (!fv) return `filter of dtype ${f.dtype} cannot be dequantized`;
  const bv = b ? biasValues(b, x.quant?.scale[0] ?? 1, f.quant?.scale ?? null) : null;
  if (b && !bv) return `bias of dtype ${b.dtype} cannot be dequantized`;
  const w = windowOf(node, x, y, kh, kw, { padding: 0, stride_w: 1, stride_h: 2, dilation_w: 5, dilation_h: 6 });
  const vec = mult === 1 && cout % 4 === 0;
  const lanes = vec ? cout / 4 : cout;
  const n = y.shape[0]! * y.shape[1]! * y.shape[2]! * lanes;
  const p = params({ n: ['u32', n], L: ['u32', lanes], mult: ['u32', mult], CO: ['u32', cout], ...winParams(x, y, w), ...epilogueParams(y, range[0], range[1]) });
  const T = vec ? 'vec4<f32>' : 'f32';
  const wgsl = `${p.wgsl}@group(0) @binding(1) var<storage, read_write> X: array<${T}>;
@group(0) @binding(2) var<storage, read_write> F: array<${T}>;
@group(0) @binding(3) var<storage, read_write> Bias: array<${T}>;
@group(0) @binding(4) var<storage, read_write> Y: array<${T}>;
${EPILOGUE_WGSL}
${main1d()}
  if (i >= P.n) { return; }
  let c = i % P.L; let m = i / P.L;
  let ow = m % P.OW; let t = m / P.OW; let oh = t % P.OH; let bi = t / P.OH;
  let iy0 = i32(oh * P.sh) - P.pt; let ix0 = i32(ow * P.sw) - P.pl;
  let base = bi * P.H * P.W;
  let ic = ${vec ? 'c' : 'c / P.mult'};
  let rowLen = ${vec ? 'P.C / 4u' : 'P.C'};
  var acc = Bias[c];
  for (var ky = 0u; ky < P.KH; ky++) {
    let yy = iy0 + i32(ky) * P.dh;
    if (yy < 0 || yy >= i32(P.H)) { continue; }
    for (var kx = 0u; kx < P.KW; kx++) {
      let xx = ix0 + i32(kx) * P.dw;
      if (xx < 0 || xx >= i32(P.W)) { continue; }
      acc += X[(base + u32(yy) * P.W + u32(xx)) * rowLen + ic] * F[(ky * P.KW + kx) * P.L + c];
    }
  }
  Y[i] = ${vec ? 'epi4(acc)' : 'epi(acc)'};
}`;
  return [{
    name: 'DEPTHWISE_CONV_2D', cacheKey: `depthwise:${vec}`, wgsl, dispatch: dispatch1d(n, ctx.maxWorkgroupsPerDim), uniforms: p.bytes,
    bindings: [{ tensor: x }, { data: fv, label: f.name }, { data: bv ?? new Float32Array(cout), label: b ? b.name : 'zero bias' }, { tensor: y }],
  }];
};

/** TFLite's forward-conv padding seen from a transposed conv's output of size `out` (the forward conv's input). */
function transposePad(same: boolean, out: number, k: number, stride: number): number {
  const fwdOut = same ? Math.floor((out + stride - 1) / stride) : Math.floor((out + stride - k) / stride);
  return Math.floor(Math.max(0, (fwdOut - 1) * stride + k - out) / 2);
}

/**
 * TRANSPOSE_CONV (inputs: output shape, filter [Cout, kh, kw, Cin], x, optional bias): each
 * output element gathers the inputs whose forward window covered it,
 * `y[oy] = sum x[(oy + pt - ky) / s] w[ky]` over the ky where the division is exact.
 */
const transposeConv: GpuKernel = (node: OpNode, ctx: KernelContext) => {
  const f = node.inputs[1]!, x = node.inputs[2]!, b = node.inputs[3] ?? null, y = node.outputs[0]!;
  const bad = unsupportedDType(x, f, y);
  if (bad) return bad;
  if (!f.isConst || (b && !b.isConst)) return 'filter or bias is not constant';
  if (x.shape.length !== 4 || f.shape.length !== 4 || y.shape.length !== 4) return 'not rank 4';
  const [cout, kh, kw, cin] = f.shape as [number, number, number, number];
  if (cin !== x.shape[3]) return 'channel count mismatch';
  const o = node.options;
  const same = (o ? o.i8(0, 0) : 0) === 0, sw = o ? o.i32(1, 1) : 1, sh = o ? o.i32(2, 1) : 1;
  const act = o ? o.i8(3, 0) : 0, range = actRange(act);
  if (!range) return `fused activation ${act} is not a clamp`;
  const fv = realValues(f);
  if (!fv) return `filter of dtype ${f.dtype} cannot be dequantized`;
  const bv = b ? biasValues(b, x.quant?.scale[0] ?? 1, f.quant?.scale ?? null) : null;
  if (b && !bv) return `bias of dtype ${b.dtype} cannot be dequantized`;
  const n = y.shape[0]! * y.shape[1]! * y.shape[2]! * cout;
  const p = params({
    n: ['u32', n], CO: ['u32', cout], CI: ['u32', cin], H: ['u32', x.shape[1]!], W: ['u32', x.shape[2]!],
    OH: ['u32', y.shape[1]!], OW: ['u32', y.shape[2]!], KH: ['u32', kh], KW: ['u32', kw], sh: ['i32', sh], sw: ['i32', sw],
    pt: ['i32', transposePad(same, y.shape[1]!, kh, sh)], pl: ['i32', transposePad(same, y.shape[2]!, kw, sw)],
    ...epilogueParams(y, range[0], range[1]),
  });
  const wgsl = `${p.wgsl}@group(0) @binding(1) var<storage, read_write> X: array<f32>;
@group(0) @binding(2) var<storage, read_write> F: array<f32>;
@group(0) @binding(3) var<storage, read_write> Bias: array<f32>;
@group(0) @binding(4) var<storage, read_write> Y: array<f32>;
${EPILOGUE_WGSL}
${main1d()}
  if (i >= P.n) { return; }
  let co = i % P.CO; let m = i / P.CO;
  let ox = i32(m % P.OW); let t = m / P.OW; let oy = i32(t % P.OH); let bi = t / P.OH;
  var acc = Bias[co];
  for (var ky = 0; ky < i32(P.KH); ky++) {
    let ty = oy + P.pt - ky;
    if (ty < 0 || ty % P.sh != 0 || ty / P.sh >= i32(P.H)) { continue; }
    let iy = u32(ty / P.sh);
    for (var kx = 0; kx < i32(P.KW); kx++) {
      let tx = ox + P.pl - kx;
      if (tx < 0 || tx % P.sw != 0 || tx / P.sw >= i32(P.W)) { continue; }
      let xo = ((bi * P.H + iy) * P.W + u32(tx / P.sw)) * P.CI;
      let fo = ((co * P.KH + u32(ky)) * P.KW + u32(kx)) * P.CI;
      for (var ci = 0u; ci < P.CI; ci++) { acc += X[xo + ci] * F[fo + ci]; }
    }
  }
  Y[i] = epi(acc);
}`;
  return [{
    name: 'TRANSPOSE_CONV', cacheKey: 'transpose_conv', wgsl, dispatch: dispatch1d(n, ctx.maxWorkgroupsPerDim), uniforms: p.bytes,
    bindings: [{ tensor: x }, { data: fv, label: f.name }, { data: bv ?? new Float32Array(cout), label: b ? b.name : 'zero bias' }, { tensor: y }],
  }];
};

/** Convolution kernels by builtin code. */
export const CONV_KERNELS = new Map<number, GpuKernel>([
  [B.CONV_2D, conv2d],
  [B.DEPTHWISE_CONV_2D, depthwise],
  [B.TRANSPOSE_CONV, transposeConv],
]);

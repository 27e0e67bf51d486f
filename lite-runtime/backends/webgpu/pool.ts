/**
 * AVERAGE_POOL_2D and MAX_POOL_2D (NHWC): one invocation per output pixel and 4 channels
 * (vec4) when C % 4 == 0, else per output element. The average counts only the window's
 * elements inside the image, as TFLite does. RESIZE_BILINEAR (sampling, so it lives here too).
 *
 * ```ts
 * POOL_KERNELS.get(BuiltinOp.MAX_POOL_2D)!(node, ctx);
 * ```
 */
import { BuiltinOp as B } from '../../format/schema.js';
import type { OpNode } from '../../ops/op.js';
import { windowOf } from './conv.js';
import { unsupportedDType } from './elementwise.js';
import { EPILOGUE_WGSL, actRange, count, dispatch1d, epilogueParams, main1d, params, type GpuKernel, type KernelContext } from './program.js';

function pool(max: boolean): GpuKernel {
  return (node: OpNode, ctx: KernelContext) => {
    const x = node.inputs[0]!, y = node.outputs[0]!;
    const bad = unsupportedDType(x, y);
    if (bad) return bad;
    if (x.shape.length !== 4) return 'not rank 4';
    const o = node.options;
    const fw = o ? o.i32(3, 1) : 1, fh = o ? o.i32(4, 1) : 1;
    const act = o ? o.i8(5, 0) : 0, range = actRange(act);
    if (!range) return `fused activation ${act} is not a clamp`;
    const w = windowOf(node, x, y, fh, fw, { padding: 0, stride_w: 1, stride_h: 2 });
    const C = x.shape[3]!, vec = C % 4 === 0, L = vec ? C / 4 : C;
    const n = y.shape[0]! * y.shape[1]! * y.shape[2]! * L;
    const p = params({
      n: ['u32', n], L: ['u32', L], H: ['u32', x.shape[1]!], W: ['u32', x.shape[2]!], OH: ['u32', y.shape[1]!], OW: ['u32', y.shape[2]!],
      KH: ['u32', fh], KW: ['u32', fw], sh: ['u32', w.sh], sw: ['u32', w.sw], pt: ['i32', w.pt], pl: ['i32', w.pl],
      ...epilogueParams(y, range[0], range[1]),
    });
    const T = vec ? 'vec4<f32>' : 'f32';
    const wgsl = `${p.wgsl}@group(0) @binding(1) var<storage, read_write> X: array<${T}>;
@group(0) @binding(2) var<storage, read_write> Y: array<${T}>;
${EPILOGUE_WGSL}
${main1d()}
  if (i >= P.n) { return; }
  let c = i % P.L; let m = i / P.L;
  let ow = m % P.OW; let t = m / P.OW; let oh = t % P.OH; let bi = t / P.OH;
  let iy0 = i32(oh * P.sh) - P.pt; let ix0 = i32(ow * P.sw) - P.pl;
  let y0 = u32(max(iy0, 0)); let y1 = u32(min(iy0 + i32(P.KH), i32(P.H)));
  let x0 = u32(max(ix0, 0)); let x1 = u32(min(ix0 + i32(P.KW), i32(P.W)));
  var acc = ${T}(${max ? '-3.4028234e38' : '0.0'});
  for (var yy = y0; yy < y1; yy++) {
    for (var xx = x0; xx < x1; xx++) {
      let v = X[((bi * P.H + yy) * P.W + xx) * P.L + c];
      acc = ${max ? 'max(acc, v)' : 'acc + v'};
    }
  }
  ${max ? '' : 'acc = acc / f32(max(1u, (y1 - min(y0, y1)) * (x1 - min(x0, x1))));'}
  Y[i] = ${vec ? 'epi4(acc)' : 'epi(acc)'};
}`;
    return [{
      name: max ? 'MAX_POOL_2D' : 'AVERAGE_POOL_2D', cacheKey: `pool:${max}:${vec}`, wgsl, dispatch: dispatch1d(n, ctx.maxWorkgroupsPerDim),
      uniforms: p.bytes, bindings: [{ tensor: x }, { tensor: y }],
    }];
  };
}

/** Per output row (or column) of a bilinear resize: [lower index, upper index, weight of the upper] as TFLite computes them. */
function resizeAxis(inSize: number, outSize: number, align: boolean, half: boolean): Float32Array {
  const scale = align && outSize > 1 ? Math.fround((inSize - 1) / (outSize - 1)) : Math.fround(inSize / outSize);
  const t = new Float32Array(outSize * 3);
  for (let i = 0; i < outSize; i++) {
    const v = half ? Math.fround(Math.fround((i + 0.5) * scale) - 0.5) : Math.fround(i * scale);
    const lo = Math.min(Math.max(Math.floor(v), 0), inSize - 1);
    t[3 * i] = lo;
    t[3 * i + 1] = Math.min(Math.ceil(v), inSize - 1);
    t[3 * i + 2] = v - lo;
  }
  return t;
}

/** RESIZE_BILINEAR (NHWC, constant size): one invocation per output element, axis tables computed at load. */
const resizeBilinear: GpuKernel = (node: OpNode, ctx: KernelContext) => {
  const x = node.inputs[0]!, y = node.outputs[0]!;
  const bad = unsupportedDType(x, y);
  if (bad) return bad;
  if (x.shape.length !== 4 || y.shape.length !== 4) return 'not rank 4';
  const align = node.options ? node.options.bool(2, false) : false, half = node.options ? node.options.bool(3, false) : false;
  const [, h, w, c] = x.shape as [number, number, number, number];
  const oh = y.shape[1]!, ow = y.shape[2]!;
  const n = count(y.shape);
  const p = params({ n: ['u32', n], C: ['u32', c], H: ['u32', h], W: ['u32', w], OH: ['u32', oh], OW: ['u32', ow], ...epilogueParams(y) });
  const wgsl = `${p.wgsl}@group(0) @binding(1) var<storage, read_write> X: array<f32>;
@group(0) @binding(2) var<storage, read_write> YS: array<f32>;
@group(0) @binding(3) var<storage, read_write> XS: array<f32>;
@group(0) @binding(4) var<storage, read_write> Y: array<f32>;
${EPILOGUE_WGSL}
${main1d()}
  if (i >= P.n) { return; }
  let c = i % P.C; let m = i / P.C;
  let ox = m % P.OW; let t = m / P.OW; let oy = t % P.OH; let b = t / P.OH;
  let y0 = u32(YS[3u * oy]); let y1 = u32(YS[3u * oy + 1u]); let dy = YS[3u * oy + 2u];
  let x0 = u32(XS[3u * ox]); let x1 = u32(XS[3u * ox + 1u]); let dx = XS[3u * ox + 2u];
  let r0 = (b * P.H + y0) * P.W; let r1 = (b * P.H + y1) * P.W;
  let v = X[(r0 + x0) * P.C + c] * (1.0 - dy) * (1.0 - dx) + X[(r1 + x0) * P.C + c] * dy * (1.0 - dx)
        + X[(r0 + x1) * P.C + c] * (1.0 - dy) * dx + X[(r1 + x1) * P.C + c] * dy * dx;
  Y[i] = epi(v);
}`;
  return [{
    name: 'RESIZE_BILINEAR', cacheKey: 'resize_bilinear', wgsl, dispatch: dispatch1d(n, ctx.maxWorkgroupsPerDim), uniforms: p.bytes,
    bindings: [{ tensor: x }, { data: resizeAxis(h, oh, align, half), label: 'rows' }, { data: resizeAxis(w, ow, align, half), label: 'columns' }, { tensor: y }],
  }];
};

/** Pooling and resize kernels by builtin code. */
export const POOL_KERNELS = new Map<number, GpuKernel>([
  [B.AVERAGE_POOL_2D, pool(false)],
  [B.MAX_POOL_2D, pool(true)],
  [B.RESIZE_BILINEAR, resizeBilinear],
]);

/**
 * Row ops over the last axis (SOFTMAX, LOG_SOFTMAX, L2_NORMALIZATION): one workgroup of 64
 * per row, max and sums reduced in workgroup memory; rows of at most 64 one invocation each. Reductions over constant axes (MEAN,
 * SUM, REDUCE_MAX, REDUCE_MIN, REDUCE_PROD): one invocation per output element.
 *
 * ```ts
 * REDUCE_KERNELS.get(BuiltinOp.SOFTMAX)!(node, ctx);
 * ```
 */
import { BuiltinOp as B } from '../../format/schema.js';
import type { OpNode, RtTensor } from '../../ops/op.js';
import { unsupportedDType } from './elementwise.js';
import { EPILOGUE_WGSL, count, dispatch1d, epilogueParams, main1d, params, storage, strides, type GpuKernel, type GpuProgram, type KernelContext } from './program.js';

const ROW_WG = 64;

function rowOp(kind: 'softmax' | 'log_softmax' | 'l2'): GpuKernel {
  return (node: OpNode, ctx: KernelContext) => {
    const x = node.inputs[0]!, y = node.outputs[0]!;
    const bad = unsupportedDType(x, y);
    if (bad) return bad;
    const D = x.shape[x.shape.length - 1] ?? 1;
    const rows = D === 0 ? 0 : count(x.shape) / D;
    if (rows === 0) return 'empty tensor';
    const beta = kind === 'softmax' && node.options ? node.options.f32(0, 1) : 1;
    const p = params({ rows: ['u32', rows], D: ['u32', D], beta: ['f32', beta], ...epilogueParams(y) });
    if (D <= ROW_WG) return [serialRow(kind, p, rows, ctx, x, y)];
    const reduce = (op: string): string => `
  red[l] = acc; workgroupBarrier();
  for (var s = ${ROW_WG / 2}u; s > 0u; s = s >> 1u) {
    if (l < s) { red[l] = ${op}; }
    workgroupBarrier();
  }
  let total_${op.length} = red[0]; workgroupBarrier();`;
    const body = kind === 'l2'
      ? `var acc = 0.0;
  for (var j = l; j < P.D; j += ${ROW_WG}u) { let v = X[base + j]; acc += v * v; }
  ${reduce('red[l] + red[l + s]')}
  let inv = 1.0 / max(sqrt(total_${'red[l] + red[l + s]'.length}), 1e-6);
  for (var j = l; j < P.D; j += ${ROW_WG}u) { Y[base + j] = epi(X[base + j] * inv); }`
      : `var acc = -3.4028234e38;
  for (var j = l; j < P.D; j += ${ROW_WG}u) { acc = max(acc, X[base + j]); }
  ${reduce('max(red[l], red[l + s])')}
  let mx = total_${'max(red[l], red[l + s])'.length};
  acc = 0.0;
  for (var j = l; j < P.D; j += ${ROW_WG}u) { acc += exp((X[base + j] - mx) * P.beta); }
  ${reduce('red[l] + red[l + s]')}
  let sum = total_${'red[l] + red[l + s]'.length};
  ${kind === 'softmax'
    ? `let inv = 1.0 / sum;
  for (var j = l; j < P.D; j += ${ROW_WG}u) { Y[base + j] = epi(exp((X[base + j] - mx) * P.beta) * inv); }`
    : `let ls = log(sum);
  for (var j = l; j < P.D; j += ${ROW_WG}u) { Y[base + j] = epi((X[base + j] - mx) * P.beta - ls); }`}`;
    const wgsl = `${p.wgsl}${storage(['X', 'f32'], ['Y', 'f32'])}${EPILOGUE_WGSL}
var<workgroup> red: array<f32, ${ROW_WG}>;
@compute @workgroup_size(${ROW_WG})
fn main(@builtin(local_invocation_id) lid: vec3<u32>, @builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let row = wid.x + wid.y * nwg.x;
  if (row >= P.rows) { return; }
  let l = lid.x;
  let base = row * P.D;
  ${body}
}`;
    return [{
      name: kind, cacheKey: `row:${kind}`, wgsl, dispatch: dispatch1d(rows, ctx.maxWorkgroupsPerDim, 1), uniforms: p.bytes,
      bindings: [{ tensor: x }, { tensor: y }],
    }];
  };
}

/**
 * A row op over short rows (D <= 64): one invocation per row, max and sums in a loop, no
 * workgroup memory or barriers (a workgroup per row would leave most lanes idle, and barriers
 * are costly on software adapters).
 */
function serialRow(
  kind: 'softmax' | 'log_softmax' | 'l2', p: ReturnType<typeof params>, rows: number, ctx: KernelContext, x: RtTensor, y: RtTensor,
): GpuProgram {
  const body = kind === 'l2'
    ? `var acc = 0.0;
  for (var j = 0u; j < P.D; j++) { let v = X[base + j]; acc += v * v; }
  let inv = 1.0 / max(sqrt(acc), 1e-6);
  for (var j = 0u; j < P.D; j++) { Y[base + j] = epi(X[base + j] * inv); }`
    : `var mx = -3.4028234e38;
  for (var j = 0u; j < P.D; j++) { mx = max(mx, X[base + j]); }
  var sum = 0.0;
  for (var j = 0u; j < P.D; j++) { sum += exp((X[base + j] - mx) * P.beta); }
  ${kind === 'softmax'
    ? `let inv = 1.0 / sum;
  for (var j = 0u; j < P.D; j++) { Y[base + j] = epi(exp((X[base + j] - mx) * P.beta) * inv); }`
    : `let ls = log(sum);
  for (var j = 0u; j < P.D; j++) { Y[base + j] = epi((X[base + j] - mx) * P.beta - ls); }`}`;
  const wgsl = `${p.wgsl}${storage(['X', 'f32'], ['Y', 'f32'])}${EPILOGUE_WGSL}
${main1d()}
  if (i >= P.rows) { return; }
  let base = i * P.D;
  ${body}
}`;
  return {
    name: kind, cacheKey: `row1:${kind}`, wgsl, dispatch: dispatch1d(rows, ctx.maxWorkgroupsPerDim), uniforms: p.bytes,
    bindings: [{ tensor: x }, { tensor: y }],
  };
}

const REDUCERS: Record<number, { init: string; step: string; final: string }> = {
  [B.MEAN]: { init: '0.0', step: 'acc + v', final: 'acc / f32(P.R)' },
  [B.SUM]: { init: '0.0', step: 'acc + v', final: 'acc' },
  [B.REDUCE_MAX]: { init: '-3.4028234e38', step: 'max(acc, v)', final: 'acc' },
  [B.REDUCE_MIN]: { init: '3.4028234e38', step: 'min(acc, v)', final: 'acc' },
  [B.REDUCE_PROD]: { init: '1.0', step: 'acc * v', final: 'acc' },
};

function reducer(code: number): GpuKernel {
  return (node: OpNode, ctx: KernelContext) => {
    const x = node.inputs[0]!, axesT = node.inputs[1]!, y = node.outputs[0]!;
    const bad = unsupportedDType(x, y);
    if (bad) return bad;
    if (!axesT.isConst) return 'axes are not constant';
    const r = x.shape.length;
    if (r > 8) return 'rank over 8';
    if (code === B.REDUCE_PROD && x.dtype !== 'float32') return 'quantized REDUCE_PROD runs on the CPU';
    const axes = new Set(Array.from(axesT.data as Int32Array, (a) => (a < 0 ? a + r : a)));
    const st = strides(x.shape);
    const kdims = x.shape.map((d, k) => (axes.has(k) ? 1 : d));
    const kst = x.shape.map((_, k) => (axes.has(k) ? 0 : st[k]!));
    const red = [...axes].sort((a, b) => a - b);
    const R = red.reduce((a, k) => a * x.shape[k]!, 1);
    const n = count(y.shape);
    if (R === 0 || n === 0) return 'empty reduction';
    const op = REDUCERS[code]!;
    const p = params({
      n: ['u32', n], rank: ['u32', r], nr: ['u32', red.length], R: ['u32', R], ...epilogueParams(y),
      kdims: ['u32x8', kdims], kst: ['u32x8', kst], rdims: ['u32x8', red.map((k) => x.shape[k]!)], rst: ['u32x8', red.map((k) => st[k]!)],
    });
    const wgsl = `${p.wgsl}${storage(['X', 'f32'], ['Y', 'f32'])}${EPILOGUE_WGSL}
${main1d()}
  if (i >= P.n) { return; }
  var rem = i; var base = 0u;
  for (var k = i32(P.rank) - 1; k >= 0; k--) {
    let d = P.kdims[k / 4][k % 4];
    base += (rem % d) * P.kst[k / 4][k % 4]; rem = rem / d;
  }
  var acc = ${op.init};
  for (var r = 0u; r < P.R; r++) {
    var rr = r; var off = base;
    for (var k = i32(P.nr) - 1; k >= 0; k--) {
      let d = P.rdims[k / 4][k % 4];
      off += (rr % d) * P.rst[k / 4][k % 4]; rr = rr / d;
    }
    let v = X[off];
    acc = ${op.step};
  }
  Y[i] = epi(${op.final});
}`;
    return [{
      name: `reduce:${code}`, cacheKey: `reduce:${op.step}:${op.final}`, wgsl, dispatch: dispatch1d(n, ctx.maxWorkgroupsPerDim), uniforms: p.bytes,
      bindings: [{ tensor: x }, { tensor: y }],
    }];
  };
}

/** Reduction and row kernels by builtin code. */
export const REDUCE_KERNELS = new Map<number, GpuKernel>([
  [B.SOFTMAX, rowOp('softmax')],
  [B.LOG_SOFTMAX, rowOp('log_softmax')],
  [B.L2_NORMALIZATION, rowOp('l2')],
  ...Object.keys(REDUCERS).map((c) => [Number(c), reducer(Number(c))] as [number, GpuKernel]),
]);

import { matmul } from '../../../lite-runtime/kernels/index.js';
import {
  conv2dBackwardInputNCHW, conv2dBackwardWeightNCHW, conv2dNCHW, type Conv2dShape,
} from '../../../lite-runtime/kernels/nn-conv.js';
import { maxPool2dBackwardNCHW, maxPool2dNCHW, type Pool2dShape } from '../../../lite-runtime/kernels/nn-pool.js';
import type { Node } from '../../graph/ir.js';
import type { Attrs } from '../../ops/registry.js';
import { sizeOf } from '../../shape.js';
import type { Slots, Step, StepContext } from '../executor.js';
import { reluInPlace } from './conv.js';

/*
 * Table ops run straight into the buffers of the static memory plan. The op
 * table's kernels allocate a fresh (zeroed) output per call, as eager mode
 * must; a fresh multi-megabyte array costs page faults and garbage collection
 * (~1.7 ms for 4.7 MB here, against ~0.3 ms to rewrite a warm one). These
 * steps call the same lite-runtime kernels as the op definitions, with the
 * same arguments, on a planned buffer. Every kernel used here overwrites its
 * whole output, so the reused buffers need no zero-fill.
 */

type Run = (s: Slots, out: Float32Array) => void;

interface PlannedKernel {
  /** Whether this node runs here (others fall back to the op table's kernel). */
  accepts(node: Node): boolean;
  /** The work of one run, writing the node's output into `out`. */
  build(ctx: StepContext): Run;
}

const f32 = (s: Slots, i: number): Float32Array => s[i] as Float32Array;
const nums = (v: unknown): readonly number[] => v as readonly number[];

/** conv2d's kernel view of x [n, c, h, w] (as training/ops/nn/conv.ts builds it). */
function convShape(x: readonly number[], oc: number, kh: number, kw: number, a: Attrs): Conv2dShape {
  const [pt, pl, pb, pr] = nums(a.padding), stride = nums(a.stride), dilation = nums(a.dilation);
  return {
    n: x[0], c: x[1], h: x[2], w: x[3], oc, kh, kw, strideH: stride[0], strideW: stride[1],
    padTop: pt, padLeft: pl, padBottom: pb, padRight: pr, dilationH: dilation[0], dilationW: dilation[1], groups: a.groups as number,
  };
}

/** The pooling kernels' view of x [n, c, h, w] (as training/ops/nn/pool.ts builds it). */
function poolShape(x: readonly number[], a: Attrs): Pool2dShape {
  const k = nums(a.kernel), stride = nums(a.stride), pad = nums(a.padding), dilation = nums(a.dilation);
  return {
    planes: x[0] * x[1], h: x[2], w: x[3], kh: k[0], kw: k[1], strideH: stride[0], strideW: stride[1],
    padH: pad[0], padW: pad[1], dilationH: dilation[0], dilationW: dilation[1], ceilMode: a.ceilMode as boolean,
  };
}

const allFloat = (n: Node): boolean => [...n.inputs, ...n.outputs].every((v) => v.dtype === 'float32');
const hasWork = (n: Node): boolean => [...n.inputs, ...n.outputs].every((v) => sizeOf(v.shape) > 0);

/** conv2d and fused.conv2d (conv + bias + activation): x, w, bias? */
function conv(fused: boolean): PlannedKernel {
  return {
    // fused.conv2d has no other kernel (its inputs are float32 by construction)
    accepts: (n) => fused || (allFloat(n) && hasWork(n)),
    build({ node, slot }) {
      const [x, w, b] = node.inputs;
      const shape = convShape(x.shape, w.shape[0], w.shape[2], w.shape[3], node.attrs);
      const xi = slot(x), wi = slot(w), bi = b ? slot(b) : -1;
      const relu = fused && node.attrs.act === 'relu';
      return (s, out) => {
        conv2dNCHW(f32(s, xi), f32(s, wi), bi >= 0 ? f32(s, bi) : null, out, shape);
        if (relu) reluInPlace(out);
      };
    },
  };
}

const KERNELS: Record<string, PlannedKernel> = {
  // 2-D products only: batched ones keep the op table's loop over the batch
  matmul: {
    accepts: (n) => allFloat(n) && hasWork(n) && n.inputs.every((v) => v.shape.length === 2),
    build({ node, slot }) {
      const [a, b] = node.inputs;
      const transA = node.attrs.transA === true, transB = node.attrs.transB === true;
      const m = transA ? a.shape[1] : a.shape[0], k = transA ? a.shape[0] : a.shape[1];
      const n = node.outputs[0].shape[1];
      const ai = slot(a), bi = slot(b);
      return (s, out) => matmul(f32(s, ai), f32(s, bi), out, m, k, n, { transA, transB });
    },
  },
  conv2d: conv(false),
  'fused.conv2d': conv(true),
  // the input gradient of conv2d (no bias)
  convTranspose2d: {
    accepts: (n) => allFloat(n) && hasWork(n) && n.inputs.length === 2,
    build({ node, slot }) {
      const [x, w] = node.inputs;
      const o = node.outputs[0].shape;
      const shape = convShape(o, x.shape[1], w.shape[2], w.shape[3], node.attrs);
      const xi = slot(x), wi = slot(w);
      return (s, out) => conv2dBackwardInputNCHW(f32(s, xi), f32(s, wi), out, shape);
    },
  },
  conv2dBackwardWeight: {
    accepts: (n) => allFloat(n) && hasWork(n),
    build({ node, slot }) {
      const [x, gy] = node.inputs;
      const k = nums(node.attrs.kernel);
      const shape = convShape(x.shape, node.outputs[0].shape[0], k[0], k[1], node.attrs);
      const xi = slot(x), gi = slot(gy);
      return (s, out) => conv2dBackwardWeightNCHW(f32(s, xi), f32(s, gi), out, shape);
    },
  },
  maxPool2d: {
    accepts: (n) => allFloat(n) && hasWork(n),
    build({ node, slot }) {
      const x = node.inputs[0], shape = poolShape(x.shape, node.attrs), xi = slot(x);
      return (s, out) => maxPool2dNCHW(f32(s, xi), out, shape);
    },
  },
  maxPool2dBackward: {
    accepts: (n) => allFloat(n) && hasWork(n),
    build({ node, slot }) {
      const [x, gy] = node.inputs;
      const shape = poolShape(x.shape, node.attrs), xi = slot(x), gi = slot(gy);
      return (s, out) => maxPool2dBackwardNCHW(f32(s, xi), f32(s, gi), out, shape);
    },
  },
};

/** Whether a node runs into a planned buffer here (the memory plan gives its output one). */
export function runsIntoPlan(node: Node): boolean {
  return KERNELS[node.op]?.accepts(node) ?? false;
}

/**
 * The step of a node that `runsIntoPlan`: its kernel writing into the planned
 * buffer (or a fresh one when the output escapes the run), or null for others.
 */
export function plannedStep(ctx: StepContext): Step | null {
  const k = KERNELS[ctx.node.op];
  if (!k?.accepts(ctx.node)) return null;
  const run = k.build(ctx);
  const o = ctx.node.outputs[0];
  const oi = ctx.slot(o), n = sizeOf(o.shape);
  const buf = ctx.planned(o) as Float32Array | null;
  return (s) => {
    const out = buf ?? new Float32Array(n);
    run(s, out);
    s[oi] = out;
  };
}

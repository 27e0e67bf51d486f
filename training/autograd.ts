import type { Attrs, OpDef } from './ops/registry.js';
import type { Tensor } from './tensor.js';
import { GradError } from './errors.js';
import { checkOptions, keysOf } from './options.js';
import { fmtShape, shapesEqual } from './shape.js';

/** The autograd record of one op application. */
export interface GradNode {
  readonly op: OpDef<Attrs>;
  readonly inputs: readonly Tensor[];
  readonly outputs: readonly Tensor[];
  readonly attrs: Attrs;
  /** Creation order: later nodes depend only on earlier ones. */
  readonly seq: number;
}

let gradEnabled = true;
let seq = 0;

/** Whether ops now record gradients (false inside `tg.noGrad`). @example tg.noGrad(() => tg.isGradEnabled()) // false */
export function isGradEnabled(): boolean {
  return gradEnabled;
}

/** Runs `fn` without recording gradients (like `torch.no_grad()`). @example const y = tg.noGrad(() => model.forward(x)) */
export function noGrad<T>(fn: () => T): T {
  return setGradEnabled(false, fn);
}

/** Runs `fn` with gradient recording on or off. @example tg.setGradEnabled(false, () => x.mul(2)) */
export function setGradEnabled<T>(enabled: boolean, fn: () => T): T {
  const prev = gradEnabled;
  gradEnabled = enabled;
  try {
    return fn();
  } finally {
    gradEnabled = prev;
  }
}

/** Called by dispatch after every op: links outputs to inputs when a gradient is needed. */
export function recordGrad(op: OpDef<Attrs>, inputs: readonly Tensor[], outputs: Tensor[], attrs: Attrs): void {
  if (!gradEnabled || !op.grad || !inputs.some((t) => t.requiresGrad)) return;
  const node: GradNode = { op, inputs, outputs, attrs, seq: seq++ };
  for (const o of outputs) {
    if (o.dtype !== 'float32') continue;
    o.requiresGrad = true;
    o._gradFn = node;
  }
}

export interface GradOptions {
  /** Record the backward computation too, for higher-order gradients. */
  createGraph?: boolean;
  /** Return null for inputs the outputs do not depend on instead of throwing. */
  allowUnused?: boolean;
}

/**
 * Gradients of `outputs` with respect to `inputs`, without touching `.grad`.
 * @example const [da] = tg.grad([a.mul(a).sum()], [a]); // 2a
 */
export function grad(
  outputs: Tensor | readonly Tensor[],
  inputs: readonly Tensor[],
  gradOutputs?: readonly (Tensor | null)[],
  opts: GradOptions = {},
): (Tensor | null)[] {
  checkOptions('grad', opts, keysOf<GradOptions>({ createGraph: true, allowUnused: true }));
  const outs = Array.isArray(outputs) ? (outputs as readonly Tensor[]) : [outputs as Tensor];
  const grads = propagate(outs, gradOutputs, opts.createGraph ?? false, new Set(inputs));
  return inputs.map((t, i) => {
    const g = grads.get(t) ?? null;
    if (g === null && !opts.allowUnused) {
      throw new GradError(`grad: input ${i} (shape ${fmtShape(t.shape)}) is not used to compute the outputs; pass { allowUnused: true } to get null`);
    }
    return g;
  });
}

/** Backward pass from `root`, accumulating into `.grad` of leaf tensors that require grad (what `t.backward()` calls). */
export function backward(root: Tensor, gradient?: Tensor, opts: { createGraph?: boolean } = {}): void {
  checkOptions('backward', opts, ['createGraph']);
  const grads = propagate([root], gradient ? [gradient] : undefined, opts.createGraph ?? false, null);
  for (const [t, g] of grads) {
    if (t._gradFn !== null || !t.requiresGrad) continue;
    const value = opts.createGraph ? g : g.detach();
    t.grad = t.grad === null ? value : setGradEnabled(opts.createGraph ?? false, () => t.grad!.add(value));
  }
}

const jitResults = new WeakSet<Tensor>();

/** Marks a tensor returned by a compiled function, so backward() on it can say why it has no gradient. */
export function markJitResult(t: Tensor): Tensor {
  jitResults.add(t);
  return t;
}

function seedGrads(roots: readonly Tensor[], given: readonly (Tensor | null)[] | undefined): Map<Tensor, Tensor> {
  const grads = new Map<Tensor, Tensor>();
  roots.forEach((r, i) => {
    const g = given?.[i] ?? null;
    if (!r.requiresGrad) {
      if (jitResults.has(r)) {
        throw new GradError(`backward: output ${i} is a tg.jit result, which carries no gradient history; compile the whole training step instead (loss.backward() and opt.step() inside the tg.jit function)`);
      }
      throw new GradError(`backward: output ${i} does not require grad (no input of it has requiresGrad: true)`);
    }
    if (g === null) {
      if (r.numel !== 1) {
        throw new GradError(`backward: output ${i} has shape ${fmtShape(r.shape)}; grad can be implicitly created only for scalar outputs, pass a gradient of the same shape`);
      }
      grads.set(r, r.onesLike());
    } else {
      if (!shapesEqual(g.shape, r.shape)) {
        throw new GradError(`backward: gradient shape ${fmtShape(g.shape)} does not match output ${i} shape ${fmtShape(r.shape)}`);
      }
      grads.set(r, g);
    }
  });
  return grads;
}

/** Reverse-mode sweep: returns the gradients of the leaves reached and of the `wanted` tensors (null: leaves only). */
function propagate(
  roots: readonly Tensor[],
  given: readonly (Tensor | null)[] | undefined,
  createGraph: boolean,
  wanted: Set<Tensor> | null,
): Map<Tensor, Tensor> {
  const grads = seedGrads(roots, given);
  const nodes = collectNodes(roots);
  return setGradEnabled(createGraph, () => {
    for (const node of nodes) {
      const gOuts = node.outputs.map((o) => grads.get(o) ?? null);
      if (gOuts.every((g) => g === null)) continue;
      if (wanted === null) for (const o of node.outputs) grads.delete(o);
      else for (const o of node.outputs) if (!wanted.has(o)) grads.delete(o);
      const gIns = node.op.grad!({ inputs: node.inputs, outputs: node.outputs, attrs: node.attrs, gradOutputs: gOuts });
      node.inputs.forEach((inp, i) => {
        const g = gIns[i];
        if (!g || !inp.requiresGrad) return;
        if (!shapesEqual(g.shape, inp.shape)) {
          throw new GradError(`internal: ${node.op.name} gradient for input ${i} has shape ${fmtShape(g.shape)}, expected ${fmtShape(inp.shape)}`);
        }
        const prev = grads.get(inp);
        grads.set(inp, prev ? prev.add(g) : g);
      });
    }
    return grads;
  });
}

/** Every grad node reachable from `roots`, in reverse creation order (a valid reverse topological order). */
function collectNodes(roots: readonly Tensor[]): GradNode[] {
  const seen = new Set<GradNode>();
  const stack: GradNode[] = [];
  for (const r of roots) if (r._gradFn) stack.push(r._gradFn);
  while (stack.length) {
    const n = stack.pop()!;
    if (seen.has(n)) continue;
    seen.add(n);
    for (const i of n.inputs) if (i._gradFn && !seen.has(i._gradFn)) stack.push(i._gradFn);
  }
  return [...seen].sort((a, b) => b.seq - a.seq);
}

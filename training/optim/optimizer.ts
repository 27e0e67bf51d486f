import { apply, currentMode, eager } from '../dispatch.js';
import { noGrad } from '../autograd.js';
import { zeros, zerosLike } from '../creation.js';
import { assign } from '../ops/assign.js';
import { ValueError } from '../errors.js';
import { checkOptions } from '../options.js';
import { defineOp, type OpDef, type Attrs } from '../ops/registry.js';
import { alloc } from '../ops/util.js';
import type { Storage } from '../dtype.js';
import { Tensor } from '../tensor.js';
import { makeResident, RESIDENT_MIN } from './resident.js';
import { trainingKernels } from '../kernels/wasm/runtime.js';

/** Hyperparameters of a parameter group; `lr` is also held as a 0-d tensor so compiled steps read the current value. */
export interface ParamGroup<O> {
  params: Tensor[];
  options: O;
  /** The learning rate as a 0-d float32 tensor (what the update ops read). */
  lrTensor: Tensor;
  /**
   * The momentum a scheduler may cycle (SGD/RMSprop `momentum`, Adam's beta1) as a 0-d
   * tensor, read by the update ops so compiled steps see changes as eager ones do.
   */
  momentumTensor: Tensor;
}

/** `params` as a list, or groups with their own options (torch's param groups). */
export type ParamsArg<O> = Iterable<Tensor> | { params: Iterable<Tensor>; options?: Partial<O> }[];

/**
 * Base of optimizers. The update of each parameter is one op from the op table
 * (functional: new parameter and state values), applied with `assign`, so the
 * same `step()` runs eagerly (in place, no copies) and inside `tg.jit`.
 */
export abstract class Optimizer<O extends { lr: number }> {
  readonly paramGroups: ParamGroup<O>[];
  /** Per-parameter state tensors (moments, step count...), created on first use. */
  readonly state = new Map<Tensor, Record<string, Tensor>>();

  /**
   * `defaults` lists every option the optimizer accepts; `opts` (the user's) and each
   * group's options are checked against it and validated as torch does.
   */
  constructor(params: ParamsArg<O>, defaults: Omit<O, 'lr'> & { lr?: number }, opts: Partial<O> = {}) {
    const where = new.target.name;
    const accepted = ['lr', ...Object.keys(defaults).filter((k) => k !== 'lr')];
    checkOptions(where, opts, accepted);
    const list = [...(params as Iterable<unknown>)];
    const groups = list.length && !(list[0] instanceof Tensor)
      ? (list as { params: Iterable<Tensor>; options?: Partial<O> }[])
      : [{ params: list as Tensor[] }];
    this.paramGroups = groups.map((g, gi) => {
      const own = (g as { options?: Partial<O> }).options;
      checkOptions(`${where} param group ${gi}`, own, accepted);
      const options = { ...defaults, ...opts, ...own } as O;
      validateHyperparameters(groups.length > 1 ? `${where} param group ${gi}` : where, options);
      const ps = [...g.params];
      if (!ps.length) throw new ValueError(`${this.constructor.name}: got an empty parameter list`);
      ps.forEach((p, i) => {
        if (!(p instanceof Tensor) || p.dtype !== 'float32') throw new ValueError(`${this.constructor.name}: parameter ${i} is not a float32 tensor`);
      });
      // large parameters live in the training wasm memory: GEMMs and wasm updates use them in place
      for (const p of ps) if (p.numel >= RESIDENT_MIN) makeResident(p);
      return { params: ps, options, lrTensor: scalar(options.lr), momentumTensor: scalar(momentumOf(options as { momentum?: unknown; betas?: unknown }) ?? 0) };
    });
  }

  /** Current learning rate of group `i` (schedulers set it with `setLr`). */
  getLr(i = 0): number {
    return this.paramGroups[i].options.lr;
  }

  setLr(lr: number, i = 0): void {
    const g = this.paramGroups[i];
    g.options.lr = lr;
    g.lrTensor._assign(new Float32Array([lr]));
  }

  /** Sets group `i`'s momentum (Adam's beta1); false when the optimizer has none. */
  setMomentum(m: number, i = 0): boolean {
    const g = this.paramGroups[i];
    const o = g.options as { momentum?: number; betas?: [number, number] };
    if (o.betas !== undefined) o.betas = [m, o.betas[1]];
    else if (o.momentum !== undefined) o.momentum = m;
    else return false;
    g.momentumTensor._assign(new Float32Array([m]));
    return true;
  }

  /** Clears the gradients of every parameter. */
  zeroGrad(): void {
    for (const g of this.paramGroups) for (const p of g.params) p.grad = null;
  }

  /**
   * One update of every parameter that has a gradient. The last parameter goes first: the
   * first layer's, which the next forward pass reads first, are then the last written and
   * still in cache (the updates are independent, so the order changes no value).
   */
  step(): void {
    trainingKernels()?.reserve(); // no kernel runs here: the wasm scratch may grow to what the step's kernels asked for
    noGrad(() => {
      for (let gi = this.paramGroups.length - 1; gi >= 0; gi--) {
        const group = this.paramGroups[gi];
        for (let i = group.params.length - 1; i >= 0; i--) {
          const p = group.params[i];
          if (p.grad === null) continue;
          this.update(p, p.grad, group);
        }
      }
    });
  }

  /** Updates one parameter; subclasses call `runUpdate` with their op. */
  protected abstract update(p: Tensor, grad: Tensor, group: ParamGroup<O>): void;

  /**
   * State tensors of `p`, created zeroed (shape of p, or 0-d for counters) on first use;
   * `make` creates those shaped like p (Adam's are resident in the training wasm memory).
   */
  protected stateOf(p: Tensor, names: readonly string[], scalars: readonly string[] = [], make: (p: Tensor) => Tensor = zerosLike): Record<string, Tensor> {
    let s = this.state.get(p);
    if (!s) {
      s = {};
      for (const n of names) s[n] = make(p);
      for (const n of scalars) s[n] = zeros([]);
      this.state.set(p, s);
    }
    return s;
  }
}

/** torch's checks of the usual hyperparameters (a NaN or missing `lr` would silently ruin the weights). */
function validateHyperparameters(where: string, o: Record<string, unknown>): void {
  const nonNegative = (key: string, v: unknown) => {
    if (typeof v !== 'number' || !(v >= 0) || v === Infinity) throw new ValueError(`${where}: invalid ${key} ${String(v)} (expected a finite number >= 0)`);
  };
  if (o.lr === undefined) throw new ValueError(`${where}: lr is required`);
  nonNegative('lr', o.lr);
  for (const key of ['eps', 'weightDecay', 'momentum', 'alpha', 'dampening'] as const) if (key in o) nonNegative(key, o[key]);
  if ('betas' in o) {
    const b = o.betas as unknown;
    if (!Array.isArray(b) || b.length !== 2) throw new ValueError(`${where}: betas must be a pair [beta1, beta2], got ${JSON.stringify(b)}`);
    b.forEach((v, i) => {
      if (typeof v !== 'number' || !(v >= 0 && v < 1)) throw new ValueError(`${where}: invalid beta parameter at index ${i}: ${String(v)} (expected 0 <= beta < 1)`);
    });
  }
}

/** The momentum of an options object: `momentum`, or Adam's beta1. */
function momentumOf(o: { momentum?: unknown; betas?: unknown }): number | undefined {
  if (Array.isArray(o.betas)) return o.betas[0] as number;
  return typeof o.momentum === 'number' ? o.momentum : undefined;
}

function scalar(v: number): Tensor {
  return Tensor._fromStorage([], 'float32', new Float32Array([v]));
}

/**
 * Defines an optimizer update op: functional outputs (the new values of the
 * inputs at `targets`, in order) and a `forwardInto` kernel that may write them
 * in place. `kernel(ins, outs, attrs)` must read element i before writing it.
 */
export function defineUpdateOp<A extends Attrs>(name: string, targets: readonly number[], kernel: (ins: Storage[], outs: Storage[], attrs: A) => void): UpdateOp<A> {
  const op = defineOp<A>({
    name,
    onnx: { notExported: 'optimizer step (training graphs are not exported)' },
    sideEffect: false,
    inPlace: true,
    infer: (ins) => targets.map((i) => ins[i]),
    forward(ins, attrs, metas) {
      const outs = metas.map(alloc);
      kernel(ins.map((t) => t.data), outs, attrs);
      return outs;
    },
    forwardInto(ins, attrs, outs) {
      kernel(ins.map((t) => t.data), [...outs], attrs);
    },
  });
  return Object.assign(op, { targets });
}

/** An optimizer update op and the inputs its outputs replace. */
export type UpdateOp<A extends Attrs> = OpDef<A> & { readonly targets: readonly number[] };

/**
 * Applies an update op made by `defineUpdateOp`: eagerly, its kernel writes the
 * targets in place; under tg.jit, the op is recorded and its outputs assigned
 * (the jit runs `forwardInto` in place too when nothing reads the old values).
 */
export function runUpdate<A extends Attrs>(op: UpdateOp<A>, inputs: Tensor[], attrs: A): void {
  const targets = op.targets;
  if (currentMode() === eager) {
    const values = inputs.map((t) => ({ shape: t.shape, dtype: t.dtype, data: t._values(op.name) }));
    op.forwardInto!(values, attrs, targets.map((i) => values[i].data));
    for (const i of targets) inputs[i]._version++;
    return;
  }
  const outs = apply(op, inputs, attrs);
  targets.forEach((i, k) => assign(inputs[i], outs[k]));
}

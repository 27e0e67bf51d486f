import type { Attrs, OpDef } from './ops/registry.js';
// The class alone: dispatch sits below the op modules that tensor.ts loads for its methods.
import { Tensor } from './tensor-class.js';
import { recordGrad } from './autograd.js';
import { DTypeError, TraceError } from './errors.js';
import { trainingKernels } from './kernels/wasm/runtime.js';

/**
 * A dispatch mode gives meaning to op calls: eager runs the kernel now; the
 * jit tracer records a graph node. Autograd wraps whichever is current.
 * (The lite runtime's `Interpreter` is something else: it runs a loaded .tflite model.)
 */
export interface Mode {
  readonly name: string;
  apply(op: OpDef<Attrs>, inputs: readonly Tensor[], attrs: Attrs): Tensor[];
}

/** Runs kernels immediately on concrete tensors. */
export const eager: Mode = {
  name: 'eager',
  apply(op, inputs, attrs) {
    // no kernel runs here and the inputs' views are taken below: the wasm scratch may grow now
    trainingKernels()?.reserve();
    const metas = op.infer(inputs, attrs);
    const values = inputs.map((t) => {
      const data = t._storage;
      if (data === null) {
        throw new TraceError(`${op.name}: got a traced tensor outside tg.jit (a traced value escaped its function)`);
      }
      return { shape: t.shape, dtype: t.dtype, data };
    });
    const out = op.forward(values, attrs, metas);
    return metas.map((m, i) => Tensor._fromStorage(m.shape, m.dtype, out[i]));
  },
};

let current: Mode = eager;

export function currentMode(): Mode {
  return current;
}

/** Runs `fn` with `mode` as the current mode (the jit uses this to trace). */
export function withMode<T>(mode: Mode, fn: () => T): T {
  const prev = current;
  current = mode;
  try {
    return fn();
  } finally {
    current = prev;
  }
}

/** The single dispatch point of every op call. */
export function apply<A extends Attrs>(op: OpDef<A>, inputs: readonly Tensor[], attrs: A): Tensor[] {
  for (let i = 0; i < inputs.length; i++) if (!(inputs[i] instanceof Tensor)) throw notATensor(op.name, i, inputs[i]);
  const generic = op as unknown as OpDef<Attrs>;
  const outputs = current.apply(generic, inputs, attrs);
  recordGrad(generic, inputs, outputs, attrs);
  return outputs;
}

/** Single-output convenience for `apply`. */
export function apply1<A extends Attrs>(op: OpDef<A>, inputs: readonly Tensor[], attrs: A): Tensor {
  return apply(op, inputs, attrs)[0];
}

/** For functions that read shapes before dispatching: the same typed error as `apply` for a non-Tensor argument. */
export function expectTensors(op: string, ...xs: unknown[]): void {
  xs.forEach((x, i) => { if (!(x instanceof Tensor)) throw notATensor(op, i, x); });
}

/** A plain value where an op needs a Tensor: say what it was and how to make one (kernels would read it as NaN). */
function notATensor(op: string, i: number, x: unknown): DTypeError {
  const what = x === null ? 'null' : ArrayBuffer.isView(x) ? x.constructor.name : Array.isArray(x) ? 'an array' : typeof x;
  return new DTypeError(`${op}: input ${i} is ${what}, expected a Tensor (make one with tg.tensor(...))`);
}

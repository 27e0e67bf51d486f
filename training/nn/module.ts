import { noGrad } from '../autograd.js';
import { ShapeError, ValueError } from '../errors.js';
import { fmtShape, shapesEqual } from '../shape.js';
import { Tensor } from '../tensor.js';
import type { StateDict } from '../checkpoint.js';

const parameters = new WeakSet<Tensor>();

/**
 * Marks a tensor as a module parameter (a leaf that requires grad by default).
 * @example this.weight = tg.nn.Parameter(tg.randn([4, 3]))
 */
export function Parameter(t: Tensor, requiresGrad = true): Tensor {
  const p = t._gradFn === null ? t : t.detach();
  if (requiresGrad) p.requiresGrad_(true);
  parameters.add(p);
  return p;
}

/** Whether `t` was made a module parameter with `Parameter`. @example tg.nn.isParameter(new tg.nn.Linear(2, 3).weight) // true */
export function isParameter(t: unknown): t is Tensor {
  return t instanceof Tensor && parameters.has(t);
}

/**
 * Base class of layers and models, like torch.nn.Module. Parameters
 * (`Parameter(...)`), buffers (`registerBuffer`) and submodules assigned to
 * fields are found by name, in assignment order.
 * @example
 * class MyModule extends tg.nn.Module {
 *   fc = new tg.nn.Linear(10, 20);
 *   forward(x: tg.Tensor) { return this.fc.forward(x).relu(); }
 * }
 */
export abstract class Module {
  /** Training mode (dropout active, batch norm uses batch statistics). */
  training = true;
  private readonly _buffers = new Set<string>();

  /** The computation; subclasses define it with their own signature. */
  abstract forward(...args: never[]): unknown;

  /** Registers a non-trainable tensor saved in the state dict (running statistics...). */
  registerBuffer(name: string, t: Tensor): void {
    this._buffers.add(name);
    (this as unknown as Record<string, Tensor>)[name] = t;
  }

  /** Direct submodules with their field names. */
  *namedChildren(): Generator<[string, Module]> {
    for (const [k, v] of Object.entries(this)) {
      if (v instanceof Module) yield [k, v];
      else if (Array.isArray(v)) {
        for (let i = 0; i < v.length; i++) if (v[i] instanceof Module) yield [`${k}.${i}`, v[i] as Module];
      }
    }
  }

  children(): Module[] {
    return [...this.namedChildren()].map(([, m]) => m);
  }

  /** This module and every descendant, with dotted names ('' for this one). */
  *namedModules(prefix = ''): Generator<[string, Module]> {
    yield [prefix, this];
    for (const [k, m] of this.namedChildren()) yield* m.namedModules(prefix ? `${prefix}.${k}` : k);
  }

  /** Parameters of this module and its descendants, named like torch (`fc1.weight`). */
  *namedParameters(): Generator<[string, Tensor]> {
    const seen = new Set<Tensor>();
    for (const [prefix, m] of this.namedModules()) {
      for (const [k, v] of Object.entries(m)) {
        if (isParameter(v) && !seen.has(v)) { seen.add(v); yield [prefix ? `${prefix}.${k}` : k, v]; }
      }
    }
  }

  parameters(): Tensor[] {
    return [...this.namedParameters()].map(([, p]) => p);
  }

  *namedBuffers(): Generator<[string, Tensor]> {
    for (const [prefix, m] of this.namedModules()) {
      for (const k of m._buffers) {
        const v = (m as unknown as Record<string, unknown>)[k];
        if (v instanceof Tensor) yield [prefix ? `${prefix}.${k}` : k, v];
      }
    }
  }

  /** Sets training mode on this module and its descendants. */
  train(mode = true): this {
    for (const [, m] of this.namedModules()) m.training = mode;
    return this;
  }

  /** Inference mode (`train(false)`). */
  eval(): this {
    return this.train(false);
  }

  /** Clears `.grad` of every parameter. */
  zeroGrad(): void {
    for (const p of this.parameters()) p.grad = null;
  }

  /** Parameters and buffers by name (the tensors themselves, not copies). */
  stateDict(): StateDict {
    return Object.fromEntries([...this.namedParameters(), ...this.namedBuffers()]);
  }

  /**
   * Copies values from `state` into parameters and buffers. Strict mode (default)
   * requires the same keys; shapes and dtypes must match.
   */
  loadStateDict(state: StateDict, strict = true): { missing: string[]; unexpected: string[] } {
    const own = this.stateDict();
    const missing = Object.keys(own).filter((k) => !(k in state));
    const unexpected = Object.keys(state).filter((k) => !(k in own));
    if (strict && (missing.length || unexpected.length)) {
      throw new ValueError(`loadStateDict: ${missing.length ? `missing keys ${JSON.stringify(missing)}` : ''}${missing.length && unexpected.length ? '; ' : ''}${unexpected.length ? `unexpected keys ${JSON.stringify(unexpected)}` : ''}`);
    }
    noGrad(() => {
      for (const [k, t] of Object.entries(own)) {
        const v = state[k];
        if (!v) continue;
        if (!shapesEqual(v.shape, t.shape) || v.dtype !== t.dtype) {
          throw new ShapeError(`loadStateDict: '${k}' is ${v.dtype}${fmtShape(v.shape)} in the state dict, ${t.dtype}${fmtShape(t.shape)} in the model`);
        }
        t._assign(v);
      }
    });
    return { missing, unexpected };
  }

  /** A readable tree of the modules, like torch's repr. */
  toString(): string {
    const kids = [...this.namedChildren()];
    const head = `${this.constructor.name}(${this.extraRepr()}`;
    if (!kids.length) return `${head})`;
    const body = kids.map(([k, m]) => `  (${k}): ${m.toString().split('\n').join('\n  ')}`).join('\n');
    return `${head}\n${body}\n)`;
  }

  /** Extra text inside `Name(...)` in `toString`, e.g. `in=10, out=20`. */
  protected extraRepr(): string {
    return '';
  }
}

import { IndexError, ValueError } from '../errors.js';
import type { Tensor } from '../tensor.js';
import { Module } from './module.js';

/** A module whose forward maps one tensor to one tensor (what Sequential chains). */
export interface TensorModule extends Module {
  forward(x: Tensor): Tensor;
}

/**
 * Runs modules in order. Children are named '0', '1', ... like torch. Index it
 * like torch's `seq[i]` with `seq[i]` or `seq.at(i)` (negative from the end),
 * and slice it like `seq[1:3]` with `seq.slice(1, 3)`: a new Sequential of the
 * same module objects (parameters shared).
 * @example
 * const seq = new tg.nn.Sequential(new tg.nn.Linear(4, 8), new tg.nn.ReLU(), new tg.nn.Linear(8, 2));
 * seq[0].forward(x); seq.at(-1); seq.slice(0, 2).forward(x);
 */
export class Sequential extends Module {
  readonly layers: TensorModule[];
  /** The layer at index i (0 .. length - 1), as torch's `seq[i]`. */
  readonly [index: number]: TensorModule;

  constructor(...layers: TensorModule[]) {
    super();
    this.layers = [];
    for (const l of layers) this.append(l);
  }

  override *namedChildren(): Generator<[string, Module]> {
    for (let i = 0; i < this.layers.length; i++) yield [String(i), this.layers[i]];
  }

  forward(x: Tensor): Tensor {
    for (const l of this.layers) x = l.forward(x);
    return x;
  }

  get length(): number {
    return this.layers.length;
  }

  /** The layer at index `i`; negative counts from the end. */
  at(i: number): TensorModule {
    if (!Number.isInteger(i)) throw new ValueError(`Sequential: index must be an integer, got ${String(i)}`);
    const m = this.layers.at(i);
    if (!m) throw new IndexError(`Sequential: index ${i} out of range for ${this.layers.length} layers`);
    return m;
  }

  /**
   * A new Sequential of the layers from `start` up to (not including) `end`, like
   * torch's `seq[start:end]` (negative indices count from the end; the layers are shared).
   * @example model.slice(0, -1) // all but the last layer
   */
  slice(start?: number, end?: number): Sequential {
    return new Sequential(...this.layers.slice(start, end));
  }

  /** Adds a layer at the end (torch's `append`); returns this. */
  append(layer: TensorModule): this {
    if (!(layer instanceof Module)) throw new ValueError(`Sequential: layer ${this.layers.length} is not a Module (got ${layer === null ? 'null' : typeof layer})`);
    const i = this.layers.length;
    this.layers.push(layer);
    // a non-enumerable getter, so parameters are still found once, through namedChildren
    Object.defineProperty(this, i, { get: () => this.layers[i], enumerable: false, configurable: true });
    return this;
  }

  [Symbol.iterator](): Iterator<TensorModule> {
    return this.layers[Symbol.iterator]();
  }
}

/**
 * A list of submodules, named '0', '1', ... (torch.nn.ModuleList).
 * @example this.blocks = new tg.nn.ModuleList([new Block(), new Block()]); for (const b of this.blocks) x = b.forward(x);
 */
export class ModuleList<M extends Module = Module> extends Module {
  readonly items: M[];

  constructor(items: M[] = []) {
    super();
    this.items = items;
  }

  override *namedChildren(): Generator<[string, Module]> {
    for (let i = 0; i < this.items.length; i++) yield [String(i), this.items[i]];
  }

  push(m: M): void {
    this.items.push(m);
  }

  get length(): number {
    return this.items.length;
  }

  at(i: number): M {
    const m = this.items.at(i);
    if (!m) throw new ValueError(`ModuleList: index ${i} out of range for ${this.items.length} modules`);
    return m;
  }

  [Symbol.iterator](): Iterator<M> {
    return this.items[Symbol.iterator]();
  }

  forward(): never {
    throw new ValueError('ModuleList has no forward; iterate it in your own module');
  }
}

import { ValueError } from '../errors.js';
import type { Tensor } from '../tensor.js';
import { Module } from './module.js';

/** A module whose forward maps one tensor to one tensor (what Sequential chains). */
export interface TensorModule extends Module {
  forward(x: Tensor): Tensor;
}

/**
 * Runs modules in order. Children are named '0', '1', ... like torch.
 * @example new tg.nn.Sequential(new tg.nn.Linear(4, 8), new tg.nn.ReLU(), new tg.nn.Linear(8, 2))
 */
export class Sequential extends Module {
  readonly layers: TensorModule[];

  constructor(...layers: TensorModule[]) {
    super();
    this.layers = layers;
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

  at(i: number): TensorModule {
    const m = this.layers.at(i);
    if (!m) throw new ValueError(`Sequential: index ${i} out of range for ${this.layers.length} layers`);
    return m;
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

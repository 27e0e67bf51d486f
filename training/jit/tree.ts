import { TraceError } from '../errors.js';
import { Tensor } from '../tensor.js';

/** A nested structure of tensors (what jitted functions and branches return). */
export type TensorTree = Tensor | readonly TensorTree[] | { readonly [k: string]: TensorTree } | number | boolean | string | null | undefined;

/** Tensors of a tree in order, and a function rebuilding the tree from new leaves. */
export function flattenTree(tree: unknown, where: string): { leaves: Tensor[]; rebuild: (leaves: readonly Tensor[]) => unknown; shape: string } {
  const leaves: Tensor[] = [];
  const walk = (x: unknown): string => {
    if (x instanceof Tensor) { leaves.push(x); return 'T'; }
    if (Array.isArray(x)) return `[${x.map(walk).join(',')}]`;
    if (x !== null && typeof x === 'object') {
      const proto = Object.getPrototypeOf(x);
      if (proto !== Object.prototype && proto !== null) {
        throw new TraceError(`${where}: cannot return a ${proto?.constructor?.name ?? 'object'}; return tensors, arrays or plain objects of tensors`);
      }
      return `{${Object.keys(x).map((k) => `${k}:${walk((x as Record<string, unknown>)[k])}`).join(',')}}`;
    }
    return JSON.stringify(x) ?? 'undefined';
  };
  const shape = walk(tree);
  const rebuild = (fresh: readonly Tensor[]): unknown => {
    let i = 0;
    const build = (x: unknown): unknown => {
      if (x instanceof Tensor) return fresh[i++];
      if (Array.isArray(x)) return x.map(build);
      if (x !== null && typeof x === 'object') {
        return Object.fromEntries(Object.entries(x).map(([k, v]) => [k, build(v)]));
      }
      return x;
    };
    return build(tree);
  };
  return { leaves, rebuild, shape };
}

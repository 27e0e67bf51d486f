/**
 * Arena planner: places tensors with known lifetimes at offsets in one buffer so that
 * tensors alive at the same time never overlap. Greedy by size, as TFLite's arena
 * planner: the largest tensor first, each at the lowest offset where it fits between
 * the already placed tensors whose lifetimes overlap its own.
 *
 * ```ts
 * const plan = planArena([{ bytes: 64, first: 0, last: 1 }, { bytes: 32, first: 2, last: 3 }]);
 * plan.offsets; // [0, 0]: the second reuses the first's memory
 * plan.arenaBytes; // 64
 * ```
 */

/** One tensor to place: size in bytes, alive from step `first` to step `last` (inclusive). */
export interface PlanItem {
  bytes: number;
  first: number;
  last: number;
}

export interface ArenaPlan {
  offsets: number[];
  arenaBytes: number;
}

/** Alignment of every offset (enough for any element type and SIMD loads). */
export const ARENA_ALIGN = 16;

function alignUp(n: number, a: number): number {
  return Math.ceil(n / a) * a;
}

/** Plans offsets for `items`; zero-byte items get offset 0. */
export function planArena(items: ReadonlyArray<PlanItem>, align = ARENA_ALIGN): ArenaPlan {
  const order = items.map((_, i) => i).filter((i) => items[i]!.bytes > 0);
  order.sort((a, b) => items[b]!.bytes - items[a]!.bytes || items[a]!.first - items[b]!.first || a - b);
  const offsets = new Array<number>(items.length).fill(0);
  const placed: number[] = [];
  let arenaBytes = 0;
  const live: number[] = [];
  for (const i of order) {
    const it = items[i]!;
    live.length = 0;
    for (const j of placed) {
      const o = items[j]!;
      if (o.first <= it.last && it.first <= o.last) live.push(j);
    }
    live.sort((a, b) => offsets[a]! - offsets[b]!);
    let at = 0;
    for (const j of live) {
      if (offsets[j]! - at >= it.bytes) break;
      at = Math.max(at, alignUp(offsets[j]! + items[j]!.bytes, align));
    }
    offsets[i] = at;
    placed.push(i);
    arenaBytes = Math.max(arenaBytes, at + it.bytes);
  }
  return { offsets, arenaBytes: alignUp(arenaBytes, align) };
}

/** The arena planner: no two tensors alive at once overlap; memory is reused; offsets aligned. */
import { describe, expect, it } from 'vitest';
import { ARENA_ALIGN, planArena, type PlanItem } from '../../../lite-runtime/planner.js';
import { rng } from '../ops/helpers.js';

function checkPlan(items: PlanItem[]): number {
  const { offsets, arenaBytes } = planArena(items);
  items.forEach((a, i) => {
    expect(offsets[i]! % ARENA_ALIGN).toBe(0);
    expect(offsets[i]! + a.bytes).toBeLessThanOrEqual(arenaBytes);
    items.forEach((b, j) => {
      if (j <= i || a.bytes === 0 || b.bytes === 0) return;
      const timeOverlap = a.first <= b.last && b.first <= a.last;
      const memOverlap = offsets[i]! < offsets[j]! + b.bytes && offsets[j]! < offsets[i]! + a.bytes;
      expect(timeOverlap && memOverlap, `items ${i} and ${j} overlap`).toBe(false);
    });
  });
  return arenaBytes;
}

describe('planArena', () => {
  it('reuses memory of tensors that are dead', () => {
    // A chain a -> b -> c -> d: each tensor lives for two steps; two buffers suffice.
    const items = [0, 1, 2, 3].map((k) => ({ bytes: 100, first: k - 1, last: k }));
    const plan = planArena(items);
    expect(plan.arenaBytes).toBe(224);
    expect(plan.offsets[0]).toBe(plan.offsets[2]);
    expect(plan.offsets[1]).toBe(plan.offsets[3]);
  });

  it('gives zero-byte tensors no space', () => {
    expect(planArena([{ bytes: 0, first: 0, last: 5 }]).arenaBytes).toBe(0);
    expect(planArena([]).arenaBytes).toBe(0);
  });

  it('never overlaps live tensors, and stays within 2x of the peak live size (random graphs)', () => {
    const rand = rng(42);
    for (let g = 0; g < 200; g++) {
      const n = 1 + Math.floor(rand() * 40);
      const items: PlanItem[] = [];
      for (let i = 0; i < n; i++) {
        const first = Math.floor(rand() * 30) - 1;
        items.push({ bytes: Math.floor(rand() * 5000), first, last: first + Math.floor(rand() * 8) });
      }
      const arena = checkPlan(items);
      let peak = 0;
      for (let s = -1; s < 40; s++) {
        peak = Math.max(peak, items.filter((it) => it.first <= s && s <= it.last).reduce((a, it) => a + it.bytes + ARENA_ALIGN, 0));
      }
      expect(arena).toBeLessThanOrEqual(2 * peak);
    }
  });
});

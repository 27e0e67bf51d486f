import { describe, expect, it } from 'vitest';
import { mulQ, quantizeMultiplier, roundingDivideByPOT, srdhm, roundHalfAway } from '../../../lite-runtime/ops/util/quant.js';
import { quantActRange, floatActRange } from '../../../lite-runtime/ops/util/activation.js';
import { outSize, padBefore } from '../../../lite-runtime/ops/util/padding.js';
import { rng } from './helpers.js';

// 64-bit references written with BigInt, following gemmlowp's definitions.
function srdhmRef(a: number, b: number): number {
  if (a === -2147483648 && b === -2147483648) return 2147483647;
  const ab = BigInt(a) * BigInt(b);
  const nudge = ab >= 0n ? 1n << 30n : 1n - (1n << 30n);
  return Number((ab + nudge) / (1n << 31n)); // BigInt division truncates like C++
}
function rdpotRef(x: number, e: number): number {
  const mask = (1n << BigInt(e)) - 1n;
  const bx = BigInt(x);
  const rem = bx & mask;
  const thr = (mask >> 1n) + (bx < 0n ? 1n : 0n);
  return Number((bx >> BigInt(e)) + (rem > thr ? 1n : 0n));
}

describe('quantization arithmetic', () => {
  it('srdhm matches a 64-bit reference on random and edge operands', () => {
    const r = rng(1);
    const edge = [0, 1, -1, 2147483647, -2147483648, 1 << 30, -(1 << 30), 65535, 65536, -65536, 12345678];
    const vals: number[] = [...edge];
    for (let i = 0; i < 400; i++) vals.push((Math.floor(r() * 4294967296) - 2147483648) | 0);
    for (let i = 0; i < 200; i++) vals.push(Math.floor((r() - 0.5) * 200000));
    for (const a of vals) for (let j = 0; j < 20; j++) {
      const b = vals[Math.floor(r() * vals.length)]!;
      expect(srdhm(a, b)).toBe(srdhmRef(a, b));
    }
    for (const a of edge) for (const b of edge) expect(srdhm(a, b)).toBe(srdhmRef(a, b));
  });

  it('roundingDivideByPOT matches the reference, ties away from zero', () => {
    const r = rng(2);
    expect(roundingDivideByPOT(5, 1)).toBe(3);
    expect(roundingDivideByPOT(-5, 1)).toBe(-3);
    expect(roundingDivideByPOT(-6, 2)).toBe(-2);
    for (let i = 0; i < 3000; i++) {
      const x = (Math.floor(r() * 4294967296) - 2147483648) | 0;
      const e = Math.floor(r() * 32);
      expect(roundingDivideByPOT(x, e)).toBe(rdpotRef(x, e));
    }
  });

  it('quantizeMultiplier gives a Q31 mantissa in [2^30, 2^31) and the right exponent', () => {
    expect(quantizeMultiplier(0.5)).toEqual({ multiplier: 1 << 30, shift: 0 });
    expect(quantizeMultiplier(1)).toEqual({ multiplier: 1 << 30, shift: 1 });
    expect(quantizeMultiplier(0)).toEqual({ multiplier: 0, shift: 0 });
    const r = rng(3);
    for (let i = 0; i < 500; i++) {
      const m = Math.exp((r() - 0.7) * 30);
      const q = quantizeMultiplier(m);
      expect(q.multiplier).toBeGreaterThanOrEqual(1 << 30);
      expect(q.multiplier).toBeLessThan(2147483648);
      expect(Math.abs(q.multiplier * 2 ** (q.shift - 31) - m) / m).toBeLessThan(1e-9);
    }
  });

  it('mulQ approximates x * real within one unit', () => {
    const r = rng(4);
    for (let i = 0; i < 2000; i++) {
      const real = Math.exp((r() - 0.8) * 20);
      const x = Math.floor((r() - 0.5) * 2 ** 20);
      if (Math.abs(x * real) > 2 ** 30) continue;
      const q = quantizeMultiplier(real);
      expect(Math.abs(mulQ(x, q.multiplier, q.shift) - x * real)).toBeLessThanOrEqual(1);
    }
    const q = quantizeMultiplier(0.25);
    expect(mulQ(100, q.multiplier, q.shift)).toBe(25);
    expect(mulQ(-6, q.multiplier, q.shift)).toBe(-2); // -1.5 rounds away from zero
  });

  it('roundHalfAway rounds ties away from zero', () => {
    expect([roundHalfAway(2.5), roundHalfAway(-2.5), roundHalfAway(-2.4), roundHalfAway(0.5)]).toEqual([3, -3, -2, 1]);
  });
});

describe('activation ranges and padding', () => {
  it('maps fused activations to float and quantized clamps', () => {
    expect(floatActRange(3)).toEqual([0, 6]);
    expect(floatActRange(4)).toBeNull();
    expect(quantActRange(1, 0.5, -10, -128, 127)).toEqual([-10, 127]);
    expect(quantActRange(3, 0.05, -128, -128, 127)).toEqual([-128, -8]);
    expect(quantActRange(2, 0.01, 0, -128, 127)).toEqual([-100, 100]);
    expect(quantActRange(0, 1, 0, -128, 127)).toEqual([-128, 127]);
  });

  it('computes SAME and VALID output sizes and leading padding', () => {
    expect(outSize(0, 96, 3, 2, 1)).toBe(48);
    expect(outSize(1, 96, 3, 2, 1)).toBe(47);
    expect(padBefore(2, 1, 96, 3, 48)).toBe(0);
    expect(outSize(0, 5, 3, 1, 1)).toBe(5);
    expect(padBefore(1, 1, 5, 3, 5)).toBe(1);
    expect(outSize(0, 7, 3, 1, 2)).toBe(7);
    expect(padBefore(1, 2, 7, 3, 7)).toBe(2);
  });
});

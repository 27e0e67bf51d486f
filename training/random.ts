/** Seedable global generator (xoshiro128**) behind rand/randn/randint, dropout and init. */
let s0 = 0x9e3779b9, s1 = 0x243f6a88, s2 = 0xb7e15162, s3 = 0x12345678;

/** Seeds every random op, like `torch.manual_seed`. @example tg.manualSeed(0); tg.randn([2]) // the same values every run */
export function manualSeed(seed: number): void {
  // splitmix32 expands the seed into the four state words
  let x = seed >>> 0;
  const next = () => {
    x = (x + 0x9e3779b9) >>> 0;
    let z = x;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
    return (z ^ (z >>> 16)) >>> 0;
  };
  s0 = next(); s1 = next(); s2 = next(); s3 = next();
}

/** Next uniform 32-bit unsigned integer. */
export function nextU32(): number {
  const result = Math.imul(rotl(Math.imul(s1, 5), 7), 9) >>> 0;
  const t = s1 << 9;
  s2 ^= s0; s3 ^= s1; s1 ^= s2; s0 ^= s3; s2 ^= t; s3 = rotl(s3, 11);
  return result;
}

function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}

/** Uniform in [0, 1). */
export function uniform(): number {
  return nextU32() / 4294967296;
}

/** Standard normal (Box-Muller). */
export function normal(): number {
  let u = uniform();
  while (u === 0) u = uniform();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * uniform());
}

/** Uniform integer in [low, high). */
export function randInt(low: number, high: number): number {
  return low + Math.floor(uniform() * (high - low));
}

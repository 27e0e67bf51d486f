/**
 * The scalar functions of the elementwise activations, one definition each: training's
 * kernels (training/kernels/math-activation.ts, arith.ts) loop over them, the lite ops use
 * them as their float function and as the source of their int8 tables, and fused jit
 * expressions call them, so every path computes the same values. Float64 throughout.
 */

/**
 * Logistic sigmoid 1 / (1 + exp(-x)): within an ulp over the whole range in float64 (exp(-x)
 * overflowing to Infinity gives 0), and without a branch on the sign, which mispredicts half
 * the time on real activations. NaN gives NaN.
 * @example sigmoid(0) // 0.5
 */
export function sigmoid(x: number): number {
  return 1 / (1 + Math.exp(-x));
}

// W. J. Cody, "Rational Chebyshev approximations for the error function", Math. Comp. 23
// (1969), the coefficients of netlib's specfun CALERF: relative error ~1e-16 for erf and
// erfc alike (erfc's tails included), with exp(-y^2) split so that it keeps full precision.
const SQRPI = 5.6418958354775628695e-1;

/** erfc(y) for y >= 0.46875 (NaN for NaN). */
function erfcTail(y: number): number {
  let r: number;
  if (y <= 4) {
    r = ((((((((2.15311535474403846e-8 * y + 5.64188496988670089e-1) * y + 8.88314979438837594e0) * y +
      6.61191906371416295e1) * y + 2.98635138197400131e2) * y + 8.81952221241769090e2) * y +
      1.71204761263407058e3) * y + 2.05107837782607147e3) * y + 1.23033935479799725e3) /
      ((((((((y + 1.57449261107098347e1) * y + 1.17693950891312499e2) * y + 5.37181101862009858e2) * y +
        1.62138957456669019e3) * y + 3.29079923573345963e3) * y + 4.36261909014324716e3) * y +
        3.43936767414372164e3) * y + 1.23033935480374942e3);
  } else {
    if (y >= 27.3) return 0; // erfc(y) is below the smallest double (and y = Infinity ends here)
    const z = 1 / (y * y);
    const p = z * (((((1.63153871373020978e-2 * z + 3.05326634961232344e-1) * z + 3.60344899949804439e-1) * z +
      1.25781726111229246e-1) * z + 1.60837851487422766e-2) * z + 6.58749161529837803e-4) /
      (((((z + 2.56852019228982242e0) * z + 1.87295284992346047e0) * z + 5.27905102951428412e-1) * z +
        6.05183413124413191e-2) * z + 2.33520497626869185e-3);
    r = (SQRPI - p) / y;
  }
  const ysq = Math.trunc(y * 16) / 16;
  return Math.exp(-ysq * ysq) * Math.exp(-(y - ysq) * (y + ysq)) * r;
}

/** erf(x) for |x| < 0.46875: x P(x^2) / Q(x^2). */
function erfSmall(x: number): number {
  const z = x * x;
  return x * ((((1.85777706184603153e-1 * z + 3.16112374387056560e0) * z + 1.13864154151050156e2) * z +
    3.77485237685302021e2) * z + 3.20937758913846947e3) /
    ((((z + 2.36012909523441209e1) * z + 2.44024637934444173e2) * z + 1.28261652607737228e3) * z + 2.84423683343917062e3);
}

/**
 * The error function, relative error ~1e-16 (Cody's rational approximations).
 * @example erf(1) // 0.8427007929497149
 */
export function erf(x: number): number {
  const y = Math.abs(x);
  if (y < 0.46875) return erfSmall(x);
  const r = 1 - erfcTail(y);
  return x < 0 ? -r : r;
}

/**
 * The complementary error function 1 - erf(x), with full relative precision in the tail
 * (erfc(10) ~ 2.1e-45).
 * @example erfc(0) // 1
 */
export function erfc(x: number): number {
  const y = Math.abs(x);
  if (y < 0.46875) return 1 - erfSmall(x);
  const r = erfcTail(y);
  return x < 0 ? 2 - r : r;
}

/**
 * GELU, exact: x * Phi(x) = 0.5 x erfc(-x / sqrt 2) (precise for large negative x too).
 * @example gelu(1) // 0.8413447460685429
 */
export function gelu(x: number): number {
  return 0.5 * x * erfc(-x * Math.SQRT1_2);
}

const SQRT_2_OVER_PI = Math.sqrt(2 / Math.PI);

/**
 * GELU's tanh approximation: 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3))).
 * @example geluTanh(1) // 0.8411919906082768
 */
export function geluTanh(x: number): number {
  return 0.5 * x * (1 + Math.tanh(SQRT_2_OVER_PI * (x + 0.044715 * x * x * x)));
}

/**
 * Hardswish: x * relu6(x + 3) / 6 (0 at and below -3, x at and above 3; NaN gives NaN).
 * @example hardswish(1) // 0.6666666666666666
 */
export function hardswish(x: number): number {
  return x <= -3 ? 0 : x >= 3 ? x : (x * (x + 3)) / 6;
}

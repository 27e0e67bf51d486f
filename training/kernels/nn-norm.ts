/**
 * Normalization loops on float32: batch norm over [n, c, inner] (channel dim 1,
 * inner = product of the dims after it) and layer norm over [rows, d].
 * Sums accumulate in float64, in four independent chains (a single chain is
 * bound by the add latency). Statistics are biased (divide by the count);
 * mean and variance come from one pass of sums shifted by a sample of the
 * data (no cancellation unless the spread is ~1e-8 of the offset), with an
 * exact two-pass fallback when a sum is not finite.
 */
import { KernelArgumentError, checkDim, checkLen } from '../../lite-runtime/kernels/errors.js';

/** Sum of squares from the last `shiftedSum` (a module slot: no allocation per call). */
let lastSq = 0;

/** Sum of (x[i] - k) over [a, b); the sum of (x[i] - k)^2 goes to `lastSq`. */
function shiftedSum(x: Float32Array, a: number, b: number, k: number): number {
  let s0 = 0, s1 = 0, s2 = 0, s3 = 0, q0 = 0, q1 = 0, q2 = 0, q3 = 0, i = a;
  for (; i + 4 <= b; i += 4) {
    const t0 = x[i] - k, t1 = x[i + 1] - k, t2 = x[i + 2] - k, t3 = x[i + 3] - k;
    s0 += t0; s1 += t1; s2 += t2; s3 += t3;
    q0 += t0 * t0; q1 += t1 * t1; q2 += t2 * t2; q3 += t3 * t3;
  }
  for (; i < b; i++) { const t = x[i] - k; s0 += t; q0 += t * t; }
  lastSq = (q0 + q1) + (q2 + q3);
  return (s0 + s1) + (s2 + s3);
}

/** Moments of `count` values (sums shifted by k): [mean, biased variance]; NaN variance when they are not finite. */
function moments(sum: number, sq: number, k: number, count: number, out: Float64Array): void {
  const ms = sum / count;
  out[0] = k + ms;
  out[1] = Math.max(0, sq / count - ms * ms);
  if (!Number.isFinite(sum) || !Number.isFinite(sq)) out[1] = NaN;
}
const mom = new Float64Array(2);

/** Layout of a batch-norm input: x is [n, c, inner]. */
export interface BatchNormShape { n: number; c: number; inner: number }

function checkBN(kernel: string, s: BatchNormShape, x: Float32Array, name = 'x'): void {
  checkDim(kernel, 'n', s.n);
  checkDim(kernel, 'c', s.c);
  checkDim(kernel, 'inner', s.inner);
  checkLen(kernel, name, x, s.n * s.c * s.inner, 'n*c*inner');
}

/**
 * Per-channel mean and biased variance of x [n, c, inner] (two passes).
 * @example batchNormStats(x, { n: 8, c: 16, inner: 49 }, mean, variance);
 */
export function batchNormStats(x: Float32Array, s: BatchNormShape, mean: Float32Array, variance: Float32Array): void {
  checkBN('batchNormStats', s, x);
  checkLen('batchNormStats', 'mean', mean, s.c, 'c');
  checkLen('batchNormStats', 'variance', variance, s.c, 'c');
  const count = s.n * s.inner;
  if (count === 0) throw new KernelArgumentError('batchNormStats', 'needs at least one value per channel');
  const inner = s.inner;
  for (let c = 0; c < s.c; c++) {
    const k = inner > 0 ? x[c * inner] : 0;
    let sum = 0, sq = 0;
    for (let b = 0; b < s.n; b++) {
      const o = (b * s.c + c) * inner;
      sum += shiftedSum(x, o, o + inner, k);
      sq += lastSq;
    }
    moments(sum, sq, k, count, mom);
    if (mom[1] === mom[1]) { mean[c] = mom[0]; variance[c] = mom[1]; continue; }
    // not finite: two exact passes, so inf / NaN come out as PyTorch's
    sum = 0;
    for (let b = 0; b < s.n; b++) {
      const o = (b * s.c + c) * inner;
      for (let i = o; i < o + inner; i++) sum += x[i];
    }
    const m = sum / count;
    sq = 0;
    for (let b = 0; b < s.n; b++) {
      const o = (b * s.c + c) * inner;
      for (let i = o; i < o + inner; i++) { const d = x[i] - m; sq += d * d; }
    }
    mean[c] = m;
    variance[c] = sq / count;
  }
}

/**
 * y = (x - mean) / sqrt(variance + eps) * weight + bias, per channel.
 * @example batchNormApply(x, y, s, mean, variance, weight, bias, 1e-5);
 */
export function batchNormApply(
  x: Float32Array, y: Float32Array, s: BatchNormShape, mean: Float32Array, variance: Float32Array,
  weight: Float32Array, bias: Float32Array, eps: number,
): void {
  checkBN('batchNormApply', s, x);
  checkBN('batchNormApply', s, y, 'y');
  for (const [name, a] of [['mean', mean], ['variance', variance], ['weight', weight], ['bias', bias]] as const) {
    checkLen('batchNormApply', name, a, s.c, 'c');
  }
  for (let c = 0; c < s.c; c++) {
    const scale = weight[c] / Math.sqrt(variance[c] + eps);
    const shift = bias[c] - mean[c] * scale;
    for (let b = 0; b < s.n; b++) {
      const o = (b * s.c + c) * s.inner;
      for (let i = o; i < o + s.inner; i++) y[i] = x[i] * scale + shift;
    }
  }
}

/**
 * Gradients of training-mode batch norm (statistics from the batch itself):
 * dx, dweight, dbias from x, gy and the batch mean / biased variance.
 * @example batchNormBackward(x, gy, s, mean, variance, weight, 1e-5, dx, dw, db);
 */
export function batchNormBackward(
  x: Float32Array, gy: Float32Array, s: BatchNormShape, mean: Float32Array, variance: Float32Array,
  weight: Float32Array, eps: number, dx: Float32Array, dweight: Float32Array, dbias: Float32Array,
): void {
  checkBN('batchNormBackward', s, x);
  checkBN('batchNormBackward', s, gy, 'gy');
  checkBN('batchNormBackward', s, dx, 'dx');
  for (const [name, a] of [['mean', mean], ['variance', variance], ['weight', weight], ['dweight', dweight], ['dbias', dbias]] as const) {
    checkLen('batchNormBackward', name, a, s.c, 'c');
  }
  const count = s.n * s.inner, inner = s.inner;
  for (let c = 0; c < s.c; c++) {
    const m = mean[c], invstd = 1 / Math.sqrt(variance[c] + eps);
    let sg = 0, sgx = 0;
    for (let b = 0; b < s.n; b++) {
      const o = (b * s.c + c) * inner;
      sg += gradSums(gy, x, o, o + inner, m);
      sgx += lastSq;
    }
    dbias[c] = sg;
    dweight[c] = sgx * invstd;
    // dx = w*invstd * (g - mean(g) - xhat * mean(g*xhat))
    const k = weight[c] * invstd, mg = sg / count, proj = (sgx * invstd * invstd) / count;
    for (let b = 0; b < s.n; b++) {
      const o = (b * s.c + c) * inner, e = o + inner;
      for (let i = o; i < e; i++) dx[i] = k * (gy[i] - mg - (x[i] - m) * proj);
    }
  }
}

/** Sum of gy[i] over [a, b); the sum of gy[i] * (x[i] - m) goes to `lastSq`. */
function gradSums(gy: Float32Array, x: Float32Array, a: number, b: number, m: number): number {
  let s0 = 0, s1 = 0, s2 = 0, s3 = 0, q0 = 0, q1 = 0, q2 = 0, q3 = 0, i = a;
  for (; i + 4 <= b; i += 4) {
    const g0 = gy[i], g1 = gy[i + 1], g2 = gy[i + 2], g3 = gy[i + 3];
    s0 += g0; s1 += g1; s2 += g2; s3 += g3;
    q0 += g0 * (x[i] - m); q1 += g1 * (x[i + 1] - m); q2 += g2 * (x[i + 2] - m); q3 += g3 * (x[i + 3] - m);
  }
  for (; i < b; i++) { const g = gy[i]; s0 += g; q0 += g * (x[i] - m); }
  lastSq = (q0 + q1) + (q2 + q3);
  return (s0 + s1) + (s2 + s3);
}

/**
 * Layer norm of each row of x [rows, d]: y = (x - mean) * rstd * weight + bias;
 * writes each row's mean and rstd = 1/sqrt(var + eps).
 * @example layerNormForward(x, y, 32, 64, weight, bias, 1e-5, mean, rstd);
 */
export function layerNormForward(
  x: Float32Array, y: Float32Array, rows: number, d: number, weight: Float32Array, bias: Float32Array, eps: number,
  mean: Float32Array, rstd: Float32Array,
): void {
  checkLN('layerNormForward', x, y, rows, d, weight, bias, mean, rstd, 'y');
  for (let r = 0; r < rows; r++) {
    const o = r * d, k = x[o];
    moments(shiftedSum(x, o, o + d, k), lastSq, k, d, mom);
    let m = mom[0], v = mom[1];
    if (v !== v) { // not finite: two exact passes
      let sum = 0;
      for (let i = o; i < o + d; i++) sum += x[i];
      m = sum / d;
      let sq = 0;
      for (let i = o; i < o + d; i++) { const t = x[i] - m; sq += t * t; }
      v = sq / d;
    }
    const rs = 1 / Math.sqrt(v + eps);
    mean[r] = m;
    rstd[r] = rs;
    for (let j = 0; j < d; j++) y[o + j] = (x[o + j] - m) * rs * weight[j] + bias[j];
  }
}

/**
 * Gradients of layer norm from x, gy and the forward's mean / rstd:
 * dx = rstd * (gw - mean(gw) - xhat * mean(gw * xhat)) with gw = gy * weight;
 * dweight = sum over rows of gy * xhat, dbias = sum of gy.
 * @example layerNormBackward(x, gy, 32, 64, weight, mean, rstd, dx, dw, db);
 */
export function layerNormBackward(
  x: Float32Array, gy: Float32Array, rows: number, d: number, weight: Float32Array, mean: Float32Array, rstd: Float32Array,
  dx: Float32Array, dweight: Float32Array, dbias: Float32Array,
): void {
  checkLN('layerNormBackward', x, gy, rows, d, weight, dbias, mean, rstd, 'gy', 'dbias');
  checkLen('layerNormBackward', 'dx', dx, rows * d, 'rows*d');
  checkLen('layerNormBackward', 'dweight', dweight, d, 'd');
  const dw = new Float64Array(d), db = new Float64Array(d);
  for (let r = 0; r < rows; r++) {
    const o = r * d, m = mean[r], rs = rstd[r];
    // two chains each for the row sums (one chain is bound by the add latency)
    let sgw = 0, sgwx = 0, sgw1 = 0, sgwx1 = 0, j = 0;
    for (; j + 2 <= d; j += 2) {
      const g = gy[o + j], xh = (x[o + j] - m) * rs, gw = g * weight[j];
      const g1 = gy[o + j + 1], xh1 = (x[o + j + 1] - m) * rs, gw1 = g1 * weight[j + 1];
      sgw += gw; sgwx += gw * xh; sgw1 += gw1; sgwx1 += gw1 * xh1;
      dw[j] += g * xh; db[j] += g; dw[j + 1] += g1 * xh1; db[j + 1] += g1;
    }
    for (; j < d; j++) {
      const g = gy[o + j], xh = (x[o + j] - m) * rs, gw = g * weight[j];
      sgw += gw; sgwx += gw * xh;
      dw[j] += g * xh; db[j] += g;
    }
    const mg = (sgw + sgw1) / d, mgx = (sgwx + sgwx1) / d;
    for (let j = 0; j < d; j++) {
      const xh = (x[o + j] - m) * rs;
      dx[o + j] = rs * (gy[o + j] * weight[j] - mg - xh * mgx);
    }
  }
  for (let j = 0; j < d; j++) { dweight[j] = dw[j]; dbias[j] = db[j]; }
}

function checkLN(
  kernel: string, x: Float32Array, y: Float32Array, rows: number, d: number, weight: Float32Array, bias: Float32Array,
  mean: Float32Array, rstd: Float32Array, yName: string, biasName = 'bias',
): void {
  checkDim(kernel, 'rows', rows);
  checkDim(kernel, 'd', d);
  if (d === 0 && rows > 0) throw new KernelArgumentError(kernel, 'd must be >= 1');
  checkLen(kernel, 'x', x, rows * d, 'rows*d');
  checkLen(kernel, yName, y, rows * d, 'rows*d');
  checkLen(kernel, 'weight', weight, d, 'd');
  checkLen(kernel, biasName, bias, d, 'd');
  checkLen(kernel, 'mean', mean, rows, 'rows');
  checkLen(kernel, 'rstd', rstd, rows, 'rows');
}

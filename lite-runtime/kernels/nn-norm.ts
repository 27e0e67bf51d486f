/**
 * Normalization loops on float32: batch norm over [n, c, inner] (channel dim 1,
 * inner = product of the dims after it) and layer norm over [rows, d].
 * Sums accumulate in float64. Statistics are biased (divide by the count).
 */
import { KernelError, checkDim, checkLen } from './errors.js';

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
  if (count === 0) throw new KernelError('batchNormStats', 'needs at least one value per channel');
  for (let c = 0; c < s.c; c++) {
    let sum = 0;
    for (let b = 0; b < s.n; b++) {
      const o = (b * s.c + c) * s.inner;
      for (let i = o; i < o + s.inner; i++) sum += x[i];
    }
    const m = sum / count;
    let sq = 0;
    for (let b = 0; b < s.n; b++) {
      const o = (b * s.c + c) * s.inner;
      for (let i = o; i < o + s.inner; i++) { const d = x[i] - m; sq += d * d; }
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
  const count = s.n * s.inner;
  for (let c = 0; c < s.c; c++) {
    const m = mean[c], invstd = 1 / Math.sqrt(variance[c] + eps);
    let sg = 0, sgx = 0;
    for (let b = 0; b < s.n; b++) {
      const o = (b * s.c + c) * s.inner;
      for (let i = o; i < o + s.inner; i++) { const g = gy[i]; sg += g; sgx += g * (x[i] - m); }
    }
    dbias[c] = sg;
    dweight[c] = sgx * invstd;
    // dx = w*invstd * (g - mean(g) - xhat * mean(g*xhat))
    const k = weight[c] * invstd, mg = sg / count, proj = (sgx * invstd * invstd) / count;
    for (let b = 0; b < s.n; b++) {
      const o = (b * s.c + c) * s.inner;
      for (let i = o; i < o + s.inner; i++) dx[i] = k * (gy[i] - mg - (x[i] - m) * proj);
    }
  }
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
    const o = r * d;
    let sum = 0;
    for (let i = o; i < o + d; i++) sum += x[i];
    const m = sum / d;
    let sq = 0;
    for (let i = o; i < o + d; i++) { const t = x[i] - m; sq += t * t; }
    const rs = 1 / Math.sqrt(sq / d + eps);
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
    let sgw = 0, sgwx = 0;
    for (let j = 0; j < d; j++) {
      const g = gy[o + j], xh = (x[o + j] - m) * rs, gw = g * weight[j];
      sgw += gw; sgwx += gw * xh;
      dw[j] += g * xh; db[j] += g;
    }
    const mg = sgw / d, mgx = sgwx / d;
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
  if (d === 0 && rows > 0) throw new KernelError(kernel, 'd must be >= 1');
  checkLen(kernel, 'x', x, rows * d, 'rows*d');
  checkLen(kernel, yName, y, rows * d, 'rows*d');
  checkLen(kernel, 'weight', weight, d, 'd');
  checkLen(kernel, biasName, bias, d, 'd');
  checkLen(kernel, 'mean', mean, rows, 'rows');
  checkLen(kernel, 'rstd', rstd, rows, 'rows');
}

import { zeros } from '../creation.js';
import { DTypeError, ShapeError, ValueError } from '../errors.js';
import { mean } from '../ops/math/mean.js';
import { softmax } from '../ops/math/softmax.js';
import { dropout } from '../ops/nn/dropout.js';
import { linear } from '../ops/nn/linear.js';
import { chunk } from '../ops/shape/split.js';
import { where } from '../ops/where.js';
import { checkOptions, keysOf } from '../options.js';
import { fmtShape, shapesEqual } from '../shape.js';
import type { Tensor } from '../tensor.js';
import { xavierUniform_ } from './init.js';
import { Linear } from './linear.js';
import { Module, Parameter } from './module.js';

/** Constructor options of MultiheadAttention (torch's defaults). */
export interface MultiheadAttentionOptions {
  /** Dropout on the attention weights in training mode. Default 0. */
  dropout?: number;
  bias?: boolean;
  /** Feature sizes of key and value (default embedDim; when different, separate q/k/v projection weights). */
  kdim?: number;
  vdim?: number;
  /** Inputs and outputs are [batch, seq, feature]. Default false ([seq, batch, feature]). */
  batchFirst?: boolean;
}

/** Options of one MultiheadAttention call. */
export interface AttentionCallOptions {
  /** [N, S]: true (bool) marks keys to ignore; a float mask is added to the scores. */
  keyPaddingMask?: Tensor | null;
  /** [L, S] or [N*numHeads, L, S]: true (bool) forbids attending; a float mask is added to the scores. */
  attnMask?: Tensor | null;
  /** Also return the attention weights. Default true. */
  needWeights?: boolean;
  /** Average the returned weights over heads ([N, L, S]) rather than per head ([N, H, L, S]). Default true. */
  averageAttnWeights?: boolean;
}

const MHA_KEYS = keysOf<MultiheadAttentionOptions>({ dropout: true, bias: true, kdim: true, vdim: true, batchFirst: true });
const CALL_KEYS = keysOf<AttentionCallOptions>({ keyPaddingMask: true, attnMask: true, needWeights: true, averageAttnWeights: true });

/**
 * Multi-head scaled dot-product attention (torch.nn.MultiheadAttention):
 * parameters `in_proj_weight` [3E, E], `in_proj_bias` [3E], `out_proj.weight`, `out_proj.bias`
 * (or `q_proj_weight`/`k_proj_weight`/`v_proj_weight` when kdim/vdim differ from embedDim).
 * Returns [output, weights or null].
 * @example const mha = new tg.nn.MultiheadAttention(64, 8, { batchFirst: true });
 * const [y, w] = mha.forward(x, x, x, { attnMask: causal }); // y [N, L, 64], w [N, L, L]
 */
export class MultiheadAttention extends Module {
  in_proj_weight: Tensor | null = null;
  q_proj_weight: Tensor | null = null;
  k_proj_weight: Tensor | null = null;
  v_proj_weight: Tensor | null = null;
  in_proj_bias: Tensor | null;
  out_proj: Linear;
  readonly headDim: number;
  readonly kdim: number;
  readonly vdim: number;
  readonly dropout: number;
  readonly batchFirst: boolean;

  constructor(readonly embedDim: number, readonly numHeads: number, opts: MultiheadAttentionOptions = {}) {
    super();
    checkOptions('MultiheadAttention', opts, MHA_KEYS);
    if (!Number.isInteger(embedDim) || embedDim < 1) throw new ValueError(`MultiheadAttention: embedDim must be a positive integer, got ${embedDim}`);
    if (!Number.isInteger(numHeads) || numHeads < 1 || embedDim % numHeads) {
      throw new ValueError(`MultiheadAttention: embedDim ${embedDim} must be divisible by numHeads ${numHeads}`);
    }
    this.headDim = embedDim / numHeads;
    this.kdim = opts.kdim ?? embedDim;
    this.vdim = opts.vdim ?? embedDim;
    this.dropout = opts.dropout ?? 0;
    if (!(this.dropout >= 0 && this.dropout <= 1)) throw new ValueError(`MultiheadAttention: dropout must be in [0, 1], got ${this.dropout}`);
    this.batchFirst = opts.batchFirst ?? false;
    if (this.kdim === embedDim && this.vdim === embedDim) {
      this.in_proj_weight = Parameter(xavierUniform_(zeros([3 * embedDim, embedDim])));
    } else {
      this.q_proj_weight = Parameter(xavierUniform_(zeros([embedDim, embedDim])));
      this.k_proj_weight = Parameter(xavierUniform_(zeros([embedDim, this.kdim])));
      this.v_proj_weight = Parameter(xavierUniform_(zeros([embedDim, this.vdim])));
    }
    const bias = opts.bias ?? true;
    this.in_proj_bias = bias ? Parameter(zeros([3 * embedDim])) : null;
    this.out_proj = new Linear(embedDim, embedDim, { bias });
    if (this.out_proj.bias) this.out_proj.bias = Parameter(zeros([embedDim]));
  }

  forward(query: Tensor, key: Tensor, value: Tensor, opts: AttentionCallOptions = {}): [Tensor, Tensor | null] {
    const op = 'MultiheadAttention', E = this.embedDim, H = this.numHeads, D = this.headDim;
    checkOptions(`${op}.forward`, opts, CALL_KEYS);
    const rank = query.ndim;
    if (rank !== 2 && rank !== 3) throw new ShapeError(`${op}: query must be 2-D [L, E] or 3-D, got shape ${fmtShape(query.shape)}`);
    for (const [n, t, f] of [['query', query, E], ['key', key, this.kdim], ['value', value, this.vdim]] as const) {
      if (t.dtype !== 'float32') throw new DTypeError(`${op}: ${n} is ${t.dtype}, expected float32`);
      if (t.ndim !== rank || t.shape[rank - 1] !== f) throw new ShapeError(`${op}: ${n} ${fmtShape(t.shape)} must be ${rank}-D ending in ${f} (query ${fmtShape(query.shape)})`);
    }
    // to [N, L, E]
    const toBatch = (t: Tensor): Tensor => (rank === 2 ? t.unsqueeze(0) : this.batchFirst ? t : t.transpose(0, 1));
    const q0 = toBatch(query), k0 = toBatch(key), v0 = toBatch(value);
    const [N, L] = q0.shape, S = k0.shape[1];
    if (k0.shape[0] !== N || v0.shape[0] !== N || v0.shape[1] !== S) {
      throw new ShapeError(`${op}: key ${fmtShape(key.shape)} and value ${fmtShape(value.shape)} must share batch and length with each other and the query ${fmtShape(query.shape)}`);
    }
    const [wq, wk, wv] = this.in_proj_weight ? chunk(this.in_proj_weight, 3, 0) : [this.q_proj_weight!, this.k_proj_weight!, this.v_proj_weight!];
    const [bq, bk, bv] = this.in_proj_bias ? chunk(this.in_proj_bias, 3, 0) : [null, null, null];
    const heads = (t: Tensor, len: number) => t.reshape([N, len, H, D]).permute([0, 2, 1, 3]); // [N, H, len, D]
    const q = heads(linear(q0, wq, bq), L), k = heads(linear(k0, wk, bk), S), v = heads(linear(v0, wv, bv), S);
    let scores = q.matmul(k.transpose(-2, -1)).mul(1 / Math.sqrt(D)); // [N, H, L, S]
    if (opts.attnMask) scores = applyMask(scores, this.attnMaskView(opts.attnMask, N, L, S), 'attnMask');
    if (opts.keyPaddingMask) {
      const m = opts.keyPaddingMask, want = rank === 2 ? [S] : [N, S];
      if (!shapesEqual(m.shape, want)) throw new ShapeError(`${op}: keyPaddingMask is ${fmtShape(m.shape)}, expected ${fmtShape(want)} (key ${fmtShape(key.shape)})`);
      scores = applyMask(scores, m.reshape([N, 1, 1, S]), 'keyPaddingMask');
    }
    let attn = softmax(scores, -1);
    const weights = (opts.needWeights ?? true) ? ((opts.averageAttnWeights ?? true) ? mean(attn, 1) : attn) : null;
    attn = dropout(attn, this.dropout, this.training);
    const ctx = attn.matmul(v).permute([0, 2, 1, 3]).reshape([N, L, E]);
    let out = this.out_proj.forward(ctx);
    out = rank === 2 ? out.squeeze(0) : this.batchFirst ? out : out.transpose(0, 1);
    return [out, weights && rank === 2 ? weights.squeeze(0) : weights];
  }

  private attnMaskView(m: Tensor, N: number, L: number, S: number): Tensor {
    if (shapesEqual(m.shape, [L, S])) return m;
    if (shapesEqual(m.shape, [N * this.numHeads, L, S])) return m.reshape([N, this.numHeads, L, S]);
    throw new ShapeError(`MultiheadAttention: attnMask is ${fmtShape(m.shape)}, expected [${L}, ${S}] or [${N * this.numHeads}, ${L}, ${S}] (N * numHeads, L, S)`);
  }

  protected override extraRepr(): string {
    return `embedDim=${this.embedDim}, numHeads=${this.numHeads}, batchFirst=${this.batchFirst}`;
  }
}

/** Bool masks: true -> -inf; float masks are added. */
function applyMask(scores: Tensor, mask: Tensor, what: string): Tensor {
  if (mask.dtype === 'bool') return where(mask, -Infinity, scores);
  if (mask.dtype === 'float32') return scores.add(mask);
  throw new DTypeError(`MultiheadAttention: ${what} is ${mask.dtype}, expected bool or float32`);
}

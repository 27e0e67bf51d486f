import { noGrad } from '../autograd.js';
import { zeros } from '../creation.js';
import { IndexError, ValueError } from '../errors.js';
import { embedding } from '../ops/shape/embedding.js';
import { checkOptions } from '../options.js';
import type { Tensor } from '../tensor.js';
import { normal_ } from './init.js';
import { Module, Parameter } from './module.js';

/**
 * A lookup table of `numEmbeddings` vectors of size `embeddingDim`
 * (torch.nn.Embedding), initialized N(0, 1); the `paddingIdx` row starts at
 * zero and gets no gradient.
 * @example const emb = new tg.nn.Embedding(1000, 64, { paddingIdx: 0 }); emb.forward(tokens) // [B, T] -> [B, T, 64]
 */
export class Embedding extends Module {
  weight: Tensor;
  readonly paddingIdx: number | null;

  constructor(readonly numEmbeddings: number, readonly embeddingDim: number, opts: { paddingIdx?: number | null } = {}) {
    super();
    checkOptions('Embedding', opts, ['paddingIdx']);
    for (const [k, v] of [['numEmbeddings', numEmbeddings], ['embeddingDim', embeddingDim]] as const) {
      if (!Number.isInteger(v) || v < 0) throw new ValueError(`Embedding: ${k} must be a non-negative integer, got ${v}`);
    }
    let p = opts.paddingIdx ?? null;
    if (p !== null) {
      if (!Number.isInteger(p) || p < -numEmbeddings || p >= numEmbeddings) {
        throw new IndexError(`Embedding: paddingIdx ${p} is out of range for ${numEmbeddings} embeddings`);
      }
      if (p < 0) p += numEmbeddings;
    }
    this.paddingIdx = p;
    const w = normal_(zeros([numEmbeddings, embeddingDim]));
    if (p !== null) noGrad(() => { (w._values('Embedding') as Float32Array).fill(0, p * embeddingDim, (p + 1) * embeddingDim); w._version++; });
    this.weight = Parameter(w);
  }

  forward(indices: Tensor): Tensor {
    return embedding(indices, this.weight, this.paddingIdx);
  }

  protected override extraRepr(): string {
    return `${this.numEmbeddings}, ${this.embeddingDim}${this.paddingIdx === null ? '' : `, paddingIdx=${this.paddingIdx}`}`;
  }
}

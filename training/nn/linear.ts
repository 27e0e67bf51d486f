import { zeros } from '../creation.js';
import { linear } from '../ops/nn/linear.js';
import { checkOptions } from '../options.js';
import type { Tensor } from '../tensor.js';
import { kaimingUniform_, uniform_ } from './init.js';
import { Module, Parameter } from './module.js';

/**
 * y = x Wᵀ + b, initialized like torch (kaiming uniform, a = √5; bias U(±1/√in)).
 * @example const fc = new tg.nn.Linear(10, 20); fc.forward(tg.randn([4, 10])) // [4, 20]
 */
export class Linear extends Module {
  weight: Tensor;
  bias: Tensor | null;

  constructor(readonly inFeatures: number, readonly outFeatures: number, opts: { bias?: boolean } = {}) {
    super();
    checkOptions('Linear', opts, ['bias']);
    this.weight = Parameter(kaimingUniform_(zeros([outFeatures, inFeatures]), Math.sqrt(5)));
    const bound = inFeatures > 0 ? 1 / Math.sqrt(inFeatures) : 0;
    this.bias = opts.bias === false ? null : Parameter(uniform_(zeros([outFeatures]), -bound, bound));
  }

  forward(x: Tensor): Tensor {
    return linear(x, this.weight, this.bias);
  }

  protected override extraRepr(): string {
    return `inFeatures=${this.inFeatures}, outFeatures=${this.outFeatures}, bias=${this.bias !== null}`;
  }
}

/** Passes its input through unchanged (torch.nn.Identity). @example new tg.nn.Identity().forward(x) // x */
export class Identity extends Module {
  forward(x: Tensor): Tensor {
    return x;
  }
}

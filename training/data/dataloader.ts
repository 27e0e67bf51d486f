import { ValueError } from '../errors.js';
import { checkOptions, keysOf } from '../options.js';
import type { Tensor } from '../tensor.js';
import { stackRows, TensorDataset, type Dataset } from './dataset.js';

export interface DataLoaderOptions {
  batchSize?: number;
  shuffle?: boolean;
  /** Seed of the shuffling order; each epoch draws a new order from it. */
  seed?: number;
  dropLast?: boolean;
}

/**
 * Iterates a dataset in batches.
 * @example for (const [x, y] of new tg.data.DataLoader(ds, { batchSize: 32, shuffle: true, seed: 0 })) { ... }
 */
export class DataLoader implements Iterable<Tensor[]> {
  readonly batchSize: number;
  private readonly shuffle: boolean;
  private readonly dropLast: boolean;
  private state: number;

  constructor(readonly dataset: Dataset<Tensor[]>, opts: DataLoaderOptions = {}) {
    checkOptions('DataLoader', opts, keysOf<DataLoaderOptions>({ batchSize: true, shuffle: true, seed: true, dropLast: true }));
    this.batchSize = opts.batchSize ?? 1;
    if (!Number.isInteger(this.batchSize) || this.batchSize < 1) throw new ValueError(`DataLoader: batchSize must be a positive integer, got ${opts.batchSize}`);
    this.shuffle = opts.shuffle ?? false;
    this.dropLast = opts.dropLast ?? false;
    this.state = (opts.seed ?? 0) >>> 0;
  }

  /** Number of batches per epoch. */
  get length(): number {
    const n = this.dataset.length / this.batchSize;
    return this.dropLast ? Math.floor(n) : Math.ceil(n);
  }

  *[Symbol.iterator](): Iterator<Tensor[]> {
    const order = Array.from({ length: this.dataset.length }, (_, i) => i);
    if (this.shuffle) this.permute(order);
    for (let start = 0; start < order.length; start += this.batchSize) {
      const idx = order.slice(start, start + this.batchSize);
      if (idx.length < this.batchSize && this.dropLast) break;
      if (this.dataset instanceof TensorDataset) yield this.dataset.batch(idx);
      else {
        const items = idx.map((i) => this.dataset.get(i));
        yield items[0].map((_, k) => stackRows(items.map((it) => it[k])));
      }
    }
  }

  /** Fisher-Yates with the loader's own generator (mulberry32), independent of tg.manualSeed. */
  private permute(order: number[]): void {
    for (let i = order.length - 1; i > 0; i--) {
      this.state = (this.state + 0x6d2b79f5) >>> 0;
      let t = this.state;
      t = Math.imul(t ^ (t >>> 15), t | 1);
      t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
      const r = ((t ^ (t >>> 14)) >>> 0) / 4294967296;
      const j = Math.floor(r * (i + 1));
      [order[i], order[j]] = [order[j], order[i]];
    }
  }
}

import * as tg from '../../training/index.js';

const uniform = (shape: number[], k: number) => tg.nn.Parameter(tg.rand(shape).mul(2 * k).sub(k));

/** A batch-first single-layer LSTM (PyTorch gate order i, f, g, o) with a linear head on the last state. */
export class Lstm extends tg.nn.Module {
  wIh: tg.Tensor; wHh: tg.Tensor; bIh: tg.Tensor; bHh: tg.Tensor; head: tg.nn.Linear;
  constructor(readonly inF: number, readonly hidden: number, out: number) {
    super();
    const k = 1 / Math.sqrt(hidden);
    this.wIh = uniform([4 * hidden, inF], k);
    this.wHh = uniform([4 * hidden, hidden], k);
    this.bIh = uniform([4 * hidden], k);
    this.bHh = uniform([4 * hidden], k);
    this.head = new tg.nn.Linear(hidden, out);
  }

  forward(x: tg.Tensor): tg.Tensor {
    const [batch, steps] = x.shape;
    // Zero initial state shaped from x (not tg.zeros), so the exported model keeps a dynamic batch.
    let h = tg.slice(x, 1, 0, 1).sum(2).mul(0).expand([batch, this.hidden]), c = h;
    for (let t = 0; t < steps; t++) {
      const xt = tg.slice(x, 1, t, t + 1).reshape([batch, this.inF]);
      const gates = tg.linear(xt, this.wIh, this.bIh).add(tg.linear(h, this.wHh, this.bHh));
      const [i, f, g, o] = tg.chunk(gates, 4, 1);
      c = f.sigmoid().mul(c).add(i.sigmoid().mul(g.tanh()));
      h = o.sigmoid().mul(c.tanh());
    }
    return this.head.forward(h);
  }
}

/** A post-norm transformer encoder block: multi-head self-attention + LayerNorm + GELU MLP. */
export class EncoderBlock extends tg.nn.Module {
  wQkv: tg.Tensor; bQkv: tg.Tensor; wO: tg.Tensor; bO: tg.Tensor;
  ln1w: tg.Tensor; ln1b: tg.Tensor; ln2w: tg.Tensor; ln2b: tg.Tensor;
  fc1: tg.nn.Linear; fc2: tg.nn.Linear;
  constructor(readonly dim: number, readonly heads: number, hidden: number) {
    super();
    const k = 1 / Math.sqrt(dim);
    this.wQkv = uniform([3 * dim, dim], k);
    this.bQkv = uniform([3 * dim], k);
    this.wO = uniform([dim, dim], k);
    this.bO = uniform([dim], k);
    this.ln1w = tg.nn.Parameter(tg.rand([dim]).add(0.5)); this.ln1b = uniform([dim], 0.1);
    this.ln2w = tg.nn.Parameter(tg.rand([dim]).add(0.5)); this.ln2b = uniform([dim], 0.1);
    this.fc1 = new tg.nn.Linear(dim, hidden);
    this.fc2 = new tg.nn.Linear(hidden, dim);
  }

  forward(x: tg.Tensor): tg.Tensor {
    const [b, t, d] = x.shape;
    const h = this.heads, dh = d / h;
    const qkv = tg.linear(x, this.wQkv, this.bQkv).reshape([b, t, 3, h, dh]).permute([2, 0, 3, 1, 4]);
    const [q, k, v] = tg.chunk(qkv, 3, 0).map((z) => z.reshape([b, h, t, dh]));
    const att = tg.softmax(q.matmul(k.transpose(2, 3)).mul(1 / Math.sqrt(dh)), -1);
    const ctx = att.matmul(v).permute([0, 2, 1, 3]).reshape([b, t, d]);
    const y = tg.layerNorm(x.add(tg.linear(ctx, this.wO, this.bO)), [d], this.ln1w, this.ln1b);
    const m = this.fc2.forward(tg.gelu(this.fc1.forward(y)));
    return tg.layerNorm(y.add(m), [d], this.ln2w, this.ln2b);
  }
}

/** The same encoder block built from tg.nn modules (MultiheadAttention, LayerNorm, GELU). */
export class NnEncoderBlock extends tg.nn.Module {
  attn: tg.nn.MultiheadAttention; ln1: tg.nn.LayerNorm; ln2: tg.nn.LayerNorm; mlp: tg.nn.Sequential;
  constructor(dim: number, heads: number, hidden: number) {
    super();
    this.attn = new tg.nn.MultiheadAttention(dim, heads, { batchFirst: true });
    this.ln1 = new tg.nn.LayerNorm(dim);
    this.ln2 = new tg.nn.LayerNorm(dim);
    this.mlp = new tg.nn.Sequential(new tg.nn.Linear(dim, hidden), new tg.nn.GELU(), new tg.nn.Linear(hidden, dim));
  }

  forward(x: tg.Tensor): tg.Tensor {
    const [a] = this.attn.forward(x, x, x, { needWeights: false });
    const y = this.ln1.forward(x.add(a));
    return this.ln2.forward(y.add(this.mlp.forward(y)));
  }
}

/** A CNN from tg.nn modules: Conv2d, BatchNorm2d, ReLU, MaxPool2d, Flatten, Linear. */
export function nnCnn(): tg.nn.Module & { forward(x: tg.Tensor): tg.Tensor } {
  return new tg.nn.Sequential(
    new tg.nn.Conv2d(1, 4, 3, { padding: 1 }), new tg.nn.BatchNorm2d(4), new tg.nn.ReLU(), new tg.nn.MaxPool2d(2),
    new tg.nn.Conv2d(4, 6, 3), new tg.nn.ReLU(), new tg.nn.Flatten(), new tg.nn.Linear(6 * 2 * 2, 5));
}

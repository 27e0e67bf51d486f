import * as tg from '../../training/index.js';

/** Cross-entropy from logits and int32 labels, written with table ops (so it traces). */
export function crossEntropy(logits: tg.Tensor, labels: tg.Tensor): tg.Tensor {
  const classes = logits.shape[logits.ndim - 1];
  return tg.logSoftmax(logits, -1).mul(tg.oneHot(labels, classes)).sum(1).mean().neg();
}

export function mlp(inF: number, hidden: number, out: number): tg.nn.Module & { forward(x: tg.Tensor): tg.Tensor } {
  return new tg.nn.Sequential(new tg.nn.Linear(inF, hidden), new tg.nn.ReLU(), new tg.nn.Linear(hidden, hidden), new tg.nn.ReLU(), new tg.nn.Linear(hidden, out));
}

/** conv3x3(c1)-relu-conv3x3(c2)-relu-maxpool2-dense(hidden)-dense(classes) on [N, 1, size, size]. */
export class SmallCnn extends tg.nn.Module {
  w1: tg.Tensor; b1: tg.Tensor; w2: tg.Tensor; b2: tg.Tensor;
  fc1: tg.nn.Linear; fc2: tg.nn.Linear;
  constructor(size: number, c1: number, c2: number, hidden: number, classes: number) {
    super();
    const k1 = 1 / Math.sqrt(9), k2 = 1 / Math.sqrt(9 * c1);
    this.w1 = tg.nn.Parameter(tg.rand([c1, 1, 3, 3]).mul(2 * k1).sub(k1));
    this.b1 = tg.nn.Parameter(tg.rand([c1]).mul(2 * k1).sub(k1));
    this.w2 = tg.nn.Parameter(tg.rand([c2, c1, 3, 3]).mul(2 * k2).sub(k2));
    this.b2 = tg.nn.Parameter(tg.rand([c2]).mul(2 * k2).sub(k2));
    const s = (size - 4) / 2;
    this.fc1 = new tg.nn.Linear(c2 * s * s, hidden);
    this.fc2 = new tg.nn.Linear(hidden, classes);
  }

  forward(x: tg.Tensor): tg.Tensor {
    let h = tg.conv2d(x, this.w1, this.b1).relu();
    h = tg.conv2d(h, this.w2, this.b2).relu();
    h = tg.maxPool2d(h, 2);
    return this.fc2.forward(this.fc1.forward(tg.flatten(h, 1)).relu());
  }
}

/** A copy of `m`'s parameter values into `into` (same architecture). */
export function copyParams(from: tg.nn.Module, into: tg.nn.Module): void {
  const src = from.parameters(), dst = into.parameters();
  src.forEach((p, i) => tg.assign(dst[i], p));
}

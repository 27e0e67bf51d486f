import { zeros } from '../creation.js';
import { DTypeError, ShapeError, ValueError } from '../errors.js';
import { dropout } from '../ops/nn/dropout.js';
import { linear } from '../ops/nn/linear.js';
import { cat, stack } from '../ops/shape/cat.js';
import { select } from '../ops/shape/slice.js';
import { chunk } from '../ops/shape/split.js';
import { fmtShape, shapesEqual } from '../shape.js';
import type { Tensor } from '../tensor.js';
import { uniform_ } from './init.js';
import { Module, Parameter } from './module.js';
import { currentMode } from '../dispatch.js';
import { isExporting } from '../onnx/exporting.js';
import { checkOptions, keysOf } from '../options.js';
import { recurrent, setRecurrentReference, type RecurrentAttrs } from './rnn-op.js';

/** Options of LSTM and GRU (torch's defaults). */
export interface RNNOptions {
  numLayers?: number;
  /** Bias vectors b_ih and b_hh. Default true. */
  bias?: boolean;
  /** Input and output are [batch, seq, feature] instead of [seq, batch, feature]. Default false. */
  batchFirst?: boolean;
  /** Dropout on the outputs of every layer but the last, in training mode. Default 0. */
  dropout?: number;
  bidirectional?: boolean;
}
/** Options of RNN: those of LSTM/GRU and the nonlinearity. */
export interface ElmanRNNOptions extends RNNOptions {
  /** Default 'tanh'. */
  nonlinearity?: 'tanh' | 'relu';
}
const RNN_KEYS = keysOf<RNNOptions>({ numLayers: true, bias: true, batchFirst: true, dropout: true, bidirectional: true });
const ELMAN_KEYS = keysOf<ElmanRNNOptions>({ numLayers: true, bias: true, batchFirst: true, dropout: true, bidirectional: true, nonlinearity: true });

interface LayerWeights { wih: Tensor; whh: Tensor; bih: Tensor | null; bhh: Tensor | null }

/** One time step: (input projection x·Wihᵀ + b_ih, state) -> new state; state[0] is h. */
type Cell = (xp: Tensor, state: Tensor[], w: LayerWeights) => Tensor[];

const lstmCell: Cell = (xp, [h, c], w) => {
  const [i, f, g, o] = chunk(xp.add(linear(h, w.whh, w.bhh)), 4, -1);
  const c2 = f.sigmoid().mul(c).add(i.sigmoid().mul(g.tanh()));
  return [o.sigmoid().mul(c2.tanh()), c2];
};

const gruCell: Cell = (xp, [h], w) => {
  const [xr, xz, xn] = chunk(xp, 3, -1);
  const [hr, hz, hn] = chunk(linear(h, w.whh, w.bhh), 3, -1);
  const r = xr.add(hr).sigmoid(), z = xz.add(hz).sigmoid();
  const n = xn.add(r.mul(hn)).tanh();
  return [n.add(z.mul(h.sub(n)))]; // (1 - z) * n + z * h
};

const tanhCell: Cell = (xp, [h], w) => [xp.add(linear(h, w.whh, w.bhh)).tanh()];
const reluCell: Cell = (xp, [h], w) => [xp.add(linear(h, w.whh, w.bhh)).relu()];

type Kind = 'RNN_TANH' | 'RNN_RELU' | 'LSTM' | 'GRU';
const GATES: Record<Kind, number> = { RNN_TANH: 1, RNN_RELU: 1, LSTM: 4, GRU: 3 };
const CELLS: Record<Kind, Cell> = { RNN_TANH: tanhCell, RNN_RELU: reluCell, LSTM: lstmCell, GRU: gruCell };

abstract class RNNBase extends Module {
  readonly numLayers: number;
  readonly bias: boolean;
  readonly batchFirst: boolean;
  readonly dropout: number;
  readonly bidirectional: boolean;

  constructor(private readonly kind: Kind, readonly inputSize: number, readonly hiddenSize: number, opts: RNNOptions) {
    super();
    checkOptions(new.target.name, opts, kind === 'LSTM' || kind === 'GRU' ? RNN_KEYS : ELMAN_KEYS);
    this.numLayers = opts.numLayers ?? 1;
    this.bias = opts.bias ?? true;
    this.batchFirst = opts.batchFirst ?? false;
    this.dropout = opts.dropout ?? 0;
    this.bidirectional = opts.bidirectional ?? false;
    for (const [k, v] of [['inputSize', inputSize], ['hiddenSize', hiddenSize], ['numLayers', this.numLayers]] as const) {
      if (!Number.isInteger(v) || v < 1) throw new ValueError(`${this.constructor.name}: ${k} must be a positive integer, got ${v}`);
    }
    if (!(this.dropout >= 0 && this.dropout <= 1)) throw new ValueError(`${this.constructor.name}: dropout must be in [0, 1], got ${this.dropout}`);
    const gates = GATES[kind], dirs = this.bidirectional ? 2 : 1;
    const stdv = 1 / Math.sqrt(hiddenSize);
    const self = this as unknown as Record<string, Tensor>;
    for (let l = 0; l < this.numLayers; l++) {
      for (let d = 0; d < dirs; d++) {
        const sfx = `_l${l}${d ? '_reverse' : ''}`, inF = l === 0 ? inputSize : hiddenSize * dirs;
        const p = (shape: number[]) => Parameter(uniform_(zeros(shape), -stdv, stdv));
        self[`weight_ih${sfx}`] = p([gates * hiddenSize, inF]);
        self[`weight_hh${sfx}`] = p([gates * hiddenSize, hiddenSize]);
        if (this.bias) {
          self[`bias_ih${sfx}`] = p([gates * hiddenSize]);
          self[`bias_hh${sfx}`] = p([gates * hiddenSize]);
        }
      }
    }
  }

  private weights(l: number, d: number): LayerWeights {
    const self = this as unknown as Record<string, Tensor>, sfx = `_l${l}${d ? '_reverse' : ''}`;
    return { wih: self[`weight_ih${sfx}`], whh: self[`weight_hh${sfx}`], bih: self[`bias_ih${sfx}`] ?? null, bhh: self[`bias_hh${sfx}`] ?? null };
  }

  /** Runs every layer; `init` holds one [L*D, B, H] tensor per state (h, and c for LSTM). */
  protected run(x: Tensor, init: Tensor[] | null): [Tensor, Tensor[]] {
    const name = this.constructor.name, dirs = this.bidirectional ? 2 : 1;
    if (x.ndim !== 2 && x.ndim !== 3) throw new ShapeError(`${name}: input must be 2-D [seq, feature] or 3-D, got shape ${fmtShape(x.shape)}`);
    if (x.shape[x.ndim - 1] !== this.inputSize) throw new ShapeError(`${name}: input ${fmtShape(x.shape)} must end in inputSize = ${this.inputSize}`);
    if (x.dtype !== 'float32') throw new DTypeError(`${name}: input is ${x.dtype}, expected float32`);
    const unbatched = x.ndim === 2;
    let seq = unbatched ? x.unsqueeze(1) : this.batchFirst ? x.transpose(0, 1) : x; // [T, B, I]
    const [T, B] = seq.shape;
    const stateShape = [this.numLayers * dirs, B, this.hiddenSize];
    const states = (init ?? []).map((s, k) => {
      const want = unbatched ? stateShape.filter((_, i) => i !== 1) : stateShape;
      if (!shapesEqual(s.shape, want)) throw new ShapeError(`${name}: initial state ${k === 0 ? 'h0' : 'c0'} is ${fmtShape(s.shape)}, expected ${fmtShape(want)}`);
      return unbatched ? s.unsqueeze(1) : s;
    });
    if (isExporting() && currentMode().name === 'trace' && !(this.training && this.dropout > 0)) {
      // tg.onnx.export: one op (an ONNX LSTM/GRU/RNN node per layer), dynamic in batch and sequence length.
      const ws = Array.from({ length: this.numLayers * dirs }, (_, k) => this.weights(Math.floor(k / dirs), k % dirs))
        .flatMap((w) => (w.bih && w.bhh ? [w.wih, w.whh, w.bih, w.bhh] : [w.wih, w.whh]));
      const attrs: RecurrentAttrs = { mode: this.kind, hiddenSize: this.hiddenSize, numLayers: this.numLayers, bidirectional: this.bidirectional, bias: this.bias, hasInit: states.length > 0 };
      const [y, ...fin] = recurrent(attrs, seq, states, ws);
      return [unbatched ? y.squeeze(1) : this.batchFirst ? y.transpose(0, 1) : y, unbatched ? fin.map((f) => f.squeeze(1)) : fin];
    }
    const nStates = this.kind === 'LSTM' ? 2 : 1;
    const finals: Tensor[][] = Array.from({ length: nStates }, () => []);
    const cell = CELLS[this.kind];
    for (let l = 0; l < this.numLayers; l++) {
      const outs: Tensor[] = [];
      for (let d = 0; d < dirs; d++) {
        const w = this.weights(l, d), xp = linear(seq, w.wih, w.bih);
        let state = Array.from({ length: nStates }, (_, k) => (states.length ? select(states[k], 0, l * dirs + d) : zeros([B, this.hiddenSize])));
        const hs: Tensor[] = new Array<Tensor>(T);
        for (let s = 0; s < T; s++) {
          const t = d ? T - 1 - s : s;
          state = cell(select(xp, 0, t), state, w);
          hs[t] = state[0];
        }
        outs.push(T ? stack(hs, 0) : zeros([0, B, this.hiddenSize]));
        state.forEach((v, k) => finals[k].push(v));
      }
      seq = dirs === 1 ? outs[0] : cat(outs, 2);
      if (this.dropout > 0 && l < this.numLayers - 1) seq = dropout(seq, this.dropout, this.training);
    }
    const out = unbatched ? seq.squeeze(1) : this.batchFirst ? seq.transpose(0, 1) : seq;
    return [out, finals.map((f) => (unbatched ? stack(f, 0).squeeze(1) : stack(f, 0)))];
  }

  protected override extraRepr(): string {
    return `${this.inputSize}, ${this.hiddenSize}, numLayers=${this.numLayers}, bias=${this.bias}, batchFirst=${this.batchFirst}, dropout=${this.dropout}, bidirectional=${this.bidirectional}`;
  }
}

/**
 * Multi-layer LSTM (torch.nn.LSTM): gates i, f, g, o in that order in
 * `weight_ih_l{k}` [4H, in] / `weight_hh_l{k}` [4H, H]; c' = σ(f)c + σ(i)tanh(g), h' = σ(o)tanh(c').
 * Returns [output, [h_n, c_n]]; output is [T, B, D*H] ([B, T, D*H] with batchFirst).
 * @example const lstm = new tg.nn.LSTM(10, 20, { numLayers: 2, batchFirst: true });
 * const [y, [h, c]] = lstm.forward(tg.randn([3, 5, 10])); // y [3, 5, 20], h and c [2, 3, 20]
 */
export class LSTM extends RNNBase {
  constructor(inputSize: number, hiddenSize: number, opts: RNNOptions = {}) {
    super('LSTM', inputSize, hiddenSize, opts);
  }

  forward(x: Tensor, hx: readonly [Tensor, Tensor] | null = null): [Tensor, [Tensor, Tensor]] {
    const [out, [h, c]] = this.run(x, hx ? [hx[0], hx[1]] : null);
    return [out, [h, c]];
  }
}

/**
 * Multi-layer GRU (torch.nn.GRU): gates r, z, n in that order;
 * n = tanh(x·W_inᵀ + b_in + r ⊙ (h·W_hnᵀ + b_hn)), h' = (1 - z) ⊙ n + z ⊙ h. Returns [output, h_n].
 * @example const [y, h] = new tg.nn.GRU(8, 16).forward(tg.randn([5, 2, 8])); // y [5, 2, 16], h [1, 2, 16]
 */
export class GRU extends RNNBase {
  constructor(inputSize: number, hiddenSize: number, opts: RNNOptions = {}) {
    super('GRU', inputSize, hiddenSize, opts);
  }

  forward(x: Tensor, h0: Tensor | null = null): [Tensor, Tensor] {
    const [out, [h]] = this.run(x, h0 ? [h0] : null);
    return [out, h];
  }
}

/**
 * Multi-layer Elman RNN (torch.nn.RNN): h' = tanh(x·W_ihᵀ + b_ih + h·W_hhᵀ + b_hh)
 * (or relu with `nonlinearity: 'relu'`). Returns [output, h_n].
 * @example const [y, h] = new tg.nn.RNN(8, 16, { nonlinearity: 'relu' }).forward(tg.randn([5, 2, 8]));
 */
export class RNN extends RNNBase {
  readonly nonlinearity: 'tanh' | 'relu';

  constructor(inputSize: number, hiddenSize: number, opts: ElmanRNNOptions = {}) {
    const nl = opts.nonlinearity ?? 'tanh';
    if (nl !== 'tanh' && nl !== 'relu') throw new ValueError(`RNN: nonlinearity must be 'tanh' or 'relu', got '${String(nl)}'`);
    super(nl === 'tanh' ? 'RNN_TANH' : 'RNN_RELU', inputSize, hiddenSize, opts);
    this.nonlinearity = nl;
  }

  forward(x: Tensor, h0: Tensor | null = null): [Tensor, Tensor] {
    const [out, [h]] = this.run(x, h0 ? [h0] : null);
    return [out, h];
  }
}

// The recurrent op's kernel (training/nn/rnn-op.ts): the layer's own computation on the op's weights, in eval mode.
setRecurrentReference((a, x, init, ws) => {
  const cls = a.mode === 'LSTM' ? LSTM : a.mode === 'GRU' ? GRU : RNN;
  const layer = Object.assign(Object.create(cls.prototype) as RNNBase, {
    kind: a.mode, inputSize: x.shape[2], hiddenSize: a.hiddenSize, numLayers: a.numLayers, bias: a.bias,
    batchFirst: false, dropout: 0, bidirectional: a.bidirectional, training: false,
  });
  const dirs = a.bidirectional ? 2 : 1, per = a.bias ? 4 : 2, self = layer as unknown as Record<string, Tensor>;
  for (let k = 0; k < a.numLayers * dirs; k++) {
    const sfx = `_l${Math.floor(k / dirs)}${k % dirs ? '_reverse' : ''}`;
    [self[`weight_ih${sfx}`], self[`weight_hh${sfx}`], self[`bias_ih${sfx}`], self[`bias_hh${sfx}`]] = ws.slice(k * per, k * per + per);
  }
  const [out, finals] = (layer as unknown as { run(x: Tensor, init: Tensor[] | null): [Tensor, Tensor[]] }).run(x, init.length ? [...init] : null);
  return [out, ...finals];
});

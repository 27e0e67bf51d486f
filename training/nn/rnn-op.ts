import { apply } from '../dispatch.js';
import { ShapeError } from '../errors.js';
import type { Node } from '../graph/ir.js';
import type { Emitter } from '../onnx/context.js';
import { defineOp, type Attrs } from '../ops/registry.js';
import { fmtShape } from '../shape.js';
import { Tensor } from '../tensor.js';
import { noGrad } from '../autograd.js';

/*
 * The recurrent layers as one op, traced only by tg.onnx.export: ONNX has
 * LSTM, GRU and RNN nodes that run at any batch and sequence length, where the
 * layers' own form (cells unrolled over time, used eagerly, under tg.jit and
 * for gradients) fixes both. Its kernel runs that same unrolled form, so the
 * op computes what the layer computes; it has no gradient of its own (the
 * layers are differentiated through their parts).
 */

/** Recurrent op attributes: the layer's kind and sizes. */
export interface RecurrentAttrs extends Attrs {
  readonly mode: 'LSTM' | 'GRU' | 'RNN_TANH' | 'RNN_RELU';
  readonly hiddenSize: number;
  readonly numLayers: number;
  readonly bidirectional: boolean;
  readonly bias: boolean;
  /** Initial states are inputs 1 (h0) and 2 (c0, LSTM) rather than zeros. */
  readonly hasInit: boolean;
}

/** ONNX gate blocks in terms of torch's: LSTM iofc from ifgo, GRU zrh from rzn. */
const ONNX_ORDER = { LSTM: [0, 3, 1, 2], GRU: [1, 0, 2], RNN_TANH: [0], RNN_RELU: [0] } as const;

/** How the layers compute the op (set by training/nn/rnn.ts, which imports this file). */
let reference: ((attrs: RecurrentAttrs, x: Tensor, init: Tensor[], weights: Tensor[]) => Tensor[]) | null = null;

/** Installs the layers' computation as the op's kernel. */
export function setRecurrentReference(fn: NonNullable<typeof reference>): void {
  reference = fn;
}

/** Number of weight tensors per layer and direction. */
const perDir = (a: RecurrentAttrs) => (a.bias ? 4 : 2);
const nStates = (a: RecurrentAttrs) => (a.mode === 'LSTM' ? 2 : 1);

export const RECURRENT = defineOp<RecurrentAttrs>({
  name: 'recurrent',
  infer(inputs, a) {
    const x = inputs[0], dirs = a.bidirectional ? 2 : 1;
    const want = 1 + (a.hasInit ? nStates(a) : 0) + a.numLayers * dirs * perDir(a);
    if (inputs.length !== want || x.shape.length !== 3) {
      throw new ShapeError(`recurrent: expected a [T, B, I] input and ${want - 1} states and weights, got ${inputs.length} inputs, input ${fmtShape(x.shape)}`);
    }
    const [T, B] = x.shape, H = a.hiddenSize;
    const state = { shape: [a.numLayers * dirs, B, H], dtype: 'float32' as const };
    return [{ shape: [T, B, dirs * H], dtype: 'float32' }, ...Array.from({ length: nStates(a) }, () => state)];
  },
  forward(inputs, a) {
    if (!reference) throw new Error('recurrent: training/nn/rnn.ts is not loaded');
    const ts = inputs.map((v) => Tensor._fromStorage(v.shape, v.dtype, v.data));
    const k = a.hasInit ? nStates(a) : 0;
    const outs = noGrad(() => reference!(a, ts[0], ts.slice(1, 1 + k), ts.slice(1 + k)));
    return outs.map((t) => t._storage!);
  },
  onnx: exportRecurrent,
});

/** Applies the op: [output [T, B, D*H], h_n, (c_n)] from a [T, B, I] input. */
export function recurrent(attrs: RecurrentAttrs, x: Tensor, init: readonly Tensor[], weights: readonly Tensor[]): Tensor[] {
  return apply(RECURRENT, [x, ...init, ...weights], attrs);
}

/** One ONNX LSTM/GRU/RNN node per layer (both directions in one), torch's gate order converted to ONNX's. */
function exportRecurrent(e: Emitter, n: Node, ins: readonly string[], outs: readonly string[]): void {
  const a = n.attrs as RecurrentAttrs;
  const H = a.hiddenSize, dirs = a.bidirectional ? 2 : 1, k = a.hasInit ? nStates(a) : 0;
  const rows = e.i64(ONNX_ORDER[a.mode].flatMap((b) => Array.from({ length: H }, (_, r) => b * H + r)));
  const reorder = (w: string) => e.op('Unsqueeze', [e.op('Gather', [w, rows], { axis: { i: 0 } }), e.i64([0])]);
  const stack = (parts: string[]) => (parts.length === 1 ? parts[0] : e.op('Concat', parts, { axis: { i: 0 } }));
  const opType = a.mode === 'LSTM' ? 'LSTM' : a.mode === 'GRU' ? 'GRU' : 'RNN';
  const attrs: Parameters<Emitter['node']>[3] = { hidden_size: { i: H }, direction: { s: a.bidirectional ? 'bidirectional' : 'forward' } };
  if (a.mode === 'GRU') attrs.linear_before_reset = { i: 1 };
  if (opType === 'RNN') attrs.activations = { strs: Array.from({ length: dirs }, () => (a.mode === 'RNN_RELU' ? 'Relu' : 'Tanh')) };
  let seq = ins[0];
  const finals: string[][] = Array.from({ length: nStates(a) }, () => []);
  for (let l = 0; l < a.numLayers; l++) {
    const W: string[] = [], R: string[] = [], B: string[] = [];
    for (let d = 0; d < dirs; d++) {
      const at = 1 + k + (l * dirs + d) * perDir(a);
      W.push(reorder(ins[at]));
      R.push(reorder(ins[at + 1]));
      if (a.bias) B.push(e.op('Unsqueeze', [e.op('Concat', [e.op('Gather', [ins[at + 2], rows], { axis: { i: 0 } }), e.op('Gather', [ins[at + 3], rows], { axis: { i: 0 } })], { axis: { i: 0 } }), e.i64([0])]));
    }
    const init = Array.from({ length: k }, (_, s) => e.op('Slice', [ins[1 + s], e.i64([l * dirs]), e.i64([(l + 1) * dirs]), e.i64([0])]));
    const y = e.temp(`${opType.toLowerCase()}_y`), hs = Array.from({ length: nStates(a) }, () => e.temp(`${opType.toLowerCase()}_state`));
    const inputs = [seq, stack(W), stack(R), a.bias ? stack(B) : '', '', ...init];
    while (inputs[inputs.length - 1] === '') inputs.pop();
    e.node(opType, inputs, [y, ...hs], attrs);
    // Y is [T, D, B, H]: to [T, B, D*H] for the next layer and the output.
    seq = dirs === 1 ? e.op('Squeeze', [y, e.i64([1])]) : e.op('Reshape', [e.op('Transpose', [y], { perm: { ints: [0, 2, 1, 3] } }), e.i64([0, 0, -1])]);
    hs.forEach((h, s) => finals[s].push(h));
  }
  e.node('Identity', [seq], [outs[0]]);
  finals.forEach((f, s) => (f.length === 1 ? e.node('Identity', f, [outs[1 + s]]) : e.node('Concat', f, [outs[1 + s]], { axis: { i: 0 } })));
  const xs = e.sym(n.inputs[0]);
  e.model.syms.set(n.outputs[0], [xs[0], xs[1], null]);
  for (const o of n.outputs.slice(1)) e.model.syms.set(o, [null, xs[1], null]);
}

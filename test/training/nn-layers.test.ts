import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import * as tg from '../../training/index.js';
import { decode, expectClose } from '../helpers/torch-ref.js';

type Encoded = Parameters<typeof decode>[0];
interface ModuleCase {
  name: string;
  state: Record<string, Encoded>;
  inputs: Encoded[];
  outputs: Encoded[];
  gradOutputs: (Encoded | null)[];
  inputGrads: (Encoded | null)[];
  paramGrads: Record<string, Encoded>;
  buffers: Record<string, Encoded>;
  rtol?: number;
  atol?: number;
}

const nn = tg.nn;
type T = tg.Tensor;
interface Entry { make: () => tg.nn.Module; call?: (m: never, ...xs: T[]) => T | (T | null)[]; train?: boolean }
const one = (m: { forward(x: T): T }, x: T): T => m.forward(x);

/** The same module and call as each case of scripts/fixtures/torch_modules.py. */
const table: Record<string, Entry> = {
  'Conv1d/stride2-pad1': { make: () => new nn.Conv1d(3, 4, 3, { stride: 2, padding: 1 }) },
  'Conv1d/groups-same-nobias': { make: () => new nn.Conv1d(4, 6, 3, { padding: 'same', dilation: 2, groups: 2, bias: false }) },
  'Conv2d/pad1': { make: () => new nn.Conv2d(3, 4, 3, { padding: 1 }) },
  'Conv2d/reflect': { make: () => new nn.Conv2d(2, 3, 3, { padding: 1, paddingMode: 'reflect' }) },
  'Conv2d/replicate-rect': { make: () => new nn.Conv2d(2, 3, [3, 5], { padding: [1, 2], paddingMode: 'replicate' }) },
  'Conv2d/circular-same-dilation': { make: () => new nn.Conv2d(2, 2, 3, { padding: 'same', dilation: 2, paddingMode: 'circular' }) },
  'Conv1d/circular': { make: () => new nn.Conv1d(3, 4, 3, { stride: 2, padding: 2, paddingMode: 'circular' }) },
  'Conv1d/reflect-same': { make: () => new nn.Conv1d(2, 2, 4, { padding: 'same', paddingMode: 'reflect' }) },
  'Conv2d/rect-stride-groups': { make: () => new nn.Conv2d(4, 6, [3, 2], { stride: [2, 1], padding: [1, 0], groups: 2 }) },
  'Conv2d/same-dilation': { make: () => new nn.Conv2d(2, 3, 3, { padding: 'same', dilation: 2 }) },
  'Conv2d/unbatched': { make: () => new nn.Conv2d(2, 3, 2) },
  'ConvTranspose2d/stride2-outpad': { make: () => new nn.ConvTranspose2d(4, 3, 3, { stride: 2, padding: 1, outputPadding: 1 }) },
  'ConvTranspose2d/groups-nobias': { make: () => new nn.ConvTranspose2d(4, 6, 2, { stride: 2, groups: 2, bias: false }) },
  'BatchNorm1d/train-2d': { make: () => new nn.BatchNorm1d(5) },
  'BatchNorm1d/train-3d': { make: () => new nn.BatchNorm1d(4, { momentum: 0.3 }) },
  'BatchNorm1d/eval': { make: () => new nn.BatchNorm1d(4), train: false },
  'BatchNorm1d/cumulative': { make: () => new nn.BatchNorm1d(3, { momentum: null }) },
  'BatchNorm2d/train': { make: () => new nn.BatchNorm2d(3) },
  'BatchNorm2d/eval': { make: () => new nn.BatchNorm2d(3, { eps: 1e-3 }), train: false },
  'BatchNorm2d/no-affine': { make: () => new nn.BatchNorm2d(3, { affine: false }) },
  'BatchNorm2d/no-stats-eval': { make: () => new nn.BatchNorm2d(3, { trackRunningStats: false }), train: false },
  'LayerNorm/last': { make: () => new nn.LayerNorm(6) },
  'LayerNorm/two-dims-no-affine': { make: () => new nn.LayerNorm([3, 4], 1e-3, false) },
  'Embedding/basic': { make: () => new nn.Embedding(10, 4) },
  'Embedding/padding': { make: () => new nn.Embedding(10, 3, { paddingIdx: 1 }) },
  'Flatten/default': { make: () => new nn.Flatten() },
  'Flatten/range': { make: () => new nn.Flatten(0, 1) },
  'MaxPool2d/2': { make: () => new nn.MaxPool2d(2) },
  'MaxPool2d/3-s2-p1-ceil': { make: () => new nn.MaxPool2d(3, { stride: 2, padding: 1, ceilMode: true }) },
  'AvgPool2d/3-s2-p1-exclude': { make: () => new nn.AvgPool2d(3, { stride: 2, padding: 1, countIncludePad: false }) },
  'AvgPool2d/2': { make: () => new nn.AvgPool2d(2) },
  'AdaptiveAvgPool2d/2x3': { make: () => new nn.AdaptiveAvgPool2d([2, 3]) },
  'AdaptiveAvgPool2d/1': { make: () => new nn.AdaptiveAvgPool2d(1) },
  'LSTM/basic': { make: () => new nn.LSTM(4, 5), call: (m: tg.nn.LSTM, x) => m.forward(x).flat() },
  'LSTM/2layer-batchfirst-init': { make: () => new nn.LSTM(4, 5, { numLayers: 2, batchFirst: true }), call: (m: tg.nn.LSTM, x, h, c) => m.forward(x, [h, c]).flat() },
  'LSTM/bidirectional': { make: () => new nn.LSTM(3, 4, { bidirectional: true, numLayers: 2 }), call: (m: tg.nn.LSTM, x) => m.forward(x).flat() },
  'LSTM/unbatched-nobias': { make: () => new nn.LSTM(3, 4, { bias: false }), call: (m: tg.nn.LSTM, x) => m.forward(x).flat() },
  'GRU/basic': { make: () => new nn.GRU(4, 5), call: (m: tg.nn.GRU, x) => m.forward(x) },
  'GRU/2layer-bidir-batchfirst-init': { make: () => new nn.GRU(3, 4, { numLayers: 2, batchFirst: true, bidirectional: true }), call: (m: tg.nn.GRU, x, h) => m.forward(x, h) },
  'GRU/unbatched': { make: () => new nn.GRU(3, 4), call: (m: tg.nn.GRU, x, h) => m.forward(x, h) },
  'RNN/tanh': { make: () => new nn.RNN(4, 5), call: (m: tg.nn.RNN, x) => m.forward(x) },
  'RNN/relu-2layer-bidir-batchfirst-init': {
    make: () => new nn.RNN(3, 4, { numLayers: 2, nonlinearity: 'relu', batchFirst: true, bidirectional: true }), call: (m: tg.nn.RNN, x, h) => m.forward(x, h),
  },
  'MultiheadAttention/self': { make: () => new nn.MultiheadAttention(8, 2), call: (m: tg.nn.MultiheadAttention, x) => m.forward(x, x, x) },
  'MultiheadAttention/batchfirst-masks': {
    make: () => new nn.MultiheadAttention(8, 4, { batchFirst: true }),
    call: (m: tg.nn.MultiheadAttention, q, k, v, attnMask, keyPaddingMask) => m.forward(q, k, v, { attnMask, keyPaddingMask }),
  },
  'MultiheadAttention/float-mask-per-head': {
    make: () => new nn.MultiheadAttention(6, 3),
    call: (m: tg.nn.MultiheadAttention, q, k, v, attnMask) => m.forward(q, k, v, { attnMask, averageAttnWeights: false }),
  },
  'MultiheadAttention/kdim-vdim-noweights': {
    make: () => new nn.MultiheadAttention(8, 2, { kdim: 5, vdim: 3 }),
    call: (m: tg.nn.MultiheadAttention, q, k, v) => m.forward(q, k, v, { needWeights: false }),
  },
  'MultiheadAttention/unbatched-nobias': { make: () => new nn.MultiheadAttention(4, 2, { bias: false }), call: (m: tg.nn.MultiheadAttention, q, k, v) => m.forward(q, k, v) },
};

const path = fileURLToPath(new URL('../fixtures/torch/modules.json', import.meta.url));
const { cases } = JSON.parse(readFileSync(path, 'utf8')) as { cases: ModuleCase[] };

describe('nn modules vs torch (weights loaded by torch names)', () => {
  for (const c of cases) {
    it(c.name, () => {
      const e = table[c.name];
      if (!e) expect.fail(`no module for fixture case '${c.name}'`);
      const m = e.make().train(e.train ?? true);
      const state = Object.fromEntries(Object.entries(c.state).map(([k, v]) => [k, decode(v)]));
      m.loadStateDict(state);
      const xs = c.inputs.map((enc) => decode(enc, enc.dtype === 'float32'));
      const res = e.call ? (e.call as (m: tg.nn.Module, ...xs: T[]) => T | (T | null)[])(m, ...xs) : one(m as never, xs[0]);
      const outs = (Array.isArray(res) ? res : [res]).filter((o): o is T => o !== null);
      expect(outs.length, 'number of outputs').toBe(c.outputs.length);
      const rtol = c.rtol ?? 1e-4, atol = c.atol ?? 1e-5;
      outs.forEach((o, i) => expectClose(o, c.outputs[i], `${c.name} output ${i}`, rtol, atol));
      for (const [k, b] of Object.entries(c.buffers)) expectClose(m.stateDict()[k], b, `${c.name} buffer ${k} after the call`, rtol, atol);
      const pairs = outs.map((o, i) => [o, c.gradOutputs[i]] as const).filter(([o, w]) => w !== null && o.requiresGrad);
      tg.sum(tg.stack(pairs.map(([o, w]) => o.mul(decode(w!)).sum()))).backward();
      c.inputGrads.forEach((g, i) => { if (g) expectClose(xs[i].grad ?? tg.zerosLike(xs[i]), g, `${c.name} grad of input ${i}`, rtol * 10, atol * 10); });
      const params = Object.fromEntries(m.namedParameters());
      expect(Object.keys(params).sort()).toEqual(Object.keys(c.paramGrads).sort());
      for (const [k, g] of Object.entries(c.paramGrads)) expectClose(params[k].grad ?? tg.zerosLike(params[k]), g, `${c.name} grad of ${k}`, rtol * 10, atol * 10);
    });
  }
});

describe('convolution options', () => {
  it('unknown or unsupported options are typed errors naming the accepted keys', () => {
    expect(() => new nn.Conv2d(1, 1, 3, { padingMode: 'reflect' } as object)).toThrow(/Conv2d: unknown option 'padingMode' \(accepted: stride, padding, dilation, groups, bias, paddingMode\)/);
    expect(() => new nn.Conv2d(1, 1, 3, { paddingMode: 'mirror' as 'reflect' })).toThrow(tg.ValueError);
    expect(() => new nn.Conv1d(1, 1, 3, { paddingMode: 'wrap' as 'circular' })).toThrow(/paddingMode must be one of zeros, reflect, replicate, circular/);
  });

  it("pad mode 'circular' wraps around and refuses more than one wrap", () => {
    const x = tg.arange(0, 4).reshape([1, 4]);
    expect(Array.from(tg.pad(x, [2, 1], 'circular').data())).toEqual([2, 3, 0, 1, 2, 3, 0]);
    expect(() => tg.pad(x, [5, 0], 'circular')).toThrow(/wraps around at most once/);
  });
});

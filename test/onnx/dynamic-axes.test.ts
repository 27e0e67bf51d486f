import { describe, expect, it } from 'vitest';
import * as tg from '../../training/index.js';
import { expectClose } from '../jit/helpers.js';
import { mlp, SmallCnn } from '../jit/models.js';
import { runOrt } from './ort.js';
import { recurrent } from '../../training/nn/rnn-op.js';
import { EncoderBlock, Lstm, NnEncoderBlock } from './models.js';

type Fn = (...xs: tg.Tensor[]) => unknown;

/** Tensors of a (nested) result, in order. */
const flat = (r: unknown): tg.Tensor[] => (r instanceof tg.Tensor ? [r] : Array.isArray(r) ? r.flatMap(flat) : []);

/**
 * Exports `fn` at the example shapes with `axes` dynamic ({ input: { dim: [two other sizes] } }), then runs
 * the model in onnxruntime at the example and at the two other sizes of each dynamic axis, one axis at a time,
 * and at the other sizes of every axis together; each run equals eager.
 */
async function checkDynamic(fn: Fn, names: string[], shapes: number[][], axes: Record<string, Record<number, readonly [number, number]>>, tol = 1e-4,
  make: (shape: number[]) => tg.Tensor = (s) => tg.randn(s), shared: Record<number, string> = {}): Promise<number> {
  const example = shapes.map((s) => make(s));
  // dims listed in `shared` (by dim index) have one name in every input (e.g. the batch of query and key)
  const dynamicAxes = Object.fromEntries(Object.entries(axes).map(([k, v]) => [k, Object.fromEntries(Object.keys(v).map((d) => [d, shared[Number(d)] ?? `${k}_dim${d}`]))]));
  const bytes = tg.onnx.export(fn, example, { inputNames: names, dynamicAxes });
  const variants: number[][][] = [shapes];
  const all = Object.entries(axes).flatMap(([name, dims]) => Object.entries(dims).map(([d, sizes]) => ({ name, d: Number(d), sizes, sym: (dynamicAxes[name] as Record<number, string>)[Number(d)] })));
  const sizeOf = (i: number, k: number, sym: string | null, j: number) => {
    const a = all.find((x) => names[i] === x.name && k === x.d && (sym === null || x.sym === sym));
    return a ? all.find((x) => x.sym === a.sym)!.sizes[j] : null;
  };
  for (const sym of new Set(all.map((a) => a.sym))) {
    for (let j = 0; j < 2; j++) variants.push(shapes.map((s, i) => s.map((x, k) => sizeOf(i, k, sym, j) ?? x)));
  }
  for (let j = 0; j < 2; j++) variants.push(shapes.map((s, i) => s.map((x, k) => sizeOf(i, k, null, j) ?? x)));
  for (const v of variants) {
    const xs = v.map((s) => make(s));
    const got = await runOrt(bytes, Object.fromEntries(names.map((n, i) => [n, xs[i]])));
    const want = flat(fn(...xs));
    expect(got.length).toBe(want.length);
    want.forEach((w, i) => { expect(got[i].shape).toEqual(w.shape); expectClose(got[i], w, tol); });
  }
  return variants.length;
}

describe('ONNX export with dynamic axes runs right at every size (onnxruntime-node)', () => {
  it('MultiheadAttention, batch-first: dynamic sequence, and batch and sequence together', async () => {
    tg.manualSeed(10);
    const mha = new tg.nn.MultiheadAttention(8, 2, { batchFirst: true });
    const f = (x: tg.Tensor) => mha.forward(x, x, x);
    await checkDynamic(f, ['x'], [[2, 6, 8]], { x: { 1: [9, 3] } });
    await checkDynamic(f, ['x'], [[2, 6, 8]], { x: { 0: [3, 1], 1: [9, 4] } });
    // cross-attention: query and key lengths differ
    const g = (q: tg.Tensor, kv: tg.Tensor) => mha.forward(q, kv, kv, { needWeights: false })[0];
    await checkDynamic(g, ['q', 'kv'], [[2, 6, 8], [2, 5, 8]], { q: { 0: [3, 1], 1: [2, 7] }, kv: { 0: [3, 1], 1: [4, 9] } }, 1e-4, undefined, { 0: 'batch' });
  });

  it('MultiheadAttention, sequence-first: dynamic sequence (axis 0), and batch too', async () => {
    tg.manualSeed(11);
    const mha = new tg.nn.MultiheadAttention(8, 4);
    const f = (x: tg.Tensor) => mha.forward(x, x, x);
    await checkDynamic(f, ['x'], [[6, 2, 8]], { x: { 0: [9, 3] } });
    await checkDynamic(f, ['x'], [[6, 2, 8]], { x: { 0: [9, 3], 1: [5, 1] } });
  });

  it('LSTM, batch-first, example batch 16: batch 3 and 32, sequence 4 and 15, both together', async () => {
    tg.manualSeed(12);
    const lstm = new tg.nn.LSTM(8, 12, { batchFirst: true });
    const f = (x: tg.Tensor) => lstm.forward(x);
    await checkDynamic(f, ['x'], [[16, 10, 8]], { x: { 0: [3, 32], 1: [4, 15] } }, 1e-5);
  });

  it('LSTM, 2 layers, bidirectional, with initial states', async () => {
    tg.manualSeed(13);
    const lstm = new tg.nn.LSTM(5, 6, { numLayers: 2, bidirectional: true });
    await checkDynamic((x: tg.Tensor) => lstm.forward(x), ['x'], [[7, 3, 5]], { x: { 0: [2, 11], 1: [1, 4] } }, 1e-5);
    const g = (x: tg.Tensor, h: tg.Tensor, c: tg.Tensor) => lstm.forward(x, [h, c]);
    await checkDynamic(g, ['x', 'h0', 'c0'], [[7, 3, 5], [4, 3, 6], [4, 3, 6]], { x: { 0: [2, 11], 1: [1, 4] }, h0: { 1: [1, 4] }, c0: { 1: [1, 4] } }, 1e-5, undefined, { 1: 'batch' });
  });

  it('GRU (linear_before_reset), 1 and 2 layers, bidirectional, batch-first', async () => {
    tg.manualSeed(14);
    for (const opts of [{ batchFirst: true }, { numLayers: 2, bidirectional: true, batchFirst: true }, { numLayers: 2, bias: false }]) {
      const gru = new tg.nn.GRU(8, 12, opts);
      const shape = opts.batchFirst ? [16, 10, 8] : [10, 16, 8];
      const [b, t] = opts.batchFirst ? [0, 1] : [1, 0];
      await checkDynamic((x: tg.Tensor) => gru.forward(x), ['x'], [shape], { x: { [b]: [3, 32], [t]: [4, 15] } }, 1e-5);
    }
    const gru = new tg.nn.GRU(4, 6, { numLayers: 2 });
    await checkDynamic((x: tg.Tensor, h: tg.Tensor) => gru.forward(x, h), ['x', 'h0'], [[5, 2, 4], [2, 2, 6]], { x: { 0: [1, 9], 1: [3, 1] }, h0: { 1: [3, 1] } }, 1e-5, undefined, { 1: 'batch' });
  });

  it('RNN (tanh and relu), bidirectional, 2 layers, and unbatched input', async () => {
    tg.manualSeed(15);
    for (const nonlinearity of ['tanh', 'relu'] as const) {
      const rnn = new tg.nn.RNN(4, 5, { nonlinearity, numLayers: 2, bidirectional: true, batchFirst: true });
      await checkDynamic((x: tg.Tensor) => rnn.forward(x), ['x'], [[3, 6, 4]], { x: { 0: [1, 5], 1: [2, 9] } }, 1e-5);
    }
    const rnn = new tg.nn.RNN(4, 5);
    await checkDynamic((x: tg.Tensor) => rnn.forward(x), ['x'], [[6, 4]], { x: { 0: [2, 9] } }, 1e-5);
  });

  it('the recurrent op computes what the layers compute', () => {
    tg.manualSeed(18);
    const gru = new tg.nn.GRU(3, 4, { numLayers: 2, bidirectional: true });
    const x = tg.randn([5, 2, 3]), h0 = tg.randn([4, 2, 4]);
    const ws = Object.values(gru.stateDict()) as tg.Tensor[];
    const [y, h] = recurrent({ mode: 'GRU', hiddenSize: 4, numLayers: 2, bidirectional: true, bias: true, hasInit: true }, x, [h0], ws);
    const [ey, eh] = gru.forward(x, h0);
    expectClose(y, ey, 1e-6);
    expectClose(h, eh, 1e-6);
  });

  it('recurrent layers export as one ONNX node per layer, not unrolled', () => {
    const lstm = new tg.nn.LSTM(4, 6, { numLayers: 2 });
    const bytes = tg.onnx.export((x: tg.Tensor) => lstm.forward(x)[0], [tg.randn([30, 2, 4])], { inputNames: ['x'] });
    const text = new TextDecoder('latin1').decode(bytes);
    expect(text.split('LSTM_node').length - 1).toBe(2);
    expect(text).not.toContain('Sigmoid');
  });

  it('transformer-style blocks: dynamic batch and sequence', async () => {
    tg.manualSeed(16);
    const block = new EncoderBlock(16, 4, 32);
    block.eval();
    await checkDynamic((x: tg.Tensor) => block.forward(x), ['tokens'], [[2, 5, 16]], { tokens: { 0: [3, 1], 1: [8, 2] } });
    const nn = new NnEncoderBlock(16, 4, 32);
    nn.eval();
    await checkDynamic((x: tg.Tensor) => nn.forward(x), ['tokens'], [[2, 5, 16]], { tokens: { 0: [3, 1], 1: [8, 2] } });
    const enc = new tg.nn.Sequential(new tg.nn.Embedding(20, 8), new tg.nn.Linear(8, 8));
    await checkDynamic((x: tg.Tensor) => enc.forward(x), ['ids'], [[2, 5]], { ids: { 0: [3, 1], 1: [8, 2] } }, 1e-4, (s) => tg.randint(0, 20, s));
  }, 20000);

  it('a slice through the end of a dynamic dim (x[:, 1:]) follows the length', async () => {
    const f = (x: tg.Tensor) => tg.slice(x, 1, 1, x.shape[1]).mul(2);
    await checkDynamic(f, ['x'], [[2, 6, 3]], { x: { 0: [1, 4], 1: [2, 9] } });
  });

  it('flip along dynamic dims (a Slice from the last element) follows the length', async () => {
    await checkDynamic((x: tg.Tensor) => tg.flip(x, [0, 1]).mul(2), ['x'], [[2, 6, 3]], { x: { 0: [3, 4], 1: [2, 9] } });
  });

  it('MLP and CNN: dynamic batch', async () => {
    tg.manualSeed(17);
    const m = mlp(12, 16, 4);
    await checkDynamic((x: tg.Tensor) => m.forward(x), ['x'], [[4, 12]], { x: { 0: [1, 9] } }, 1e-5);
    const cnn = new SmallCnn(10, 4, 6, 16, 5);
    await checkDynamic((x: tg.Tensor) => cnn.forward(x), ['image'], [[2, 1, 10, 10]], { image: { 0: [1, 5] } });
  });

  it('a size baked into the model is refused with an OnnxExportError naming the op and the dim', () => {
    // a mean written with the example's length as a JS number
    const f = (x: tg.Tensor) => x.sum(1).mul(1 / x.shape[1]);
    const err = (() => { try { tg.onnx.export(f, [tg.randn([2, 6])], { inputNames: ['x'], dynamicAxes: { x: [1] } }); } catch (e) { return e; } return null; })();
    expect(err).toBeInstanceOf(tg.onnx.OnnxExportError);
    expect(String((err as Error).message)).toMatch(/mul \[2\], \[\] -> \[2\] \(node %\d+\) cannot keep dynamic dim 'x_dim1' \(input 'x' dim 1\) dynamic: exported at size 6 and at 7/);
    expect(() => tg.onnx.export(f, [tg.randn([2, 6])], { inputNames: ['x'], dynamicAxes: { x: [0] } })).not.toThrow();
    // time steps unrolled in JS: the graph grows with the sequence
    const lstm = new Lstm(3, 4, 2);
    expect(() => tg.onnx.export(lstm, [tg.randn([2, 5, 3])], { inputNames: ['x'], dynamicAxes: { x: [1] } }))
      .toThrow(/cannot keep dynamic dim 'x_dim1' \(input 'x' dim 1\) dynamic: exported at size 5 and at 6/);
    // zeros shaped like the input at trace time
    const g = (x: tg.Tensor) => x.add(tg.ones([x.shape[0], 3]).mul(2));
    expect(() => tg.onnx.export(g, [tg.randn([2, 3])], { inputNames: ['x'], dynamicAxes: { x: [0] } })).toThrow(tg.onnx.OnnxExportError);
    // a function that only runs at the example size
    const h = (x: tg.Tensor) => x.reshape([2, 3]);
    expect(() => tg.onnx.export(h, [tg.randn([6])], { inputNames: ['x'], dynamicAxes: { x: [0] } }))
      .toThrow(/reshape \[6\] -> \[2, 3\] splits its dynamic dim across several outputs, so its dynamic axis cannot stay dynamic \(dim 'x_dim0'\)/);
    const k = (x: tg.Tensor) => x.add(tg.ones([6]));
    expect(() => tg.onnx.export(k, [tg.randn([6])], { inputNames: ['x'], dynamicAxes: { x: [0] } }))
      .toThrow(/dynamic dim 'x_dim0' \(input 'x' dim 0\) cannot be dynamic: the function does not trace at other sizes \(at 7: add/);
  });
});

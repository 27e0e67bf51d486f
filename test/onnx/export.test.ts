import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import * as tg from '../../training/index.js';
import { defineOp } from '../../training/ops/registry.js';
import { apply1 } from '../../training/dispatch.js';
import { expectClose } from '../jit/helpers.js';
import { mlp, SmallCnn } from '../jit/models.js';
import { runOrt } from './ort.js';
import { Lstm, EncoderBlock, NnEncoderBlock, nnCnn } from './models.js';

describe('tg.onnx.export checked with onnxruntime-node', () => {
  it('exports the tg.cond example as If: both branches from one model', async () => {
    const f = (x: tg.Tensor) => tg.cond(x.sum().gt(0), () => x.mul(x), () => x.neg());
    const bytes = tg.onnx.export(f, [tg.tensor([1, 2, 3])], { inputNames: ['x'], outputNames: ['y'] });
    expect((await runOrt(bytes, { x: tg.tensor([1, 2, 3]) }))[0].tolist()).toEqual([1, 4, 9]);
    expect((await runOrt(bytes, { x: tg.tensor([-1, -2, -3]) }))[0].tolist()).toEqual([1, 2, 3]);
  });

  it('exports tg.whileLoop as Loop', async () => {
    const f = (x: tg.Tensor) => tg.whileLoop((i) => i.lt(x.sum()), (i, a) => [i.add(1), a.mul(2).add(x.amax())], [tg.tensor(0), tg.tensor(1)]);
    const bytes = tg.onnx.export(f, [tg.tensor([2, 3])], { inputNames: ['x'] });
    for (const v of [[2, 3], [0.5, 0], [-4, 1]]) {
      const [i, a] = await runOrt(bytes, { x: tg.tensor(v) });
      const [ei, ea] = f(tg.tensor(v));
      expect([i.item(), a.item()]).toEqual([ei.item(), ea.item()]);
    }
  });

  it('MLP: weights as named initializers, dynamic batch', async () => {
    tg.manualSeed(0);
    const model = mlp(12, 16, 4);
    const bytes = tg.onnx.export(model, [tg.randn([2, 12])], { inputNames: ['x'], outputNames: ['logits'], dynamicAxes: { x: [0], logits: { 0: 'batch' } } });
    for (const b of [1, 2, 7]) {
      const x = tg.randn([b, 12]);
      expectClose((await runOrt(bytes, { x }))[0], model.forward(x), 1e-5);
    }
    const text = new TextDecoder().decode(bytes);
    expect(text).toContain('0.weight');
    expect(text).toContain('4.bias');
  });

  it('CNN (conv, relu, maxpool, flatten, linear): dynamic batch', async () => {
    tg.manualSeed(1);
    const model = new SmallCnn(10, 4, 6, 16, 5);
    const bytes = tg.onnx.export(model, [tg.randn([2, 1, 10, 10])], { inputNames: ['image'], dynamicAxes: { image: [0] } });
    for (const b of [1, 3]) {
      const x = tg.randn([b, 1, 10, 10]);
      expectClose((await runOrt(bytes, { image: x }))[0], model.forward(x), 1e-4);
    }
  });

  it('LSTM model (gates unrolled over time)', async () => {
    tg.manualSeed(2);
    const model = new Lstm(6, 8, 3);
    const x = tg.randn([2, 5, 6]);
    const bytes = tg.onnx.export(model, [x], { inputNames: ['seq'], dynamicAxes: { seq: [0] } });
    expectClose((await runOrt(bytes, { seq: x }))[0], model.forward(x), 1e-5);
    const x4 = tg.randn([4, 5, 6]);
    expectClose((await runOrt(bytes, { seq: x4 }))[0], model.forward(x4), 1e-5);
  });

  it('transformer encoder block (multi-head attention, LayerNorm, GELU MLP)', async () => {
    tg.manualSeed(3);
    const block = new EncoderBlock(16, 4, 32);
    block.eval();
    const x = tg.randn([2, 5, 16]);
    const bytes = tg.onnx.export(block, [x], { inputNames: ['tokens'], dynamicAxes: { tokens: [0] } });
    expectClose((await runOrt(bytes, { tokens: x }))[0], block.forward(x), 1e-4);
    const x3 = tg.randn([3, 5, 16]);
    expectClose((await runOrt(bytes, { tokens: x3 }))[0], block.forward(x3), 1e-4);
  });

  it('tg.nn modules: LSTM (2 layers), MultiheadAttention block, Conv2d/BatchNorm2d CNN', async () => {
    tg.manualSeed(7);
    const lstm = new tg.nn.LSTM(4, 6, { numLayers: 2, batchFirst: true });
    const seq = tg.randn([3, 5, 4]);
    const got = await runOrt(tg.onnx.export((s: tg.Tensor) => lstm.forward(s), [seq], { inputNames: ['seq'] }), { seq });
    const [y, [h, c]] = lstm.forward(seq);
    [y, h, c].forEach((want, i) => expectClose(got[i], want, 1e-5));

    const block = new NnEncoderBlock(16, 4, 32);
    block.eval();
    const x = tg.randn([2, 5, 16]);
    expectClose((await runOrt(tg.onnx.export(block, [x], { inputNames: ['x'] }), { x }))[0], block.forward(x), 1e-4);

    const cnn = nnCnn();
    cnn.train();
    for (let i = 0; i < 3; i++) cnn.forward(tg.randn([4, 1, 8, 8])); // running statistics move away from 0/1
    cnn.eval();
    const img = tg.randn([2, 1, 8, 8]);
    expectClose((await runOrt(tg.onnx.export(cnn, [img], { inputNames: ['img'] }), { img }))[0], cnn.forward(img), 1e-4);
  });

  it('maps the op table: math, reductions, activations, shape and nn ops', async () => {
    tg.manualSeed(4);
    const w = tg.randn([3, 2, 3, 3]), rm = tg.rand([3]), rv = tg.rand([3]).add(0.5), g = tg.randn([3]), b = tg.randn([3]);
    const emb = tg.randn([10, 4]);
    const cases: [string, (x: tg.Tensor) => tg.Tensor | tg.Tensor[], number[]][] = [
      ['arith', (x) => x.sub(1).div(x.abs().add(1)).pow(2).maximum(x).minimum(x.mul(0.5)).add(x.sign()), [3, 4]],
      ['unary', (x) => x.abs().add(0.5).sqrt().rsqrt().log1p().exp().log().sin().cos().tanh().sigmoid().relu().neg(), [3, 4]],
      ['compare', (x) => tg.where(x.gt(0).mul(x.le(1)), x, x.lt(-1).mul(1).add(x.ge(2)).add(x.eq(0)).sub(x.ne(0.5))), [3, 4]],
      ['reduce', (x) => [x.sum(1), tg.mean(x, 0, true), tg.amax(x, 1), tg.amin(x, [0, 1]), tg.argmax(x, 1), tg.argmax(x), tg.prod(x, 1),
        ...tg.maxWithIndices(x, 1, true), ...tg.minWithIndices(x, 0)], [3, 4]],
      ['softmax', (x) => [tg.softmax(x, 1), tg.logSoftmax(x, 0), tg.cumsum(x, 1), ...tg.topk(x, 2, 1)], [3, 4]],
      ['activations', (x) => [tg.gelu(x), tg.gelu(x, 'tanh'), tg.silu(x), tg.softplus(x, 2, 1), tg.leakyRelu(x, 0.2), tg.elu(x, 0.5),
        tg.hardswish(x), tg.hardsigmoid(x), tg.erf(x), tg.clamp(x, -0.5, 0.5), tg.clamp(x, null, 0)], [3, 4]],
      ['shape', (x) => [tg.cat([x, x.mul(2)], 1), tg.slice(x, 1, 1, 4, 2), tg.flip(x, [0, 1]), tg.pad(x, [1, 2], 'constant', 3),
        tg.pad(x, [1, 1], 'reflect'), x.transpose(0, 1), x.reshape([2, 6]), x.sum(0, true).expand([3, 4]),
        tg.gather(x, 1, tg.tensor([[0, 0], [1, 0], [3, 2]], { dtype: 'int32' }))], [3, 4]],
      ['nn', (x) => [tg.avgPool2d(x, 2, { stride: 1, padding: 1 }), tg.adaptiveAvgPool2d(x, 1), tg.adaptiveAvgPool2d(x, [2, 3]),
        tg.maxPool2d(x, 3, { stride: 2, padding: 1 }), tg.batchNorm(x, rm, rv, g, b), tg.layerNorm(x, [6], null, null),
        tg.convTranspose2d(x, w, null, { stride: 2, padding: 1, outputPadding: 1 })], [2, 3, 4, 6]],
    ];
    for (const [name, fn, shape] of cases) {
      const bytes = tg.onnx.export(fn, [tg.randn(shape)], { inputNames: ['x'] });
      // run on another input than the traced one: values baked in at trace time would not match
      const x = tg.randn(shape);
      const got = await runOrt(bytes, { x });
      const want = [fn(x)].flat();
      expect(got.length, name).toBe(want.length);
      got.forEach((t, i) => {
        try { expectClose(t, want[i], 2e-5); } catch (e) { throw new Error(`case '${name}', output ${i}: ${(e as Error).message}`); }
      });
    }
    const src = tg.randn([3, 2]), at = tg.tensor([2, 0, 2], { dtype: 'int32' });
    const ia = (x: tg.Tensor) => [tg.indexAdd(x, 0, at, src), tg.scatterAdd(x, 1, tg.tensor([[0, 1], [1, 1], [0, 0], [1, 0]], { dtype: 'int32' }), tg.ones([4, 2]))];
    const xa = tg.randn([4, 2]);
    const gotIa = await runOrt(tg.onnx.export(ia, [xa], { inputNames: ['x'] }), { x: xa });
    ia(xa).forEach((want, i) => expectClose(gotIa[i], want, 1e-6));
    const ids = tg.tensor([[1, 4, 9], [0, 0, 2]], { dtype: 'int32' });
    const eb = tg.onnx.export((i: tg.Tensor) => [tg.embedding(i, emb).sum(1), tg.oneHot(i, 10)], [ids], { inputNames: ['ids'] });
    const [se, oh] = await runOrt(eb, { ids });
    expectClose(se, tg.embedding(ids, emb).sum(1), 1e-6);
    expect(oh.tolist()).toEqual(tg.oneHot(ids, 10).tolist());
  });

  it('exports modules in eval mode (no dropout) and restores training mode', async () => {
    class Drop extends tg.nn.Module {
      w = tg.nn.Parameter(tg.randn([4, 4]));
      forward(x: tg.Tensor) { return tg.dropout(x.matmul(this.w), 0.5, this.training); }
    }
    const m = new Drop();
    const x = tg.randn([2, 4]);
    const bytes = tg.onnx.export(m, [x], { inputNames: ['x'] });
    expect(m.training).toBe(true);
    expect(new TextDecoder().decode(bytes)).not.toContain('Dropout');
    expectClose((await runOrt(bytes, { x }))[0], x.matmul(m.w), 1e-6);
  });

  it('writes a path atomically and returns the same bytes', () => {
    const dir = mkdtempSync(join(tmpdir(), 'tglite-onnx-'));
    const path = join(dir, 'model.onnx');
    const bytes = tg.onnx.export((x: tg.Tensor) => x.relu(), [tg.randn([2])], { path });
    expect(Buffer.compare(readFileSync(path), bytes)).toBe(0);
    expect(readdirSync(dir)).toEqual(['model.onnx']);
    expect(() => tg.onnx.export((x: tg.Tensor) => x.relu(), [tg.randn([2])], { path: join(dir, 'missing', 'm.onnx') }))
      .toThrow(/could not write .*missing/);
    expect(readdirSync(dir)).toEqual(['model.onnx']);
  });

  it('an op without an ONNX mapping is an error naming the op and the node', () => {
    const op = defineOp<Record<string, never>>({
      name: 'testOnlyDouble', onnx: { notExported: 'a test op' }, infer: ([x]) => [x], forward: ([x]) => [x.data.map((v) => 2 * v)],
    });
    expect(() => tg.onnx.export((x: tg.Tensor) => apply1(op, [x.exp()], {}), [tg.randn([2])]))
      .toThrow(/op 'testOnlyDouble' has no ONNX mapping \(a test op\); node: %\d+: float32\[2\] = testOnlyDouble\(%\d+\)/);
    const p = tg.zeros([2]);
    expect(() => tg.onnx.export((x: tg.Tensor) => tg.assign(p, x), [tg.randn([2])])).toThrow(/op 'assign' has no ONNX mapping \(state updates/);
  });

  it('exportGraph takes a jit graph; executor-only fused graphs are refused with a hint', async () => {
    const w = tg.randn([3, 2]);
    const f = tg.jit((x: tg.Tensor) => x.matmul(w).relu());
    const x = tg.randn([4, 3]);
    expectClose((await runOrt(tg.onnx.exportGraph(f.graphFor(x), { inputNames: ['x'] }), { x }))[0], f(x), 1e-6);
    expect(() => tg.onnx.exportGraph(f.optimizedGraphFor(x))).toThrow(/op 'fused\.linear' has no ONNX mapping \(a jit executor op: export graphFor/);
  });

  it('a reshape that cannot keep a dynamic axis is an error naming the node, not a wrong model', () => {
    const f = (x: tg.Tensor) => x.reshape([3, 4]).relu();
    expect(() => tg.onnx.export(f, [tg.randn([4, 3])], { inputNames: ['x'], dynamicAxes: { x: [0] } }))
      .toThrow(/reshape \[4, 3\] -> \[3, 4\] splits its dynamic dim across several outputs, so its dynamic axis cannot stay dynamic \(dim 'x_dim0'\); node: %\d+/);
    expect(() => tg.onnx.export(f, [tg.randn([4, 3])], { inputNames: ['x'] })).not.toThrow();
  });

  it('rejects bad options', () => {
    const f = (x: tg.Tensor) => x.relu();
    expect(() => tg.onnx.export(f, [tg.randn([2])], { opset: 9 })).toThrow(/opset 9 is not supported/);
    expect(() => tg.onnx.export(f, [tg.randn([2])], { inputNames: ['x'], dynamicAxes: { y: [0] } })).toThrow(/dynamicAxes names 'y', which is not an input or output/);
    expect(() => tg.onnx.export(f, [tg.randn([2])], { inputNames: ['x'], dynamicAxes: { x: [3] } })).toThrow(/dim 3, but it has shape \[2\]/);
  });

  it('opset 18 writes reduction axes as inputs', async () => {
    const f = (x: tg.Tensor) => [tg.mean(x, 1), tg.amax(x, 0), ...tg.minWithIndices(x, 1)];
    const x = tg.randn([3, 4]);
    const got = await runOrt(tg.onnx.export(f, [x], { inputNames: ['x'], opset: 18 }), { x });
    expectClose(got[0], tg.mean(x, 1), 1e-6);
    expectClose(got[1], tg.amax(x, 0), 0);
    const [v, i] = tg.minWithIndices(x, 1);
    expectClose(got[2], v, 0);
    expectClose(got[3], i, 0);
  });
});

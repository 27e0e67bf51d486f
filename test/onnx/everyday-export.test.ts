import { describe, expect, it } from 'vitest';
import * as tg from '../../training/index.js';
import { expectClose } from '../jit/helpers.js';
import { runOrt } from './ort.js';

/*
 * The everyday ops (casts, triu/tril, bmm, einsum, group/instance norm, the
 * five activations, klDiv, cosineSimilarity) exported with tg.onnx.export and
 * run in onnxruntime-node, on inputs other than the traced ones.
 */

type Fn = (x: tg.Tensor) => tg.Tensor | tg.Tensor[];

async function check(name: string, fn: Fn, make: () => tg.Tensor, tol = 2e-5, opset?: number): Promise<void> {
  const bytes = tg.onnx.export(fn, [make()], { inputNames: ['x'], ...(opset ? { opset } : {}) });
  for (let k = 0; k < 2; k++) {
    const x = make();
    const got = await runOrt(bytes, { x });
    const want = [fn(x)].flat();
    expect(got.length, name).toBe(want.length);
    got.forEach((t, i) => {
      try { expectClose(t, want[i], tol); } catch (e) { throw new Error(`case '${name}', output ${i}: ${(e as Error).message}`); }
    });
  }
}

describe('everyday ops exported to ONNX, checked in onnxruntime-node', () => {
  it('casts (Cast): float -> int32 truncates, -> bool is x != 0, int/bool -> float', async () => {
    tg.manualSeed(1);
    const make = () => tg.randn([3, 4]).mul(4);
    await check('casts', (x) => [x.int(), x.gt(0).int(), x.bool(), x.int().float().mul(x), x.gt(0).float(), x.int().bool().int()], make);
  });

  it('triu/tril (Trilu) on float32, int32 and bool, batched, with offsets', async () => {
    tg.manualSeed(2);
    await check('trilu', (x) => [x.triu(), x.triu(1), x.tril(-1), x.tril(2), x.int().triu(-1), x.gt(0).tril(), x.gt(0).int().tril(1)], () => tg.randn([2, 3, 4]).mul(3));
  });

  it('bmm and einsum (MatMul, Transpose, ReduceSum, Where for diagonals)', async () => {
    tg.manualSeed(3);
    const w = tg.randn([5, 4]), v = tg.randn([3, 5, 2]);
    await check('einsum', (x) => [
      tg.bmm(x, v), tg.einsum('bij,jk->bik', x, w), tg.einsum('bij->j', x), tg.einsum('bij,bij->b', x, x),
      tg.einsum('bii->bi', x.narrow(2, 0, 4).narrow(1, 0, 4)), tg.einsum('...j,jk', x, w), tg.einsum('bij,bkj->bik', x, x),
    ], () => tg.randn([3, 4, 5]));
  });

  it('groupNorm, instanceNorm (LayerNormalization) and the modules in eval mode', async () => {
    tg.manualSeed(4);
    const w = tg.randn([6]), b = tg.randn([6]);
    const gn = new tg.nn.GroupNorm(3, 6), inorm = new tg.nn.InstanceNorm2d(6, { affine: true, trackRunningStats: true });
    for (let i = 0; i < 2; i++) inorm.forward(tg.randn([4, 6, 5, 5])); // move the running statistics
    gn.eval(); inorm.eval();
    await check('norms', (x) => [tg.groupNorm(x, 2, w, b), tg.groupNorm(x, 6), tg.instanceNorm(x), tg.instanceNorm(x, null, null, w, b), gn.forward(x), inorm.forward(x)],
      () => tg.randn([2, 6, 5, 5]).mul(2).add(1), 1e-4);
  });

  it('mish, logsigmoid, softsign, selu, celu (Softplus, Softsign, Selu, Celu)', async () => {
    tg.manualSeed(5);
    const edges = tg.tensor([-200, -30, -5, -1e-3, 0, 1e-3, 5, 30, 200]);
    const make = () => tg.cat([tg.randn([3, 9]).mul(4), edges.reshape([1, 9])], 0);
    const fn: Fn = (x) => [tg.mish(x), tg.logsigmoid(x), tg.softsign(x), tg.selu(x), tg.celu(x), tg.celu(x, 0.5)];
    await check('activations', fn, make, 1e-5);
    await check('activations opset 18', fn, make, 1e-5, 18);
  });

  it('klDiv and cosineSimilarity', async () => {
    tg.manualSeed(6);
    const t = tg.randn([4, 5]).softmax(1), y = tg.randn([4, 5]);
    const F = tg.nn.functional;
    await check('similarity', (x) => [
      F.klDiv(x.logSoftmax(1), t), F.klDiv(x.logSoftmax(1), t, { reduction: 'batchmean' }), F.klDiv(x.logSoftmax(1), t.log(), { reduction: 'none', logTarget: true }),
      tg.cosineSimilarity(x, y), tg.cosineSimilarity(x, y.narrow(0, 0, 1), 1), tg.cosineSimilarity(x.mul(0), y),
    ], () => tg.randn([4, 5]));
  });

  it('a dynamic batch axis: each model runs at the example batch and two others', async () => {
    tg.manualSeed(7);
    const F = tg.nn.functional;
    const cases: [string, Fn, number[]][] = [
      ['groupNorm', (x) => tg.groupNorm(x, 2), [2, 4, 3, 3]],
      ['instanceNorm', (x) => new tg.nn.InstanceNorm2d(4).forward(x), [2, 4, 3, 3]],
      ['einsum', (x) => [tg.einsum('bij,bkj->bik', x, x), tg.einsum('bij,jk->bik', x, tg.ones([4, 2])), tg.bmm(x, x.transpose(1, 2))], [2, 3, 4]],
      ['triu/casts/activations', (x) => [x.triu(1), x.int().tril(), tg.mish(x), tg.celu(x, 0.5)], [2, 5, 5]],
      ['similarity', (x) => [tg.cosineSimilarity(x, x.mul(-1).add(1)), F.klDiv(x.logSoftmax(1), x.flip(1).softmax(1), { reduction: 'batchmean' }),
        F.klDiv(x.logSoftmax(1), x.mul(2).logSoftmax(1), { reduction: 'batchmean', logTarget: true })], [2, 5]],
    ];
    for (const [name, fn, shape] of cases) {
      const bytes = tg.onnx.export(fn, [tg.randn(shape)], { inputNames: ['x'], dynamicAxes: { x: [0] } });
      for (const b of [2, 1, 5]) {
        const x = tg.randn([b, ...shape.slice(1)]);
        const got = await runOrt(bytes, { x });
        [fn(x)].flat().forEach((want, i) => {
          try { expectClose(got[i], want, 1e-4); } catch (e) { throw new Error(`case '${name}' batch ${b}, output ${i}: ${(e as Error).message}`); }
        });
      }
    }
  });
});

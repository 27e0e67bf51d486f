import { describe, expect, it } from 'vitest';
import * as tg from '../../training/index.js';
import { expectClose } from '../helpers/torch-ref.js';

type T = tg.Tensor;

/** Every nn op in one step: forward, loss, gradients of the weights; running stats updated in place. */
function makeStep(rm: T, rv: T, ws: T[]) {
  const [w1, b1, g, b, w2, wt, lw, lb, fc, fb] = ws;
  return (x: T): T[] => {
    let h = tg.conv2d(x, w1, b1, { padding: 'same' }).relu();
    h = tg.batchNorm(h, rm, rv, g, b, true, 0.2);
    h = tg.conv2d(h, w2, null, { groups: 2, stride: 2, padding: 1 });
    h = tg.convTranspose2d(h, wt, null, { stride: 2, outputPadding: 1 });
    h = tg.maxPool2d(h, 2, { ceilMode: true });
    h = tg.avgPool2d(h, 3, { stride: 1, padding: 1, countIncludePad: false });
    h = tg.dropout(tg.adaptiveAvgPool2d(h, [2, 3]), 0.25);
    h = tg.layerNorm(h.reshape([h.shape[0], 24]), 24, lw, lb);
    const y = tg.conv1d(tg.linear(h, fc, fb).reshape([h.shape[0], 1, 6]), tg.ones([2, 1, 3]), null, { padding: 1 });
    const loss = y.pow(2).sum();
    return [loss, ...tg.grad(loss, ws).map((t) => t!)];
  };
}

describe('nn ops under tg.jit', () => {
  it('a traced step with every nn op equals eager, outputs, gradients and running statistics, over three calls', () => {
    tg.manualSeed(2);
    const shapes = [[4, 1, 3, 3], [4], [4], [4], [4, 2, 3, 3], [4, 4, 2, 2], [24], [24], [6, 24], [6]];
    const ws = shapes.map((s) => tg.randn(s).mul(0.5).requiresGrad_(true));
    const stats = () => [tg.zeros([4]), tg.ones([4])];
    const [rmE, rvE] = stats(), [rmJ, rvJ] = stats();
    const eager = makeStep(rmE, rvE, ws);
    const jitted = tg.jit(makeStep(rmJ, rvJ, ws));
    for (let i = 0; i < 3; i++) {
      const x = tg.randn([3, 1, 8, 8]);
      tg.manualSeed(100 + i);
      const e = eager(x);
      tg.manualSeed(100 + i);
      const j = jitted(x);
      e.forEach((t, k) => expectClose(j[k], { shape: [...t.shape], dtype: t.dtype, data: [...t.data()] }, `call ${i} output ${k}`, 1e-4, 1e-5));
      expect([...rmJ.data()]).toEqual([...rmE.data()]);
      expect([...rvJ.data()]).toEqual([...rvE.data()]);
    }
    expect(jitted.traceCount).toBe(1);
    const ops = new Set(jitted.graphFor(tg.randn([3, 1, 8, 8])).nodes.map((n) => n.op));
    for (const name of ['conv2d', 'convTranspose2d', 'conv2dBackwardWeight', 'batchNormTrain', 'batchNormBackward', 'maxPool2dBackward',
      'avgPool2dBackward', 'adaptiveAvgPool2dBackward', 'layerNormBackward', 'dropout', 'assign']) expect(ops, name).toContain(name);
  });
});

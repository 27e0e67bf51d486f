import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { UNIDIRECTIONAL_SEQUENCE_LSTM as LSTM } from '../../../lite-runtime/ops/unidirectional_sequence_lstm.js';
import { KernelError } from '../../../lite-runtime/format/errors.js';
import type { RtTensor } from '../../../lite-runtime/ops/op.js';
import { constant, maxAbsDiff, node, out, runOp, tensor } from './helpers.js';

interface Case { batch: number; steps: number; nin: number; units: number; timeMajor: boolean; x: number[]; wi: number[][]; wh: number[][]; b: number[][]; y: number[] }

const cases = JSON.parse(readFileSync(new URL('../../fixtures/lite/ops/lstm.json', import.meta.url), 'utf8')) as Case[];

function lstmNode(c: Case, h: RtTensor, cs: RtTensor) {
  // torch gate order i, f, g(cell), o == TFLite's i, f, c, o
  const ins: Array<RtTensor | null> = new Array(24).fill(null);
  ins[0] = tensor('float32', c.timeMajor ? [c.steps, c.batch, c.nin] : [c.batch, c.steps, c.nin], c.x);
  for (let g = 0; g < 4; g++) {
    ins[1 + g] = constant('float32', [c.units, c.nin], c.wi[g]!);
    ins[5 + g] = constant('float32', [c.units, c.units], c.wh[g]!);
    ins[12 + g] = constant('float32', [c.units], c.b[g]!);
  }
  ins[18] = h; ins[19] = cs;
  return node(ins, [out('float32')], { 0: 4, 3: c.timeMajor });
}

describe('UNIDIRECTIONAL_SEQUENCE_LSTM', () => {
  it('float32 matches torch.nn.LSTM (batch-major and time-major fixtures)', () => {
    for (const c of cases) {
      const h = tensor('float32', [c.batch, c.units]), cs = tensor('float32', [c.batch, c.units]);
      const [y] = runOp(LSTM, lstmNode(c, h, cs));
      expect(y!.shape).toEqual(c.timeMajor ? [c.steps, c.batch, c.units] : [c.batch, c.steps, c.units]);
      expect(maxAbsDiff(y!.data as Float32Array, c.y)).toBeLessThan(1e-5);
    }
  });

  it('keeps its state tensors across runs (a second run continues the sequence)', () => {
    const c = cases[0]!;
    const h = tensor('float32', [c.batch, c.units]), cs = tensor('float32', [c.batch, c.units]);
    const n = lstmNode(c, h, cs);
    const [y1] = runOp(LSTM, n);
    const first = Array.from(y1!.data as Float32Array);
    LSTM.run(n, LSTM.prepare(n));
    expect(maxAbsDiff(n.outputs[0]!.data as Float32Array, first)).toBeGreaterThan(1e-4);
  });

  it('int8 weights (dynamic-range quantized) are widened with their scales', () => {
    const c = cases[0]!;
    const quantize = (v: number[]) => { const s = Math.max(...v.map(Math.abs)) / 127; return { q: v.map((x) => Math.round(x / s)), s }; };
    const hf = tensor('float32', [c.batch, c.units]), cf = tensor('float32', [c.batch, c.units]);
    const hq = tensor('float32', [c.batch, c.units]), cq = tensor('float32', [c.batch, c.units]);
    const nf = lstmNode(c, hf, cf), nq = lstmNode(c, hq, cq);
    for (const i of [1, 2, 3, 4, 5, 6, 7, 8]) {
      const t = nq.inputs[i]!, { q, s } = quantize(Array.from(t.data as Float32Array));
      (nq.inputs as Array<RtTensor | null>)[i] = constant('int8', t.shape, q, { quant: { scale: s } });
      (nf.inputs as Array<RtTensor | null>)[i] = constant('float32', t.shape, q.map((v) => v * Math.fround(s)));
    }
    const [yq] = runOp(LSTM, nq), [yf] = runOp(LSTM, nf);
    expect(maxAbsDiff(yq!.data as Float32Array, yf!.data as Float32Array)).toBeLessThan(1e-6);
    expect(maxAbsDiff(yq!.data as Float32Array, c.y)).toBeLessThan(0.05);
  });

  it('rejects weights of the wrong shape', () => {
    const c = cases[0]!;
    const n = lstmNode(c, tensor('float32', [c.batch, c.units]), tensor('float32', [c.batch, c.units]));
    (n.inputs as Array<RtTensor | null>)[6] = constant('float32', [c.units, c.units + 1], new Array(c.units * (c.units + 1)).fill(0));
    expect(() => LSTM.prepare(n)).toThrow(KernelError);
  });
});

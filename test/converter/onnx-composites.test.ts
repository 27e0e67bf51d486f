/**
 * ONNX ops the converter imports as compositions of table ops (training/ops/convert/composite-import.ts,
 * the pool and batch-norm rules of convert/nn.ts): one-node models run in onnxruntime-node and, converted,
 * in the lite runtime. Needs no ../shared (the ONNX conformance suite covers the same ops where it exists).
 */
import { describe, expect, it } from 'vitest';
import { convert } from '../../converter/index.js';
import { onnxTypes } from '../../training/onnx/proto.js';
import { ortRun, randomData, runLite } from './helpers.js';

type Attr = number | string | readonly number[] | { floats: readonly number[] };
type Init = { dims: number[]; int?: readonly number[]; float?: readonly number[] };

/** x (float, `shape`) -> op(x, ...initializers) -> outputs, at `opset`. */
function model(op: string, shape: number[], inits: (Init | null)[], attrs: Record<string, Attr>, outputs = 1, opset = 18): Uint8Array {
  const { ModelProto } = onnxTypes();
  const names = ['x', ...inits.map((t, i) => (t ? `c${i}` : ''))];
  const initializer = inits.flatMap((t, i) => {
    if (!t) return [];
    const raw = t.int ? new Uint8Array(BigInt64Array.from(t.int, (v) => BigInt(v)).buffer) : new Uint8Array(Float32Array.from(t.float!).buffer);
    return [{ name: `c${i}`, dims: t.dims, data_type: t.int ? 7 : 1, raw_data: raw }];
  });
  const attribute = Object.entries(attrs).map(([name, v]) => {
    if (typeof v === 'string') return { name, type: 3, s: new TextEncoder().encode(v) };
    if (typeof v === 'number') return Number.isInteger(v) ? { name, type: 2, i: v } : { name, type: 1, f: v };
    if ('floats' in v) return { name, type: 6, floats: [...v.floats] };
    return { name, type: 7, ints: [...v] };
  });
  const outs = Array.from({ length: outputs }, (_, i) => `y${i}`);
  return ModelProto.encode(ModelProto.fromObject({
    ir_version: 8, opset_import: [{ domain: '', version: opset }],
    graph: {
      name: 'g', node: [{ name: 'n', op_type: op, input: names, output: outs, attribute }], initializer,
      input: [{ name: 'x', type: { tensor_type: { elem_type: 1, shape: { dim: shape.map((d) => ({ dim_value: d })) } } } }],
      output: outs.map((name) => ({ name, type: { tensor_type: { elem_type: 1 } } })),
    },
  })).finish();
}

async function check(bytes: Uint8Array, shape: number[], scale = 3): Promise<Record<string, number>> {
  const n = shape.reduce((a, b) => a * b, 1);
  const x = randomData(n, 11).map((v) => v * scale);
  const want = await ortRun(bytes, { x: { data: x, shape } });
  const tfl = await convert(bytes);
  const got = await runLite(tfl, [x]);
  expect(got.length).toBe(want.length);
  want.forEach((w, k) => {
    expect(got[k].length).toBe(w.length);
    for (let i = 0; i < w.length; i++) expect(Math.abs(got[k][i] - w[i]), `output ${k}[${i}]: ${got[k][i]} vs ${w[i]}`).toBeLessThanOrEqual(1e-4 + 1e-3 * Math.abs(w[i]));
  });
  return tfl.report.opsAfter;
}

describe('ONNX composites: converted models equal onnxruntime', () => {
  const cases: [string, () => Uint8Array, number[], number?, number?][] = [
    ['Resize linear half_pixel (scales)', () => model('Resize', [1, 2, 3, 4], [null, { dims: [4], float: [1, 1, 2, 1.5] }], { mode: 'linear' }), [1, 2, 3, 4]],
    ['Resize cubic align_corners (sizes)', () => model('Resize', [1, 1, 6, 5], [null, null, { dims: [4], int: [1, 1, 4, 3] }], { mode: 'cubic', coordinate_transformation_mode: 'align_corners' }), [1, 1, 6, 5]],
    ['Resize cubic antialias downsample', () => model('Resize', [1, 1, 8, 8], [null, { dims: [4], float: [1, 1, 0.5, 0.75] }], { mode: 'cubic', antialias: 1 }), [1, 1, 8, 8]],
    ['Resize nearest asymmetric round_prefer_ceil', () => model('Resize', [1, 1, 3, 3], [null, { dims: [4], float: [1, 1, 2.5, 1.5] }], { mode: 'nearest', coordinate_transformation_mode: 'asymmetric', nearest_mode: 'round_prefer_ceil' }), [1, 1, 3, 3]],
    ['Hardmax', () => model('Hardmax', [3, 5], [], { axis: 1 }), [3, 5]],
    ['GatherElements (constant indices)', () => model('GatherElements', [3, 4], [{ dims: [3, 2], int: [0, 3, -1, 2, 1, 1] }], { axis: 1 }), [3, 4]],
    ['ScatterND add with repeated indices', () => model('ScatterND', [4, 3], [{ dims: [3, 1], int: [1, 3, 1] }, { dims: [3, 3], float: [1, 2, 3, 4, 5, 6, 7, 8, 9] }], { reduction: 'add' }), [4, 3]],
    ['ScatterElements max', () => model('ScatterElements', [2, 4], [{ dims: [2, 2], int: [0, 0, 3, 3] }, { dims: [2, 2], float: [5, -5, 0.5, 9] }], { axis: 1, reduction: 'max' }), [2, 4]],
    ['LRN', () => model('LRN', [1, 5, 3, 3], [], { size: 3, alpha: 0.01, beta: 0.75, bias: 2.5 }), [1, 5, 3, 3]],
    ['InstanceNormalization', () => model('InstanceNormalization', [2, 3, 4, 4], [{ dims: [3], float: [1, 2, 0.5] }, { dims: [3], float: [0, 1, -1] }], { epsilon: 1e-3 }), [2, 3, 4, 4]],
    ['GroupNormalization (opset 21, per channel)', () => model('GroupNormalization', [2, 4, 3, 3], [{ dims: [4], float: [1, 2, 0.5, 3] }, { dims: [4], float: [0, 1, -1, 2] }], { num_groups: 2 }, 1, 21), [2, 4, 3, 3]],
    ['SoftmaxCrossEntropyLoss mean, ignore_index', () => model('SoftmaxCrossEntropyLoss', [3, 4, 2], [{ dims: [3, 2], int: [0, 3, 1, -1, 2, 2] }], { ignore_index: -1 }, 2), [3, 4, 2]],
    ['NegativeLogLikelihoodLoss sum with weights', () => model('NegativeLogLikelihoodLoss', [2, 3], [{ dims: [2], int: [2, 0] }, { dims: [3], float: [0.2, 1, 3] }], { reduction: 'sum' }), [2, 3]],
    ['LpPool p=3', () => model('LpPool', [1, 2, 5, 5], [], { kernel_shape: [3, 3], p: 3, pads: [1, 1, 1, 1] }), [1, 2, 5, 5]],
    ['AveragePool SAME_UPPER, padding not counted', () => model('AveragePool', [1, 2, 5, 5], [], { kernel_shape: [2, 3], auto_pad: 'SAME_UPPER', strides: [2, 2] }), [1, 2, 5, 5]],
    ['MaxPool 1-D with pads over half the window', () => model('MaxPool', [1, 3, 7], [], { kernel_shape: [2], pads: [1, 1] }), [1, 3, 7]],
    ['ReduceLogSumExp', () => model('ReduceLogSumExp', [2, 3, 4], [{ dims: [1], int: [1] }], { keepdims: 0 }), [2, 3, 4], 30],
    ['Atan', () => model('Atan', [4, 8], [], {}), [4, 8], 6],
    ['Asin', () => model('Asin', [4, 8], [], {}), [4, 8], 0.99],
    ['Sinh', () => model('Sinh', [4, 8], [], {}), [4, 8]],
    ['Erf', () => model('Erf', [4, 8], [], {}), [4, 8]],
    ['Softplus', () => model('Softplus', [4, 8], [], {}), [4, 8], 30],
    ['Selu (other constants)', () => model('Selu', [4, 8], [], { alpha: 2.5, gamma: 1.5 }), [4, 8]],
    ['Tile', () => model('Tile', [2, 3], [{ dims: [2], int: [2, 3] }], {}), [2, 3]],
    ['DepthToSpace CRD', () => model('DepthToSpace', [1, 8, 2, 3], [], { blocksize: 2, mode: 'CRD' }), [1, 8, 2, 3]],
    ['Round (half to even)', () => model('Round', [4, 8], [], {}), [4, 8], 4],
    ['DFT of a real signal, onesided', () => model('DFT', [2, 8, 1], [], { axis: 1, onesided: 1 }), [2, 8, 1]],
    ['DFT inverse of a complex signal', () => model('DFT', [2, 6, 2], [], { axis: 1, inverse: 1 }), [2, 6, 2]],
    ['ConvTranspose with asymmetric pads and output padding (cropped and extended)', () => model('ConvTranspose', [1, 2, 4, 3], [{ dims: [2, 3, 3, 3], float: Array.from({ length: 54 }, (_, i) => ((i * 7) % 11) / 10 - 0.5) }, { dims: [3], float: [0.5, -1, 2] }], { strides: [2, 2], pads: [1, 0, 0, 2], output_padding: [1, 1] }), [1, 2, 4, 3]],
    ['ConvTranspose 1-D, 2 groups, with pads', () => model('ConvTranspose', [1, 4, 5], [{ dims: [4, 3, 3], float: Array.from({ length: 36 }, (_, i) => ((i * 5) % 13) / 10 - 0.6) }], { group: 2, strides: [2], pads: [1, 2] }), [1, 4, 5]],
    ['AveragePool dilated, ceil_mode, padding counted', () => model('AveragePool', [1, 2, 7, 6], [], { kernel_shape: [2, 3], dilations: [2, 2], strides: [2, 2], pads: [1, 1, 1, 1], ceil_mode: 1, count_include_pad: 1 }, 1, 19), [1, 2, 7, 6]],
    ['AveragePool dilated, ceil_mode, padding not counted', () => model('AveragePool', [1, 2, 7, 6], [], { kernel_shape: [2, 3], dilations: [2, 2], strides: [2, 2], pads: [1, 1, 1, 1], ceil_mode: 1 }, 1, 19), [1, 2, 7, 6]],
    ['MaxPool dilated with pads', () => model('MaxPool', [1, 2, 7, 6], [], { kernel_shape: [3, 2], dilations: [2, 3], pads: [2, 1, 2, 1] }), [1, 2, 7, 6]],
    ['ConvTranspose dilated, strided, with pads', () => model('ConvTranspose', [1, 2, 4, 3], [{ dims: [2, 2, 3, 2], float: Array.from({ length: 24 }, (_, i) => ((i * 7) % 11) / 10 - 0.5) }], { strides: [2, 1], dilations: [2, 3], pads: [1, 1, 2, 0] }), [1, 2, 4, 3]],
    ['Mean of x and a constant', () => model('Mean', [2, 3], [{ dims: [3], float: [1, -2, 3] }], {}), [2, 3]],
  ];
  for (const [name, make, shape, scale] of cases) it(name, async () => { await check(make(), shape, scale); });

  it('Round ties go to even', async () => {
    const bytes = model('Round', [6], [], {});
    const got = await runLite(await convert(bytes), [Float32Array.of(0.5, 1.5, 2.5, -0.5, -1.5, 2.4)]);
    expect(Array.from(got[0])).toEqual([0, 2, 2, -0, -2, 2]);
  });
});

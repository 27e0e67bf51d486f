/** Each converter pass on a small printed graph, before and after. */
import { describe, expect, it } from 'vitest';
import '../../training/ops/index.js';
import { Graph, type Value } from '../../training/graph/ir.js';
import { getOp } from '../../training/ops/registry.js';
import { assignLayouts, foldBatchNorm, foldPad, formatLayouts, freeze, fuseBiasActivation, fuseGelu, inferShapes, removeNoops } from '../../converter/passes/index.js';

/** Adds a node of the table with inferred outputs. */
function op(g: Graph, name: string, inputs: Value[], attrs: Record<string, unknown> = {}): Value {
  const metas = getOp(name)!.infer(inputs.map((v) => ({ shape: v.shape, dtype: v.dtype })), attrs as never);
  return g.addNode(name, inputs, attrs as never, metas)[0];
}
const f32 = (g: Graph, shape: number[], fill: (i: number) => number) => g.addConstant(shape, 'float32', Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, (_, i) => fill(i)));
/** Node lines only (ids vary between runs): `op(inputs by position)`. */
const ops = (g: Graph) => g.nodes.map((n) => `${n.op}${n.attrs.fusedActivation ? `+${n.attrs.fusedActivation}` : ''}(${n.inputs.length})`).join(' ');
const conv = { stride: [1, 1], padding: [0, 0, 0, 0], dilation: [1, 1], groups: 1 };

describe('converter passes', () => {
  it('freeze: variables become constants, dropout passes its input through', () => {
    const g = new Graph();
    const x = g.addInput([1, 4], 'float32', 'x');
    const data = Float32Array.from([1, 2, 3, 4, 5, 6, 7, 8]);
    const w = g.addVariable([2, 4], 'float32', 'w', { read: () => data, version: () => 0, write: () => {} });
    const d = op(g, 'dropout', [x], { p: 0.5 });
    g.outputs.push(op(g, 'matmul', [d, w], { transA: false, transB: true }));
    expect(g.toString()).toMatch(/var %w/);
    expect(ops(g)).toBe('dropout(1) matmul(2)');
    freeze(g);
    expect(g.toString()).toMatch(/const %w: float32\[2, 4\] = \[1, 2, 3, \.\.\. \(8\)\]/);
    expect(ops(g)).toBe('matmul(2)');
    expect(g.nodes[0].inputs[0]).toBe(x);
  });

  it('batch-norm folding into conv2d: conv2d(x, w) + batchNorm -> conv2d(x, w\', b\')', () => {
    const g = new Graph();
    const x = g.addInput([1, 2, 4, 4], 'float32', 'x');
    const w = f32(g, [3, 2, 1, 1], (i) => i + 1);
    const c = op(g, 'conv2d', [x, w], conv);
    const stat = (v: number) => f32(g, [3], () => v);
    g.outputs.push(op(g, 'batchNorm', [c, stat(0.5), stat(4), stat(2), stat(1)], { eps: 0 }));
    expect(ops(g)).toBe('conv2d(2) batchNorm(5)');
    expect(foldBatchNorm(g)).toBe(1);
    expect(ops(g)).toBe('conv2d(3)');
    const consts = new Map(g.constants.map((k) => [k.value, k.data]));
    // scale = 2 / sqrt(4) = 1: w unchanged; b = (0 - 0.5) * 1 + 1 = 0.5
    expect(Array.from(consts.get(g.nodes[0].inputs[1])!)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(Array.from(consts.get(g.nodes[0].inputs[2])!)).toEqual([0.5, 0.5, 0.5]);
    expect(inferShapes(g)).toBe(1);
  });

  it('pad folding: conv2d(pad(x)) -> conv2d(x) with the pads as its padding', () => {
    const g = new Graph();
    const x = g.addInput([1, 1, 4, 4], 'float32', 'x');
    const p = op(g, 'pad', [x], { pads: [0, 0, 1, 2, 0, 0, 1, 2], mode: 'constant', value: 0 });
    g.outputs.push(op(g, 'conv2d', [p, f32(g, [1, 1, 3, 3], () => 1)], conv));
    expect(ops(g)).toBe('pad(1) conv2d(2)');
    expect(foldPad(g)).toBe(1);
    expect(g.toString()).toMatch(/conv2d\(%x, %\d+\) \{stride=\[1, 1\], padding=\[1, 2, 1, 2\]/);
  });

  it('no-op removal: same-shape reshape and size-1 permutes vanish', () => {
    const g = new Graph();
    const x = g.addInput([2, 1, 3], 'float32', 'x');
    const r = op(g, 'reshape', [x], { shape: [2, 1, 3] });
    const p = op(g, 'permute', [r], { perm: [1, 0, 2] }); // [1, 2, 3]: same memory order
    const q = op(g, 'permute', [p], { perm: [0, 2, 1] }); // a real transpose
    g.outputs.push(q);
    expect(ops(g)).toBe('reshape(1) permute(1) permute(1)');
    expect(removeNoops(g)).toBe(1);
    expect(ops(g)).toBe('permute(1) permute(1)');
  });

  it('bias and activation fusion: matmul + bias add + relu6 -> matmul(x, w, b) {RELU6}', () => {
    const g = new Graph();
    const x = g.addInput([1, 4], 'float32', 'x');
    const m = op(g, 'matmul', [x, f32(g, [3, 4], () => 1)], { transA: false, transB: true });
    const a = op(g, 'add', [m, f32(g, [3], (i) => i)]);
    g.outputs.push(op(g, 'clamp', [a], { min: 0, max: 6 }));
    expect(ops(g)).toBe('matmul(2) add(2) clamp(1)');
    expect(fuseBiasActivation(g)).toBe(2);
    expect(ops(g)).toBe('matmul+RELU6(3)');
  });

  it('GELU fusion: x * 0.5 * (1 + erf(x / sqrt 2)) -> gelu(x)', () => {
    const g = new Graph();
    const x = g.addInput([2, 3], 'float32', 'x');
    const s = (v: number) => g.addConstant([], 'float32', Float32Array.of(v));
    const e = op(g, 'erf', [op(g, 'div', [x, s(Math.SQRT2)])]);
    const y = op(g, 'mul', [op(g, 'mul', [x, op(g, 'add', [e, s(1)])]), s(0.5)]);
    g.outputs.push(y);
    expect(ops(g)).toBe('div(2) erf(1) add(2) mul(2) mul(2)');
    expect(fuseGelu(g)).toBe(1);
    expect(ops(g)).toBe('gelu(1)');
    expect(g.outputs[0]).toBe(y);
  });

  it('layout: conv -> relu -> add -> pool stay NHWC; reshape and the output are logical', () => {
    const g = new Graph();
    const x = g.addInput([1, 2, 4, 4], 'float32', 'x');
    const c = op(g, 'conv2d', [x, f32(g, [2, 2, 1, 1], () => 1)], conv);
    const r = op(g, 'relu', [c]);
    const a = op(g, 'add', [r, c]);
    const p = op(g, 'maxPool2d', [a], { kernel: [2, 2], stride: [2, 2], padding: [0, 0], dilation: [1, 1], ceilMode: false });
    g.outputs.push(op(g, 'reshape', [p], { shape: [1, 8] }));
    const text = formatLayouts(g, assignLayouts(g));
    expect(text).toBe([
      'graph(%x)',
      `  %${c.id}: [1, 2, 4, 4] @NHWC = conv2d(%x, %${g.nodes[0].inputs[1].id})`,
      `  %${r.id}: [1, 2, 4, 4] @NHWC = relu(%${c.id})`,
      `  %${a.id}: [1, 2, 4, 4] @NHWC = add(%${r.id}, %${c.id})`,
      `  %${p.id}: [1, 2, 2, 2] @NHWC = maxPool2d(%${a.id})`,
      `  %${g.outputs[0].id}: [1, 8] = reshape(%${p.id})`,
      `  return %${g.outputs[0].id}`,
    ].join('\n'));
    expect(formatLayouts(g, assignLayouts(g, { nhwcIO: true }))).toMatch(/^graph\(%x @NHWC\)/);
  });
});

import type { Node } from '../graph/ir.js';
import { OnnxExportError, type AttrSpec, type OpExporter } from './context.js';

const ints = (n: Node, key: string): readonly number[] => n.attrs[key] as readonly number[];

function convAttrs(n: Node): Record<string, AttrSpec> {
  const w = n.inputs[1].shape;
  return {
    kernel_shape: { ints: [w[2], w[3]] }, strides: { ints: ints(n, 'stride') }, pads: { ints: ints(n, 'padding') },
    dilations: { ints: ints(n, 'dilation') }, group: { i: n.attrs.groups as number },
  };
}

function poolAttrs(n: Node): Record<string, AttrSpec> {
  const [ph, pw] = ints(n, 'padding');
  return {
    kernel_shape: { ints: ints(n, 'kernel') }, strides: { ints: ints(n, 'stride') }, pads: { ints: [ph, pw, ph, pw] },
    ceil_mode: { i: n.attrs.ceilMode ? 1 : 0 },
  };
}

const unsupported = (n: Node, why: string) => new OnnxExportError(`${n.op}: ${why} has no ONNX opset 17 mapping`);

export const NN_OPS: Record<string, OpExporter> = {
  conv2d: (e, n, ins, outs) => { e.node('Conv', ins, outs, convAttrs(n)); },
  convTranspose2d: (e, n, ins, outs) => {
    e.node('ConvTranspose', ins, outs, { ...convAttrs(n), output_padding: { ints: ints(n, 'outputPadding') } });
  },
  maxPool2d: (e, n, ins, outs) => { e.node('MaxPool', ins, outs, { ...poolAttrs(n), dilations: { ints: ints(n, 'dilation') } }); },
  avgPool2d: (e, n, ins, outs) => {
    if (n.attrs.divisorOverride) throw unsupported(n, 'divisorOverride');
    if (ints(n, 'dilation').some((d) => d !== 1)) throw unsupported(n, 'dilation');
    e.node('AveragePool', ins, outs, { ...poolAttrs(n), count_include_pad: { i: n.attrs.countIncludePad ? 1 : 0 } });
  },
  adaptiveAvgPool2d: (e, n, ins, outs) => {
    const [h, w] = n.inputs[0].shape.slice(2);
    const [oh, ow] = ints(n, 'outputSize');
    if (oh === 1 && ow === 1) { e.node('GlobalAveragePool', ins, outs); return; }
    if (h % oh || w % ow) throw unsupported(n, `an output size ${oh}x${ow} that does not divide the input ${h}x${w}`);
    const k = [h / oh, w / ow];
    e.node('AveragePool', ins, outs, { kernel_shape: { ints: k }, strides: { ints: k } });
  },
  batchNorm: (e, n, ins, outs) => {
    const [x, mean, variance, weight, bias] = ins;
    e.node('BatchNormalization', [x, weight, bias, mean, variance], outs, { epsilon: { f: n.attrs.eps as number } });
  },
  layerNorm: (e, n, ins, outs) => {
    e.node('LayerNormalization', ins, outs, { axis: { i: n.attrs.axis as number }, epsilon: { f: n.attrs.eps as number } });
  },
  dropout: (e, n, ins, outs) => {
    e.node('Dropout', [ins[0], e.constant('float32', [n.attrs.p as number]), e.constant('bool', [1])], outs);
  },
  print: (e, _n, ins, outs) => { e.node('Identity', [ins[0]], outs); },
};

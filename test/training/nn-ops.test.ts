import { afterAll, beforeAll, describe } from 'vitest';
import { kernelBackend, setKernelBackend } from '../../lite-runtime/kernels/index.js';
import * as tg from '../../training/index.js';
import { runTorchCases } from '../helpers/torch-ref.js';

type T = tg.Tensor;

/** Batch norm in training mode returning [y, runningMean, runningVar] after the in-place update (like the fixture). */
function bnTrain(momentum = 0.1) {
  return (x: T, rm: T, rv: T, w?: T, b?: T): T[] => {
    const m = rm.detach().clone(), v = rv.detach().clone();
    const y = tg.batchNorm(x, m, v, w ?? null, b ?? null, true, momentum);
    return [y, m, v];
  };
}

const table: Parameters<typeof runTorchCases>[1] = {
  linear: (x, w, b) => tg.linear(x, w, b ?? null),
  conv2d: (x, w, b) => tg.conv2d(x, w, b ?? null),
  'conv2d/stride2-pad1': (x, w, b) => tg.conv2d(x, w, b, { stride: 2, padding: 1 }),
  'conv2d/same': (x, w) => tg.conv2d(x, w, null, { padding: 'same' }),
  'conv2d/same-even': (x, w) => tg.conv2d(x, w, null, { padding: 'same' }),
  'conv2d/valid': (x, w) => tg.conv2d(x, w, null, { padding: 'valid' }),
  'conv2d/dilation2': (x, w, b) => tg.conv2d(x, w, b, { padding: 2, dilation: 2 }),
  'conv2d/groups2': (x, w, b) => tg.conv2d(x, w, b, { padding: 1, groups: 2 }),
  'conv2d/depthwise': (x, w, b) => tg.conv2d(x, w, b, { stride: 2, padding: 1, groups: 3 }),
  'conv2d/depthwise-mult2': (x, w) => tg.conv2d(x, w, null, { padding: [1, 0], dilation: [1, 2], groups: 2 }),
  'conv2d/1x1-stride2': (x, w) => tg.conv2d(x, w, null, { stride: 2 }),
  'conv2d/rect-stride': (x, w) => tg.conv2d(x, w, null, { stride: [2, 1], padding: [0, 2] }),
  'conv2d/1x1-single-groups2': (x, w) => tg.conv2d(x, w, null, { groups: 2 }),
  'conv2d/unbatched': (x, w) => tg.conv2d(x, w, null, { padding: 1 }),
  conv1d: (x, w, b) => tg.conv1d(x, w, b ?? null),
  'conv1d/stride2-pad1': (x, w) => tg.conv1d(x, w, null, { stride: 2, padding: 1 }),
  'conv1d/same-dil2': (x, w) => tg.conv1d(x, w, null, { padding: 'same', dilation: 2 }),
  'conv1d/groups2': (x, w, b) => tg.conv1d(x, w, b, { groups: 2 }),
  'conv1d/unbatched': (x, w) => tg.conv1d(x, w, null, { padding: 1 }),
  convTranspose2d: (x, w, b) => tg.convTranspose2d(x, w, b ?? null),
  'convTranspose2d/stride2-pad1-outpad1': (x, w, b) => tg.convTranspose2d(x, w, b, { stride: 2, padding: 1, outputPadding: 1 }),
  'convTranspose2d/groups2': (x, w) => tg.convTranspose2d(x, w, null, { stride: [2, 1], groups: 2 }),
  'convTranspose2d/dilation2': (x, w) => tg.convTranspose2d(x, w, null, { padding: 1, dilation: 2 }),
  'convTranspose2d/large-map': (x, w) => tg.convTranspose2d(x, w, null, { padding: 1 }),
  'convTranspose2d/depthwise': (x, w) => tg.convTranspose2d(x, w, null, { stride: 2, groups: 3 }),
  'convTranspose2d/outpad-below-dilation': (x, w, b) => tg.convTranspose2d(x, w, b, { padding: 1, dilation: 2, outputPadding: 1 }),
  'convTranspose2d/outpad-2-strides': (x, w) => tg.convTranspose2d(x, w, null, { stride: [2, 1], padding: [0, 2], dilation: [5, 3], outputPadding: [4, 2] }),
  maxPool2d: (x) => tg.maxPool2d(x, 2),
  'maxPool2d/k3-s2-p1': (x) => tg.maxPool2d(x, 3, { stride: 2, padding: 1 }),
  'maxPool2d/ceil': (x) => tg.maxPool2d(x, 2, { ceilMode: true }),
  'maxPool2d/ceil-s2-p1': (x) => tg.maxPool2d(x, 3, { stride: 2, padding: 1, ceilMode: true }),
  'maxPool2d/dilation2': (x) => tg.maxPool2d(x, 2, { stride: 1, dilation: 2 }),
  'maxPool2d/ties': (x) => tg.maxPool2d(x, 2, { stride: 1 }),
  'maxPool2d/rect': (x) => tg.maxPool2d(x, [2, 3], { stride: [1, 2] }),
  avgPool2d: (x) => tg.avgPool2d(x, 2),
  'avgPool2d/k3-s2-p1': (x) => tg.avgPool2d(x, 3, { stride: 2, padding: 1 }),
  'avgPool2d/k3-s2-p1-exclude': (x) => tg.avgPool2d(x, 3, { stride: 2, padding: 1, countIncludePad: false }),
  'avgPool2d/ceil': (x) => tg.avgPool2d(x, 2, { ceilMode: true }),
  'avgPool2d/ceil-p1-exclude': (x) => tg.avgPool2d(x, 3, { stride: 2, padding: 1, ceilMode: true, countIncludePad: false }),
  'avgPool2d/ceil-p1-include': (x) => tg.avgPool2d(x, 3, { stride: 2, padding: 1, ceilMode: true }),
  'avgPool2d/divisor': (x) => tg.avgPool2d(x, 2, { stride: 1, divisorOverride: 3 }),
  'adaptiveAvgPool2d/5x7-to-3x4': (x) => tg.adaptiveAvgPool2d(x, [3, 4]),
  'adaptiveAvgPool2d/global': (x) => tg.adaptiveAvgPool2d(x, 1),
  'adaptiveAvgPool2d/keep-w': (x) => tg.adaptiveAvgPool2d(x, [2, null]),
  'adaptiveAvgPool2d/upsample': (x) => tg.adaptiveAvgPool2d(x, [4, 5]),
  batchNorm: bnTrain(),
  'batchNorm/train-3d-noaffine': bnTrain(0.3),
  'batchNorm/eval-4d': (x, rm, rv, w, b) => tg.batchNorm(x, rm.detach(), rv.detach(), w, b, false),
  'layerNorm/last': (x, w, b) => tg.layerNorm(x, [5], w, b),
  'layerNorm/last2': (x, w, b) => tg.layerNorm(x, [3, 4], w, b, 1e-3),
  'layerNorm/noaffine': (x) => tg.layerNorm(x, 6),
};

describe('nn ops vs PyTorch', () => {
  runTorchCases('nn', table);
});

describe('nn ops vs PyTorch, plain TypeScript GEMM kernels', () => {
  let prev = kernelBackend();
  beforeAll(() => { prev = kernelBackend(); setKernelBackend('js'); });
  afterAll(() => { if (prev === 'wasm') setKernelBackend('wasm'); });
  runTorchCases('nn', table);
});

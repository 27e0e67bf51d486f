/**
 * tg.nn.functional: the stateless layer ops and the losses (PyTorch's torch.nn.functional).
 * @example
 * const F = tg.nn.functional;
 * const loss = F.crossEntropy(F.linear(F.relu(x), w, b), labels);
 */
export { relu, sigmoid, tanh } from '../ops/unary.js';
export { gelu, silu, elu, leakyRelu, softplus, hardswish, hardsigmoid } from '../ops/math/activation.js';
export { mish, logsigmoid, softsign, selu, celu } from '../ops/math/activation-more.js';
export { hardtanh, relu6 } from '../ops/math/clamp.js';
export { softmax, logSoftmax } from '../ops/math/softmax.js';
export { linear } from '../ops/nn/linear.js';
export { conv1d, conv2d, convTranspose2d } from '../ops/nn/conv.js';
export { maxPool2d, avgPool2d } from '../ops/nn/pool.js';
export { adaptiveAvgPool2d } from '../ops/nn/adaptive-pool.js';
export { batchNorm } from '../ops/nn/batch-norm.js';
export { layerNorm } from '../ops/nn/layer-norm.js';
export { groupNorm, instanceNorm } from '../ops/nn/group-norm.js';
export { cosineSimilarity } from '../ops/nn/similarity.js';
export { klDiv, type KLDivOptions, type KLDivReduction } from './similarity.js';
export { dropout } from '../ops/nn/dropout.js';
export { embedding } from '../ops/shape/embedding.js';
export { oneHot } from '../ops/shape/one-hot.js';
export { pad } from '../ops/shape/pad.js';
export {
  crossEntropy, nllLoss, mseLoss, l1Loss, huberLoss, smoothL1Loss, binaryCrossEntropy, binaryCrossEntropyWithLogits,
  type Reduction, type ClassLossOptions, type CrossEntropyOptions, type BCEOptions,
} from './loss.js';

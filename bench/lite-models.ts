/**
 * The two float32 networks of the lite benchmark, built deterministically (seeded
 * weights) both as .tflite (converter/tflite-writer, NHWC) and as ONNX (NCHW, the
 * same weights permuted), so that every runtime computes the same function:
 * - mlp: fully connected 784-512-512-10 (ReLU);
 * - convnet: 32x32x3 -> conv3x3 16 ReLU -> maxpool 2 -> conv3x3 32 ReLU -> maxpool 2 -> FC 10.
 *
 * ```ts
 * const { tflite, onnx } = mlpModel();
 * ```
 */
import { writeTflite, type TensorDesc, type OperatorDesc } from '../converter/tflite-writer/index.js';
import { onnxModel, type OnnxGraph } from './lite-onnx.js';

export interface BenchNet {
  name: string;
  tflite: Uint8Array;
  onnx: Uint8Array;
  /** Input shape of the .tflite (NHWC) and of the ONNX model (NCHW); same elements. */
  tfliteInput: number[];
  onnxInput: number[];
  /** Converts an NHWC input to the ONNX layout. */
  toOnnxInput(x: Float32Array): Float32Array;
}

function weights(seed: number, n: number, fanIn: number): Float32Array {
  let s = seed >>> 0;
  const a = new Float32Array(n);
  const scale = Math.sqrt(6 / fanIn);
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    a[i] = (s / 4294967296 - 0.5) * scale;
  }
  return a;
}

/** Fully connected 784-512-512-10 with ReLU. */
export function mlpModel(): BenchNet {
  const sizes = [784, 512, 512, 10];
  const tensors: TensorDesc[] = [{ name: 'x', shape: [1, 784], dtype: 'float32' }];
  const operators: OperatorDesc[] = [];
  const g: OnnxGraph = { nodes: [], inputs: [['x', [1, 784]]], outputs: [], initializers: [] };
  let prev = 'x';
  for (let l = 0; l < 3; l++) {
    const [i, o] = [sizes[l]!, sizes[l + 1]!];
    const w = weights(10 + l, o * i, i), b = weights(20 + l, o, i);
    const out = l === 2 ? 'y' : `h${l}`;
    tensors.push({ name: `w${l}`, shape: [o, i], dtype: 'float32', data: w }, { name: `b${l}`, shape: [o], dtype: 'float32', data: b },
      { name: out, shape: [1, o], dtype: 'float32' });
    operators.push({ op: 'FULLY_CONNECTED', inputs: [prev, `w${l}`, `b${l}`], outputs: [out], options: { fused_activation_function: l === 2 ? 'NONE' : 'RELU' } });
    g.initializers.push({ name: `w${l}`, dims: [o, i], data: w }, { name: `b${l}`, dims: [o], data: b });
    g.nodes.push({ op: 'Gemm', inputs: [prev, `w${l}`, `b${l}`], outputs: [l === 2 ? 'y' : `g${l}`], attrs: { transB: 1 } });
    if (l < 2) g.nodes.push({ op: 'Relu', inputs: [`g${l}`], outputs: [out] });
    prev = out;
  }
  g.outputs.push(['y', [1, 10]]);
  return {
    name: 'mlp 784-512-512-10 f32',
    tflite: writeTflite({ tensors, operators, inputs: ['x'], outputs: ['y'] }),
    onnx: onnxModel(g),
    tfliteInput: [1, 784], onnxInput: [1, 784], toOnnxInput: (x) => x,
  };
}

/** NHWC [H,W,C] index -> NCHW [C,H,W] permutation of a flat tensor. */
function nhwcToNchw(x: Float32Array, h: number, w: number, c: number): Float32Array {
  const y = new Float32Array(x.length);
  for (let i = 0; i < h; i++) for (let j = 0; j < w; j++) for (let k = 0; k < c; k++) y[k * h * w + i * w + j] = x[(i * w + j) * c + k]!;
  return y;
}

/** Small conv net on 32x32x3. */
export function convnetModel(): BenchNet {
  const tensors: TensorDesc[] = [{ name: 'x', shape: [1, 32, 32, 3], dtype: 'float32' }];
  const operators: OperatorDesc[] = [];
  const g: OnnxGraph = { nodes: [], inputs: [['x', [1, 3, 32, 32]]], outputs: [['y', [1, 10]]], initializers: [] };
  const convs = [[3, 16, 32], [16, 32, 16]] as const; // [cin, cout, input size]
  let prev = 'x', oprev = 'x';
  convs.forEach(([ci, co, hw], l) => {
    const wt = weights(30 + l, co * 9 * ci, 9 * ci), b = weights(40 + l, co, 9 * ci);
    // TFLite filter [O, kh, kw, I]; ONNX [O, I, kh, kw].
    const wo = new Float32Array(wt.length);
    for (let o = 0; o < co; o++) for (let y = 0; y < 3; y++) for (let x = 0; x < 3; x++) for (let i = 0; i < ci; i++) {
      wo[((o * ci + i) * 3 + y) * 3 + x] = wt[((o * 3 + y) * 3 + x) * ci + i]!;
    }
    tensors.push({ name: `cw${l}`, shape: [co, 3, 3, ci], dtype: 'float32', data: wt }, { name: `cb${l}`, shape: [co], dtype: 'float32', data: b },
      { name: `c${l}`, shape: [1, hw, hw, co], dtype: 'float32' }, { name: `p${l}`, shape: [1, hw / 2, hw / 2, co], dtype: 'float32' });
    operators.push(
      { op: 'CONV_2D', inputs: [prev, `cw${l}`, `cb${l}`], outputs: [`c${l}`], options: { padding: 'SAME', stride_w: 1, stride_h: 1, fused_activation_function: 'RELU' } },
      { op: 'MAX_POOL_2D', inputs: [`c${l}`], outputs: [`p${l}`], options: { padding: 'VALID', stride_w: 2, stride_h: 2, filter_width: 2, filter_height: 2 } },
    );
    g.initializers.push({ name: `cw${l}`, dims: [co, ci, 3, 3], data: wo }, { name: `cb${l}`, dims: [co], data: b });
    g.nodes.push(
      { op: 'Conv', inputs: [oprev, `cw${l}`, `cb${l}`], outputs: [`oc${l}`], attrs: { kernel_shape: [3, 3], pads: [1, 1, 1, 1], strides: [1, 1] } },
      { op: 'Relu', inputs: [`oc${l}`], outputs: [`or${l}`] },
      { op: 'MaxPool', inputs: [`or${l}`], outputs: [`op${l}`], attrs: { kernel_shape: [2, 2], strides: [2, 2] } },
    );
    prev = `p${l}`; oprev = `op${l}`;
  });
  const [h, c] = [8, 32], k = h * h * c;
  const fw = weights(50, 10 * k, k), fb = weights(51, 10, k);
  // TFLite flattens NHWC (h, w, c); ONNX flattens NCHW (c, h, w): permute each weight row.
  const fwo = new Float32Array(fw.length);
  for (let o = 0; o < 10; o++) fwo.set(nhwcToNchw(fw.subarray(o * k, (o + 1) * k), h, h, c), o * k);
  tensors.push({ name: 'shape', shape: [2], dtype: 'int32', data: [1, k] }, { name: 'flat', shape: [1, k], dtype: 'float32' },
    { name: 'fw', shape: [10, k], dtype: 'float32', data: fw }, { name: 'fb', shape: [10], dtype: 'float32', data: fb },
    { name: 'y', shape: [1, 10], dtype: 'float32' });
  operators.push(
    { op: 'RESHAPE', inputs: [prev, 'shape'], outputs: ['flat'], options: { new_shape: [1, k] } },
    { op: 'FULLY_CONNECTED', inputs: ['flat', 'fw', 'fb'], outputs: ['y'], options: { fused_activation_function: 'NONE' } },
  );
  g.initializers.push({ name: 'fw', dims: [10, k], data: fwo }, { name: 'fb', dims: [10], data: fb });
  g.nodes.push({ op: 'Flatten', inputs: [oprev], outputs: ['flat'], attrs: { axis: 1 } }, { op: 'Gemm', inputs: ['flat', 'fw', 'fb'], outputs: ['y'], attrs: { transB: 1 } });
  return {
    name: 'convnet 32x32x3 f32',
    tflite: writeTflite({ tensors, operators, inputs: ['x'], outputs: ['y'] }),
    onnx: onnxModel(g),
    tfliteInput: [1, 32, 32, 3], onnxInput: [1, 3, 32, 32],
    toOnnxInput: (x) => nhwcToNchw(x, 32, 32, 3),
  };
}

/**
 * PAD folded into the VALID CONV_2D / DEPTHWISE_CONV_2D it feeds (lite-runtime/fold-pad.ts):
 * the same outputs as running the PAD, for random asymmetric paddings, strides, dilations,
 * int8 and float32; not folded where the padded tensor is also read elsewhere, pads N or C,
 * the window is 1x1 or a pad exceeds what SAME could ask for.
 */
import { describe, expect, it } from 'vitest';
import { writeTflite } from '../../../converter/tflite-writer/index.js';
import type { ModelDesc, TensorDesc } from '../../../converter/tflite-writer/types.js';
import { foldPads } from '../../../lite-runtime/fold-pad.js';
import { loadModel, parseModel } from '../../../lite-runtime/index.js';
import { rng } from '../../../scripts/int8-sweep.js';

interface Spec { dw: boolean; int8: boolean; pads: number[]; stride: number; dil: number; k: number; h: number; w: number; c: number }

/** PAD -> conv; `keepPad`: the padded tensor is a model output too (so it cannot fold). */
function model(s: Spec, R: () => number, keepPad: boolean): { bytes: Uint8Array; x: Int8Array | Float32Array } {
  const [pt, pb, pl, pr] = s.pads as [number, number, number, number];
  const ph = s.h + pt + pb, pw = s.w + pl + pr, eff = (s.k - 1) * s.dil + 1;
  const oh = Math.floor((ph - eff) / s.stride) + 1, ow = Math.floor((pw - eff) / s.stride) + 1;
  const co = s.dw ? s.c : 5, xq = { scale: [0.05], zeroPoint: [-7] };
  const dtype = s.int8 ? 'int8' as const : 'float32' as const;
  const n = s.k * s.k * (s.dw ? s.c : s.c * co);
  const w = s.int8 ? Int8Array.from({ length: n }, () => Math.floor(R() * 255) - 127) : Float32Array.from({ length: n }, () => R() * 2 - 1);
  const q = (v: object) => (s.int8 ? { quant: v } : {}) as Partial<TensorDesc>;
  const tensors: TensorDesc[] = [
    { name: 'x', shape: [1, s.h, s.w, s.c], dtype, ...q(xq) },
    { name: 'pads', shape: [4, 2], dtype: 'int32', data: [0, 0, pt, pb, pl, pr, 0, 0] },
    { name: 'p', shape: [1, ph, pw, s.c], dtype, ...q(xq) },
    { name: 'w', shape: s.dw ? [1, s.k, s.k, s.c] : [co, s.k, s.k, s.c], dtype, data: w,
      ...q({ scale: Array(co).fill(0.02), zeroPoint: Array(co).fill(0), axis: s.dw ? 3 : 0 }) },
    { name: 'b', shape: [co], dtype: s.int8 ? 'int32' : 'float32', data: s.int8 ? new Int32Array(co).fill(40) : new Float32Array(co).fill(0.1),
      ...q({ scale: Array(co).fill(Math.fround(0.05 * 0.02)), zeroPoint: Array(co).fill(0), axis: 0 }) },
    { name: 'y', shape: [1, oh, ow, co], dtype, ...q({ scale: [0.1], zeroPoint: [3] }) },
  ];
  const opts = { padding: 'VALID', stride_w: s.stride, stride_h: s.stride, dilation_w_factor: s.dil, dilation_h_factor: s.dil, fused_activation_function: 'RELU6' } as const;
  const desc: ModelDesc = {
    tensors,
    operators: [
      { op: 'PAD', inputs: ['x', 'pads'], outputs: ['p'] },
      s.dw ? { op: 'DEPTHWISE_CONV_2D', inputs: ['p', 'w', 'b'], outputs: ['y'], options: { ...opts, depth_multiplier: 1 } }
        : { op: 'CONV_2D', inputs: ['p', 'w', 'b'], outputs: ['y'], options: opts },
    ],
    inputs: ['x'], outputs: keepPad ? ['y', 'p'] : ['y'],
  };
  const len = s.h * s.w * s.c;
  const x = s.int8 ? Int8Array.from({ length: len }, () => Math.floor(R() * 256) - 128) : Float32Array.from({ length: len }, () => R() * 2 - 1);
  return { bytes: writeTflite(desc), x };
}

describe('PAD folded into the convolution it feeds', () => {
  it('gives the outputs of the unfolded model (random paddings, strides, dilations, int8 and float32)', async () => {
    const R = rng(77);
    let folds = 0;
    for (let t = 0; t < 80; t++) {
      const k = [1, 3, 3, 5][Math.floor(R() * 4)]!, dil = R() < 0.2 ? 2 : 1, eff = (k - 1) * dil + 1;
      const s: Spec = {
        dw: R() < 0.5, int8: R() < 0.6, pads: Array.from({ length: 4 }, () => Math.floor(R() * 3)),
        stride: 1 + Math.floor(R() * 2), dil, k,
        h: eff + Math.floor(R() * 8), w: eff + Math.floor(R() * 8), c: [1, 3, 8, 16][Math.floor(R() * 4)]!,
      };
      const seed = Math.floor(R() * 1e9);
      const folded = model(s, rng(seed), false), plain = model(s, rng(seed), true);
      const canFold = s.k > 1 && s.pads.every((p) => p <= (s.k - 1) * s.dil);
      if (canFold) folds++;
      expect(foldPads(parseModel(folded.bytes)).subgraphs[0]!.operators.length, JSON.stringify(s)).toBe(canFold ? 1 : 2);
      expect(foldPads(parseModel(plain.bytes)).subgraphs[0]!.operators.length).toBe(2);
      const m1 = await loadModel(folded.bytes), m2 = await loadModel(plain.bytes);
      const y1 = m1.runSync([folded.x])[0]!, y2 = m2.runSync([plain.x])[0]!;
      expect(y1.shape, JSON.stringify(s)).toEqual(y2.shape);
      const a = Array.from(y1.data as ArrayLike<number>), b = Array.from(y2.data as ArrayLike<number>);
      // int8 equal; float32 up to rounding (a folded border pixel may take the per-pixel depthwise path instead of the row kernel)
      if (s.int8) expect(a, JSON.stringify(s)).toEqual(b);
      else a.forEach((v, i) => expect(Math.abs(v - b[i]!), JSON.stringify(s)).toBeLessThan(1e-6 * (1 + Math.abs(b[i]!))));
      m1.dispose(); m2.dispose();
    }
    expect(folds).toBeGreaterThan(30);
  });

  it('leaves a PAD of the batch or channel dims', () => {
    const R = rng(5);
    const s: Spec = { dw: false, int8: true, pads: [1, 1, 1, 1], stride: 1, dil: 1, k: 3, h: 6, w: 6, c: 3 };
    const { bytes } = model(s, R, false);
    const def = parseModel(bytes);
    const pads = def.subgraphs[0]!.tensors.find((t) => t.name === 'pads')!;
    (pads.data as Int32Array)[7] = 1; // pad C after: not a convolution's padding
    expect(foldPads(def).subgraphs[0]!.operators.length).toBe(2);
  });
});

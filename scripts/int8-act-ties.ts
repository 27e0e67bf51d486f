/**
 * Fused-activation bounds on rounding ties, int8, against LiteRT.js: output scales where
 * bound / scale = k + 0.5 (RELU6, RELU_N1_TO_1), for CONV_2D, DEPTHWISE_CONV_2D,
 * FULLY_CONNECTED, TRANSPOSE_CONV, MAX_POOL_2D, AVERAGE_POOL_2D (ADD/SUB/MUL: int8-sweep.ts).
 * XNNPACK rounds lrintf(bound / scale + zp) (ties to even after adding the zero point); TFLite's
 * own kernels (AVERAGE_POOL_2D here) zp + round-half-away(bound / scale).
 *
 *   npx tsx scripts/int8-act-ties.ts [--ref DIR] [--fixture]
 *
 * --fixture stores models, inputs and LiteRT.js's outputs in test/lite/int8/fixtures/act-ties.json.
 */
import fs from 'node:fs';
import path from 'node:path';
import { deflateRawSync } from 'node:zlib';
import { writeTflite } from '../converter/tflite-writer/index.js';
import type { ModelDesc, OperatorDesc, TensorDesc } from '../converter/tflite-writer/types.js';
import { loadModel } from '../lite-runtime/index.js';
import { diff, rng } from './int8-sweep.js';
import { argOf, openReference, ROOT, toB64 } from './tflite-ref.js';

const OPS = ['CONV_2D', 'DEPTHWISE_CONV_2D', 'FULLY_CONNECTED', 'TRANSPOSE_CONV', 'MAX_POOL_2D', 'AVERAGE_POOL_2D'] as const;
const f32 = Math.fround;

/** One single-op model whose output scale puts the activation's upper (RELU6) or both bounds on a tie. */
function tieCase(op: (typeof OPS)[number], act: 'RELU6' | 'RELU_N1_TO_1', k: number, zy: number, seed: number): { name: string; model: Uint8Array; x: Int8Array } {
  const R = rng(seed);
  const sy = f32((act === 'RELU6' ? 6 : 1) / (k + 0.5));
  const c = 4, hw = 12, n = hw * hw;
  const x = Int8Array.from({ length: n * c }, () => Math.floor(R() * 256) - 128);
  const yq = { scale: [sy], zeroPoint: [zy] };
  // weights large enough that the accumulators reach past both bounds
  const sx = 0.05, sw = op === 'DEPTHWISE_CONV_2D' ? 0.05 : 0.02;
  const w = (len: number): Int8Array => Int8Array.from({ length: len }, () => Math.floor(R() * 255) - 127);
  const chq = (s: number) => ({ scale: Array(c).fill(s), zeroPoint: Array(c).fill(0), axis: 0 });
  const bias: TensorDesc = { name: 'b', shape: [c], dtype: 'int32', data: new Int32Array(c), quant: chq(f32(sx * sw)) };
  const tensors: TensorDesc[] = [{ name: 'x', shape: [1, hw, hw, c], dtype: 'int8', quant: { scale: [sx], zeroPoint: [0] } }];
  let o: OperatorDesc;
  const conv = { padding: 'VALID', stride_w: 1, stride_h: 1, fused_activation_function: act } as const;
  switch (op) {
    case 'CONV_2D':
      tensors.push({ name: 'w', shape: [c, 1, 1, c], dtype: 'int8', data: w(c * c), quant: chq(sw) }, bias, { name: 'y', shape: [1, hw, hw, c], dtype: 'int8', quant: yq });
      o = { op, inputs: ['x', 'w', 'b'], outputs: ['y'], options: conv };
      break;
    case 'DEPTHWISE_CONV_2D':
      tensors.push({ name: 'w', shape: [1, 1, 1, c], dtype: 'int8', data: w(c), quant: { ...chq(sw), axis: 3 } }, bias, { name: 'y', shape: [1, hw, hw, c], dtype: 'int8', quant: yq });
      o = { op, inputs: ['x', 'w', 'b'], outputs: ['y'], options: { ...conv, depth_multiplier: 1 } };
      break;
    case 'TRANSPOSE_CONV':
      tensors.push({ name: 'os', shape: [4], dtype: 'int32', data: [1, hw, hw, c] }, { name: 'w', shape: [c, 1, 1, c], dtype: 'int8', data: w(c * c), quant: chq(sw) },
        bias, { name: 'y', shape: [1, hw, hw, c], dtype: 'int8', quant: yq });
      o = { op, inputs: ['os', 'w', 'x', 'b'], outputs: ['y'], options: conv };
      break;
    case 'FULLY_CONNECTED':
      tensors[0]!.shape = [n, c];
      tensors.push({ name: 'w', shape: [c, c], dtype: 'int8', data: w(c * c), quant: { scale: [sw], zeroPoint: [0] } },
        { ...bias, quant: { scale: [f32(sx * sw)], zeroPoint: [0] } }, { name: 'y', shape: [n, c], dtype: 'int8', quant: yq });
      o = { op, inputs: ['x', 'w', 'b'], outputs: ['y'], options: { fused_activation_function: act } };
      break;
    default: // pools keep the input's quantization
      tensors[0]!.quant = yq;
      tensors.push({ name: 'y', shape: [1, hw / 2, hw / 2, c], dtype: 'int8', quant: yq });
      o = { op, inputs: ['x'], outputs: ['y'], options: { padding: 'VALID', stride_w: 2, stride_h: 2, filter_width: 2, filter_height: 2, fused_activation_function: act } };
  }
  const desc: ModelDesc = { tensors, operators: [o], inputs: ['x'], outputs: ['y'] };
  return { name: `${op} ${act} scale ${sy.toPrecision(6)} (bound/scale = ${k}.5) zp ${zy}`, model: writeTflite(desc), x };
}

/** Every op x activation, with even and odd bound + zero point sums (ties to even pick both ways). */
export function tieCases(): ReturnType<typeof tieCase>[] {
  const out: ReturnType<typeof tieCase>[] = [];
  let seed = 1;
  for (const op of OPS) {
    out.push(tieCase(op, 'RELU6', 40, -100, seed++), tieCase(op, 'RELU6', 41, -100, seed++));
    out.push(tieCase(op, 'RELU_N1_TO_1', 10, 3, seed++), tieCase(op, 'RELU_N1_TO_1', 10, 4, seed++));
  }
  return out;
}

async function main(): Promise<void> {
  const ref = await openReference(argOf('--ref'));
  const z = (a: ArrayBufferView): string => toB64(deflateRawSync(Buffer.from(a.buffer, a.byteOffset, a.byteLength), { level: 9 }));
  const stored = [];
  let failed = 0;
  for (const c of tieCases()) {
    const [lr] = await ref.run('litert', c.model, [{ b64: toB64(c.x) }]);
    const [tf] = await ref.run('tfjs', c.model, [{ b64: toB64(c.x) }]);
    const m = await loadModel(c.model);
    const ours = m.runSync([c.x])[0]!.data as Int8Array;
    m.dispose();
    const d = diff(ours, lr!.data), dt = diff(tf!.data, lr!.data);
    if (d.count) failed++;
    console.log(`${d.count ? 'MISMATCH' : 'equal   '} ${c.name}: ${d.count}/${ours.length} differ from LiteRT.js` +
      `${dt.count ? ` (tfjs-tflite differs from LiteRT.js in ${dt.count}: its TFLite does not delegate this op)` : ''}`);
    stored.push({ name: c.name, model: z(c.model), input: z(c.x), output: z(Int8Array.from(lr!.data)) });
  }
  if (process.argv.includes('--fixture')) {
    const file = path.join(ROOT, 'test/lite/int8/fixtures/act-ties.json');
    fs.writeFileSync(file, JSON.stringify({ generator: 'scripts/int8-act-ties.ts --fixture', reference: 'LiteRT.js @litertjs/core 2.5.3 (CPU, XNNPACK), one thread',
      encoding: 'model, input and output: raw bytes, deflateRaw, base64', cases: stored }) + '\n');
    console.log(`wrote ${stored.length} cases to ${path.relative(ROOT, file)}`);
  }
  process.exit(failed ? 1 : 0);
}

if (process.argv[1] && path.resolve(process.argv[1]) === path.resolve(new URL(import.meta.url).pathname)) await main();

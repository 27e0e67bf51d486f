/**
 * Producer folding at compile (GPU only; the CPU plan is untouched): a PAD/PADV2 whose only
 * reader is a VALID MAX_POOL_2D, padding H and W with the lowest float (-inf or -FLT_MAX, as
 * ONNX MaxPool's pads are lowered) by less than the window, becomes the pool's explicit padding:
 * the pool skips elements outside the image, and every window keeps at least one of them, so
 * the maximum is the same without the padded copy and its dispatch.
 *
 * ```ts
 * const folded = foldPoolPads(steps, readers, ctx, gpu, cpuCodes); // gpu[pad] = [], gpu[pool] = the pool's programs
 * ```
 */
import { BuiltinOp as B, Padding, Pool2DOptions } from '../../format/schema.js';
import type { OpNode, OptionsTable, RtTensor } from '../../ops/op.js';
import type { Step } from '../../interpreter.js';
import { GPU_KERNELS } from './kernels.js';
import { F32_MAX, type GpuStep, type KernelContext } from './program.js';

/** `o` with a folded [top, bottom, left, right] padding that `windowOf` reads (every field read as before). */
function withPadding(o: OptionsTable, pads: [number, number, number, number]): OptionsTable {
  return Object.assign(Object.create(o) as OptionsTable, { explicitPadding: pads });
}

/** The [top, bottom, left, right] padding of a float32 PAD/PADV2 step that pads H/W with the lowest float, else null. */
function lowestPads(s: Readonly<Step>): [number, number, number, number] | null {
  const { node } = s;
  if (s.op.code !== B.PADV2) return null;
  const x = node.inputs[0], pads = node.inputs[1], fill = node.inputs[2], y = node.outputs[0];
  if (!x || !pads?.isConst || !fill?.isConst || !y || x.dtype !== 'float32' || y.dtype !== 'float32' || x.shape.length !== 4) return null;
  if (fill.dtype !== 'float32' || fill.data.length !== 1 || !(Number(fill.data[0]) <= -F32_MAX)) return null;
  const v = Array.from(pads.data as ArrayLike<number | bigint>, Number);
  if (v.length !== 8 || v.some((d) => !(d >= 0)) || v[0] || v[1] || v[6] || v[7]) return null;
  return [v[2]!, v[3]!, v[4]!, v[5]!];
}

/**
 * Folds each foldable PADV2 into the MAX_POOL_2D reading it: `gpu[pad]` becomes [] (its output
 * never exists) and `gpu[pool]` the pool's programs on the unpadded input. `readers`: how many
 * steps (or outputs: Infinity) read each tensor. Returns how many pads were folded.
 */
export function foldPoolPads(
  steps: ReadonlyArray<Readonly<Step>>, readers: ReadonlyMap<RtTensor, number>, ctx: KernelContext,
  gpu: (GpuStep[] | null)[], cpuCodes: ReadonlySet<number>,
): number {
  const byInput = new Map<RtTensor, number>();
  steps.forEach((s, i) => { if (!s.folded && s.node.inputs[0]) byInput.set(s.node.inputs[0], i); });
  const pool = GPU_KERNELS.get(B.MAX_POOL_2D)!;
  let folded = 0;
  steps.forEach((s, i) => {
    if (s.folded || gpu[i] || cpuCodes.has(s.op.code) || cpuCodes.has(B.MAX_POOL_2D)) return;
    const pads = lowestPads(s);
    const t = s.node.outputs[0]!;
    if (!pads || readers.get(t) !== 1) return;
    const k = byInput.get(t);
    const c = k === undefined ? null : steps[k]!;
    const o = c?.node.options;
    if (!c || c.op.code !== B.MAX_POOL_2D || gpu[k!] || !o || 'explicitPadding' in o) return;
    if (o.i8(Pool2DOptions.padding, Padding.SAME) !== Padding.VALID) return;
    const kh = o.i32(Pool2DOptions.filter_height, 1), kw = o.i32(Pool2DOptions.filter_width, 1);
    if (pads[0] >= kh || pads[1] >= kh || pads[2] >= kw || pads[3] >= kw) return;
    const node: OpNode = { ...c.node, inputs: [s.node.inputs[0]!], options: withPadding(o, pads) };
    let r: GpuStep[] | string;
    try {
      r = pool(node, ctx, c.state);
    } catch {
      return;
    }
    if (typeof r === 'string') return;
    gpu[i] = [];
    gpu[k!] = r;
    folded++;
  });
  return folded;
}

/**
 * AVERAGE_POOL_2D (NHWC): mean over the in-image part of each window (padding is not
 * counted). Float32 sums into the output in float32, as TFLite; int8 sums in int32 and
 * rounds the mean half away from zero, as TFLite's integer kernel.
 */
import { BuiltinOp } from '../format/schema.js';
import type { LiteOp } from './op.js';
import { preparePool, poolBounds, type PoolState } from './util/pool.js';

const OP = 'AVERAGE_POOL_2D';

interface State { p: PoolState; b: Int32Array; acc: Int32Array }

export const AVERAGE_POOL_2D: LiteOp<State> = {
  code: BuiltinOp.AVERAGE_POOL_2D,
  name: OP,
  prepare(node) {
    const p = preparePool(OP, node);
    return { p, b: new Int32Array(4), acc: new Int32Array(p.int8 ? p.c : 0) };
  },
  run(node, { p, b, acc }) {
    const x = node.inputs[0]!.data as Float32Array | Int8Array;
    const y = node.outputs[0]!.data as Float32Array | Int8Array;
    const { c, h, w, lo, hi } = p;
    const sum = p.int8 ? acc : (y as Float32Array);
    let yo = 0;
    for (let n = 0; n < p.n; n++) for (let oy = 0; oy < p.win.outH; oy++) for (let ox = 0; ox < p.win.outW; ox++, yo += c) {
      poolBounds(p, oy, ox, b);
      const so = p.int8 ? 0 : yo;
      for (let ch = 0; ch < c; ch++) sum[so + ch] = 0;
      for (let iy = b[0]!; iy < b[1]!; iy++) for (let ix = b[2]!; ix < b[3]!; ix++) {
        const xo = ((n * h + iy) * w + ix) * c;
        for (let ch = 0; ch < c; ch++) sum[so + ch] += x[xo + ch]!;
      }
      const count = Math.max(0, b[1]! - b[0]!) * Math.max(0, b[3]! - b[2]!);
      const half = Math.trunc(count / 2);
      for (let ch = 0; ch < c; ch++) {
        const s = sum[so + ch]!;
        let v: number;
        if (p.int8) v = count === 0 ? 0 : s > 0 ? Math.trunc((s + half) / count) : Math.trunc((s - half) / count);
        else v = count > 0 ? Math.fround(s / count) : 0;
        y[yo + ch] = v < lo ? lo : v > hi ? hi : v;
      }
    }
  },
};

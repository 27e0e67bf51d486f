/** MAX_POOL_2D (NHWC): maximum over the in-image part of each window, float32 or int8. */
import { BuiltinOp } from '../format/schema.js';
import type { OpDef } from './op.js';
import { preparePool, poolBounds, type PoolState } from './util/pool.js';

const OP = 'MAX_POOL_2D';

interface State { p: PoolState; b: Int32Array; acc: Float64Array }

export const MAX_POOL_2D: OpDef<State> = {
  code: BuiltinOp.MAX_POOL_2D,
  name: OP,
  prepare(node) {
    const p = preparePool(OP, node);
    return { p, b: new Int32Array(4), acc: new Float64Array(p.c) };
  },
  run(node, { p, b, acc }) {
    const x = node.inputs[0]!.data as Float32Array | Int8Array;
    const y = node.outputs[0]!.data as Float32Array | Int8Array;
    const { c, h, w, lo, hi } = p;
    let yo = 0;
    for (let n = 0; n < p.n; n++) for (let oy = 0; oy < p.win.outH; oy++) for (let ox = 0; ox < p.win.outW; ox++) {
      poolBounds(p, oy, ox, b);
      acc.fill(-Infinity);
      for (let iy = b[0]!; iy < b[1]!; iy++) for (let ix = b[2]!; ix < b[3]!; ix++) {
        const xo = ((n * h + iy) * w + ix) * c;
        for (let ch = 0; ch < c; ch++) { const v = x[xo + ch]!; if (v > acc[ch]!) acc[ch] = v; }
      }
      for (let ch = 0; ch < c; ch++) {
        const v = acc[ch]!;
        y[yo++] = v < lo ? lo : v > hi ? hi : v;
      }
    }
  },
};

/**
 * MAX_POOL_2D (NHWC): maximum over the in-image part of each window, float32 or int8.
 * The first tap initializes the output pixel, the others raise it (channels innermost).
 */
import { BuiltinOp } from '../format/schema.js';
import type { OpDef } from './op.js';
import { preparePool, poolBounds, type PoolState } from './util/pool.js';

const OP = 'MAX_POOL_2D';

interface State { p: PoolState; b: Int32Array }

export const MAX_POOL_2D: OpDef<State> = {
  code: BuiltinOp.MAX_POOL_2D,
  name: OP,
  prepare(node) {
    return { p: preparePool(OP, node), b: new Int32Array(4) };
  },
  run(node, { p, b }) {
    const x = node.inputs[0]!.data as Float32Array | Int8Array;
    const y = node.outputs[0]!.data as Float32Array | Int8Array;
    const { c, h, w, lo, hi } = p;
    let yo = 0;
    for (let n = 0; n < p.n; n++) for (let oy = 0; oy < p.win.outH; oy++) for (let ox = 0; ox < p.win.outW; ox++, yo += c) {
      poolBounds(p, oy, ox, b);
      const y0 = b[0]!, y1 = b[1]!, x0 = b[2]!, x1 = b[3]!;
      if (y0 >= y1 || x0 >= x1) {
        for (let ch = 0; ch < c; ch++) y[yo + ch] = lo > 0 ? lo : hi < 0 ? hi : 0;
        continue;
      }
      const first = ((n * h + y0) * w + x0) * c;
      for (let ch = 0; ch < c; ch++) y[yo + ch] = x[first + ch]!;
      for (let iy = y0; iy < y1; iy++) for (let ix = iy === y0 ? x0 + 1 : x0; ix < x1; ix++) {
        const xo = ((n * h + iy) * w + ix) * c;
        for (let ch = 0; ch < c; ch++) { const v = x[xo + ch]!; if (v > y[yo + ch]!) y[yo + ch] = v; }
      }
      if (lo !== -Infinity || hi !== Infinity) {
        for (let ch = 0; ch < c; ch++) { const v = y[yo + ch]!; y[yo + ch] = v < lo ? lo : v > hi ? hi : v; }
      }
    }
  },
};

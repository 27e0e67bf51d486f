/**
 * MAX_POOL_2D (NHWC): maximum over the in-image part of each window, float32 or int8.
 * The first tap initializes the output pixel, the others raise it (channels innermost).
 */
import { BuiltinOp } from '../format/schema.js';
import type { LiteOp } from './op.js';
import { preparePool, poolBounds, type PoolState } from './util/pool.js';
import { maxPoolNHWC, type ConvGeometry } from '../kernels/index.js';

const OP = 'MAX_POOL_2D';

/** Pool geometry, tap bounds scratch, and the window as the wasm kernel takes it. */
interface State { p: PoolState; b: Int32Array; geo: ConvGeometry }

/** All images through the wasm kernel; false when it declined. */
function runWasm(x: Float32Array | Int8Array, y: Float32Array | Int8Array, s: State): boolean {
  const { p } = s, inSize = p.h * p.w * p.c, outSize = p.win.outH * p.win.outW * p.c;
  for (let n = 0; n < p.n; n++) {
    if (!maxPoolNHWC(x, y, s.geo, { lo: p.lo, hi: p.hi, xOffset: n * inSize, yOffset: n * outSize })) return false;
  }
  return true;
}

export const MAX_POOL_2D: LiteOp<State> = {
  code: BuiltinOp.MAX_POOL_2D,
  name: OP,
  prepare(node) {
    const p = preparePool(OP, node), w = p.win;
    const geo: ConvGeometry = {
      c: p.c, h: p.h, w: p.w, kh: w.kh, kw: w.kw, strideH: w.strideH, strideW: w.strideW,
      padTop: w.padTop, padLeft: w.padLeft, padBottom: w.padBottom, padRight: w.padRight,
    };
    return { p, b: new Int32Array(4), geo };
  },
  run(node, s) {
    const { p, b } = s;
    const x = node.inputs[0]!.data as Float32Array | Int8Array;
    const y = node.outputs[0]!.data as Float32Array | Int8Array;
    if (x.constructor === y.constructor && runWasm(x, y, s)) return;
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

import { expectTensors } from '../../dispatch.js';
import { DTypeError, ValueError } from '../../errors.js';
import { broadcastShapes, fmtShape, normalizeDim } from '../../shape.js';
import type { Tensor } from '../../tensor.js';
import { expand } from '../expand.js';
import { clamp } from '../math/clamp.js';
import { defineComposite } from '../registry.js';
import { sum } from '../sum.js';

/*
 * Cosine similarity, written in other ops (it traces, differentiates and exports
 * through them).
 */

/**
 * Cosine similarity of x1 and x2 along `dim` (torch's F.cosine_similarity):
 * x1·x2 / sqrt(max(‖x1‖², eps²) · max(‖x2‖², eps²)) along `dim`, the inputs
 * broadcast against each other. A zero vector gives 0, with finite gradients; the
 * gradient is torch's, which differentiates ‖x‖² even where eps² replaces it.
 * @example tg.cosineSimilarity(a, b) // a, b [N, D] -> [N]
 */
export function cosineSimilarity(x1: Tensor, x2: Tensor, dim = 1, eps = 1e-8): Tensor {
  const op = 'cosineSimilarity';
  expectTensors(op, x1, x2);
  for (const [what, t] of [['x1', x1], ['x2', x2]] as const) {
    if (t.dtype !== 'float32') throw new DTypeError(`${op}: ${what} is ${t.dtype}${fmtShape(t.shape)}, expected float32`);
  }
  if (!(eps >= 0)) throw new ValueError(`${op}: eps must be >= 0, got ${eps}`);
  const shape = broadcastShapes(op, x1.shape, x2.shape);
  const d = normalizeDim(op, dim, shape.length);
  // x's dim `d`, counted from the right as broadcasting aligns dims (-1 when x lacks it)
  const own = (x: Tensor) => d - (shape.length - x.ndim);
  // torch broadcasts first: a dim of size 1 along `d` counts once per element of the other input
  const full = (x: Tensor) => (own(x) >= 0 && x.shape[own(x)] === shape[d] ? x : expand(x, shape));
  const a = full(x1), b = full(x2);
  // torch (1.13) clamps the squared norms in place without recording it: the value uses
  // max(|x|², eps²), the gradient that of |x|² (finite at a zero vector)
  const sq = (x: Tensor) => { const s = sum(x.mul(x), own(x), true); return s.add(clamp(s, eps * eps).sub(s).detach()); };
  return sum(a.mul(b), d, true).div(sq(a).mul(sq(b)).sqrt()).squeeze(d);
}

defineComposite('cosineSimilarity', ['expand', 'mul', 'sum', 'clamp', 'sub', 'add', 'sqrt', 'div', 'reshape']);

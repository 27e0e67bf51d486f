import type { Node } from '../graph/ir.js';
import { fmtShape } from '../shape.js';
import { OnnxExportError, type Emitter, type Sym } from './context.js';

/*
 * Symbolic dims of the exporter. A dynamic dim's symbol is a product, in
 * row-major order, of static sizes and dynamic axes of the graph inputs
 * ("base" symbols, named by `dynamicAxes`), written `2*a*b`: a reshape that
 * merged dims can split them back in the right places. A dim whose size is
 * needed as a value at run time is read with Shape from the graph input that
 * defines each base.
 */
/** The factors of a symbol in row-major order (`2*a*b` -> [2, 'a', 'b']); null when a part is neither a number nor a known base. */
export function factorsOf(e: Emitter, sym: string): (string | number)[] | null {
  const parts = sym.split('*').map((p) => (/^[0-9]+$/.test(p) ? Number(p) : p));
  return parts.every((p) => typeof p === 'number' || e.model.bases.has(p)) ? parts : null;
}

/** A [1] int64 tensor holding a dim's run-time size: its static factors times its bases read with Shape. */
export function dimValue(e: Emitter, size: number, sym: string | null, what: string): string {
  if (sym === null) return e.i64([size]);
  const fs = factorsOf(e, sym);
  if (!fs) throw new OnnxExportError(`onnx.export: ${what}: the size of dynamic dim '${sym}' cannot be computed from the inputs' dynamic axes`);
  let k = 1, v: string | null = null;
  for (const f of fs) {
    if (typeof f === 'number') { k *= f; continue; }
    const src = e.model.bases.get(f)!;
    const s = e.op('Shape', [src.input], { start: { i: src.axis }, end: { i: src.axis + 1 } });
    v = v === null ? s : e.op('Mul', [v, s]);
  }
  if (v === null) return e.i64([k]);
  return k === 1 ? v : e.op('Mul', [v, e.i64([k])]);
}

/**
 * The Reshape target of a reshape node, dynamic where the output's dims are:
 * a leading dim equal to the input's is copied (0); the other dims are
 * factored into groups of input and output dims with equal example products,
 * whose symbols (products of bases) pass to the output dims in order
 * ([B*T, D] -> [B, T, D], [B, T, D] -> [B*T, D] and [2*T, D] -> [2, T, D] all
 * stay dynamic). One dynamic dim is written -1; further ones are computed with
 * Shape/Mul and the target is a Concat. A dynamic dim that cannot be placed is
 * an OnnxExportError naming the node and the dim.
 */
export function reshapeTargetDynamic(e: Emitter, n: Node): { target: string; sym: Sym } {
  const x = n.inputs[0], out = n.outputs[0];
  const inSym = e.sym(x);
  const sym: (string | null)[] = out.shape.map(() => null);
  const copy = out.shape.map(() => false);
  let p = 0;
  while (p < out.shape.length && p < x.shape.length && x.shape[p] === out.shape[p]) {
    if (inSym[p] !== null) { copy[p] = true; sym[p] = inSym[p]; }
    p++;
  }
  const fail = (dim: string, why: string) => new OnnxExportError(
    `onnx.export: reshape ${fmtShape(x.shape)} -> ${fmtShape(out.shape)} ${why}, so its dynamic axis cannot stay dynamic (dim '${dim}'); node: %${out.id}`);
  const dynRest = inSym.map((s, i) => [s, i] as const).filter(([s, i]) => s !== null && i >= p);
  if (dynRest.length > 0) {
    // Factor the remaining dims (ignoring 1s) into groups with equal products.
    const ins = x.shape.map((d, i) => [d, i] as const).filter(([d, i]) => i >= p && d !== 1);
    const outs = out.shape.map((d, i) => [d, i] as const).filter(([d, i]) => i >= p && d !== 1);
    for (const [s, i] of dynRest) if (x.shape[i] === 1) throw fail(s!, 'drops a dynamic dim of example size 1');
    let a = 0, b = 0;
    while (a < ins.length && b < outs.length) {
      const ga = [ins[a++]], gb = [outs[b++]];
      let pa = ga[0][0], pb = gb[0][0];
      while (pa !== pb) {
        if (pa < pb && a < ins.length) { ga.push(ins[a]); pa *= ins[a++][0]; } else if (pb < pa && b < outs.length) { gb.push(outs[b]); pb *= outs[b++][0]; } else break;
      }
      // The group's factors in row-major order: static sizes and bases.
      const factors: (string | number)[] = [];
      for (const [d, i] of ga) {
        const s = inSym[i];
        if (s === null) { factors.push(d); continue; }
        const fs = factorsOf(e, s);
        if (!fs) throw fail(s, 'reads a dim that is not a product of the inputs\' dynamic axes');
        factors.push(...fs);
      }
      if (!factors.some((f) => typeof f === 'string')) continue;
      const all = factors.filter((f) => typeof f === 'string').join(', ');
      if (pa !== pb) throw fail(all, 'does not keep its dims in groups of equal size');
      // Factors pass in order to the output dims: [2*T] -> [2, T], [B*T] -> [B, T], [B, T, 4] -> [B*T*2, 2].
      let q = 0;
      for (const [d, j] of gb) {
        let rest = d;
        const mine: (string | number)[] = [];
        while (q < factors.length && (rest > 1 || (typeof factors[q] === 'string' && e.model.bases.get(factors[q] as string)!.size === 1))) {
          const f = factors[q];
          const size = typeof f === 'number' ? f : e.model.bases.get(f)!.size;
          if (rest % size === 0) { mine.push(f); rest /= size; q++; continue; }
          if (typeof f === 'number' && f % rest === 0) { mine.push(rest); factors[q] = f / rest; rest = 1; continue; }
          throw fail(all, 'splits its dynamic dim across several outputs');
        }
        if (mine.some((f) => typeof f === 'string')) sym[j] = mine.join('*');
      }
      if (q < factors.length) throw fail(all, 'splits its dynamic dim across several outputs');
    }
    if (a < ins.length && ins.slice(a).some(([, i]) => inSym[i] !== null)) throw fail(inSym[ins[a][1]]!, 'does not keep it in an output dim');
  }
  // Constant target when at most one non-copied dim is dynamic; else pieces.
  const free = sym.map((s, i) => (s !== null && !copy[i] ? i : -1)).filter((i) => i >= 0);
  if (free.length <= 1) {
    return { target: e.i64(out.shape.map((d, i) => (copy[i] ? 0 : free[0] === i ? -1 : d))), sym };
  }
  const pieces = out.shape.map((d, i) => (copy[i] ? e.i64([0]) : i === free[0] ? e.i64([-1]) : dimValue(e, d, sym[i], `reshape %${out.id}`)));
  return { target: e.op('Concat', pieces, { axis: { i: 0 } }), sym };
}

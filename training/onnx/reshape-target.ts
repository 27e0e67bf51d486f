import type { Node } from '../graph/ir.js';
import { fmtShape } from '../shape.js';
import { OnnxExportError, type Emitter, type Sym } from './context.js';

/**
 * Target of a Reshape that keeps dynamic dims dynamic. Leading dims equal to
 * the input's are written 0 (copy from input). A symbolic dim past that prefix
 * is followed through the reshape's factorization (groups of input and output
 * dims with equal products): when its group maps to a single output dim, that
 * dim is written -1; a merged batch-major dim split back ([B*T, D] -> [B, T, D])
 * puts -1 on the leading output of its group. Anything else (two dynamic dims
 * merged, a dynamic dim split otherwise) cannot stay dynamic: an OnnxExportError names
 * the node, rather than a model that silently reshapes wrong at other sizes.
 */
export function reshapeTarget(e: Emitter, n: Node): { shape: number[]; sym: Sym } {
  const x = n.inputs[0], out = n.outputs[0];
  const inSym = e.sym(x);
  const shape = [...out.shape];
  const sym: (string | null)[] = out.shape.map(() => null);
  let p = 0;
  while (p < shape.length && p < x.shape.length && x.shape[p] === shape[p]) {
    if (inSym[p] !== null) { shape[p] = 0; sym[p] = inSym[p]; }
    p++;
  }
  const rest = inSym.map((s, i) => [s, i] as const).filter(([s, i]) => s !== null && i >= p);
  if (rest.length === 0) return { shape, sym };
  const fail = (why: string) => new OnnxExportError(
    `onnx.export: reshape ${fmtShape(x.shape)} -> ${fmtShape(out.shape)} ${why}, so its dynamic axis cannot stay dynamic; node: %${out.id}`);
  if (rest.length > 1) throw fail('merges several dynamic dims');
  const [name, at] = rest[0] as readonly [string, number];
  // Factor the remaining dims (ignoring 1s) into groups with equal products.
  const ins = x.shape.map((d, i) => [d, i] as const).filter(([d, i]) => i >= p && d !== 1);
  const outs = out.shape.map((d, i) => [d, i] as const).filter(([d, i]) => i >= p && d !== 1);
  let a = 0, b = 0;
  while (a < ins.length && b < outs.length) {
    const ga = [ins[a++]], gb = [outs[b++]];
    let pa = ga[0][0], pb = gb[0][0];
    while (pa !== pb) {
      if (pa < pb && a < ins.length) { ga.push(ins[a]); pa *= ins[a++][0]; } else if (pb < pa && b < outs.length) { gb.push(outs[b]); pb *= outs[b++][0]; } else break;
    }
    if (pa !== pb) break;
    if (!ga.some(([, i]) => i === at)) continue;
    if (gb.length !== 1) {
      // A batch-major merge being undone ([B*T, D] -> [B, T, ...]): the dynamic factor leads both groups.
      const leading = ga[0][1] === at && name.endsWith('_merged');
      if (!leading) throw fail('splits its dynamic dim across several outputs');
      shape[gb[0][1]] = -1;
      sym[gb[0][1]] = name.slice(0, -'_merged'.length);
      return { shape, sym };
    }
    shape[gb[0][1]] = -1;
    sym[gb[0][1]] = ga.length === 1 ? name : name.endsWith('_merged') ? name : `${name}_merged`;
    return { shape, sym };
  }
  throw fail('does not keep its dynamic dim in one output dim');
}

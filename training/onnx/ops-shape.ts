import type { Node } from '../graph/ir.js';
import { fmtShape } from '../shape.js';
import { OnnxExportError, type Emitter, type OpExporter, type Sym } from './context.js';
import { DATA_TYPE } from './proto.js';

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

export const SHAPE_OPS: Record<string, OpExporter> = {
  reshape: (e, n, ins, outs) => {
    const { shape, sym } = reshapeTarget(e, n);
    e.node('Reshape', [ins[0], e.i64(shape)], outs);
    e.model.syms.set(n.outputs[0], sym);
  },
  permute: (e, n, ins, outs) => {
    const perm = n.attrs.perm as readonly number[];
    e.node('Transpose', [ins[0]], outs, { perm: { ints: perm } });
    const s = e.sym(n.inputs[0]);
    e.model.syms.set(n.outputs[0], perm.map((d) => s[d]));
  },
  expand: (e, n, ins, outs) => {
    const x = n.inputs[0].shape, o = n.outputs[0].shape;
    const lead = o.length - x.length;
    // 1 where no expansion happens, so dynamic input dims stay dynamic (Expand broadcasts both ways).
    e.node('Expand', [ins[0], e.i64(o.map((d, i) => (i >= lead && x[i - lead] === d ? 1 : d)))], outs);
  },
  sumTo: (e, n, ins, outs) => {
    const x = n.inputs[0].shape, o = n.outputs[0].shape;
    const lead = x.length - o.length;
    const axes = x.map((_, i) => i).filter((i) => i < lead || (o[i - lead] === 1 && x[i] !== 1));
    if (axes.length === 0) { e.node('Identity', [ins[0]], outs); return; }
    const reduced = e.op('ReduceSum', [ins[0], e.i64(axes)], { keepdims: { i: 1 } });
    if (lead === 0) e.node('Identity', [reduced], outs);
    else e.node('Squeeze', [reduced, e.i64(Array.from({ length: lead }, (_, i) => i))], outs);
  },
  cat: (e, n, ins, outs) => { e.node('Concat', ins, outs, { axis: { i: n.attrs.dim as number } }); },
  slice: (e, n, ins, outs) => {
    const { dim, start, end, step } = n.attrs as { dim: number; start: number; end: number; step: number };
    // end -1 with a negative step means "through index 0": ONNX needs a value below -size for that.
    const stop = step < 0 && end === -1 ? -(2 ** 53 - 1) : end;
    e.node('Slice', [ins[0], e.i64([start]), e.i64([stop]), e.i64([dim]), e.i64([step])], outs);
  },
  gather: (e, n, ins, outs) => { e.node('GatherElements', [ins[0], ins[1]], outs, { axis: { i: n.attrs.dim as number } }); },
  indexSelect: (e, n, ins, outs) => { e.node('Gather', [ins[0], ins[1]], outs, { axis: { i: n.attrs.dim as number } }); },
  embedding: (e, n, ins, outs) => {
    e.node('Gather', [ins[1], ins[0]], outs, { axis: { i: 0 } });
    e.model.syms.set(n.outputs[0], [...e.sym(n.inputs[0]), null]);
  },
  oneHot: (e, n, ins, outs) => {
    // onnxruntime implements OneHot for int64 indices with float values; cast around it.
    const idx = e.op('Cast', [ins[0]], { to: { i: DATA_TYPE.int64 } });
    const depth = e.constant('float32', [n.attrs.numClasses as number]);
    const hot = e.op('OneHot', [idx, depth, e.constant('float32', [0, 1], [2])], { axis: { i: -1 } });
    e.node('Cast', [hot], outs, { to: { i: DATA_TYPE[n.outputs[0].dtype] } });
  },
  pad: (e, n, ins, outs) => {
    const mode = n.attrs.mode === 'replicate' ? 'edge' : String(n.attrs.mode);
    const value = e.constant(n.inputs[0].dtype, [n.attrs.value as number]);
    e.node('Pad', [ins[0], e.i64(n.attrs.pads as readonly number[]), mode === 'constant' ? value : ''], outs, { mode: { s: mode } });
  },
  scatter: (e, n, ins, outs) => { e.node('ScatterElements', ins.slice(0, 3), outs, { axis: { i: n.attrs.dim as number } }); },
  indexAdd: (e, n, ins, outs) => {
    // index [k] along dim, broadcast to src's shape, then ScatterElements with reduction 'add'.
    const dim = n.attrs.dim as number;
    const src = n.inputs[2].shape;
    const along = src.map((d, i) => (i === dim ? d : 1));
    const idx = e.op('Expand', [e.op('Reshape', [ins[1], e.i64(along)]), e.i64(src)]);
    e.node('ScatterElements', [ins[0], idx, ins[2]], outs, { axis: { i: dim }, reduction: { s: 'add' } });
  },
  scatterAdd: (e, n, ins, outs) => {
    e.node('ScatterElements', ins.slice(0, 3), outs, { axis: { i: n.attrs.dim as number }, reduction: { s: 'add' } });
  },
};

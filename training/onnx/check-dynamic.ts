import { zeros } from '../creation.js';
import type { Node } from '../graph/ir.js';
import { fmtShape } from '../shape.js';
import type { Tensor } from '../tensor.js';
import { OnnxExportError, type ModelState } from './context.js';
import { ATTR_TYPE, type AttrMsg, type GraphMsg, type NodeMsg } from './messages.js';

/** An exported graph and the state that built it. */
export interface Built { readonly g: GraphMsg; readonly model: ModelState }

/**
 * The check that keeps a model that would run wrong at other sizes from being
 * written. For each dynamic axis of the inputs the function is traced and
 * exported again with that axis at another size; a model right at every size
 * exports to the same nodes, attributes and constants, so any difference is a
 * size of the example baked into the model (a reshape target, a slice bound, a
 * constant shaped like the input, a loop unrolled over the axis...). The first
 * differing node raises an OnnxExportError naming the op and the dim. Output
 * dims that change with the input become symbolic (dim_param) where the
 * exporter had not named them.
 */
export function checkDynamic(a: Built, inputs: readonly Tensor[], rebuild: (xs: Tensor[]) => Built): void {
  const taken = new Set(inputs.flatMap((t) => t.shape));
  for (const [sym, base] of a.model.bases) {
    const at = (x: number) => inputs.map((t, i) => t.shape.map((d, k) => (a.g.input[i].type.tensor_type.shape?.dim[k]?.dim_param === sym ? x : d)));
    const sizes = [base.size + 1, base.size + 2, base.size + 3, base.size * 2 + 1, base.size - 1].filter((s) => s >= 2 && s !== base.size);
    const order = [...sizes.filter((s) => !taken.has(s)), ...sizes.filter((s) => taken.has(s))].slice(0, 3);
    let b: Built | null = null, size = 0;
    const errors: string[] = [];
    for (const s of order) {
      try {
        b = rebuild(at(s).map((shape, i) => zeros(shape, { dtype: inputs[i].dtype })));
        size = s;
        break;
      } catch (err) {
        errors.push(`${s}: ${(err as Error).message}`);
      }
    }
    const where = `dynamic dim '${sym}' (input '${base.input}' dim ${base.axis})`;
    if (!b) throw new OnnxExportError(`onnx.export: ${where} cannot be dynamic: the function does not trace at other sizes (at ${errors[0]}). ` +
      'Dims that must stay equal across inputs (a batch, a shared length) need one name in dynamicAxes, e.g. { 0: \'batch\' } on each input');
    compare(a, b, where, base.size, size);
    nameOutputDims(a, b);
  }
}

function compare(a: Built, b: Built, where: string, sizeA: number, sizeB: number): void {
  const ca = canonical(a.g), cb = canonical(b.g);
  const n = Math.max(ca.length, cb.length);
  for (let i = 0; i < n; i++) {
    if (ca[i] === cb[i]) continue;
    const msg = a.g.node[Math.min(i, a.g.node.length - 1)];
    const origin: Node | undefined = a.model.origins.get(msg);
    const op = origin ? `${origin.op} ${origin.inputs.map((v) => fmtShape(v.shape)).join(', ')} -> ${origin.outputs.map((v) => fmtShape(v.shape)).join(', ')} (node %${origin.outputs[0]?.id})` : `ONNX ${msg.op_type}`;
    const what = ca.length !== cb.length && i >= Math.min(ca.length, cb.length) ? 'the graph has a different number of nodes' : `its ONNX ${msg.op_type} node changes`;
    throw new OnnxExportError(
      `onnx.export: ${op} cannot keep ${where} dynamic: exported at size ${sizeA} and at ${sizeB}, ${what}, so the model would run wrong at sizes other than the example's. ` +
      'Keep that dim static, or write the op so its shape follows the input (when the example\'s sizes equal other dims of the model, another example size may help).');
  }
}

/** Output dims that differ between the two exports get a dim_param where they have none. */
function nameOutputDims(a: Built, b: Built): void {
  a.g.output.forEach((o, i) => {
    const da = o.type.tensor_type.shape?.dim, db = b.g.output[i]?.type.tensor_type.shape?.dim;
    if (!da || !db) return;
    da.forEach((d, k) => {
      if (d.dim_param === undefined && d.dim_value !== db[k]?.dim_value) da[k] = { dim_param: `${o.name}_dim${k}` };
    });
  });
}

/** One string per node: op, attributes, and inputs named by content (constants) or by first appearance (values). */
function canonical(g: GraphMsg): string[] {
  const inits = new Map<string, string>();
  const ids = new Map<string, string>();
  const name = (s: string): string => {
    if (s === '') return '';
    const c = inits.get(s);
    if (c !== undefined) return c;
    let id = ids.get(s);
    if (id === undefined) { id = `v${ids.size}`; ids.set(s, id); }
    return id;
  };
  const graph = (sub: GraphMsg): string => {
    for (const t of sub.initializer) inits.set(t.name, `c(${t.data_type}:${t.dims.join('x')}:${hash(t.raw_data)})`);
    sub.input.forEach((v) => name(v.name));
    const nodes = sub.node.map(node);
    return `{${sub.input.map((v) => name(v.name)).join(',')}|${nodes.join(';')}|${sub.output.map((v) => name(v.name)).join(',')}}`;
  };
  const attr = (t: AttrMsg): string => {
    if (t.type === ATTR_TYPE.GRAPH && t.g) return `${t.name}=${graph(t.g)}`;
    if (t.type === ATTR_TYPE.STRING) return `${t.name}=${new TextDecoder().decode(t.s)}`;
    if (t.type === ATTR_TYPE.STRINGS) return `${t.name}=${(t.strings ?? []).map((x) => new TextDecoder().decode(x)).join('|')}`;
    return `${t.name}=${JSON.stringify([t.i, t.f, t.ints, t.floats])}`;
  };
  const node = (n: NodeMsg): string => `${n.op_type}(${n.input.map(name).join(',')})[${n.attribute.map(attr).join(',')}]->${n.output.map(name).join(',')}`;
  for (const t of g.initializer) inits.set(t.name, `c(${t.data_type}:${t.dims.join('x')}:${hash(t.raw_data)})`);
  g.input.forEach((v) => name(v.name));
  return [...g.node.map(node), `outputs ${g.output.map((v) => name(v.name)).join(',')}`];
}

function hash(bytes: Uint8Array): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < bytes.length; i++) h = Math.imul(h ^ bytes[i], 0x01000193);
  return `${bytes.length}:${(h >>> 0).toString(16)}`;
}

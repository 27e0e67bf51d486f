/** Locates fields of a model with the runtime's reader, to patch bytes in place for hostile-model tests. */
import { FbReader, type FbTable } from '../../../lite-runtime/format/reader.js';
import { ModelField, OperatorField, SubGraphField, TensorField } from '../../../lite-runtime/format/schema.js';

export class Patcher {
  readonly bytes: Uint8Array;
  readonly view: DataView;
  constructor(src: Uint8Array) {
    this.bytes = src.slice();
    this.view = new DataView(this.bytes.buffer);
  }
  get model(): FbTable {
    return new FbReader(this.bytes).root('Model');
  }
  subgraph(s = 0): FbTable {
    return this.model.tables(ModelField.subgraphs, (i) => `sg ${i}`)[s]!;
  }
  tensor(t: number, s = 0): FbTable {
    return this.subgraph(s).tables(SubGraphField.tensors, (i) => `t ${i}`)[t]!;
  }
  operator(o: number, s = 0): FbTable {
    return this.subgraph(s).tables(SubGraphField.operators, (i) => `op ${i}`)[o]!;
  }
  /** Overwrites element `k` of the int32 vector in field `id` of `table`. */
  setI32Elem(table: FbTable, id: number, k: number, v: number): void {
    const vec = table.vector(id, 4)!;
    if (k >= vec.length) throw new Error(`vector has ${vec.length} elements`);
    this.view.setInt32(vec.start + 4 * k, v, true);
  }
  /** Overwrites the scalar field `id` of `table` (must be present). */
  setScalar(table: FbTable, id: number, size: 1 | 4, v: number): void {
    const p = table.field(id, size);
    if (p === 0) throw new Error(`field ${id} absent`);
    if (size === 1) this.view.setUint8(p, v);
    else this.view.setUint32(p, v >>> 0, true);
  }
  /** Swaps operators `a` and `b` of subgraph `s` (rewriting their relative offsets). */
  swapOperators(a: number, b: number, s = 0): void {
    const vec = this.subgraph(s).vector(SubGraphField.operators, 4)!;
    const pa = vec.start + 4 * a;
    const pb = vec.start + 4 * b;
    const ta = pa + this.view.getUint32(pa, true);
    const tb = pb + this.view.getUint32(pb, true);
    this.view.setUint32(pa, tb - pa, true);
    this.view.setUint32(pb, ta - pb, true);
  }
}

export { ModelField, OperatorField, SubGraphField, TensorField };

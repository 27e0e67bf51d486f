/**
 * The graph IR and its passes, shared by tg.jit, the ONNX exporter and the converter.
 * A graph from `tg.jit(fn).graphFor(...args)` holds only ops of the table (plus
 * `cond` / `while` with subgraphs); `cleanup(graph.clone())` folds, simplifies
 * and prunes it portably. The jit's `optimize` (training/jit/optimize.ts) adds
 * executor-only fused ops (`fused.*`), which other consumers should not expect.
 * Nothing here imports the jit: what the jit decides (which nodes the memory
 * plan covers) it passes in.
 * @example
 * import { cleanup } from '../training/graph/index.js'; // from converter/
 * const g = cleanup(tg.jit(model).graphFor(tg.randn([1, 784])).clone());
 * for (const v of g.variables) console.log(v.name, v.value.shape, v.ref.read().length);
 */
export * from './ir.js';
export * from './passes/index.js';

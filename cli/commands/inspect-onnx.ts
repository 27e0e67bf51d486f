import { readFile } from 'node:fs/promises';
import { importOnnx } from '../../converter/index.js';

/** `tglite inspect model.onnx`: opset, producer, inputs/outputs (as imported) and ONNX op counts. */
export async function inspectOnnx(path: string, json: boolean): Promise<void> {
  const r = importOnnx(new Uint8Array(await readFile(path)));
  const g = r.graph;
  const info = {
    opset: r.opset, producer: r.producer,
    inputs: g.inputs.map((v, i) => ({ name: r.inputNames[i], shape: [...v.shape], dtype: v.dtype })),
    outputs: g.outputs.map((v, i) => ({ name: r.outputNames[i], shape: [...v.shape], dtype: v.dtype })),
    ops: r.onnxOps, notes: r.fixedDims,
  };
  if (json) { console.log(JSON.stringify(info, null, 2)); return; }
  console.log(`${path}: ONNX opset ${r.opset}${r.producer ? `, from ${r.producer}` : ''}`);
  console.log('inputs:'); for (const t of info.inputs) console.log(`  ${t.name}: ${t.dtype}[${t.shape.join(', ')}]`);
  console.log('outputs:'); for (const t of info.outputs) console.log(`  ${t.name}: ${t.dtype}[${t.shape.join(', ')}]`);
  console.log('ops:'); for (const [name, n] of Object.entries(r.onnxOps)) console.log(`  ${name} x${n}`);
  for (const n of r.fixedDims) console.log(`note: ${n}`);
}

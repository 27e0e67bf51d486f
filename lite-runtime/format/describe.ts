/**
 * A readable text dump of a parsed model: one line per tensor of interest and per
 * operator, for `tglite inspect`, debugging and tests.
 *
 * ```ts
 * console.log(describeModel(parseModel(bytes)));
 * // subgraph 0 'main': 10 tensors, 3 operators
 * //   in  t0 'x' float32 [1,1] sig [-1,1]
 * //   op0 FULLY_CONNECTED v1 (t0, t1, t2) -> (t3)
 * ```
 */
import { fmtShape } from './errors.js';
import type { ModelDef, TensorDef } from './model.js';

function tensorLine(t: TensorDef): string {
  const sig = t.shapeSignature ? ` sig ${fmtShape(t.shapeSignature)}` : '';
  const q = t.quant
    ? t.quant.scale.length === 1
      ? ` q(${t.quant.scale[0]!.toPrecision(6)}, ${t.quant.zeroPoint[0]})`
      : ` q(${t.quant.scale.length} channels, axis ${t.quant.axis})`
    : '';
  const kind = t.isVariable ? ' variable' : t.data ? ` const ${t.data.byteLength} B` : '';
  return `t${t.index} '${t.name}' ${t.dtype} ${fmtShape(t.shape)}${sig}${q}${kind}`;
}

/** The model as text: subgraphs, their inputs/outputs, operators in order, signatures. */
export function describeModel(model: ModelDef): string {
  const lines: string[] = [];
  lines.push(`model v${model.version}${model.description ? ` '${model.description}'` : ''}: ${model.subgraphs.length} subgraph(s), ${model.constBytes} bytes of constants`);
  for (const sg of model.subgraphs) {
    lines.push(`subgraph ${sg.index}${sg.name ? ` '${sg.name}'` : ''}: ${sg.tensors.length} tensors, ${sg.operators.length} operators`);
    for (const i of sg.inputs) lines.push(`  in  ${tensorLine(sg.tensors[i]!)}`);
    for (const o of sg.operators) {
      const ins = o.inputs.map((i) => (i < 0 ? '-' : `t${i}`)).join(', ');
      const outs = o.outputs.map((i) => `t${i}`).join(', ');
      const calls = o.calls.length ? ` calls ${o.calls.map((c) => `subgraph ${c}`).join(', ')}` : '';
      lines.push(`  op${o.index} ${o.name} v${o.version} (${ins}) -> (${outs})${calls}`);
    }
    for (const i of sg.outputs) lines.push(`  out ${tensorLine(sg.tensors[i]!)}`);
  }
  for (const s of model.signatures) {
    const m = (x: { name: string; tensor: number }[]): string => x.map((e) => `${e.name}=t${e.tensor}`).join(', ');
    lines.push(`signature '${s.key}' subgraph ${s.subgraph}: (${m(s.inputs)}) -> (${m(s.outputs)})`);
  }
  return lines.join('\n');
}

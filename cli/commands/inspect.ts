import { Command } from 'commander';
import { parseModel } from '../../lite-runtime/index.js';
import { describeTensor, openModel } from './model-file.js';
import { inspectOnnx } from './inspect-onnx.js';

/** `tglite inspect model.tflite`: inputs, outputs, ops, memory. */
export function inspectCommand(): Command {
  return new Command('inspect')
    .description('show a .tflite model: inputs, outputs, signatures, ops and planned memory')
    .argument('<model>', 'path to a .tflite (or .onnx) file')
    .option('--json', 'print JSON')
    .addHelpText('after', '\nExamples:\n  tglite inspect person_detect.tflite\n  tglite inspect model.onnx --json\n')
    .action(async (path: string, opts: { json?: boolean }) => {
      if (path.toLowerCase().endsWith('.onnx')) { await inspectOnnx(path, opts.json === true); return; }
      const { model, bytes, loadMs } = await openModel(path);
      const def = parseModel(bytes);
      const counts = new Map<string, number>();
      for (const sg of def.subgraphs) {
        for (const op of sg.operators) {
          counts.set(op.name, (counts.get(op.name) ?? 0) + 1);
        }
      }
      const info = {
        inputs: model.inputs, outputs: model.outputs, signatures: model.signatures,
        subgraphs: def.subgraphs.length, ops: Object.fromEntries(counts), memory: model.memory, loadMs,
      };
      model.dispose();
      if (opts.json) { console.log(JSON.stringify(info, null, 2)); return; }
      console.log(`${path}: ${def.subgraphs.length} subgraph(s), loaded in ${loadMs.toFixed(2)} ms`);
      console.log('inputs:'); for (const t of info.inputs) console.log(`  ${describeTensor(t)}`);
      console.log('outputs:'); for (const t of info.outputs) console.log(`  ${describeTensor(t)}`);
      if (info.signatures.length) console.log(`signatures: ${info.signatures.join(', ')}`);
      console.log('ops:'); for (const [name, n] of counts) console.log(`  ${name} x${n}`);
      const kb = (b: number) => `${(b / 1024).toFixed(1)} KiB`;
      console.log(`memory: arena ${kb(info.memory.arenaBytes)}, constants ${kb(info.memory.constBytes)}, state ${kb(info.memory.stateBytes)}`);
    });
}

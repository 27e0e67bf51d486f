import { Command } from 'commander';
import type { InputValue } from '../../lite-runtime/index.js';
import { backendOption, openModel, randomInputs } from './model-file.js';
import { readInputs, toRunInputs } from './inputs.js';

/** `tglite run model.tflite --input '[[1.5]]'`: runs once, prints outputs as JSON. */
export function runCommand(): Command {
  return new Command('run')
    .description('run a .tflite model once and print its outputs as JSON')
    .argument('<model>', 'path to a .tflite file')
    .option('-i, --input <json|file>', 'inputs: JSON (an array with one nested array per input, or {name: array}), @file.json, or a .json/.npy/.safetensors file (repeat for more .npy inputs)', (v: string, prev: string[] = []) => [...prev, v])
    .option('--random', 'use deterministic random inputs')
    .option('-b, --backend <backend>', 'cpu | webgpu', backendOption, 'cpu')
    .option('--raw', 'numbers for quantized (int8/uint8) inputs are quantized values, passed as they are (default: float values, quantized with the input\'s scale and zero point)')
    .option('--dequantize', 'return quantized outputs as float32')
    .addHelpText('after', "\nExamples:\n  tglite run hello_world_int8.tflite -i '[[1.5]]' --dequantize\n  tglite run digits.tflite -i x.npy --backend webgpu\n  tglite run model.tflite -i inputs.safetensors\n")
    .action(async (path: string, opts: { input?: string[]; random?: boolean; backend: 'cpu' | 'webgpu'; raw?: boolean; dequantize?: boolean }) => {
      if (!opts.input && !opts.random) throw new Error('give --input (JSON, @file.json, .npy, .json or .safetensors), or --random');
      const { model } = await openModel(path, opts.backend);
      try {
        const inputs: InputValue[] = opts.input ? toRunInputs(readInputs(opts.input), model.inputs, opts.raw === true) : randomInputs(model);
        const t0 = performance.now();
        const outs = await model.run(inputs, { dequantize: opts.dequantize });
        const ms = performance.now() - t0;
        console.log(JSON.stringify({ ms: +ms.toFixed(3), backend: model.backend, outputs: outs.map((o) => ({ name: o.name, dtype: o.dtype, shape: o.shape, data: Array.from(o.data as ArrayLike<number>) })) }));
      } finally {
        model.dispose();
      }
    });
}

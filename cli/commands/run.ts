import { Command } from 'commander';
import { readFile } from 'node:fs/promises';
import type { InputValue } from '../../lite-runtime/index.js';
import { openModel, randomInputs } from './model-file.js';

/** `tglite run model.tflite --input '[[1.5]]'`: runs once, prints outputs as JSON. */
export function runCommand(): Command {
  return new Command('run')
    .description('run a .tflite model once and print its outputs as JSON')
    .argument('<model>', 'path to a .tflite file')
    .option('-i, --input <json>', 'inputs as JSON: an array with one flat array per input, or {name: array}; @file reads a file')
    .option('--random', 'use deterministic random inputs')
    .option('--dequantize', 'return quantized outputs as float32')
    .action(async (path: string, opts: { input?: string; random?: boolean; dequantize?: boolean }) => {
      const { model } = await openModel(path);
      let inputs: InputValue[] | Record<string, InputValue>;
      if (opts.input) {
        const text = opts.input.startsWith('@') ? await readFile(opts.input.slice(1), 'utf8') : opts.input;
        inputs = JSON.parse(text) as InputValue[] | Record<string, InputValue>;
      } else if (opts.random) {
        inputs = randomInputs(model);
      } else {
        throw new Error('give --input JSON (or @file), or --random');
      }
      const t0 = performance.now();
      const outs = await model.run(inputs, { dequantize: opts.dequantize });
      const ms = performance.now() - t0;
      model.dispose();
      console.log(JSON.stringify({ ms: +ms.toFixed(3), outputs: outs.map((o) => ({ name: o.name, dtype: o.dtype, shape: o.shape, data: Array.from(o.data as ArrayLike<number>) })) }));
    });
}

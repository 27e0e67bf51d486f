/**
 * The `tglite` command line: thin commands over the library.
 *   tglite inspect model.tflite
 *   tglite run model.tflite --input '[[0.5]]'
 *   tglite bench model.tflite --runs 100
 *   tglite convert model.onnx -o model.tflite --quantize float16
 */
import { Command } from 'commander';
import { inspectCommand } from './commands/inspect.js';
import { runCommand } from './commands/run.js';
import { benchCommand } from './commands/bench.js';
import { convertCommand } from './commands/convert.js';
import { bundleCommand } from './commands/bundle.js';
import { initCommand } from './commands/init.js';

const program = new Command('tglite')
  .description('tglite: train, convert and run models on CPU or WebGPU')
  .version('0.1.0')
  .addHelpText('after', '\nExample:\n  tglite convert model.onnx -o model.tflite && tglite run model.tflite -i x.npy && tglite bundle model.tflite --target worker -o dist/\n');

program.addCommand(inspectCommand());
program.addCommand(runCommand());
program.addCommand(benchCommand());
program.addCommand(convertCommand());
program.addCommand(bundleCommand());
program.addCommand(initCommand());

program.parseAsync(process.argv).catch((e: unknown) => {
  const err = e as Error;
  console.error(`tglite: ${err.name === 'Error' ? '' : err.name + ': '}${err.message}`);
  process.exitCode = 1;
});

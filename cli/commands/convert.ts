import { readFile, rename, rm, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { Command, InvalidArgumentError } from 'commander';
import { convert, exampleInputShapes, importOnnx, type ConvertReport, type QuantizeMode } from '../../converter/index.js';
import { readCalibration } from '../calibration.js';

/** `name=1x3x224x224` -> ['name', [1, 3, 224, 224]] (repeatable); -1 keeps a dim dynamic. */
function inputShape(value: string, prev: Record<string, number[]> = {}): Record<string, number[]> {
  const m = /^([^=]+)=((?:\d+|-1)(?:x(?:\d+|-1))*)$/.exec(value);
  if (!m) throw new InvalidArgumentError(`expected name=DxDx... (-1: dynamic), e.g. input=1x3x224x224, got '${value}'`);
  return { ...prev, [m[1]]: m[2].split('x').map(Number) };
}

function quantizeMode(value: string): QuantizeMode {
  if (!['none', 'float16', 'dynamic', 'int8'].includes(value)) throw new InvalidArgumentError('one of none, float16, dynamic, int8');
  return value as QuantizeMode;
}

function summary(r: ConvertReport, out: string): string {
  const lines = [`${out}: ${(r.sizeBefore / 1024).toFixed(1)} KiB ONNX -> ${(r.sizeAfter / 1024).toFixed(1)} KiB TFLite`];
  const ops = (o: Record<string, number>) => Object.entries(o).sort((a, b) => b[1] - a[1]).map(([k, v]) => `${k} x${v}`).join(', ');
  lines.push(`  ops before (${Object.values(r.opsBefore).reduce((a, b) => a + b, 0)}): ${ops(r.opsBefore)}`);
  lines.push(`  ops after  (${Object.values(r.opsAfter).reduce((a, b) => a + b, 0)}): ${ops(r.opsAfter)}`);
  if (r.quantError.length) {
    const worst = [...r.quantError].sort((a, b) => a.sqnrDb - b.sqnrDb).slice(0, 5);
    lines.push(`  quantized tensors: ${r.quantError.length}; worst SQNR: ${worst.map((e) => `${e.tensor} ${e.sqnrDb.toFixed(1)} dB`).join(', ')}`);
  }
  if (r.floatOps?.length) lines.push(`  left float32: ${r.floatOps.map((o) => `${o.node} (${o.op}: ${o.reason})`).join(', ')}`);
  if (r.keepFloatCandidates?.length) {
    lines.push(`  most quantization noise added by: ${r.keepFloatCandidates.slice(0, 3).map((c) => `${c.node} (${c.op}, ${c.localSqnrDb.toFixed(1)} dB)`).join(', ')} (try --keep-float)`);
  }
  for (const w of r.warnings) lines.push(`  note: ${w}`);
  return lines.join('\n');
}

/** `tglite convert model.onnx -o model.tflite`: ONNX to TFLite, written atomically. */
export function convertCommand(): Command {
  return new Command('convert')
    .description('convert an ONNX model to .tflite (NHWC, fused, optionally quantized)')
    .argument('<model>', 'path to a .onnx file')
    .option('-o, --output <path>', 'where to write the .tflite file (default: the model name with .tflite)')
    .option('--quantize <mode>', 'none | float16 | dynamic | int8', quantizeMode, 'none')
    .option('--input-shape <name=DxD...>', 'fix an input\'s shape (repeatable; -1 keeps a dim dynamic)', inputShape)
    .option('--nhwc-io', 'rank-4 inputs and outputs in NHWC (default: the model\'s layout)')
    .option('--calibration <path>', 'int8 calibration inputs: DIR, file.json, file.safetensors, file.npz or file.npy')
    .option('--io-dtype <dtype>', 'int8: model inputs/outputs int8 or float32 (default float32)')
    .option('--keep-float <names>', 'int8: comma-separated nodes left in float32 (names as in the report, e.g. CONV_2D_3)')
    .option('--fuse-lstm', 'each LSTM as one UNIDIRECTIONAL_SEQUENCE_LSTM (int8: TFLite\'s integer LSTM; LiteRT.js does not run it)')
    .option('--report', 'print the conversion report as JSON')
    .addHelpText('after', '\nExample:\n  tglite convert mobilenet.onnx -o mobilenet.tflite --input-shape input=1x3x224x224 --quantize float16\n' +
      '  tglite convert mobilenet.onnx --quantize int8 --calibration calib.npz --io-dtype int8\n')
    .action(async (path: string, opts: {
      output?: string; quantize: QuantizeMode; inputShape?: Record<string, number[]>; nhwcIo?: boolean; report?: boolean;
      calibration?: string; ioDtype?: string; keepFloat?: string; fuseLstm?: boolean;
    }) => {
      const out = opts.output ?? join(dirname(path), `${basename(path).replace(/\.onnx$/i, '')}.tflite`);
      const bytes = new Uint8Array(await readFile(path));
      if (opts.ioDtype !== undefined && opts.ioDtype !== 'int8' && opts.ioDtype !== 'float32') throw new InvalidArgumentError(`--io-dtype: '${opts.ioDtype}' is not int8 or float32`);
      let calibration: unknown[] | undefined;
      if (opts.calibration !== undefined) {
        // the converted model's input shapes: the ONNX inputs, fixed, NHWC with --nhwc-io
        const imp = importOnnx(bytes, { inputShapes: exampleInputShapes(opts.inputShape) });
        const inputs = imp.graph.inputs.map((v, k) => ({
          name: imp.inputNames[k], shape: opts.nhwcIo && v.shape.length === 4 ? [v.shape[0], v.shape[2], v.shape[3], v.shape[1]] : [...v.shape],
        }));
        calibration = await readCalibration(opts.calibration, inputs);
      }
      const tty = process.stderr.isTTY === true && !opts.report;
      const onProgress = (stage: string, f: number) => {
        if (!tty || (stage !== 'calibrate' && stage !== 'measure')) return;
        const n = calibration?.length ?? 0, done = Math.round(f * n), w = 30, fill = Math.round(f * w);
        process.stderr.write(`\r\x1b[2K${stage === 'calibrate' ? 'calibrating' : 'measuring  '} [${'#'.repeat(fill)}${'.'.repeat(w - fill)}] ${done}/${n}${f >= 1 && stage === 'measure' ? '\n' : ''}`);
      };
      const tfl = await convert(bytes, {
        quantize: opts.quantize, inputShapes: opts.inputShape, nhwcIO: opts.nhwcIo === true, onProgress,
        ...(calibration ? { calibration } : {}),
        ...(opts.ioDtype ? { ioDtype: opts.ioDtype as 'int8' | 'float32' } : {}),
        ...(opts.keepFloat ? { keepFloat: opts.keepFloat.split(',').map((x) => x.trim()).filter(Boolean) } : {}),
        ...(opts.fuseLstm ? { fuseLstm: true } : {}),
      });
      // atomic: a temp file beside the target, then rename (no partial output on failure)
      const tmp = `${out}.tmp-${process.pid}`;
      try {
        await writeFile(tmp, tfl);
        await rename(tmp, out);
      } catch (e) {
        await rm(tmp, { force: true });
        throw e;
      }
      console.log(opts.report ? JSON.stringify({ output: out, ...tfl.report }, null, 2) : summary(tfl.report, out));
    });
}

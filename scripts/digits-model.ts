/**
 * Trains the digits CNN (examples/train-digits.ts) and converts it to the small float32
 * .tflite that the worker and browser examples ship: examples/models/digits.tflite
 * (input float32[1, 1, 8, 8], pixels 0..1; output float32[1, 10], logits).
 *   npx tsx scripts/digits-model.ts [--epochs 8] [--out examples/models/digits.tflite]
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tg from '../training/index.js';
import { convert } from '../converter/index.js';
import { trainDigits } from '../examples/train-digits.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const arg = (name: string): string | undefined => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : undefined;
};
const epochs = Number(arg('epochs') ?? 8);
const out = arg('out') ?? join(ROOT, 'examples', 'models', 'digits.tflite');
const r = await trainDigits({ epochs, checkpoint: null, progress: 'lines' });
r.model.eval();
const tfl = await convert({ model: r.model, inputs: [tg.zeros([1, 1, 8, 8])], inputNames: ['image'], outputNames: ['logits'] });
mkdirSync(dirname(out), { recursive: true });
writeFileSync(out, tfl);
console.log(`${out}: ${tfl.length} bytes; held-out accuracy ${(100 * r.testAccuracy).toFixed(1)}%`);

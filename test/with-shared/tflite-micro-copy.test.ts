/**
 * The repository's copy of the real TFLite Micro models (test/fixtures/tflite-micro) holds
 * the same bytes as the shared folder's models/, where CI and developers have them.
 * Refresh with `node scripts/fixtures/tflite-micro.mjs`.
 */
import fs from 'node:fs';
import path from 'node:path';
import { expect, it } from 'vitest';
import { MODELS_DIR } from '../helpers/paths.js';
import { describeWithShared } from '../helpers/shared.js';

const files = fs.readdirSync(MODELS_DIR).filter((f) => f !== 'README.md').sort();

describeWithShared('test/fixtures/tflite-micro equals the shared models', ['models'], (shared) => {
  it('ships the seven files', () => expect(files.length).toBe(7));
  for (const f of files) {
    it(f, () => {
      const theirs = path.join(shared, 'models', f);
      expect(fs.existsSync(theirs), `${theirs} is missing`).toBe(true);
      expect(fs.readFileSync(path.join(MODELS_DIR, f)).equals(fs.readFileSync(theirs)), `${f} differs: run node scripts/fixtures/tflite-micro.mjs`).toBe(true);
    });
  }
});

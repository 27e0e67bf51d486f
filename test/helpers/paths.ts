/** Where the tests find the repository and the third-party files it ships. */
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root. */
export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/**
 * The real TensorFlow Lite Micro models and the person-detection test images, kept in the
 * repository (test/fixtures/tflite-micro/README.md names their source and license).
 */
export const MODELS_DIR = path.join(ROOT, 'test/fixtures/tflite-micro');

/** Path of one file in MODELS_DIR, e.g. `modelPath('person_detect.tflite')`. */
export const modelPath = (file: string): string => path.join(MODELS_DIR, file);

/**
 * tglite's converter: graphs to .tflite FlatBuffers.
 * @example
 * import { writeTflite } from 'tglite/converter';
 * const bytes = writeTflite({ tensors, operators, inputs: [0], outputs: [2] });
 */
export * from './tflite-writer/index.js';

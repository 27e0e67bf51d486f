import { TgliteError } from '../../lite-runtime/errors.js';

/**
 * A description the writer cannot turn into a valid model; the message names what
 * and where, e.g. "subgraph 0 operator 2 (CONV_2D): input 'w' is not a tensor name".
 */
export class TfliteWriteError extends TgliteError {
  constructor(message: string) {
    super('tflite-write', message);
  }
}

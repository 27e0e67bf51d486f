/** The recurrent ops, one chunk that `loadOps` (ops/resolver.ts) imports for the models that contain one. */
export { SVDF } from './svdf.js';
export { UNIDIRECTIONAL_SEQUENCE_LSTM } from './unidirectional_sequence_lstm.js';

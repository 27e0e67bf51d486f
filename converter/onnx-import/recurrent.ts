import type { OnnxImporter } from '../../training/ops/convert-traits.js';

/** LSTM / GRU spelled out in table ops, one time step after another (filled in recurrent rules below). */
export const RECURRENT_RULES: Record<string, OnnxImporter> = {};

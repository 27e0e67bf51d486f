/**
 * Op conformance against the real TFLite runtime: every single-op model in
 * test/fixtures/lite/conformance (written by converter/tflite-writer, outputs from
 * LiteRT.js or tfjs-tflite; regenerate with `npx tsx scripts/fixtures/lite-conformance.mjs`)
 * runs through `loadModel` on the WASM kernels and on the TypeScript fallback.
 * Coverage table: test/lite/conformance/COVERAGE.md (`npx tsx scripts/lite-coverage.ts`).
 */
import { describe, expect, it } from 'vitest';
import { loadFixtures, runCase } from './run-case.js';

const fixtures = loadFixtures();

describe('op conformance fixtures', () => {
  it('cover every op of the lite runtime issue', () => {
    const ops = new Set(fixtures.filter((f) => f.cases.length > 0).map((f) => f.op));
    const required = ('ADD SUB MUL DIV FULLY_CONNECTED CONV_2D DEPTHWISE_CONV_2D TRANSPOSE_CONV AVERAGE_POOL_2D MAX_POOL_2D MEAN SUM '
      + 'RESHAPE SQUEEZE EXPAND_DIMS TRANSPOSE CONCATENATION SPLIT STRIDED_SLICE SLICE PAD GATHER SOFTMAX LOG_SOFTMAX LOGISTIC '
      + 'TANH RELU RELU6 LEAKY_RELU HARD_SWISH GELU QUANTIZE DEQUANTIZE BATCH_MATMUL L2_NORMALIZATION RSQRT SQRT EXP MAXIMUM '
      + 'MINIMUM ARG_MAX SHAPE CAST UNIDIRECTIONAL_SEQUENCE_LSTM IF WHILE').split(' ');
    expect(required.filter((op) => !ops.has(op))).toEqual([]);
  });
});

for (const file of fixtures) {
  describe(file.op, () => {
    for (const c of file.cases) {
      for (const backend of ['wasm', 'js'] as const) {
        it(`${c.name} [${backend}]`, async () => {
          const r = await runCase(c, backend);
          expect(r.detail ?? 'ok').toBe('ok');
        });
      }
    }
  });
}

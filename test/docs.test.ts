import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { liteOpsTable } from '../scripts/op-support-table.js';
import { trainingOpsTable } from '../scripts/training-ops-table.js';
import { ALL_OPS, LAZY_OPS } from '../lite-runtime/ops/resolver.js';
import { GPU_KERNELS } from '../lite-runtime/backends/webgpu/kernels.js';

describe('generated docs', () => {
  it('docs/training-ops.md matches the op table (regenerate: npx tsx scripts/training-ops-table.ts)', () => {
    expect(readFileSync(new URL('../docs/training-ops.md', import.meta.url), 'utf8')).toBe(trainingOpsTable());
  });

  it('docs/lite-ops.md matches the CPU op resolver and the WebGPU kernel table (regenerate: npx tsx scripts/op-support-table.ts)', () => {
    const text = liteOpsTable();
    expect(readFileSync(new URL('../docs/lite-ops.md', import.meta.url), 'utf8')).toBe(text);
    // every CPU op has a row; every WebGPU kernel's op is marked as one
    for (const op of [...ALL_OPS, ...LAZY_OPS]) expect(text).toContain(`| ${op.name} | ${op.code} | yes |`);
    const gpuRows = text.split('\n').filter((l) => l.includes('| GPU kernel ('));
    expect(gpuRows.length).toBe(GPU_KERNELS.size);
  });

  it('the README links the generated op pages', () => {
    const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
    for (const page of ['docs/lite-ops.md', 'docs/training-ops.md', 'docs/onnx-conformance.md']) expect(readme).toContain(`](${page})`);
    // the README's one-line summary is the generated page's
    const summary = liteOpsTable().split('\n').find((l) => / ops on the CPU; on WebGPU /.test(l))!;
    expect(readme, `README.md's op summary should read: ${summary} (from npx tsx scripts/op-support-table.ts)`).toContain(summary);
  });
});

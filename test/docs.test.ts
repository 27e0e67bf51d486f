import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { trainingOpsTable } from '../scripts/training-ops-table.js';

describe('generated docs', () => {
  it('docs/training-ops.md matches the op table (regenerate: npx tsx scripts/training-ops-table.ts)', () => {
    expect(readFileSync(new URL('../docs/training-ops.md', import.meta.url), 'utf8')).toBe(trainingOpsTable());
  });
});

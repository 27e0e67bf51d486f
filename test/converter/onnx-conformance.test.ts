/**
 * The ONNX 1.17 node conformance cases through the converter and the lite runtime
 * (scripts/onnx-conformance.ts): every case whose ops the converter claims is converted and
 * compared with its expected outputs. No op may pass fewer cases than the committed table
 * docs/onnx-conformance.md lists (regenerate it with the script when more pass), and none fails.
 * Runs where ../shared exists (CI).
 */
import { readFileSync } from 'node:fs';
import { expect, it } from 'vitest';
import { CONFORMANCE_DIR, TABLE, parseTable, runConformance, tally } from '../../scripts/onnx-conformance.js';
import { describeWithShared } from '../helpers/shared.js';

describeWithShared('ONNX node conformance through the converter', ['conformance/onnx-1.17/node'], () => {
  it('every op passes at least the cases docs/onnx-conformance.md lists', async () => {
    const results = await runConformance(CONFORMANCE_DIR);
    expect(results.length).toBeGreaterThan(1000);
    const committed = parseTable(readFileSync(TABLE, 'utf8'));
    expect(committed.size).toBeGreaterThan(50);
    const now = tally(results);
    const fewer = [...committed].filter(([op, n]) => (now.get(op)?.[0] ?? 0) < n).map(([op, n]) => {
      const failed = results.filter((r) => r.op === op && r.status !== 'passed').map((r) => `${r.name}: ${r.reason}`).slice(0, 3);
      return `${op}: ${now.get(op)?.[0] ?? 0} < ${n} (${failed.join('; ')})`;
    });
    expect(fewer).toEqual([]);
    // a case the runtime cannot express is refused with a reason (unsupported), never converted wrongly
    expect(results.filter((r) => r.status === 'failed').map((r) => `${r.name}: ${r.reason}`)).toEqual([]);
  }, 600_000);
});

/**
 * One line of a benchmark table: our figure beside the same work measured by
 * peers in the same run (null where a peer is unavailable; see `notes`).
 * @example { name: 'matmul 1024^3 (wasm)', ours: 47.1, unit: 'GFLOP/s', peers: { pytorch: 108, 'tfjs-wasm': 20 } }
 */
export interface BenchRow {
  name: string;
  ours: number;
  /** Unit of `ours` and the peers, e.g. 'GFLOP/s' (higher is better) or 'ms' (lower is better). */
  unit: string;
  peers: Record<string, number | null>;
  /** Why a peer is missing, or how it was run. */
  notes?: string[];
}

/** True when a larger figure is better for this unit. */
export function higherIsBetter(unit: string): boolean {
  return /\/s$/.test(unit);
}

/**
 * Formats rows as a text table with our/peer ratios (> 1 means we are better).
 * @example console.log(formatRows(await benchMatmul()));
 */
export function formatRows(rows: BenchRow[]): string {
  const peerNames = [...new Set(rows.flatMap((r) => Object.keys(r.peers)))];
  const head = ['benchmark', 'ours', ...peerNames.flatMap((p) => [p, `vs ${p}`])];
  const lines = rows.map((r) => {
    const f = (v: number) => (v >= 100 ? v.toFixed(0) : v >= 10 ? v.toFixed(1) : v.toFixed(2));
    const cells = [r.name, `${f(r.ours)} ${r.unit}`];
    for (const p of peerNames) {
      const v = r.peers[p];
      if (v === null || v === undefined) { cells.push('-', '-'); continue; }
      const ratio = higherIsBetter(r.unit) ? r.ours / v : v / r.ours;
      cells.push(f(v), `${ratio.toFixed(2)}x`);
    }
    return cells;
  });
  const widths = head.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i].length)));
  const fmt = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ');
  const notes = [...new Set(rows.flatMap((r) => r.notes ?? []))].map((n) => `note: ${n}`);
  return [fmt(head), ...lines.map(fmt), ...notes].join('\n');
}

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import * as tg from '../../training/index.js';
import { accuracy, DigitsCnn, loadDigits, trainDigits } from '../../examples/train-digits.js';

describe('digits demo (shortened)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tglite-digits-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('loads the shipped data: 1797 rows, pixels scaled to [0, 1], labels 0..9', () => {
    const { images, labels } = loadDigits();
    expect(images.shape).toEqual([1797, 1, 8, 8]);
    expect(images.max().item()).toBe(1);
    expect(labels.min().item()).toBe(0);
    expect(labels.max().item()).toBe(9);
  });

  it('reaches >= 97% held-out accuracy in 8 epochs and saves a checkpoint that reloads', async () => {
    const data = loadDigits();
    const checkpoint = join(dir, 'digits.safetensors');
    const r = await trainDigits({ epochs: 8, checkpoint, progress: 'none', data });
    expect(r.testSize).toBe(359);
    expect(r.testAccuracy).toBeGreaterThanOrEqual(0.97);
    expect(r.finalLoss).toBeLessThan(0.1);
    const fresh = new DigitsCnn();
    fresh.loadStateDict(await tg.load(checkpoint));
    expect(accuracy(fresh, data.images, data.labels)).toBeCloseTo(accuracy(r.model, data.images, data.labels), 10);
  }, 120_000);

  it('prints one plain progress line per epoch with loss, accuracy and samples/s when not on a TTY', async () => {
    const all = loadDigits();
    const data = { images: tg.narrow(all.images, 0, 0, 300), labels: tg.narrow(all.labels, 0, 0, 300) };
    const log = vi.spyOn(console, 'log').mockImplementation(() => undefined);
    try {
      await trainDigits({ epochs: 2, checkpoint: null, progress: 'lines', data });
      const lines = log.mock.calls.map((c) => String(c[0]));
      expect(lines).toHaveLength(2);
      expect(lines[1]).toMatch(/^epoch 2\/2 {2}loss \d+\.\d{4} {2}train acc \d+\.\d% {2}test acc \d+\.\d% {2}\d+ samples\/s$/);
    } finally {
      log.mockRestore();
    }
  });
});

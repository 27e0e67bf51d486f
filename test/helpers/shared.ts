/**
 * Suites that need the larger optional data and tools that developers and CI keep in a
 * `shared` folder beside the repository (ONNX conformance data, the real TFLite runtimes,
 * ...). `npm test` passes without that folder: such suites are then skipped with a
 * printed reason. When the folder is there (as in CI) they must run: a missing part, or a
 * part that cannot be set up, fails the suite instead of skipping it.
 *
 * ```ts
 * describeWithShared('ONNX backend tests', ['conformance/onnx-1.17'], (shared) => {
 *   it('runs node/test_relu', () => { ... path.join(shared, 'conformance/onnx-1.17/node/test_relu') ... });
 * });
 * ```
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe } from 'vitest';
import { ROOT } from './paths.js';

/** The shared folder beside the repository. */
export const SHARED_DIR = path.resolve(ROOT, '..', 'shared');

/** Whether the shared folder is there; the only condition under which its suites skip. */
export const HAS_SHARED = existsSync(SHARED_DIR);

/**
 * A describe block that runs when the shared folder exists and is skipped, with a message
 * on stderr, when it does not. `parts` are paths inside the shared folder the suite needs:
 * when the folder exists but one is missing, every test of the suite fails naming it.
 */
export function describeWithShared(name: string, parts: readonly string[], fn: (sharedDir: string) => void): void {
  if (!HAS_SHARED) {
    console.warn(`skipped "${name}": it needs ${parts.join(', ')} in ${SHARED_DIR}, which does not exist`);
    describe.skip(name, () => fn(SHARED_DIR));
    return;
  }
  describe(name, () => {
    beforeAll(() => {
      const missing = parts.filter((p) => !existsSync(path.join(SHARED_DIR, p)));
      if (missing.length) throw new Error(`${SHARED_DIR} exists but lacks ${missing.join(', ')}, which "${name}" needs`);
    });
    fn(SHARED_DIR);
  });
}

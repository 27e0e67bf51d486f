/**
 * docs/architecture.md stays true: every file or folder it names in `code` exists.
 * A path is a code span with a `/` (or a top-level file such as `package.json`);
 * `#name` / `:line` suffixes and trailing globs (`training/ops/**`) are dropped first;
 * package specifiers (`tglite/lite`) and paths outside the repository (`../...`) are skipped.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from './helpers/paths.js';

const DOC = 'docs/architecture.md';

/** The repository paths a markdown text names in code spans. */
function namedPaths(md: string): string[] {
  const out = new Set<string>();
  for (const [, span] of md.matchAll(/`([^`\n]+)`/g)) {
    const p = span!.trim().replace(/[#:][\w.-]*$/, '').replace(/\/\*\*?(\/\*)?(\.\w+)?$/, '').replace(/\/$/, '');
    if (p.startsWith('tglite/') || p.startsWith('../')) continue;
    if (/^[\w.-]+(\/[\w.-]+)+$/.test(p) || /^[\w-]+\.(ts|mjs|md|json)$/.test(p)) out.add(p);
  }
  return [...out];
}

describe(DOC, () => {
  const text = fs.readFileSync(path.join(ROOT, DOC), 'utf8');
  const paths = namedPaths(text);

  it('names the files of a model\'s and an op\'s path', () => expect(paths.length).toBeGreaterThan(25));

  it('names only files and folders that exist', () => {
    const missing = paths.filter((p) => !fs.existsSync(path.join(ROOT, p)));
    expect(missing, `${DOC} names paths that do not exist`).toEqual([]);
  });

  it('reads paths out of code spans', () => {
    expect(namedPaths('`training/ops/**` `a/b.ts:12` `lite-runtime/ops/hard_swish.ts#HARD_SWISH` `tg.jit(f)` `x => y` `tglite/lite` `../outside/models` `NOTICE` `package.json`'))
      .toEqual(['training/ops', 'a/b.ts', 'lite-runtime/ops/hard_swish.ts', 'package.json']);
  });
});

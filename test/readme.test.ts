/**
 * Runs every ```ts block of README.md against the sources, so the examples cannot rot.
 * - Each block is a program of its own; a block whose first line is a comment containing
 *   "continues" runs appended to the program before it (it uses that block's names).
 * - Imports of the package ('tglite', 'tglite/lite', 'tglite/converter') are pointed at the sources.
 * - Programs run in a scratch folder (test-artifacts/readme/) that links the repository's
 *   examples/ and test/fixtures/, so relative paths read as from a checkout and written files stay out of it.
 * - Blocks in other languages (sh: the CLI) are not run here; test/cli covers the commands.
 */
import { mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Command } from 'commander';
import { benchCommand } from '../cli/commands/bench.js';
import { bundleCommand } from '../cli/commands/bundle.js';
import { convertCommand } from '../cli/commands/convert.js';
import { initCommand } from '../cli/commands/init.js';
import { inspectCommand } from '../cli/commands/inspect.js';
import { runCommand } from '../cli/commands/run.js';

const root = fileURLToPath(new URL('../', import.meta.url));
const scratch = `${root}test-artifacts/readme/`;

const PACKAGE: Record<string, string> = {
  'tglite': 'training/index.ts',
  'tglite/lite': 'lite-runtime/index.ts',
  'tglite/converter': 'converter/index.ts',
};

/** The ```ts blocks of the README, in order, each with the heading it sits under. */
export function readmePrograms(text: string): { title: string; code: string }[] {
  const programs: { title: string; code: string }[] = [];
  let heading = '';
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (line.startsWith('#')) heading = line.replace(/^#+\s*/, '');
    if (line.trim() !== '```ts') continue;
    const body: string[] = [];
    for (i++; i < lines.length && lines[i]!.trim() !== '```'; i++) body.push(lines[i]!);
    const code = body.join('\n');
    if (/^\s*\/\/.*continues/.test(body[0] ?? '') && programs.length > 0) {
      programs[programs.length - 1]!.code += `\n${code}`;
    } else {
      programs.push({ title: `${heading} (block ${programs.length + 1})`, code });
    }
  }
  return programs;
}

function pointAtSources(code: string): string {
  return code.replace(/from '(tglite(?:\/[a-z]+)?)'/g, (m, spec: string) => {
    const file = PACKAGE[spec];
    if (!file) throw new Error(`README imports ${spec}, which this test does not map`);
    return `from '${pathToFileURL(root + file).href}'`;
  });
}

const programs = readmePrograms(readFileSync(`${root}README.md`, 'utf8'));
let prevCwd = '';

describe('README examples', () => {
  beforeAll(() => {
    rmSync(scratch, { recursive: true, force: true });
    mkdirSync(`${scratch}test`, { recursive: true });
    symlinkSync(`${root}examples`, `${scratch}examples`);
    symlinkSync(`${root}test/fixtures`, `${scratch}test/fixtures`);
    prevCwd = process.cwd();
    process.chdir(scratch);
  });
  afterAll(() => { if (prevCwd) process.chdir(prevCwd); });

  it('has the examples this test expects (quick start, training + jit, runtime API)', () => {
    expect(programs.length).toBeGreaterThanOrEqual(3);
    expect(programs[0]!.code).toContain("from 'tglite/converter'");
    expect(programs.some((p) => p.code.includes('tg.jit(') && p.code.includes('tg.onnx.export('))).toBe(true);
    expect(programs.some((p) => p.code.includes("from 'tglite/lite'") && p.code.includes('backendPlan'))).toBe(true);
  });

  programs.forEach((p, i) => {
    it(`runs: ${p.title}`, async () => {
      const file = `${scratch}program-${i + 1}.mts`;
      // the quick start's result is checked against what its comment says (sin(1.5))
      const check = i === 0 && /const \[out\] = /.test(p.code) ? 'export { out };' : 'export {};';
      writeFileSync(file, `${pointAtSources(p.code)}\n${check}\n`);
      const mod = await import(pathToFileURL(file).href) as { out?: { data: ArrayLike<number> } };
      if (mod.out) expect(Math.abs(mod.out.data[0]! - Math.sin(1.5))).toBeLessThan(0.05);
    }, 180_000);
  });
});

describe('README CLI reference', () => {
  const readme = readFileSync(`${root}README.md`, 'utf8');
  const section = readme.slice(readme.indexOf('## CLI\n'), readme.indexOf('\n## ', readme.indexOf('## CLI\n') + 1));
  const rows = new Map<string, string>();
  for (const line of section.split('\n')) {
    const m = /^\| `([a-z]+)[^`]*` \|(.*)$/.exec(line);
    if (m) rows.set(m[1]!, m[2]!);
  }
  const commands: Command[] = [convertCommand(), inspectCommand(), runCommand(), benchCommand(), bundleCommand(), initCommand()];

  it('has one row per command, and no row for a command that does not exist', () => {
    expect([...rows.keys()].sort()).toEqual(commands.map((c) => c.name()).sort());
  });

  for (const cmd of commands) {
    it(`${cmd.name()}: the row names exactly the options the command declares`, () => {
      const row = rows.get(cmd.name()) ?? '';
      const declared = cmd.options.map((o) => o.long!).filter((l) => l !== '--help').sort();
      const written = [...new Set(row.match(/--[a-z][a-z-]*/g) ?? [])].sort();
      expect(written).toEqual(declared);
    });
  }
});

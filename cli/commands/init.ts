import { copyFileSync, existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { Command, InvalidArgumentError } from 'commander';
import { packageRoot, runtimeFiles } from './bundle.js';

const TEMPLATE_FILES = ['src/worker.ts', 'src/serve.ts', 'src/modules.d.ts', 'wrangler.toml', 'README.md'];

/**
 * Copies the worker template (examples/worker) into `dir`: the sources, wrangler.toml, a
 * package.json, the model (default: the digits example) and the kernels' .wasm, with the
 * runtime imported from the package (`tglite/lite`). Returns the files written.
 * @example initWorker('my-worker', { model: 'digits.tflite' });
 */
export function initWorker(dir: string, opts: { model?: string; force?: boolean } = {}): string[] {
  const root = packageRoot();
  if (existsSync(dir) && readdirSync(dir).length > 0 && !opts.force) throw new Error(`${dir} is not empty (use --force to write into it)`);
  const model = opts.model ?? join(root, 'examples/models/digits.tflite');
  if (!existsSync(model)) throw new Error(`${model}: no such file`);
  mkdirSync(join(dir, 'src'), { recursive: true });
  const written: string[] = [];
  for (const f of TEMPLATE_FILES) {
    copyFileSync(join(root, 'examples/worker', f), join(dir, f));
    written.push(f);
  }
  writeFileSync(join(dir, 'src/runtime.ts'), "// The lite runtime, from the tglite package.\nexport * from 'tglite/lite';\n");
  copyFileSync(model, join(dir, 'src/model.tflite'));
  copyFileSync(runtimeFiles(root).wasm, join(dir, 'src/kernels.wasm'));
  const name = basename(resolve(dir)).toLowerCase().replace(/[^a-z0-9-]+/g, '-').replace(/^-+|-+$/g, '') || 'tglite-worker';
  writeFileSync(join(dir, 'package.json'), `${JSON.stringify({
    name, private: true, type: 'module',
    scripts: { dev: 'wrangler dev', deploy: 'wrangler deploy' },
    dependencies: { tglite: '^0.1.0' },
    devDependencies: { wrangler: '4.86.0' },
  }, null, 2)}\n`);
  written.push('src/runtime.ts', 'src/model.tflite', 'src/kernels.wasm', 'package.json');
  return written;
}

/** `tglite init worker <dir>`. */
export function initCommand(): Command {
  return new Command('init')
    .description('start a project from a template (worker: a Cloudflare-style worker serving a model)')
    .argument('<template>', 'worker', (v: string) => {
      if (v !== 'worker') throw new InvalidArgumentError('the one template is: worker');
      return v;
    })
    .argument('<dir>', 'folder to create')
    .option('-m, --model <path>', 'the .tflite model to serve (default: the digits example)')
    .option('--force', 'write into a folder that is not empty')
    .addHelpText('after', '\nExample:\n  tglite init worker my-worker --model digits.tflite && cd my-worker && npm install && npx wrangler dev\n')
    .action((_t: string, dir: string, opts: { model?: string; force?: boolean }) => {
      const files = initWorker(dir, opts);
      console.log(`${dir}: ${files.join(', ')}`);
      console.log(`next: cd ${dir} && npm install && npx wrangler dev   (then: curl localhost:8787/model)`);
    });
}

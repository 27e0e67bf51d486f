import { copyFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { Command, InvalidArgumentError } from 'commander';

/** Where tglite's own files are: the repository (sources) or the installed package (dist/). */
export function packageRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const pj = join(dir, 'package.json');
    if (existsSync(pj) && (JSON.parse(readFileSync(pj, 'utf8')) as { name?: string }).name === 'tglite') return dir;
    const up = dirname(dir);
    if (up === dir) throw new Error('cannot find the tglite package root');
    dir = up;
  }
}

/** The lite runtime's entry and kernel module: sources in the repository, dist/ in a package. */
export function runtimeFiles(root = packageRoot()): { entry: string; wasm: string; source: boolean } {
  const src = join(root, 'lite-runtime', 'index.ts');
  if (existsSync(src)) return { entry: src, wasm: join(root, 'lite-runtime/kernels/wasm/build/kernels-simd.wasm'), source: true };
  return { entry: join(root, 'dist/lite-runtime/index.js'), wasm: join(root, 'dist/wasm/kernels-simd.wasm'), source: false };
}

export type BundleTarget = 'worker' | 'browser' | 'node';

/** One file of a bundle, with its sizes. */
export interface BundleFile { path: string; bytes: number; gzipBytes: number }

/** What bundleModel wrote. */
export interface BundleResult {
  target: BundleTarget;
  outDir: string;
  /** The file to deploy or open: worker.js, index.html or server.mjs. */
  main: string;
  files: BundleFile[];
  bytes: number;
  gzipBytes: number;
}

export const WORKER_LIMITS = { free: 3 * 1024 * 1024, paid: 10 * 1024 * 1024 };

/** esbuild, loaded when a bundle is asked for (a dev dependency: `npm i -D esbuild`). */
async function esbuild(): Promise<typeof import('esbuild')> {
  try {
    return await import('esbuild');
  } catch {
    throw new Error('tglite bundle needs esbuild: npm i -D esbuild');
  }
}

type Plugin = import('esbuild').Plugin;

/** Resolves the templates' `./runtime.js` to the runtime; for workers, drops what they cannot use. */
function runtimePlugin(target: BundleTarget, rt: ReturnType<typeof runtimeFiles>): Plugin {
  return {
    name: 'tglite-runtime',
    setup(b) {
      b.onResolve({ filter: /^\.\/runtime(\.js)?$/ }, () => ({ path: rt.entry }));
      if (target !== 'worker') return;
      // Workers import the model and the kernels as modules of their own (Data, CompiledWasm).
      b.onResolve({ filter: /\.tflite$/ }, () => ({ path: './model.tflite', external: true }));
      b.onResolve({ filter: /\.wasm$/ }, () => ({ path: './kernels.wasm', external: true }));
      // No WebGPU in workers (navigator.gpu is undefined): the backend is left out.
      b.onResolve({ filter: /backends\/webgpu\/index(\.js)?$/ }, () => ({ path: 'webgpu', namespace: 'tglite-stub' }));
      // The kernels come as a compiled module: the embedded base64 copies are left out.
      if (rt.source) {
        b.onResolve({ filter: /(^|\/)generated(\.js)?$/ }, (a) => {
          const path = resolve(a.resolveDir, a.path.replace(/\.js$/, '.ts'));
          return path === join(dirname(rt.entry), 'kernels/wasm/generated.ts') ? { path, namespace: 'tglite-stub' } : undefined;
        });
      }
      b.onLoad({ filter: /.*/, namespace: 'tglite-stub' }, (a) => {
        if (a.path === 'webgpu') {
          return { contents: 'const no = async () => { throw new Error("the WebGPU backend is not in a worker bundle (workers have no navigator.gpu); use backend \'cpu\'"); };\nexport const openWebGpu = no, compileSubgraph = no;\n', loader: 'js' };
        }
        const names = [...readFileSync(a.path, 'utf8').matchAll(/export const (\w+)/g)].map((m) => m[1]);
        return { contents: names.map((n) => `export const ${n} = '';`).join('\n'), loader: 'js' };
      });
    },
  };
}

function sizes(outDir: string, paths: string[]): BundleFile[] {
  return paths.map((p) => {
    const data = readFileSync(join(outDir, p));
    return { path: p, bytes: data.byteLength, gzipBytes: gzipSync(data, { level: 9 }).byteLength };
  });
}

const WRANGLER_TOML = (name: string) => `# A bundled tglite worker: \`npx wrangler deploy\` from this folder.
name = "${name}"
main = "worker.js"
compatibility_date = "2026-04-01"
no_bundle = true

[[rules]]
type = "Data"
globs = ["**/*.tflite"]
fallthrough = false

[[rules]]
type = "CompiledWasm"
globs = ["**/*.wasm"]
fallthrough = false
`;

/**
 * Bundles a .tflite model with the lite runtime for a target (esbuild, ESM, es2022, minified):
 * - worker: worker.js + model.tflite (Data module) + kernels.wasm (CompiledWasm) + wrangler.toml;
 * - browser: index.html + app.js + model-worker.js (a Web Worker: WebGPU with CPU fallback) + model.tflite;
 * - node: server.mjs (the worker's HTTP API on node:http) + model.tflite.
 * @example const r = await bundleModel('digits.tflite', 'worker', 'dist/'); console.log(r.gzipBytes);
 */
export async function bundleModel(model: string, target: BundleTarget, outDir: string, opts: { minify?: boolean } = {}): Promise<BundleResult> {
  const { build } = await esbuild();
  const root = packageRoot();
  const rt = runtimeFiles(root);
  mkdirSync(outDir, { recursive: true });
  const common = {
    bundle: true, format: 'esm' as const, target: 'es2022', minify: opts.minify ?? true, logLevel: 'silent' as const,
    plugins: [runtimePlugin(target, rt)], legalComments: 'none' as const,
  };
  let main: string;
  let written: string[];
  copyFileSync(model, join(outDir, 'model.tflite'));
  if (target === 'worker') {
    await build({ ...common, entryPoints: [join(root, 'examples/worker/src/worker.ts')], outfile: join(outDir, 'worker.js'), platform: 'neutral', conditions: ['workerd', 'worker'] });
    copyFileSync(rt.wasm, join(outDir, 'kernels.wasm'));
    writeFileSync(join(outDir, 'wrangler.toml'), WRANGLER_TOML('tglite-model'));
    main = 'worker.js';
    written = ['worker.js', 'kernels.wasm', 'model.tflite'];
  } else if (target === 'browser') {
    const res = await build({
      ...common, entryPoints: { app: join(root, 'examples/browser/app.ts'), 'model-worker': join(root, 'examples/browser/model-worker.ts') },
      outdir: outDir, platform: 'browser', splitting: true, chunkNames: 'chunk-[hash]', metafile: true,
    });
    copyFileSync(join(root, 'examples/browser/index.html'), join(outDir, 'index.html'));
    main = 'index.html';
    written = ['index.html', ...Object.keys(res.metafile.outputs).filter((k) => k.endsWith('.js')).map((k) => relative(outDir, resolve(k))), 'model.tflite'];
  } else {
    const res = await build({
      ...common, entryPoints: { server: join(root, 'examples/node/server.ts') }, outdir: outDir, outExtension: { '.js': '.mjs' },
      platform: 'node', splitting: true, chunkNames: 'chunk-[hash]', metafile: true,
    });
    main = 'server.mjs';
    written = [...Object.keys(res.metafile.outputs).filter((k) => k.endsWith('.mjs')).map((k) => relative(outDir, resolve(k))), 'model.tflite'];
  }
  const files = sizes(outDir, written);
  return {
    target, outDir, main, files,
    bytes: files.reduce((a, f) => a + f.bytes, 0), gzipBytes: files.reduce((a, f) => a + f.gzipBytes, 0),
  };
}

/** The size lines `tglite bundle` prints. */
export function sizeReport(r: BundleResult): string {
  const kb = (n: number) => `${(n / 1024).toFixed(1)} KB`;
  const lines = r.files.map((f) => `  ${f.path.padEnd(24)} ${kb(f.bytes).padStart(10)}  ${kb(f.gzipBytes).padStart(10)} gzipped`);
  lines.unshift(`${r.target} bundle in ${r.outDir} (open/deploy ${r.main}):`);
  lines.push(`  total ${kb(r.bytes)}, ${kb(r.gzipBytes)} gzipped`);
  if (r.target === 'worker') {
    const pct = (lim: number) => `${((100 * r.gzipBytes) / lim).toFixed(1)}%`;
    const verdict = r.gzipBytes <= WORKER_LIMITS.free ? 'fits both'
      : r.gzipBytes <= WORKER_LIMITS.paid ? 'over the free limit, fits the paid one' : 'OVER both limits';
    lines.push(`  worker size limits (compressed): ${pct(WORKER_LIMITS.free)} of 3 MB (free), ${pct(WORKER_LIMITS.paid)} of 10 MB (paid): ${verdict}`);
  }
  return lines.join('\n');
}

function target(value: string): BundleTarget {
  if (value !== 'worker' && value !== 'browser' && value !== 'node') throw new InvalidArgumentError('one of worker, browser, node');
  return value;
}

/** `tglite bundle model.tflite --target worker -o dist/`. */
export function bundleCommand(): Command {
  return new Command('bundle')
    .description('bundle a .tflite model with the lite runtime, ready to deploy (esbuild, ES2022), and print its gzipped size')
    .argument('<model>', 'path to a .tflite file')
    .requiredOption('-t, --target <target>', 'worker | browser | node', target)
    .option('-o, --out <dir>', 'output folder', 'dist')
    .option('--no-minify', 'keep the code readable')
    .addHelpText('after', '\nExamples:\n  tglite bundle digits.tflite --target worker -o dist/     # then: cd dist && npx wrangler deploy\n  tglite bundle digits.tflite --target browser -o site/    # serve site/ over http\n  tglite bundle digits.tflite --target node -o srv/        # node srv/server.mjs --port 8787\n')
    .action(async (model: string, opts: { target: BundleTarget; out: string; minify: boolean }) => {
      if (!existsSync(model)) throw new Error(`${model}: no such file`);
      const r = await bundleModel(model, opts.target, opts.out, { minify: opts.minify });
      console.log(sizeReport(r));
      if (r.target === 'worker' && r.gzipBytes > WORKER_LIMITS.paid) process.exitCode = 1;
    });
}

import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import * as tg from '../../training/index.js';
import { decode, expectClose, type CaseTable } from '../helpers/torch-ref.js';

type Encoded = Parameters<typeof decode>[0];
interface TorchCase {
  name: string; inputs: Encoded[]; outputs: Encoded[];
  gradOutputs?: (Encoded | null)[]; grads?: (Encoded | null)[]; rtol?: number; atol?: number;
}

/**
 * runTorchCases for fixtures holding NaN and +-Infinity (Python's json writes them as bare
 * tokens, which JSON.parse rejects): the same checks, with those tokens read as numbers.
 */
function runCases(family: string, table: CaseTable): void {
  const path = fileURLToPath(new URL(`../fixtures/torch/${family}.json`, import.meta.url));
  const text = readFileSync(path, 'utf8').replace(/-?Infinity|NaN/g, (m) => `"${m}"`);
  const { cases } = JSON.parse(text, (_k, v: unknown) => (typeof v === 'string' && /^(-?Infinity|NaN)$/.test(v) ? Number(v) : v)) as
    { cases: TorchCase[] };
  for (const c of cases) {
    it(c.name, () => {
      const fn = table[c.name] ?? table[c.name.split('/')[0]];
      if (!fn) expect.fail(`no JS function for fixture case '${c.name}'`);
      const withGrad = c.grads !== undefined;
      const inputs = c.inputs.map((e, i) => decode(e, withGrad && c.grads![i] !== null));
      const out = fn(...inputs);
      const outs = Array.isArray(out) ? out : [out];
      expect(outs.length).toBe(c.outputs.length);
      outs.forEach((o, i) => expectClose(o, c.outputs[i], `${c.name} output ${i}`, c.rtol, c.atol));
      if (!withGrad) return;
      const pairs = outs.map((o, i) => [o, c.gradOutputs![i]] as const).filter(([, w]) => w !== null);
      const diff = inputs.filter((_, i) => c.grads![i] !== null);
      const gs = tg.grad(pairs.map(([o]) => o), diff, pairs.map(([, w]) => decode(w!)), { allowUnused: true });
      let j = 0;
      c.grads!.forEach((g, i) => {
        if (g === null) return;
        const got = gs[j++] ?? tg.zerosLike(inputs[i]);
        expectClose(got, g, `${c.name} grad of input ${i}`, (c.rtol ?? 1e-4) * 10, (c.atol ?? 1e-5) * 10);
      });
    });
  }
}

describe('math ops vs PyTorch', () => {
  runCases('math', {
    'mean/all': (x) => x.mean(),
    'mean/dim': (x) => x.mean(1),
    'mean/neg-keepdim': (x) => x.mean(-1, true),
    'mean/dims': (x) => x.mean([0, 2]),
    'mean/dims-contig-keepdim': (x) => tg.mean(x, [1, 2], true),
    'mean/empty-list': (x) => x.mean([]),
    'mean/size1': (x) => x.mean(1),
    'mean/0d': (x) => x.mean(),
    'mean/large': (x) => x.mean(0),
    'sum/int': (x) => x.sum(1),
    'sum/bool': (x) => tg.sum(x),
    'sum/bool-dim': (x) => x.sum(0, true),
    'amax/dims': (x) => x.amax([0, 2]),
    'amax/ties': (x) => tg.amax(x, 1),
    'amin/keepdim': (x) => x.amin(-1, true),
    'amin/ties-all': (x) => tg.amin(x),
    'max/all-ties': (x) => x.max(),
    'max/all': (x) => tg.max(x),
    'max/dim-ties': (x) => x.max(1),
    'max/dim0-keepdim': (x) => x.max(0, true),
    'max/neg-dim': (x) => tg.max(x, -2),
    'max/nan': (x) => x.max(),
    'max/nan-dim': (x) => x.max(1),
    'max/int': (x) => x.max(0),
    'max/0d': (x) => x.max(0),
    'min/all-ties': (x) => x.min(),
    'min/dim-ties': (x) => x.min(0),
    'min/dim': (x) => tg.min(x, 2),
    'maxWithIndices/dim': (x) => tg.maxWithIndices(x, 1),
    'maxWithIndices/keepdim': (x) => x.maxWithIndices(0, true),
    'minWithIndices/ties': (x) => tg.minWithIndices(x, 1),
    'argmax/dim': (x) => x.argmax(1),
    'argmax/all': (x) => tg.argmax(x),
    'argmax/all-keepdim': (x) => x.argmax(undefined, true),
    'argmax/dim-keepdim': (x) => x.argmax(0, true),
    'argmax/ties': (x) => x.argmax(1),
    'argmax/nan': (x) => x.argmax(),
    'argmax/int': (x) => x.argmax(-1),
    'argmin/ties': (x) => x.argmin(),
    'argmin/dim': (x) => tg.argmin(x, 0),
    'argmin/nan': (x) => x.argmin(),
    'prod/all': (x) => x.prod(),
    'prod/dim': (x) => x.prod(1),
    'prod/keepdim': (x) => tg.prod(x, 0, true),
    'prod/one-zero': (x) => x.prod(1),
    'prod/two-zeros': (x) => x.prod(),
    'prod/dims': (x) => x.prod([0, 2]),
    'prod/int': (x) => x.prod(1),
    'prod/bool': (x) => x.prod(0),
    'var/all': (x) => x.var(),
    'var/dim': (x) => tg.var(x, 1),
    'var/dims-keepdim': (x) => x.var([0, 2], { keepdim: true }),
    'var/corr0': (x) => x.var(undefined, { correction: 0 }),
    'var/corr2': (x) => tg.variance(x, 0, { correction: 2 }),
    'var/unbiased-false': (x) => x.var(1, { unbiased: false }),
    'var/single': (x) => x.var(),
    'std/all': (x) => x.std(),
    'std/dim-keepdim': (x) => tg.std(x, -1, { keepdim: true }),
    'std/corr0': (x) => x.std(0, { correction: 0 }),
    'std/constant': (x) => x.std(1),
    'logsumexp/dim': (x) => x.logsumexp(1),
    'logsumexp/dims-keepdim': (x) => tg.logsumexp(x, [0, 2], true),
    'logsumexp/large': (x) => x.logsumexp(-1),
    'logsumexp/neg-inf': (x) => x.logsumexp(1),
    'logsumexp/all-neg-inf': (x) => x.logsumexp(0),
    'logsumexp/int': (x) => x.logsumexp(0),
    'softmax/last': (x) => x.softmax(-1),
    'softmax/dim0': (x) => x.softmax(0),
    'softmax/middle': (x) => tg.softmax(x, 1),
    'softmax/large': (x) => x.softmax(-1),
    'softmax/neg-inf': (x) => tg.softmax(x, 1),
    'softmax/size1': (x) => tg.softmax(x, 1),
    'logSoftmax/last': (x) => x.logSoftmax(-1),
    'logSoftmax/middle': (x) => tg.logSoftmax(x, 1),
    'logSoftmax/large': (x) => x.logSoftmax(0),
    'logSoftmax/neg-inf': (x) => x.logSoftmax(-1),
    'leakyRelu/default': (x) => tg.leakyRelu(x),
    'leakyRelu/slope': (x) => tg.leakyRelu(x, 0.2),
    'elu/default': (x) => tg.elu(x),
    'elu/alpha': (x) => tg.elu(x, 0.5),
    'gelu/none': (x) => tg.gelu(x),
    'gelu/none-rand': (x) => tg.gelu(x, 'none'),
    'gelu/tanh': (x) => tg.gelu(x, 'tanh'),
    silu: tg.silu,
    'softplus/default': (x) => tg.softplus(x),
    'softplus/beta-threshold': (x) => tg.softplus(x, 2, 5),
    hardswish: tg.hardswish,
    hardsigmoid: tg.hardsigmoid,
    'hardtanh/default': (x) => tg.hardtanh(x),
    'hardtanh/range': (x) => tg.hardtanh(x, -2, 3),
    relu6: tg.relu6,
    erf: tg.erf,
    'clamp/both': (x) => x.clamp(-0.5, 0.5),
    'clamp/bounds-hit': (x) => tg.clamp(x, 0, 3),
    'clamp/min': (x) => x.clamp(0.2),
    'clamp/max': (x) => x.clamp(null, -0.2),
    'clamp/min-gt-max': (x) => x.clamp(4, 2),
    'clamp/int': (x) => x.clamp(1, 3),
    'clamp/int-float': (x) => x.clamp(0.5, 2.5),
    'clamp/nan': (x) => x.clamp(0, 1),
    'clamp/tensor': (x, lo, hi) => x.clamp(lo, hi),
    'clamp/tensor-min': (x, lo) => tg.clamp(x, lo),
    'clip/both': (x) => x.clip(-1, 1),
    'cumsum/dim0': (x) => x.cumsum(0),
    'cumsum/last': (x) => tg.cumsum(x, -1),
    'cumsum/middle': (x) => x.cumsum(1),
    'cumsum/int': (x) => x.cumsum(1),
    'cumsum/bool': (x) => x.cumsum(0),
    'cumsum/0d': (x) => x.cumsum(0),
    'topk/default': (x) => x.topk(3),
    'topk/dim0': (x) => tg.topk(x, 2, 0),
    'topk/smallest': (x) => x.topk(2, -1, false),
    'topk/middle': (x) => x.topk(2, 1),
    'topk/k-all': (x) => x.topk(5),
    'topk/k1': (x) => x.topk(1),
    'topk/many': (x) => x.topk(20),
    'topk/nan': (x) => x.topk(2),
    'topk/int': (x) => tg.topk(x, 2),
  });
});

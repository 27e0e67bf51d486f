/**
 * Layout assignment: which physical layout each value of the graph has in the
 * TFLite model. Values keep the IR's logical (NCHW) shapes; this pass only
 * picks, per value, a permutation. Convolutions and pools work in NHWC
 * ('channelsLast' in their `tflite.layout`); elementwise ops keep the layout of
 * their inputs, so chains of conv -> add -> relu -> pool stay NHWC with no
 * transposes between them. Graph inputs and outputs keep the logical layout
 * unless `nhwcIO`. The lowering inserts a TRANSPOSE only where a value is read
 * in a layout it does not have (a RESHAPE when only size-1 dims move).
 * @example
 * const layouts = assignLayouts(g, { nhwcIO: false });
 * console.log(formatLayouts(g, layouts)); // %3: float32[1, 8, 4, 4] @NHWC = conv2d(...)
 */
import { valueName, type Graph, type Node, type Value } from '../../training/graph/ir.js';
import { getOp } from '../../training/ops/registry.js';
import type { Perm } from '../../training/ops/convert-traits.js';
import { NHWC, identity, isIdentity, samePerm } from '../../training/ops/convert/perm.js';

export interface LayoutOptions {
  /** Rank-4 graph inputs and outputs stored NHWC (default: the model's own layout). */
  nhwcIO?: boolean;
}

export type Layouts = Map<Value, Perm>;

/** Layout rule of a node's op ('logical' for ops without a lowering). */
function ruleOf(n: Node) {
  const t = getOp(n.op)?.tflite;
  return t?.layout ?? (t?.builtin ? 'elementwise' : 'logical');
}

/** Picks a layout for every input and node output of `g`. */
export function assignLayouts(g: Graph, opts: LayoutOptions = {}): Layouts {
  const m: Layouts = new Map();
  const consts = new Set(g.constants.map((c) => c.value));
  const of = (v: Value): Perm => m.get(v) ?? identity(v.shape.length);
  for (const v of g.inputs) m.set(v, opts.nhwcIO && v.shape.length === 4 ? NHWC : identity(v.shape.length));
  for (const n of g.nodes) {
    const rule = ruleOf(n);
    n.outputs.forEach((o, i) => {
      const rank = o.shape.length;
      let p: Perm | null = null;
      if (rule === 'channelsLast') p = rank === 4 ? NHWC : null;
      else if (rule === 'elementwise') {
        // the layout of the full-rank inputs computed at run time, when they agree
        const live = n.inputs.filter((x) => !consts.has(x) && x.shape.length === rank);
        const perms = live.map(of);
        if (perms.length && perms.every((q) => samePerm(q, perms[0]))) p = perms[0];
        else if (perms.length) p = perms.find((q) => !isIdentity(q)) ?? null;
      } else if (typeof rule === 'function' && i === 0) p = rule(n.inputs.map(of), n);
      m.set(o, p && p.length === rank ? p : identity(rank));
    });
  }
  return m;
}

const LAYOUT_NAMES: Record<string, string> = { '0,2,3,1': 'NHWC', '0,2,1': 'NWC' };

function layoutName(p: Perm): string {
  return isIdentity(p) ? '' : ` @${LAYOUT_NAMES[p.join(',')] ?? `[${p.join(',')}]`}`;
}

/** The graph listing with each non-logical layout shown after the value (`@NHWC`). */
export function formatLayouts(g: Graph, layouts: Layouts): string {
  const lines = [`graph(${g.inputs.map((v) => `${valueName(v)}${layoutName(layouts.get(v) ?? [])}`).join(', ')})`];
  for (const n of g.nodes) {
    const outs = n.outputs.map((o) => `${valueName(o)}: [${o.shape.join(', ')}]${layoutName(layouts.get(o) ?? [])}`).join(', ');
    lines.push(`  ${outs} = ${n.op}(${n.inputs.map(valueName).join(', ')})`);
  }
  lines.push(`  return ${g.outputs.map(valueName).join(', ')}`);
  return lines.join('\n');
}

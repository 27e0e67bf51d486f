/**
 * The LSTMs the ONNX import spells out step by step (onnx-import/recurrent.ts), found again in a
 * lowered model and written as one float UNIDIRECTIONAL_SEQUENCE_LSTM, which int8 quantization
 * then turns into TFLite's integer LSTM (int8-lstm.ts). Each step is
 *   g = FC(x_t, W) [+ FC(h, R)] [+ bias];  i, o, f = LOGISTIC(slices of g);  z = TANH(slice of g)
 *   c' = f * c + i * z;  h' = o * TANH(c')
 * with x_t = STRIDED_SLICE(x) at step t (optionally reshaped). A chain of such steps over every
 * time step of x, in order, from zero states, with the same W, R and bias, becomes
 * LSTM(x) -> y and UNPACK(y) -> the steps' h (their readers unchanged). Chains that do not fit
 * (given initial states, a final cell state read elsewhere, a dynamic input dim) stay as they are.
 */
import type { ModelDesc, OperatorDesc, TensorDesc } from '../tflite-writer/types.js';

interface Step {
  h: number; c: number; cPrev: number; g: number;
  /** Gate offsets along g's last axis: input, forget, cell, output. */
  off: number[];
  /** FULLY_CONNECTED ops adding into g, and the constant terms (biases). */
  fcs: number[]; consts: number[];
  /** Every op of the step (FCs, ADDs, slices, activations, MULs). */
  ops: Set<number>;
}

const f32 = (t: TensorDesc): Float32Array => (t.data instanceof Float32Array ? t.data : Float32Array.from(t.data as ArrayLike<number>));
const act = (o: OperatorDesc) => (o.options as { fused_activation_function?: string } | undefined)?.fused_activation_function ?? 'NONE';

export function fuseLstms(desc: ModelDesc): { desc: ModelDesc; fused: number } {
  const T = [...desc.tensors];
  const ops = desc.operators;
  const producer = new Map<number, number>();
  const readers = new Map<number, number[]>();
  ops.forEach((o, k) => {
    (o.outputs as number[]).forEach((t) => producer.set(t, k));
    (o.inputs as number[]).forEach((t) => { if (t >= 0) readers.set(t, [...(readers.get(t) ?? []), k]); });
  });
  const outputs = new Set(desc.outputs as number[]);
  const isConst = (t: number) => t >= 0 && T[t]!.data !== undefined;
  const by = (t: number, op: string): OperatorDesc | null => {
    const k = producer.get(t);
    return k !== undefined && ops[k]!.op === op && act(ops[k]!) === 'NONE' ? ops[k]! : null;
  };
  const ints = (t: number) => Array.from(T[t]!.data as ArrayLike<number>);

  /** The step whose h is MUL op `k`, or null. */
  const matchStep = (k: number): Step | null => {
    const m = ops[k]!;
    if (m.op !== 'MUL' || act(m) !== 'NONE') return null;
    const used = new Set<number>([k]);
    const take = (t: number, op: string) => { const o = by(t, op); if (o) used.add(producer.get(t)!); return o; };
    const H = T[m.outputs[0] as number]!.shape[1];
    /** LOGISTIC or TANH of an H-wide slice of g's last axis: [g, offset]. */
    const gateOf = (t: number, op: 'LOGISTIC' | 'TANH'): [number, number] | null => {
      const a = take(t, op);
      const s = a && take(a.inputs[0] as number, 'STRIDED_SLICE');
      if (!s) return null;
      const [src, begin, , strides] = s.inputs as number[];
      if (![begin, strides].every(isConst) || ints(strides!).some((v) => v !== 1)) return null;
      const b = ints(begin!), shape = T[src!]!.shape, out = T[s.outputs[0] as number]!.shape;
      if (shape.length !== 2 || b[0] !== 0 || out.join() !== [shape[0], H].join()) return null;
      return [src!, b[1]!];
    };
    for (const [so, tc] of [[0, 1], [1, 0]]) {
      used.clear(); used.add(k);
      const o = gateOf(m.inputs[so] as number, 'LOGISTIC'), th = take(m.inputs[tc] as number, 'TANH');
      const sum = th && take(th.inputs[0] as number, 'ADD');
      if (!o || !sum) continue;
      const c = th!.inputs[0] as number, g = o[0];
      const mark = [...used];
      for (const [fi, ii] of [[0, 1], [1, 0]]) {
        used.clear(); mark.forEach((u) => used.add(u));
        const fm = take(sum.inputs[fi] as number, 'MUL'), im = take(sum.inputs[ii] as number, 'MUL');
        if (!fm || !im) continue;
        const iz = [[0, 1], [1, 0]].map(([a, b]) => [gateOf(im.inputs[a!] as number, 'LOGISTIC'), gateOf(im.inputs[b!] as number, 'TANH')]).find(([a, b]) => a && b);
        const fc = [[0, 1], [1, 0]].map(([a, b]) => [gateOf(fm.inputs[a!] as number, 'LOGISTIC'), fm.inputs[b!] as number] as const).find(([a]) => a);
        if (!iz || !fc) continue;
        const gates = [iz[0]!, fc[0]!, iz[1]!, o];
        if (gates.some(([src]) => src !== g)) continue;
        // g = a sum of FULLY_CONNECTEDs and constants
        const fcs: number[] = [], consts: number[] = [];
        const terms = (t: number): boolean => {
          if (isConst(t)) { consts.push(t); return true; }
          const add = take(t, 'ADD');
          if (add) return terms(add.inputs[0] as number) && terms(add.inputs[1] as number);
          const fcOp = take(t, 'FULLY_CONNECTED');
          if (!fcOp || !isConst(fcOp.inputs[1] as number) || ((fcOp.inputs[2] as number) >= 0 && !isConst(fcOp.inputs[2] as number))) return false;
          fcs.push(producer.get(t)!);
          return true;
        };
        if (!terms(g) || fcs.length < 1 || fcs.length > 2) continue;
        return { h: m.outputs[0] as number, c, cPrev: fc[1], g, off: gates.map(([, b]) => b), fcs, consts, ops: new Set(used) };
      }
    }
    return null;
  };

  const steps = new Map<number, Step>(); // by c
  ops.forEach((_, k) => { const s = matchStep(k); if (s) steps.set(s.c, s); });
  const next = new Map<number, Step>(); // by cPrev
  for (const s of steps.values()) next.set(s.cPrev, s);

  const remove = new Set<number>();
  const added: { at: number; ops: OperatorDesc[] }[] = [];
  let fused = 0;
  for (const first of steps.values()) {
    if (steps.has(first.cPrev)) continue; // not a chain's start
    const chain: Step[] = [first];
    for (let s = next.get(first.c); s; s = next.get(s.c)) chain.push(s);
    const made = fuse(chain);
    if (!made) continue;
    for (const s of chain) for (const k of s.ops) remove.add(k);
    added.push({ at: Math.min(...chain.flatMap((s) => [...s.ops])), ops: made });
    fused++;
  }
  if (!fused) return { desc, fused: 0 };

  /** The LSTM and UNPACK ops of a chain, or null where it does not fit. */
  function fuse(chain: Step[]): OperatorDesc[] | null {
    const n = chain.length, first = chain[0]!;
    const c0 = first.cPrev;
    if (!isConst(c0) || f32(T[c0]!).some((v) => v !== 0)) return null;
    const [B, G] = T[first.g]!.shape as [number, number];
    const H = T[first.h]!.shape[1]!;
    if (G !== 4 * H || T[first.h]!.shape.join() !== [B, H].join() || [...first.off].sort((a, b) => a - b).join() !== [0, H, 2 * H, 3 * H].join()) return null;
    // the input FC reads x_t (a slice of x at step t); the recurrent one the previous h
    let x = -1, dim = -1, W = -1, R = -1, reverse: boolean | null = null;
    let bias: Float32Array | null = null;
    for (let s = 0; s < n; s++) {
      const st = chain[s]!;
      if (st.off.join() !== first.off.join()) return null;
      const fcs = st.fcs.map((k) => ops[k]!);
      // (step 0's R h0 is folded away: zero states)
      const rec = fcs.filter((o) => s > 0 && o.inputs[0] === chain[s - 1]!.h);
      const inp = fcs.filter((o) => !rec.includes(o));
      if (inp.length !== 1 || rec.length !== (s > 0 ? 1 : 0)) return null;
      // x_t: STRIDED_SLICE(x), maybe reshaped
      let xt = inp[0]!.inputs[0] as number;
      for (let r = by(xt, 'RESHAPE') ?? by(xt, 'SQUEEZE'); r; r = by(xt, 'RESHAPE') ?? by(xt, 'SQUEEZE')) xt = r.inputs[0] as number;
      const sl = by(xt, 'STRIDED_SLICE');
      if (!sl || !isConst(sl.inputs[1] as number)) return null;
      const src = sl.inputs[0] as number, b = ints(sl.inputs[1] as number), shape = T[src]!.shape;
      // (the states are variable tensors of fixed size: no dynamic batch)
      if (shape.length !== 3 || (x >= 0 && src !== x) || T[src]!.shapeSignature?.some((v) => v < 0)) return null;
      x = src;
      const at = (d: number, back: boolean) => b[d] === (back ? n - 1 - s : s);
      const d = [0, 1].find((d) => shape[d] === n && (at(d, false) || at(d, true)) && b[1 - d] === 0 && b[2] === 0 && (dim < 0 || d === dim)
        && T[sl.outputs[0] as number]!.shape.every((v, k) => (k === d ? v === 1 : v === shape[k])));
      if (d === undefined) return null;
      dim = d;
      // a reverse direction reads x from its end (a middle step fits both)
      if (at(d, false) !== at(d, true)) {
        if (reverse !== null && reverse !== at(d, true)) return null;
        reverse = at(d, true);
      }
      // same weights and bias every step
      const w = inp[0]!.inputs[1] as number, r = rec[0] ? (rec[0].inputs[1] as number) : -1;
      if ((W >= 0 && w !== W) || (R >= 0 && r >= 0 && r !== R)) return null;
      W = w; if (r >= 0) R = r;
      const bs = new Float32Array(G);
      for (const t of [...st.consts, ...fcs.map((o) => o.inputs[2] as number).filter((t) => t >= 0)]) {
        const v = f32(T[t]!);
        if (v.length !== G) return null;
        for (let i = 0; i < G; i++) bs[i] += v[i]!;
      }
      if (bias && bs.some((v, i) => Math.abs(v - bias![i]!) > 1e-5 * (1 + Math.abs(v)))) return null;
      bias ??= bs;
    }
    if (T[W]!.shape.join() !== [G, T[x]!.shape[2]].join() || (R >= 0 && T[R]!.shape.join() !== [G, H].join())) return null;
    // inside a step only the step reads its values; the cell state only the next step
    const last = chain[n - 1]!;
    for (const st of chain) {
      const inner = new Set(st.ops);
      const nextOps = next.get(st.c)?.ops ?? new Set<number>();
      for (const k of inner) for (const t of ops[k]!.outputs as number[]) {
        if (t === st.h) continue;
        const rs = readers.get(t) ?? [];
        if (outputs.has(t) || rs.some((r) => !inner.has(r) && !(t === st.c && nextOps.has(r)))) return null;
      }
    }
    // the gates' rows of W, R and the bias, in TFLite's order (input, forget, cell, output)
    const rows = (m: Float32Array | null, width: number, off: number) => (m ? m.slice(off * width, (off + H) * width) : new Float32Array(H * width));
    const w = f32(T[W]!), r = R >= 0 ? f32(T[R]!) : null, I = T[x]!.shape[2]!;
    const add = (t: TensorDesc) => { T.push(t); return T.length - 1; };
    const name = T[last.h]!.name;
    const inputs = new Array<number>(24).fill(-1);
    const xs = T[x]!.shape;
    if (xs[1 - dim] !== B) return null;
    const pre: OperatorDesc[] = [];
    inputs[0] = x;
    if (reverse) {
      // a reverse direction: the LSTM over x reversed in time (h of step s is y at time s)
      const idx = add({ name: `${name}_lstm_reverse`, shape: [n], dtype: 'int32', data: Int32Array.from({ length: n }, (_, t) => n - 1 - t) });
      inputs[0] = add({ name: `${T[x]!.name}_reversed`, shape: [...xs], dtype: 'float32' });
      pre.push({ op: 'GATHER', inputs: [x, idx], outputs: [inputs[0]], options: { axis: dim, batch_dims: 0 } } as OperatorDesc);
    }
    first.off.forEach((off, g) => {
      inputs[1 + g] = add({ name: `${name}_lstm_w${g}`, shape: [H, I], dtype: 'float32', data: rows(w, I, off) });
      inputs[5 + g] = add({ name: `${name}_lstm_r${g}`, shape: [H, H], dtype: 'float32', data: rows(r, H, off) });
      inputs[12 + g] = add({ name: `${name}_lstm_b${g}`, shape: [H], dtype: 'float32', data: bias!.slice(off, off + H) });
    });
    inputs[18] = add({ name: `${name}_lstm_h`, shape: [B, H], dtype: 'float32', isVariable: true });
    inputs[19] = add({ name: `${name}_lstm_c`, shape: [B, H], dtype: 'float32', isVariable: true });
    const y = add({ name: `${name}_lstm`, shape: dim === 0 ? [n, B, H] : [B, n, H], dtype: 'float32' });
    return [
      ...pre,
      { op: 'UNIDIRECTIONAL_SEQUENCE_LSTM', inputs, outputs: [y], options: { fused_activation_function: 'TANH', cell_clip: 0, proj_clip: 0, time_major: dim === 0 } } as OperatorDesc,
      { op: 'UNPACK', inputs: [y], outputs: chain.map((s) => s.h), options: { num: n, axis: dim } } as OperatorDesc,
    ];
  }

  // the new ops where their chain began; then ops nothing reads any more (the x slices) go
  const out: OperatorDesc[] = [];
  ops.forEach((o, k) => {
    for (const a of added) if (a.at === k) out.push(...a.ops);
    if (!remove.has(k)) out.push(o);
  });
  for (let changed = true; changed;) {
    changed = false;
    const read = new Set<number>(desc.outputs as number[]);
    for (const o of out) for (const t of o.inputs as number[]) read.add(t);
    for (let k = out.length - 1; k >= 0; k--) {
      if ((out[k]!.outputs as number[]).every((t) => !read.has(t))) { out.splice(k, 1); changed = true; }
    }
  }
  return { desc: { ...desc, tensors: T, operators: out }, fused };
}

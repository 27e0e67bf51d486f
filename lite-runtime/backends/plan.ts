/**
 * What `model.backendPlan` reports: which backend runs the model, why, and for WebGPU
 * which ops run on the GPU, which fall back to the CPU (and why), and the transfers
 * between them, all decided once at load (re-planned only when an input shape changes).
 *
 * ```ts
 * const m = await loadModel(bytes, { backend: 'auto' });
 * m.backendPlan.cpuOps; // [{ node: 4, op: 'GATHER', reason: "tensor 'idx' is int32 (not quantized)" }]
 * ```
 */

export interface BackendPlan {
  backend: 'cpu' | 'webgpu';
  /** Why this backend runs the model (the request, or what 'auto' saw). */
  reason: string;
  /** The adapter's description (WebGPU). */
  adapter?: string;
  /** Ops run by GPU kernels. */
  gpuOps: number;
  /** Of those, elementwise ops computed inside the shader of the op after them (their results never stored). */
  fusedOps: number;
  /** Ops run by the CPU kernels, with the reason (all of them on the CPU backend). */
  cpuOps: { node: number; op: string; reason: string }[];
  /** Copies between CPU and GPU memory in each run, in order ('end': the outputs read back). */
  transfers: { tensor: string; direction: 'upload' | 'download'; before: string; bytes: number }[];
  /** Compute dispatches and command buffers submitted per run. */
  dispatches: number;
  commandBuffers: number;
  /** Distinct shader pipelines of the model (shared with other models on the same device). */
  pipelines: number;
  /** GPU memory: the planned activation arena and the uploaded constants (weights). */
  gpuArenaBytes: number;
  gpuConstBytes: number;
  /** Of the constants, bytes stored as f16 (float16 weights on a device with `shader-f16`). */
  gpuHalfBytes?: number;
}

/** The plan of a model that runs on the CPU backend. */
export function cpuPlan(reason: string, ops: { node: number; op: string }[]): BackendPlan {
  return {
    backend: 'cpu', reason, gpuOps: 0, fusedOps: 0, cpuOps: ops.map((o) => ({ ...o, reason: 'CPU backend' })), transfers: [],
    dispatches: 0, commandBuffers: 0, pipelines: 0, gpuArenaBytes: 0, gpuConstBytes: 0,
  };
}

/** Multiply-adds of one run of subgraph 0 (convolutions and matmuls at their declared shapes): what 'auto' weighs. */
export function estimateMacs(def: { subgraphs: ReadonlyArray<{ tensors: ReadonlyArray<{ shape: number[] }>; operators: ReadonlyArray<{ code: number; inputs: number[]; outputs: number[] }> }> }): number {
  const sg = def.subgraphs[0];
  if (!sg) return 0;
  const numel = (s: number[]): number => s.reduce((a, d) => a * Math.max(d, 1), 1);
  let macs = 0;
  for (const o of sg.operators) {
    const out = o.outputs[0] === undefined ? undefined : sg.tensors[o.outputs[0]];
    const w = o.inputs[1] === undefined || o.inputs[1] < 0 ? undefined : sg.tensors[o.inputs[1]];
    if (!out || !w) continue;
    const ws = w.shape;
    switch (o.code) {
      case 3: macs += numel(out.shape) * numel(ws.slice(1)); break; // CONV_2D [O, kh, kw, I]
      case 4: macs += numel(out.shape) * numel(ws.slice(1, 3)); break; // DEPTHWISE_CONV_2D [1, kh, kw, C]
      case 9: macs += numel(out.shape) * (ws[ws.length - 1] ?? 1); break; // FULLY_CONNECTED [units, K]
      case 126: macs += numel(out.shape) * (ws[ws.length - 2] ?? 1); break; // BATCH_MATMUL
      default: break;
    }
  }
  return macs;
}

/**
 * `tglite/lite`: load a .tflite model and run it.
 *
 * ```ts
 * import { loadModel } from 'tglite/lite';
 * const model = await loadModel(bytes, { backend: 'cpu' });
 * model.inputs;  // [{ name, shape, dtype, quantization? }]
 * const [y] = await model.run([new Float32Array([1.5])], { dequantize: true });
 * model.dispose();
 * ```
 */
import { createBackend } from './backends/index.js';
import { BackendError, DisposedError, InputError, fmtShape } from './format/errors.js';
import { parseModel, type ModelDef, type SignatureDef } from './format/model.js';
import { foldPads } from './fold-pad.js';
import { numElements } from './format/typed.js';
import { inferShape, info, inputMode, output, writeInput, type InputMode } from './io.js';
import { Interpreter, type OpProfile, type SubgraphRunner } from './interpreter.js';
import type { LiteDType, LiteOp, TypedArray } from './ops/op.js';
import type { Backend } from './backends/backend.js';
import { cpuPlan, estimateMacs, type BackendPlan } from './backends/plan.js';
import { loadOps } from './ops/resolver.js';
import type { GpuExecutor, GpuInput, GpuSession, GpuTensor } from './backends/webgpu/index.js';

export { TgliteError } from './errors.js';
export * from './format/errors.js';
export { BuiltinOp, opName } from './format/schema.js';
export { parseModel } from './format/model.js';
export { describeModel } from './format/describe.js';
export type { ModelDef, SubgraphDef, TensorDef, OperatorDef, SignatureDef } from './format/model.js';
export type { LiteDType, TypedArray, LiteOp, OpNode, RtTensor, OptionsTable, Quantization } from './ops/op.js';
export type { OpProfile } from './interpreter.js';
export type { BackendPlan } from './backends/plan.js';
export { GpuDeviceLostError, GpuValidationError } from './backends/gpu-errors.js';
export type { GpuTensor, GpuInput } from './backends/webgpu/index.js';

/** Quantization of an input or output, as plain numbers. */
export interface TensorQuantization {
  scale: number[];
  zeroPoint: number[];
  /** Channel axis when per-channel (scale.length > 1). */
  axis: number;
}

/** Describes one model input or output. */
export interface TensorInfo {
  name: string;
  /** Current shape (inputs with dynamic dims take the last shape run with). */
  shape: number[];
  /** Shape with -1 for dynamic dims, when the model has one. */
  shapeSignature?: number[];
  dtype: LiteDType;
  quantization?: TensorQuantization;
}

/** One output of `run`. */
export interface OutputTensor {
  name: string;
  shape: number[];
  dtype: LiteDType;
  data: TypedArray;
}

/** Input data: a typed array (or numbers) in the input's shape, or with an explicit shape for dynamic inputs. */
export type InputValue = TypedArray | ArrayLike<number> | { data: TypedArray | ArrayLike<number>; shape: number[] } | GpuInput;

export interface RunOptions {
  /** Return quantized outputs as float32 (`scale * (q - zeroPoint)`). */
  dequantize?: boolean;
  /** WebGPU: return each output as a GPUBuffer of float32 real values (`GpuTensor`), for chaining models. */
  keepOnGpu?: boolean;
  /**
   * `runSync`: outputs are views of the model's memory, not copies (quantized ones too unless
   * `dequantize`); read them before the next run, load or dispose. For reading many large outputs.
   */
  views?: boolean;
}

export interface LoadOptions {
  /**
   * 'cpu' (default), 'webgpu', or 'auto': WebGPU when a hardware adapter exists and the model
   * has at least `autoMinMacs` multiply-adds per run, else the CPU (`model.backendPlan.reason` says why).
   */
  backend?: 'cpu' | 'webgpu' | 'auto';
  /** The WebGPU entry object (default `navigator.gpu`); in Node, `create([])` of the npm package `webgpu`. */
  gpu?: unknown;
  /** 'auto' picks WebGPU from this many multiply-adds per run (default 20M). */
  autoMinMacs?: number;
  /** Signature key to run (SignatureDef); default the one for subgraph 0, if any. */
  signature?: string;
  /** A compiled kernel module, for Workers (no WASM compile from bytes there). */
  wasmModule?: WebAssembly.Module;
  /** Largest tensor a model may declare or an op may produce, in bytes (default 1 GiB). */
  maxTensorBytes?: number;
  /** Largest arena a subgraph may plan, in bytes (default 1 GiB). */
  maxArenaBytes?: number;
  /** Most iterations one WHILE may run before it fails with LimitError (default 1,000,000). */
  maxLoopIterations?: number;
  /** Extra ops, looked up by builtin code before the backend's own (to add or override an op). */
  ops?: ReadonlyArray<LiteOp>;
  /**
   * int8 requantization arithmetic of this model: 'fp32' (default; LiteRT.js / XNNPACK, bit for
   * bit) or 'reference' (TFLite's reference kernels and TFLite Micro, gemmlowp fixed point).
   * Models loaded without it take `setRequantMode`'s process-wide default.
   */
  requant?: 'fp32' | 'reference';
}

export interface MemoryInfo {
  /** Bytes of activation arenas (planned from tensor lifetimes, reused across runs). */
  arenaBytes: number;
  /** Bytes of constant data (weights), used in place from the model bytes where aligned. */
  constBytes: number;
  /** Bytes of persistent state (variable tensors). */
  stateBytes: number;
  /** Bytes of tensors computed once at load from constants (e.g. fp16 weights dequantized). */
  foldedBytes: number;
  /**
   * Bytes the ops hold at load in the layouts their kernels read (packed weights,
   * requantization blocks), in the kernels' memory; `constBytes` stay in the model bytes.
   */
  packedBytes: number;
}

export interface LiteModel {
  readonly inputs: TensorInfo[];
  readonly outputs: TensorInfo[];
  readonly backend: 'cpu' | 'webgpu';
  /** Where each op runs and why; for WebGPU the CPU fallbacks and transfers, planned at load. */
  readonly backendPlan: BackendPlan;
  /** Signature keys of the model (empty when it has none). */
  readonly signatures: string[];
  readonly memory: MemoryInfo;
  /** Runs the model; inputs by position or by name. */
  run(inputs: InputValue[] | Record<string, InputValue>, opts: RunOptions & { keepOnGpu: true }): Promise<GpuTensor[]>;
  run(inputs: InputValue[] | Record<string, InputValue>, opts?: RunOptions): Promise<OutputTensor[]>;
  /** The same as `run`, synchronously. */
  runSync(inputs: InputValue[] | Record<string, InputValue>, opts?: RunOptions): OutputTensor[];
  /** Runs once like `runSync`, timing each op (for profiling; folded ops report 0 ms). */
  profile(inputs: InputValue[] | Record<string, InputValue>): OpProfile[];
  /** Resets recurrent state (variable tensors) to its initial values. */
  resetState(): void;
  dispose(): void;
}

/**
 * Loads a .tflite model. Throws `ModelFormatError` for bad bytes, `UnsupportedOpError`
 * listing every op the backend lacks, `KernelError` when an op rejects its tensors,
 * `LimitError` past `maxTensorBytes`/`maxArenaBytes`. Weights are used in place: the
 * model keeps views into `bytes` (no copy), so leave them unmodified while it is in use.
 *
 * ```ts
 * const model = await loadModel(await (await fetch('m.tflite')).arrayBuffer());
 * ```
 */
export async function loadModel(bytes: ArrayBuffer | ArrayBufferView, opts: LoadOptions = {}): Promise<LiteModel> {
  let u8: Uint8Array;
  if (bytes instanceof Uint8Array) u8 = bytes;
  else if (ArrayBuffer.isView(bytes)) u8 = new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  else if (/^\[object (Shared)?ArrayBuffer\]$/.test(Object.prototype.toString.call(bytes))) u8 = new Uint8Array(bytes);
  else throw new InputError('loadModel expects the model bytes as an ArrayBuffer or Uint8Array');
  const limits = opts.maxTensorBytes === undefined ? {} : { maxTensorBytes: opts.maxTensorBytes };
  const def = parseModel(u8, limits);
  await loadOps(def.opCodes.map((c) => c.code)); // the model's recurrent and control-flow ops, chunks of their own
  const want = opts.backend ?? 'cpu';
  let backend = await createBackend(want === 'webgpu' ? 'cpu' : want, opts.wasmModule ? { wasmModule: opts.wasmModule } : {});
  const gpu = await pickGpu(want, opts, def);
  if (opts.ops && opts.ops.length > 0) backend = withOps(backend, opts.ops);
  // the CPU kernels take explicit padding: PADs feeding a convolution fold into it
  const interp = new Interpreter(backend.kind === 'cpu' ? foldPads(def) : def, backend, opts);
  let sig: SignatureDef | undefined;
  if (opts.signature !== undefined) {
    sig = def.signatures.find((s) => s.key === opts.signature);
    if (!sig) {
      throw new InputError(`signature ${JSON.stringify(opts.signature)} not found; model has ${JSON.stringify(def.signatures.map((s) => s.key))}`);
    }
  } else {
    sig = def.signatures.find((s) => s.subgraph === 0);
  }
  const runner = interp.subgraph(sig?.subgraph ?? 0);
  let compiled: { mod: WebGpuModule; session: GpuSession; exec: GpuExecutor; overridden: Set<number> } | null = null;
  try {
    runner.prepare();
    if (gpu.session) {
      const overridden = new Set((opts.ops ?? []).map((o) => o.code));
      compiled = { mod: gpu.mod!, session: gpu.session, exec: await gpu.mod!.compileSubgraph(gpu.session, runner, overridden, gpu.reason), overridden };
    }
  } catch (e) {
    gpu.session?.release();
    interp.dispose();
    throw e;
  }
  const model = new Model(interp, runner, sig, def.signatures.map((s) => s.key), compiled ? 'webgpu' : 'cpu');
  model.gpu = compiled;
  model.cpuReason = gpu.reason;
  return model;
}

type WebGpuModule = typeof import('./backends/webgpu/index.js');

/** Loads the WebGPU backend module (a separate chunk: only fetched when a model asks for it). */
function importWebGpu(): Promise<WebGpuModule> {
  return import('./backends/webgpu/index.js');
}

/** Opens a WebGPU device when asked for ('webgpu'), or when 'auto' judges it worth it. */
async function pickGpu(want: string, opts: LoadOptions, def: ModelDef): Promise<{ mod?: WebGpuModule; session?: GpuSession; reason: string }> {
  if (want === 'cpu') return { reason: 'requested' };
  if (want === 'webgpu') {
    const mod = await importWebGpu();
    return { mod, session: await mod.openWebGpu(opts.gpu), reason: 'requested' };
  }
  if (want !== 'auto') return { reason: 'requested' };
  const min = opts.autoMinMacs ?? 20e6, macs = estimateMacs(def); // only here: a walk of every op costs a cold load ~1 ms
  if (macs < min) return { reason: `auto: ${Math.round(macs)} multiply-adds per run, under ${min}` };
  const navGpu = (globalThis as { navigator?: { gpu?: unknown } }).navigator?.gpu;
  if (!opts.gpu && !navGpu) return { reason: 'auto: no WebGPU here' };
  try {
    const mod = await importWebGpu();
    const session = await mod.openWebGpu(opts.gpu);
    if (session.software) {
      session.release();
      return { reason: 'auto: the WebGPU adapter is a software renderer' };
    }
    return { mod, session, reason: `auto: ${Math.round(macs)} multiply-adds per run on a GPU adapter` };
  } catch (e) {
    return { reason: `auto: WebGPU unavailable (${(e as Error).message})` };
  }
}

/** `backend` with `ops` resolved first. */
function withOps(backend: Backend, ops: ReadonlyArray<LiteOp>): Backend {
  const byCode = new Map(ops.map((o) => [o.code, o]));
  return {
    kind: backend.kind,
    resolve: (code) => byCode.get(code) ?? backend.resolve(code),
    allocate: (bytes) => backend.allocate(bytes),
    ...(backend.allocateArena ? { allocateArena: (bytes: number) => backend.allocateArena!(bytes) } : {}),
    dispose: () => backend.dispose(),
  };
}

class Model implements LiteModel {
  readonly inputs: TensorInfo[];
  readonly outputs: TensorInfo[];
  private readonly inNames: string[];
  private readonly outNames: string[];
  private readonly dynamic: (number[] | null)[];
  private disposed = false;
  /** Set when the model runs on WebGPU. */
  gpu: { mod: WebGpuModule; session: GpuSession; exec: GpuExecutor; overridden: Set<number> } | null = null;
  cpuReason = 'requested';

  constructor(
    private readonly interp: Interpreter,
    private readonly runner: SubgraphRunner,
    sig: SignatureDef | undefined,
    readonly signatures: string[],
    readonly backend: 'cpu' | 'webgpu',
  ) {
    const sgDef = runner.def;
    const nameOf = (t: number, maps: { name: string; tensor: number }[] | undefined): string =>
      maps?.find((m) => m.tensor === t)?.name ?? sgDef.tensors[t]!.name;
    this.inNames = sgDef.inputs.map((t) => nameOf(t, sig?.inputs));
    this.outNames = sgDef.outputs.map((t) => nameOf(t, sig?.outputs));
    this.dynamic = sgDef.inputs.map((t) => sgDef.tensors[t]!.shapeSignature);
    this.inputs = runner.inputTensors.map((t, k) => info(this.inNames[k]!, t, this.dynamic[k]!));
    this.outputs = runner.outputTensors.map((t, k) => info(this.outNames[k]!, t, sgDef.tensors[sgDef.outputs[k]!]!.shapeSignature));
  }

  get memory(): MemoryInfo {
    return {
      arenaBytes: this.interp.arenaBytes,
      constBytes: this.interp.model.constBytes,
      stateBytes: this.interp.variableBytes,
      foldedBytes: this.interp.foldedBytes,
      packedBytes: this.interp.packedBytes,
    };
  }

  get backendPlan(): BackendPlan {
    if (this.gpu) return this.gpu.exec.plan;
    return cpuPlan(this.cpuReason, this.runner.def.operators.map((o) => ({ node: o.index, op: o.name })));
  }

  run(inputs: InputValue[] | Record<string, InputValue>, opts: RunOptions & { keepOnGpu: true }): Promise<GpuTensor[]>;
  run(inputs: InputValue[] | Record<string, InputValue>, opts?: RunOptions): Promise<OutputTensor[]>;
  async run(inputs: InputValue[] | Record<string, InputValue>, opts: RunOptions = {}): Promise<OutputTensor[] | GpuTensor[]> {
    const g = this.gpu;
    if (!g) {
      if (opts.keepOnGpu) throw new BackendError('keepOnGpu: not on webgpu');
      return this.runSync(inputs, opts);
    }
    const onGpu = g.mod.gpuInputs(this.order(inputs));
    this.feed(inputs, onGpu);
    if (g.exec.stale) {
      // A new input shape re-prepared the subgraph: plan the GPU work again.
      g.exec.dispose();
      g.exec = await g.mod.compileSubgraph(g.session, this.runner, g.overridden, g.exec.plan.reason);
    }
    const kept = await g.exec.run(onGpu, opts.keepOnGpu && this.outNames);
    return this.runner.outputTensors.map((t, k) => {
      this.outputs[k]!.shape = t.shape.slice();
      return kept ? kept[k]! : output(this.outNames[k]!, t, opts.dequantize === true);
    }) as OutputTensor[] | GpuTensor[];
  }

  runSync(inputs: InputValue[] | Record<string, InputValue>, opts: RunOptions = {}): OutputTensor[] {
    if (this.gpu) throw new BackendError('runSync is not available on the webgpu backend (GPU work completes asynchronously); use run');
    this.feed(inputs);
    this.runner.run();
    return this.runner.outputTensors.map((t, k) => {
      this.outputs[k]!.shape = t.shape.slice();
      return output(this.outNames[k]!, t, opts.dequantize === true, opts.views === true);
    });
  }

  profile(inputs: InputValue[] | Record<string, InputValue>): OpProfile[] {
    this.feed(inputs);
    return this.runner.runProfiled();
  }

  /** Checks the inputs, resizes and re-prepares when a dynamic shape changed, writes them into the arena. */
  private feed(inputs: InputValue[] | Record<string, InputValue>, onGpu?: ReadonlyMap<number, { buffer: { size: number }; shape: number[] | null }>): void {
    if (this.disposed) throw new DisposedError();
    const values = this.order(inputs);
    const checked = values.map((v, k) => {
      const g = onGpu?.get(k), t = this.runner.inputTensors[k]!;
      return g ? { data: [], mode: null, shape: this.gpu!.mod.checkGpuInput(`input ${k} '${this.inNames[k]}'`, g, this.dynamic[k] ?? t.shape, t.shape) } : this.check(k, v);
    });
    checked.forEach((c, k) => this.runner.setInputShape(k, c.shape));
    if (!this.runner.prepared) {
      this.runner.prepare();
      if (this.gpu) this.gpu.exec.stale = true;
    }
    checked.forEach((c, k) => {
      const t = this.runner.inputTensors[k]!;
      if (c.mode) writeInput(c.data, t, c.mode);
      const desc = this.inputs[k]!;
      if (desc.shape.length !== t.shape.length || desc.shape.some((d, i) => d !== t.shape[i])) desc.shape = t.shape.slice();
    });
  }

  resetState(): void {
    this.interp.resetVariables();
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    if (this.gpu) {
      this.gpu.exec.dispose();
      this.gpu.session.release();
    }
    this.interp.dispose();
    this.interp.backend.dispose();
  }

  private order(inputs: InputValue[] | Record<string, InputValue>): InputValue[] {
    const n = this.inNames.length;
    if (Array.isArray(inputs)) {
      if (inputs.length !== n) throw new InputError(`model takes ${n} input${n === 1 ? '' : 's'} (${this.inNames.join(', ')}), got ${inputs.length}`);
      return inputs;
    }
    if (inputs === null || typeof inputs !== 'object') throw new InputError('inputs must be an array or an object keyed by input name');
    const byName = inputs as Record<string, InputValue>;
    for (const key of Object.keys(byName)) {
      if (!this.inNames.includes(key) && !this.runner.inputTensors.some((t) => t.name === key)) {
        throw new InputError(`unknown input ${JSON.stringify(key)}; inputs are ${JSON.stringify(this.inNames)}`);
      }
    }
    return this.inNames.map((name, k) => {
      const v = byName[name] ?? byName[this.runner.inputTensors[k]!.name];
      if (v === undefined) throw new InputError(`missing input ${JSON.stringify(name)}`);
      return v;
    });
  }

  /** Validates one input value: its shape (a dynamic dim may be inferred) and how to write it. */
  private check(k: number, v: InputValue): { data: TypedArray | ArrayLike<number>; shape: number[]; mode: InputMode } {
    const t = this.runner.inputTensors[k]!;
    const name = this.inNames[k]!;
    const hasShape = typeof v === 'object' && v !== null && 'shape' in v && 'data' in v && !ArrayBuffer.isView(v);
    const raw = hasShape ? (v as { data: TypedArray | ArrayLike<number> }).data : (v as TypedArray | ArrayLike<number>);
    if (raw === null || typeof raw !== 'object' || typeof (raw as { length?: unknown }).length !== 'number') {
      throw new InputError(`input ${k} '${name}': expected a typed array or number array`);
    }
    const len = (raw as ArrayLike<number>).length;
    if (!(Number.isSafeInteger(len) && len >= 0 && len <= this.interp.maxTensorBytes)) {
      throw new InputError(`input ${k} '${name}': ${len} values is not a valid size (limit ${this.interp.maxTensorBytes})`);
    }
    const sig = this.dynamic[k];
    let shape: number[];
    if (hasShape) {
      shape = Array.from((v as { shape: number[] }).shape);
    } else if (len === numElements(t.shape)) {
      shape = t.shape;
    } else {
      shape = inferShape(sig, len) ?? t.shape;
    }
    const declared = sig ?? t.shape;
    if (shape.length !== declared.length || shape.some((d, i) => !Number.isInteger(d) || d < 0 || (declared[i] !== -1 && d !== declared[i]))) {
      throw new InputError(`input ${k} '${name}': shape ${fmtShape(shape)} does not match ${fmtShape(declared)}`);
    }
    if (numElements(shape) !== len) {
      throw new InputError(`input ${k} '${name}': ${len} values given, shape ${fmtShape(shape)} needs ${numElements(shape)}`);
    }
    return { data: raw, shape, mode: inputMode(raw, t, k, name) };
  }
}

/// <reference types="@webgpu/types" />
/**
 * One WebGPU device per GPU object (`navigator.gpu`, or the object Dawn's `create()`
 * returned in Node), shared by every model loaded on it: pipelines are cached there by
 * shader key, so models with the same kernels compile them once. The session keeps a
 * strong reference to the GPU object while its device lives (Dawn crashes when the GPU
 * object is collected under a live device) and destroys the device when the last model
 * using it is disposed. Device loss marks the session lost; the next `loadModel` opens a
 * new one.
 *
 * ```ts
 * const s = await openSession(navigator.gpu);
 * const pipeline = await s.pipeline(program);
 * s.release();
 * ```
 */
import { BackendError } from '../../format/errors.js';
import { GpuDeviceLostError } from '../gpu-errors.js';
import type { GpuProgram } from './program.js';

/** The subset of a WebGPU `GPU` object used here. */
export interface GpuLike {
  requestAdapter(opts?: GPURequestAdapterOptions): Promise<GPUAdapter | null>;
}

/** How long a device with no models stays open (its pipelines cached) for the next model. */
const IDLE_MS = 2000;

/** The open session of each GPU object. */
const sessions = new Map<object, GpuSession>();
/** Every session whose device is not destroyed yet (lost ones too): strong references to their GPU objects. */
const alive = new Set<GpuSession>();

export class GpuSession {
  readonly device: GPUDevice;
  lostReason: string | null = null;
  private users = 0;
  private readonly pipelines = new Map<string, Promise<GPUComputePipeline>>();
  /** Pipelines created so far (cache misses), for the plan and tests. */
  created = 0;

  constructor(readonly gpu: object, readonly adapter: GPUAdapter, device: GPUDevice, readonly software: boolean) {
    this.device = device;
    void device.lost.then((info) => {
      this.lostReason = `${info.reason}: ${info.message}`;
      if (sessions.get(gpu) === this) sessions.delete(gpu);
    });
  }

  /** The device has `shader-f16` (float16 weights are then stored as f16 on the GPU). */
  get f16(): boolean {
    return this.device.features.has('shader-f16');
  }

  get limits(): GPUSupportedLimits {
    return this.device.limits;
  }

  /** Throws GpuDeviceLostError when the device is gone. */
  checkAlive(): void {
    if (this.lostReason !== null) throw new GpuDeviceLostError(this.lostReason);
  }

  /** The compute pipeline of `prog`, created once per cache key (createComputePipelineAsync). */
  pipeline(prog: GpuProgram): Promise<GPUComputePipeline> {
    let p = this.pipelines.get(prog.cacheKey);
    if (!p) {
      this.created++;
      const module = this.device.createShaderModule({ code: prog.wgsl, label: prog.cacheKey });
      p = this.device.createComputePipelineAsync({ layout: 'auto', compute: { module, entryPoint: 'main' }, label: prog.cacheKey });
      this.pipelines.set(prog.cacheKey, p);
      p.catch(() => this.pipelines.delete(prog.cacheKey));
    }
    return p;
  }

  private tail: Promise<unknown> = Promise.resolve();

  /** Runs `fn` after every earlier call on this device finished (error scopes and mapped buffers are per device). */
  exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const r = this.tail.then(fn, fn);
    this.tail = r.catch(() => undefined);
    return r;
  }

  retain(): this {
    this.users++;
    if (this.idle !== null) { clearTimeout(this.idle); this.idle = null; }
    return this;
  }

  private idle: ReturnType<typeof setTimeout> | null = null;

  /**
   * Drops one user. When the last one goes, the device (and its pipeline cache) stays open
   * for `IDLE_MS` more, for the next model loaded on it; then it is destroyed and the GPU
   * object let go. A lost device is destroyed at once.
   */
  release(): void {
    if (--this.users > 0) return;
    if (this.lostReason !== null) { this.close(); return; }
    this.idle = setTimeout(() => this.close(), IDLE_MS);
    (this.idle as { unref?: () => void }).unref?.();
  }

  private close(): void {
    this.idle = null;
    if (this.users > 0) return;
    if (sessions.get(this.gpu) === this) sessions.delete(this.gpu);
    this.pipelines.clear();
    this.device.destroy();
    alive.delete(this);
  }
}

/** Names of software adapters, on which the CPU backend is faster ('auto' avoids them). */
const SOFTWARE = /swiftshader|llvmpipe|lavapipe|software|warp/i;

function isSoftware(adapter: GPUAdapter): boolean {
  const info = (adapter as { info?: GPUAdapterInfo }).info;
  if (!info) return false;
  if ((info as { isFallbackAdapter?: boolean }).isFallbackAdapter) return true;
  return SOFTWARE.test(`${info.vendor} ${info.architecture} ${info.device} ${info.description}`);
}

/** The GPU object to use: the one given, else `navigator.gpu`; null when there is none. */
export function findGpu(given?: unknown): GpuLike | null {
  if (given) return given as GpuLike;
  const nav = (globalThis as { navigator?: { gpu?: GpuLike } }).navigator;
  return nav?.gpu ?? null;
}

/**
 * The shared session of `gpu`, opening an adapter and a device (limits raised to the
 * adapter's) on first use. Throws BackendError when no adapter can be had.
 */
export async function openSession(gpu: GpuLike): Promise<GpuSession> {
  const have = sessions.get(gpu);
  if (have && have.lostReason === null) return have.retain();
  const adapter = await gpu.requestAdapter({ powerPreference: 'high-performance' });
  if (!adapter) throw new BackendError('WebGPU: requestAdapter() returned null (no GPU adapter available here)');
  const l = adapter.limits;
  const requiredLimits: Record<string, number> = {
    maxStorageBufferBindingSize: l.maxStorageBufferBindingSize,
    maxBufferSize: l.maxBufferSize,
    maxComputeWorkgroupStorageSize: l.maxComputeWorkgroupStorageSize,
    maxComputeInvocationsPerWorkgroup: l.maxComputeInvocationsPerWorkgroup,
    maxComputeWorkgroupSizeX: l.maxComputeWorkgroupSizeX,
    maxComputeWorkgroupSizeY: l.maxComputeWorkgroupSizeY,
    maxStorageBuffersPerShaderStage: l.maxStorageBuffersPerShaderStage,
  };
  let device: GPUDevice;
  try {
    const requiredFeatures: GPUFeatureName[] = adapter.features.has('shader-f16') ? ['shader-f16'] : [];
    device = await adapter.requestDevice({ requiredLimits, requiredFeatures, label: 'tglite' });
  } catch (e) {
    throw new BackendError(`WebGPU: requestDevice failed: ${(e as Error).message}`);
  }
  const s = new GpuSession(gpu, adapter, device, isSoftware(adapter));
  sessions.set(gpu, s);
  alive.add(s);
  return s.retain();
}

import { matmul, matmulPacked, packB, freePacked, type PackedMatrix } from '../../../lite-runtime/kernels/index.js';
import type { Storage } from '../../dtype.js';
import { sizeOf } from '../../shape.js';
import type { Step, StepContext } from '../executor.js';
import { reluInPlace } from './conv.js';
import { trainingKernels } from '../../kernels/wasm/runtime.js';

/**
 * The step of a `fused.linear` node: y = act(x @ op(w) + bias) in one GEMM call
 * with the bias and activation applied in the kernel. Weights that are graph
 * variables or constants are packed once and repacked only when they change.
 */
export function fusedLinearStep({ node, slot, planned, variableRef, isConstant }: StepContext): Step {
  const [x, w, bias] = node.inputs;
  const transB = node.attrs.transB === true;
  const act = node.attrs.act === 'relu' ? 'relu' : null;
  const out = node.outputs[0];
  const k = x.shape[x.shape.length - 1];
  const m = sizeOf(x.shape) / k;
  const n = out.shape[out.shape.length - 1];
  const xi = slot(x), wi = slot(w), bi = bias ? slot(bias) : -1, oi = slot(out);
  const buf = planned(out) as Float32Array | null;
  const ref = variableRef(w);
  const packable = ref !== undefined || isConstant(w);
  let packed: PackedMatrix | null = null;
  let packedFrom: Storage | null = null;
  let packedVersion = -1;
  // Weights that change on every run (training) are not worth packing: after two repacks in a row, multiply unpacked.
  let repacks = 0;
  return (s) => {
    const a = s[xi] as Float32Array, wd = s[wi] as Float32Array;
    const bd = bi >= 0 ? (s[bi] as Float32Array) : null;
    const o = buf ?? new Float32Array(m * n);
    const version = ref ? ref.version() : 0;
    const fresh = packed !== null && packedFrom === wd && packedVersion === version;
    if (packable && repacks < 2) {
      if (!fresh) {
        if (packed) freePacked(packed);
        packed = packB(wd, k, n, transB);
        repacks = packedFrom === null ? 0 : repacks + 1;
        packedFrom = wd;
        packedVersion = version;
      } else {
        repacks = 0;
      }
      matmulPacked(a, packed!, o, m, bd, act);
    } else if (!wasmLinear(a, wd, o, m, k, n, transB, bd, act === 'relu')) {
      matmul(a, wd, o, m, k, n, { transB });
      if (bd) for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) o[i * n + j] += bd[j];
      if (act) reluInPlace(o);
    }
    s[oi] = o;
  };
}

/** The unpacked product with bias and relu in the training wasm module; false where it is not loaded or has no room. */
function wasmLinear(a: Float32Array, w: Float32Array, o: Float32Array, m: number, k: number, n: number,
  transB: boolean, bias: Float32Array | null, relu: boolean): boolean {
  const kernels = m > 0 && k > 0 && n > 0 ? trainingKernels() : null;
  if (!kernels) return false;
  try {
    kernels.matmul(a, w, o, m, k, n, false, transB, bias, relu);
    return true;
  } catch (e) {
    if (e instanceof RangeError) return false;
    throw e;
  }
}

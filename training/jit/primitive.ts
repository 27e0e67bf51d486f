import { TraceError, ValueError } from '../errors.js';
import { fmtShape } from '../shape.js';
import { Tensor } from '../tensor.js';

/**
 * JS conversion of tensors (`t > 0`, `+t`, `Number(t)`): a one-element eager
 * tensor gives its value, as `float(t)` does in PyTorch; a traced tensor throws
 * the TraceError that says to use tg.cond (the value is unknown while tracing).
 * String conversion keeps printing the tensor.
 */
function toPrimitive(this: Tensor, hint: string): number | string {
  if (hint === 'string') return this.toString();
  if (this.isTraced) {
    try {
      return this._values('valueOf')[0];
    } catch (e) {
      throw new TraceError(`a comparison or arithmetic on a traced tensor (an if on a tensor?) converts it to a JS value: ${(e as Error).message}`);
    }
  }
  if (hint === 'default') return this.toString();
  if (this.numel !== 1) {
    throw new ValueError(`a tensor of shape ${fmtShape(this.shape)} (${this.numel} elements) cannot be converted to a number; only one-element tensors can`);
  }
  return this.item();
}

Object.defineProperty(Tensor.prototype, Symbol.toPrimitive, { value: toPrimitive, writable: true, configurable: true });

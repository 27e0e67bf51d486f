/**
 * The Tensor class with every method installed: import Tensor from here. The
 * class is defined in `tensor-class.ts`; its op methods (`x.add(y)`, `x.sum()`...)
 * are installed by `tensor-methods.ts`, which this module imports, so any module
 * that can see a Tensor sees all of its methods, whatever was imported first.
 */
export * from './tensor-class.js';
import './tensor-methods.js';

/**
 * Typed errors of the lite runtime. Every failure the runtime detects (bad model
 * bytes, unsupported ops, bad inputs at `run`, op prepare failures) is a `LiteError`
 * subclass with a stable `code`, so callers can tell them apart:
 *
 * ```ts
 * try { await loadModel(bytes); } catch (e) {
 *   if (e instanceof UnsupportedOpError) console.log(e.ops.map((o) => o.name));
 * }
 * ```
 */

import { TgliteError } from '../errors.js';

export { fmtShape } from '../errors.js';

/** Stable error codes, one per subclass. */
export type LiteErrorCode =
  | 'model-format' | 'unsupported-op' | 'input' | 'kernel' | 'backend' | 'limit' | 'disposed';

/** Base class of every error the lite runtime throws on purpose; a `TgliteError`. */
export class LiteError extends TgliteError {
  declare readonly code: LiteErrorCode;
  constructor(code: LiteErrorCode, message: string) {
    super(code, message);
  }
}

/**
 * The model bytes are malformed or hostile: what is wrong and where.
 * Example message: "tensor 12 'conv/weights': buffer 7 holds 100 bytes, shape [8,3,3,1] int8 needs 72".
 */
export class ModelFormatError extends LiteError {
  constructor(message: string) {
    super('model-format', message);
  }
}

/** One op the runtime cannot run: its code, name (or custom code) and the nodes using it. */
export interface UnsupportedOp {
  code: number;
  name: string;
  /** "subgraph:operator" locations, e.g. "0:12". */
  nodes: string[];
}

/** The model uses ops this runtime (backend) lacks; lists all of them, found at load time. */
export class UnsupportedOpError extends LiteError {
  readonly ops: UnsupportedOp[];
  constructor(ops: UnsupportedOp[]) {
    const list = ops.map((o) => `${o.name} (code ${o.code}, ${o.nodes.length} node${o.nodes.length === 1 ? '' : 's'})`);
    super('unsupported-op', `model uses ${ops.length} unsupported op${ops.length === 1 ? '' : 's'}: ${list.join(', ')}`);
    this.ops = ops;
  }
}

/** Wrong input count, name, shape or dtype given to `run`, or a bad value for a runtime setting. */
export class InputError extends LiteError {
  constructor(message: string) {
    super('input', message);
  }
}

/**
 * An op rejected its tensors or options (at prepare) or failed at run.
 * Example: `throw new KernelError('CONV_2D', node.index, "input 0 'x' must be rank 4, got [1,8]")`
 * reads "CONV_2D (node 3): input 0 'x' must be rank 4, got [1,8]".
 */
export class KernelError extends LiteError {
  readonly op: string;
  readonly node: number;
  /** What was wrong, without the op/node prefix. */
  readonly detail: string;
  /** Subgraph of the node, when known (the interpreter fills it in for subgraphs other than 0). */
  readonly subgraph: number | undefined;
  constructor(op: string, node: number, detail: string, subgraph?: number) {
    super('kernel', `${op} (${subgraph === undefined ? '' : `subgraph ${subgraph}, `}node ${node}): ${detail}`);
    this.op = op;
    this.node = node;
    this.detail = detail;
    this.subgraph = subgraph;
  }
}

/** The requested backend is not available here (e.g. 'webgpu' without `navigator.gpu`). */
export class BackendError extends LiteError {
  constructor(message: string) {
    super('backend', message);
  }
}

/** A resource limit was hit (arena size, tensor size, subgraph nesting, WHILE iterations). */
export class LimitError extends LiteError {
  constructor(message: string) {
    super('limit', message);
  }
}

/** The model was used after `dispose()`. */
export class DisposedError extends LiteError {
  constructor() {
    super('disposed', 'model was disposed');
  }
}

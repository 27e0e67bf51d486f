/**
 * A first-fit allocator over a WebAssembly.Memory, run from JS: blocks are
 * 64-byte aligned, freed blocks coalesce, and the memory grows on demand.
 * Growing detaches old views: take views of `memory.buffer` after allocating.
 * While `frozen` (a model run holds views of its arena), alloc never grows.
 */
export class WasmHeap {
  private readonly holes: Array<{ off: number; size: number }> = [];
  private top: number;
  private readonly base: number;
  /** While > 0 the memory must not grow (views of it are in use): alloc throws RangeError instead. */
  frozen = 0;

  constructor(readonly memory: WebAssembly.Memory, base: number) {
    this.base = this.top = align(base);
  }

  /** Reserves `bytes` bytes; throws RangeError when the memory cannot grow. */
  alloc(bytes: number): number {
    const size = Math.max(64, align(bytes));
    for (let i = 0; i < this.holes.length; i++) {
      const h = this.holes[i];
      if (h.size < size) continue;
      const off = h.off;
      if (h.size === size) this.holes.splice(i, 1);
      else { h.off += size; h.size -= size; }
      return off;
    }
    const off = this.top;
    this.ensure(off + size);
    this.top = off + size;
    return off;
  }

  /** Returns a block from `alloc` (with the same byte count). */
  release(off: number, bytes: number): void {
    const size = Math.max(64, align(bytes));
    let i = 0;
    while (i < this.holes.length && this.holes[i].off < off) i++;
    this.holes.splice(i, 0, { off, size });
    // Coalesce with the next, then the previous hole.
    const next = this.holes[i + 1];
    if (next && off + size === next.off) { this.holes[i].size += next.size; this.holes.splice(i + 1, 1); }
    const prev = this.holes[i - 1];
    if (prev && prev.off + prev.size === off) { prev.size += this.holes[i].size; this.holes.splice(i, 1); i--; }
    const last = this.holes[this.holes.length - 1];
    if (last && last.off + last.size === this.top) { this.top = last.off; this.holes.pop(); }
  }

  /** Bytes in live blocks. */
  used(): number {
    return this.holes.reduce((s, h) => s - h.size, this.top - this.base);
  }

  private ensure(end: number): void {
    const have = this.memory.buffer.byteLength;
    if (end <= have) return;
    if (this.frozen > 0) throw new RangeError('wasm memory cannot grow while views of it are in use');
    this.memory.grow(Math.ceil((end - have) / 65536));
  }
}

function align(n: number): number {
  return Math.ceil(n / 64) * 64;
}

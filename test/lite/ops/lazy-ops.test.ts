/**
 * The lazily imported ops (LAZY_OPS in lite-runtime/ops/resolver.ts): `loadOps` imports their
 * chunks for the codes asked for, and a chunk that cannot be imported is a typed error naming the op.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { BuiltinOp } from '../../../lite-runtime/format/schema.js';

afterEach(() => {
  vi.doUnmock('../../../lite-runtime/ops/lazy-rare.js');
  vi.resetModules();
});

describe('lazy ops', { timeout: 60_000 }, () => {
  it('resolve only once loadOps has imported their chunk, and only those asked for', async () => {
    vi.resetModules();
    const { loadOps, resolveOp } = await import('../../../lite-runtime/ops/resolver.js');
    expect(resolveOp(BuiltinOp.CUMSUM)).toBeUndefined();
    expect(resolveOp(BuiltinOp.ADD)?.name).toBe('ADD');
    await loadOps([BuiltinOp.CUMSUM, BuiltinOp.ADD]);
    expect(resolveOp(BuiltinOp.CUMSUM)?.name).toBe('CUMSUM');
    expect(resolveOp(BuiltinOp.SVDF)).toBeUndefined(); // another chunk, not asked for
  });

  it('a chunk that fails to import is a BackendError naming the op', async () => {
    vi.resetModules();
    vi.doMock('../../../lite-runtime/ops/lazy-rare.js', () => {
      throw new Error('network down');
    });
    const { loadOps, resolveOp } = await import('../../../lite-runtime/ops/resolver.js');
    const err = await loadOps([BuiltinOp.WHILE]).then(() => null, (e: unknown) => e as { code: string; message: string; name: string });
    expect(err).toMatchObject({ name: 'BackendError', code: 'backend' });
    expect(err!.message).toMatch(/^the CPU op WHILE .*could not be imported: \S/); // with the import's own message
    expect(resolveOp(BuiltinOp.WHILE)).toBeUndefined();
  });
});

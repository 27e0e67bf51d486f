import { ValueError } from './errors.js';

/**
 * Rejects keys an options object does not accept, naming the accepted ones, so a
 * misspelt or unsupported option is an error instead of being silently ignored.
 * @example checkOptions('Adam', { lr: 1e-3, amsgrad: true }, ['lr', 'betas', 'amsgrad'])
 */
export function checkOptions(where: string, opts: object | null | undefined, accepted: readonly string[]): void {
  if (opts === null || opts === undefined) return;
  if (typeof opts !== 'object' || Array.isArray(opts)) throw new ValueError(`${where}: options must be an object, got ${Array.isArray(opts) ? 'an array' : typeof opts}`);
  for (const key of Object.keys(opts)) {
    if ((opts as Record<string, unknown>)[key] !== undefined && !accepted.includes(key)) {
      throw new ValueError(`${where}: unknown option '${key}' (accepted: ${accepted.join(', ')})`);
    }
  }
}

/**
 * The keys of options type T, each listed once: the compiler rejects a missing or an extra
 * key, so the list cannot drift from the type.
 * @example const KEYS = keysOf<TensorOptions>({ dtype: true, requiresGrad: true, shape: true });
 */
export function keysOf<T extends object>(keys: { [K in keyof Required<T>]: true }): readonly string[] {
  return Object.keys(keys);
}

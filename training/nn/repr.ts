/**
 * The given options of a module for its `toString`, as `, key=value` pairs (undefined ones left out).
 * @example reprOptions({ stride: 2, padding: undefined }) // ', stride=2'
 */
export function reprOptions(o: object): string {
  return Object.entries(o).filter(([, v]) => v !== undefined).map(([k, v]) => `, ${k}=${JSON.stringify(v)}`).join('');
}

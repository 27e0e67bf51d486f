/**
 * One-hot encoding: out[i * classes + index[i]] = 1 (out zeroed, length index.length * classes).
 * Returns -1, or the position of the first index outside [0, classes) (out then partly written).
 * @example oneHot(Int32Array.of(2, 0), 3, out) // out = [0,0,1, 1,0,0]
 */
export function oneHot(index: ArrayLike<number>, classes: number, out: Int32Array): number {
  for (let i = 0; i < index.length; i++) {
    const v = index[i];
    if (!(v >= 0 && v < classes)) return i;
    out[i * classes + v] = 1;
  }
  return -1;
}

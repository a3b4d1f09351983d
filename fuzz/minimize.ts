/**
 * A last shrinking pass after fast-check's: drops single steps while the sequence still fails.
 * fast-check shrinks an array mostly by its prefix, so a step after the one that fails (a no-op
 * unmap, say) can survive its shrinking; this removes it.
 *
 * @module
 */

/**
 * The shortest sub-list of `items` reachable by removing one item at a time for which `fails`
 * still holds (at most `items.length²` calls of `fails`).
 *
 * @example
 * ```ts
 * dropWhileFailing([1, 2, 3, 4], (xs) => xs.includes(3)); // [3]
 * ```
 */
export function dropWhileFailing<T>(items: readonly T[], fails: (items: T[]) => boolean): T[] {
  let current = [...items];
  for (let i = current.length - 1; i >= 0 && current.length > 1; i--) {
    const without = current.slice(0, i).concat(current.slice(i + 1));
    if (fails(without)) {
      current = without;
      i = Math.min(i, current.length);
    }
  }
  return current;
}

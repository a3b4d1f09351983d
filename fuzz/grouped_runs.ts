/**
 * A shard's generated runs executed machine by machine: fast-check hands out runs whose machines
 * (fragmentation and seed) change at nearly every run, so each run started on a machine whose
 * bitmaps the others had pushed out of the cache. Run in groups of one machine, in generation
 * order within a group, the same runs took 0.85–0.87× the time. Every run starts from its
 * machine's built state (`fuzz/machine_pool.ts`), so the order changes no outcome.
 *
 * @module
 */

/**
 * Where {@linkcode runGrouped} stopped: `done` runs passed; `failedAt` is the index (in
 * generation order) of the run that threw, with what it threw, or -1.
 *
 * @example
 * ```ts
 * const stop: GroupedStop = { done: 3, failedAt: -1, error: undefined };
 * ```
 */
export interface GroupedStop {
  readonly done: number;
  readonly failedAt: number;
  readonly error: unknown;
}

/**
 * Calls `execute` on each of `runs`, grouped by `machineOf` (groups in order of first
 * appearance, runs in their order within a group), until one throws or `deadline`
 * (`performance.now()` milliseconds) passes.
 *
 * @example
 * ```ts
 * const order: number[] = [];
 * runGrouped([1, 2, 3, 4], (n) => n % 2, (n) => void order.push(n));
 * order; // [1, 3, 2, 4]
 * ```
 */
export function runGrouped<T>(
  runs: readonly T[],
  machineOf: (run: T) => string | number,
  execute: (run: T) => void,
  deadline: number = Infinity,
): GroupedStop {
  const groups = new Map<string | number, number[]>();
  for (let i = 0; i < runs.length; i++) {
    const key = machineOf(runs[i]);
    const group = groups.get(key);
    if (group === undefined) groups.set(key, [i]);
    else group.push(i);
  }
  let done = 0;
  for (const group of groups.values()) {
    for (const i of group) {
      if (performance.now() > deadline) return { done, failedAt: -1, error: undefined };
      try {
        execute(runs[i]);
      } catch (error) {
        return { done, failedAt: i, error };
      }
      done++;
    }
  }
  return { done, failedAt: -1, error: undefined };
}

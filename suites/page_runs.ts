/**
 * Where an MDL's pages lie: runs of physically contiguous frames, the lowest and highest address,
 * and how many pages fall outside the bounds the driver asked for.
 *
 * @module
 */

/** Consecutive frames `firstPfn .. firstPfn + pages - 1`, in MDL order. */
export interface PageRun {
  /** Frame number of the run's first page. */
  readonly firstPfn: number;
  /** Number of consecutive frames in the run. */
  readonly pages: number;
}

/**
 * Splits frame numbers into runs of consecutive frames, in MDL order.
 *
 * @example
 * ```ts
 * pageRuns([7, 8, 9, 20]); // [{ firstPfn: 7, pages: 3 }, { firstPfn: 20, pages: 1 }]
 * ```
 */
export function pageRuns(pfns: ArrayLike<number>): PageRun[] {
  const runs: { firstPfn: number; pages: number }[] = [];
  for (let i = 0; i < pfns.length; i++) {
    const last = runs[runs.length - 1];
    if (last !== undefined && pfns[i] === last.firstPfn + last.pages) last.pages++;
    else runs.push({ firstPfn: pfns[i], pages: 1 });
  }
  return runs;
}

/** The physical extent of some runs and how many of their pages break a bound. */
export interface PageExtent {
  /** Address of the first byte of the lowest page. */
  readonly lowestAddress: bigint;
  /** Address of the last byte of the highest page. */
  readonly highestAddress: bigint;
  /** Pages whose base lies below the page of `lowAddress` or above `highAddress`. */
  readonly pagesBeyondBound: number;
}

/**
 * Extent of `runs` and the pages outside [lowAddress, highAddress]. A page counts as inside when
 * its base address is inside: the page holding HighAddress is eligible, as the simulator's default
 * `highAddressPage: "inclusive"` policy and the DDI reference ("within the range") have it.
 *
 * @example
 * ```ts
 * // Frames 0xFFF and 0x1000 against a 24-bit DMA limit: the second page lies beyond it.
 * pageExtent([{ firstPfn: 0xFFF, pages: 2 }], 4096, 0n, 0xFFFFFFn)?.pagesBeyondBound; // 1
 * ```
 */
export function pageExtent(
  runs: readonly PageRun[],
  pageSize: number,
  lowAddress: bigint,
  highAddress: bigint,
): PageExtent | null {
  if (runs.length === 0) return null;
  const page = BigInt(pageSize);
  const lowPfn = Number(lowAddress / page);
  const highPfn = Number(highAddress / page);
  let lowest = Infinity;
  let highest = -Infinity;
  let beyond = 0;
  for (const run of runs) {
    const last = run.firstPfn + run.pages - 1;
    lowest = Math.min(lowest, run.firstPfn);
    highest = Math.max(highest, last);
    beyond += Math.max(0, Math.min(last, lowPfn - 1) - run.firstPfn + 1);
    beyond += Math.max(0, last - Math.max(run.firstPfn, highPfn + 1) + 1);
  }
  return {
    lowestAddress: BigInt(lowest) * page,
    highestAddress: BigInt(highest + 1) * page - 1n,
    pagesBeyondBound: beyond,
  };
}

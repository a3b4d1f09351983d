/**
 * Checks of one fresh allocation, for the model-checked runner: sizes, flags, contiguity and the
 * physical range, with the bounds converted to frame numbers once per MDL.
 *
 * @module
 */

import type { Backend, Mdl, WaveRtStream } from "../core/backend.ts";
import { MdlFlags } from "../core/constants.ts";
import type { FrameOwners } from "./frame_owners.ts";
import type { SequenceStep } from "./sequence.ts";

/**
 * What {@linkcode checkFresh} needs of an allocation step and its result.
 *
 * @example
 * ```ts
 * const fresh: FreshHandle = {
 *   step: { call: "allocatePagesForMdl", handle: "h0", highAddress: 0xFFFFFFFFn, totalBytes: 1 },
 *   lowAddress: 0n,
 *   mdl: null,
 * };
 * ```
 */
export interface FreshHandle {
  readonly step: SequenceStep & { totalBytes: number; highAddress: bigint };
  readonly lowAddress: bigint;
  readonly mdl: Mdl | null;
}

const MAX_FRAME = BigInt(Number.MAX_SAFE_INTEGER);

/**
 * Shape of a fresh allocation: sizes, flags, and where the backend claims them, non-zero frames
 * inside the page range and, given `owners`, held by no other live MDL (then marked held); calls
 * `fail` with the first problem (frames marked before it stay marked: the caller clears `owners`
 * after a failed run). Returns whether the frames form one physical run. One pass over the frames
 * does all of it.
 *
 * @example
 * ```ts
 * import { Simulator } from "../mod.ts";
 * using sim = new Simulator();
 * const stream = sim.stream();
 * const step = { call: "allocatePagesForMdl", handle: "h0", highAddress: 0xFFFFFFFFn, totalBytes: 1920 } as const;
 * const mdl = stream.allocatePagesForMdl(step.highAddress, step.totalBytes);
 * checkFresh(sim, stream, { step, lowAddress: 0n, mdl }, (m) => { throw new Error(m); }); // true
 * ```
 */
export function checkFresh(
  backend: Backend,
  stream: WaveRtStream,
  handle: FreshHandle,
  fail: (message: string) => never,
  owners?: FrameOwners,
): boolean {
  const mdl = handle.mdl!;
  const page = backend.pageSize;
  const pfns = mdl.pfns;
  const rounded = Math.ceil(handle.step.totalBytes / page) * page;
  // Whole pages, or exactly the request where a backend keeps exact sizes (a ByteCount policy).
  const exact = mdl.byteCount === handle.step.totalBytes;
  if (mdl.byteCount <= 0 || (mdl.byteCount % page !== 0 && !exact)) {
    fail(`byteCount ${mdl.byteCount} is neither a multiple of ${page} nor the request`);
  }
  if (mdl.byteCount > rounded) fail(`byteCount ${mdl.byteCount} exceeds the rounded ${rounded}`);
  if (stream.getPhysicalPagesCount(mdl) !== pfns.length) {
    fail(`getPhysicalPagesCount ${stream.getPhysicalPagesCount(mdl)} ≠ ${pfns.length} pfns`);
  }
  if (Math.ceil(mdl.byteCount / page) !== pfns.length) {
    fail(`byteCount ${mdl.byteCount} does not match ${pfns.length} pfns`);
  }
  if (!(mdl.mdlFlags & MdlFlags.PAGES_LOCKED)) fail("a fresh MDL lacks MDL_PAGES_LOCKED");
  if (mdl.mappedSystemVa !== null) fail("a fresh MDL is already mapped");
  const { contiguous, frameNumbers, highAddressEnforced } = backend.capabilities;
  const contiguousCall = handle.step.call === "allocateContiguousPagesForMdl";
  if (contiguousCall && Math.ceil(mdl.byteCount / page) * page !== rounded) {
    fail(`contiguous allocation is partial: ${mdl.byteCount}`);
  }
  // Page i lies in range when lowFrame ≤ pfn ≤ highFrame: the bounds in frames, once; without
  // frame numbers or an enforced bound every frame passes.
  let lowFrame = -Infinity, highFrame = Infinity;
  if (frameNumbers.available && highAddressEnforced.available) {
    const big = BigInt(page);
    lowFrame = Number((handle.lowAddress + big - 1n) / big);
    const top = (handle.step.highAddress + 1n) / big - 1n;
    highFrame = top > MAX_FRAME ? Number.MAX_SAFE_INTEGER : Number(top);
  }
  const numbered = frameNumbers.available;
  const own = numbered ? owners : undefined;
  const first = pfns[0];
  let oneRun = true;
  for (let i = 0; i < pfns.length; i++) {
    const pfn = pfns[i];
    if (pfn !== first + i) oneRun = false;
    if (numbered && pfn === 0) fail(`${handle.step.handle} has frame number 0`);
    if (own !== undefined && !own.take(pfn)) {
      fail(`frame ${pfn} belongs to two live MDLs (${handle.step.handle})`);
    }
    if (pfn < lowFrame || pfn > highFrame) {
      const at = BigInt(pfn) * BigInt(page);
      fail(`page ${i} at 0x${at.toString(16).toUpperCase()} is outside the requested range`);
    }
  }
  if (contiguousCall && contiguous.available && numbered && !oneRun) {
    fail("contiguous allocation is not one physical run");
  }
  return oneRun;
}

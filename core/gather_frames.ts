/**
 * The second half of `MmAllocatePagesForMdlEx`, ReactOS's `MiAllocatePagesForMdl`: taking free
 * frames from the bitmap as an {@linkcode AllocationPlan} says, in aligned chunks, as one run
 * where contiguity is preferred, or through the ranges SkipBytes shifts in the order the
 * simulator's {@linkcode Placement} picks (ascending under `lowest-first`).
 *
 * @module
 */

import type { AllocationPlan } from "./allocation_request.ts";
import type { FrameBitmap } from "./frame_bitmap.ts";
import { frameList } from "./frame_slab.ts";
import type { Placement } from "./placement.ts";

/**
 * Takes frames from `bitmap` following `plan`, non-contiguous ones where `placement` picks them
 * (default lowest-first); returns them (possibly fewer than wanted), or null after giving them
 * back when the result is one Windows answers with NULL: none at all, or fewer than a
 * FULLY_REQUIRED request asked for.
 *
 * @example
 * ```ts
 * import { FrameBitmap } from "./frame_bitmap.ts";
 * import { planAllocation } from "./allocation_request.ts";
 * import { defaultPolicies } from "./policies.ts";
 * const bitmap = new FrameBitmap(1024);
 * bitmap.setRange(16, 64, true);
 * const request = { lowAddress: 0n, highAddress: 0xFFFFFFFFn, skipBytes: 0n, totalBytes: 8192, flags: 0 };
 * const plan = planAllocation(request, 4096, 1024, Infinity, defaultPolicies)!;
 * gatherFrames(bitmap, plan); // Uint32Array [16, 17]
 * ```
 */
export function gatherFrames(
  bitmap: FrameBitmap,
  plan: AllocationPlan,
  placement?: Placement,
): Uint32Array | null {
  // Sized once, typed (frame numbers are below 2^32), cut from a slab (`core/frame_slab.ts`).
  const frames = frameList(plan.wanted);
  const taken = plan.strategy === "chunks" ? takeChunks(bitmap, frames, plan) : takeRanges(
    bitmap,
    frames,
    plan,
    plan.preferContiguous ? takeOneRun(bitmap, frames, plan) : 0,
    placement,
  );
  if (taken === 0 || (plan.fullyRequired && taken < plan.requestedPages)) {
    bitmap.release(frames, taken);
    return null;
  }
  return taken === plan.wanted ? frames : frames.subarray(0, taken);
}

/** Aligned chunks of `chunkFrames` until `wanted` are taken or none are left. */
function takeChunks(bitmap: FrameBitmap, frames: Uint32Array, plan: AllocationPlan): number {
  const { wanted, chunkFrames: chunk, alignment, hi } = plan;
  let taken = 0;
  let from = plan.lo;
  while (taken < wanted) {
    const start = bitmap.findRun(chunk, from, hi, alignment);
    if (start < 0) break;
    bitmap.takeRun(start, chunk, frames, taken);
    taken += chunk;
    from = start + chunk;
  }
  return taken;
}

/** All `wanted` frames as one run in [lo, hi), or none. */
function takeOneRun(bitmap: FrameBitmap, frames: Uint32Array, plan: AllocationPlan): number {
  const start = bitmap.findRun(plan.wanted, plan.lo, plan.hi);
  if (start < 0) return 0;
  bitmap.takeRun(start, plan.wanted, frames, 0);
  return plan.wanted;
}

/**
 * Free frames of [lo, hi), then of further ranges at Low + k·SkipBytes,
 * High + k·SkipBytes, as the DDI reference describes, after the `taken` frames already held.
 */
function takeRanges(
  bitmap: FrameBitmap,
  frames: Uint32Array,
  plan: AllocationPlan,
  taken: number,
  placement: Placement | undefined,
): number {
  const { wanted, lo, hi, stepFrames: step } = plan;
  const frameCount = bitmap.frameCount;
  for (let k = 0; taken < wanted; k++) {
    const from = lo + k * step;
    if (from >= frameCount || (k > 0 && step === 0)) break;
    const to = Math.min(frameCount, hi + k * step);
    taken += placement === undefined
      ? bitmap.takeAscending(from, to, wanted - taken, frames, taken)
      // Placement writes only `out[i] = frame`; its signature predates typed frame lists.
      : placement.take(bitmap, from, to, wanted - taken, frames as unknown as number[], taken);
  }
  return taken;
}

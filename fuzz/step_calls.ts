/**
 * The calls a step makes on a backend, with the MDL the step passes (its own or a foreign one).
 *
 * @module
 */

import type { Backend, Mdl, WaveRtStream } from "../core/backend.ts";
import { CacheType } from "../core/constants.ts";
import { type ModelHandle, unmapAddress } from "./misuse_model.ts";
import type { SequenceStep } from "./sequence.ts";

/**
 * One page's MDL of another backend instance, allocated and freed there (so it is foreign to
 * every other backend); null when `build` is not given.
 *
 * @example
 * ```ts
 * import { Simulator } from "../mod.ts";
 * otherBackendMdl(() => new Simulator())?.byteCount; // 4096
 * ```
 */
export function otherBackendMdl(build: (() => Backend) | undefined): Mdl | null {
  if (build === undefined) return null;
  const other = build();
  try {
    const stream = other.stream();
    const mdl = stream.allocatePagesForMdl(0xffffffffn, 4096);
    if (mdl !== null) stream.freePagesFromMdl(mdl);
    return mdl;
  } finally {
    other.close();
  }
}

/**
 * Makes the stream call (or engine mapping call) of a map, unmap or free step with `mdl`.
 *
 * @example
 * ```ts
 * import { Simulator } from "../mod.ts";
 * using sim = new Simulator();
 * const stream = sim.stream();
 * const mdl = stream.allocatePagesForMdl(0xFFFFFFFFn, 4096)!;
 * const handle = {
 *   mdl, state: "live", mappedAt: null, mappedCache: null, engineAt: null, engineCache: null,
 * } as const;
 * callStep(sim, stream, { call: "freePagesFromMdl", handle: "h0" }, { ...handle }, mdl);
 * ```
 */
export function callStep(
  backend: Backend,
  stream: WaveRtStream,
  step: SequenceStep,
  handle: ModelHandle,
  mdl: Mdl,
): bigint | null | void {
  switch (step.call) {
    case "mapAllocatedPages":
      return step.engine === true
        ? backend.engineMappings!.map(mdl, CacheType[step.cacheType])
        : stream.mapAllocatedPages(mdl, CacheType[step.cacheType]);
    case "unmapAllocatedPages":
      return step.engine === true
        ? backend.engineMappings!.unmap(unmapAddress(step, handle), mdl)
        : stream.unmapAllocatedPages(unmapAddress(step, handle), mdl);
    case "freePagesFromMdl":
      return stream.freePagesFromMdl(mdl);
  }
}

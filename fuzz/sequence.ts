/**
 * Generated allocation sequences: fast-check arbitraries for the calls a WaveRT driver makes, in
 * the same step shape the suite DSL uses, so that a shrunk failure is a ready-to-paste case.
 *
 * @module
 */

import fc from "fast-check";
import type { CacheTypeName, StepInput } from "../suites/suite_input.ts";

/**
 * A suite step of one call, as `suites/schema.ts` types what a suite writes.
 *
 * @internal
 */
type StepOf<C extends StepInput["call"]> = Extract<StepInput, { readonly call: C }>;

/**
 * A suite step narrowed to what the generator makes: `fields` as given, no audio or `expect`.
 *
 * @internal
 */
type Narrowed<S, Fields> = Omit<S, "audio" | "expect" | keyof Fields> & Readonly<Fields>;

/**
 * One call of a sequence, with named handles: a suite's `steps` entry ({@linkcode StepInput}) with
 * the size as a byte count, addresses as bigint and no step expectations.
 *
 * @example
 * ```ts
 * const step: SequenceStep = {
 *   call: "allocatePagesForMdl",
 *   handle: "h0",
 *   highAddress: 0xFFFFFFFFn,
 *   totalBytes: 1920,
 * };
 * ```
 */
export type SequenceStep =
  | Narrowed<StepOf<"allocatePagesForMdl">, { highAddress: bigint; totalBytes: number }>
  | Narrowed<
    StepOf<"allocateContiguousPagesForMdl">,
    { lowAddress: bigint; highAddress: bigint; totalBytes: number }
  >
  | Narrowed<StepOf<"mapAllocatedPages">, { cacheType: CacheTypeName }>
  | Narrowed<StepOf<"unmapAllocatedPages">, Record<never, never>>
  | Narrowed<StepOf<"freePagesFromMdl">, Record<never, never>>;

/**
 * A step as generated: uses name earlier allocations by position (`which`, taken modulo the
 * number of allocations so far), so that any shrunk sub-list still makes a valid sequence.
 *
 * @example
 * ```ts
 * const free: GeneratedStep = { call: "freePagesFromMdl", which: 3 };
 * ```
 */
export type GeneratedStep =
  | Omit<Extract<SequenceStep, { call: "allocatePagesForMdl" }>, "handle">
  | Omit<Extract<SequenceStep, { call: "allocateContiguousPagesForMdl" }>, "handle">
  | {
    readonly call: "mapAllocatedPages";
    readonly which: number;
    readonly cacheType: CacheTypeName;
  }
  | { readonly call: "unmapAllocatedPages" | "freePagesFromMdl"; readonly which: number };

/** Bounds drivers really use: 16 MiB (ISA-era DMA), 1 MiB, 2 GiB, 4 GiB, 8 MiB and unlimited. */
const highAddresses = [
  0xffffffn,
  0xfffffn,
  0x7fffffffn,
  0xffffffffn,
  0x7fffffn,
  0x7fffffffffffffffn,
];

/**
 * WaveRT buffer sizes: 10 and 20 ms of common formats, notification halves, and sizes one byte
 * either side of page boundaries.
 */
const audioSizes = [1920, 3840, 960, 17640, 15360, 61440, 7680, 384000, 1_536_000];

/**
 * Sizes across page boundaries and audio formats, up to `maxBytes`.
 *
 * @example
 * ```ts
 * import fc from "fast-check";
 * fc.sample(sizeArbitrary(1 << 20), 3); // e.g. [4097, 1920, 65536]
 * ```
 */
export function sizeArbitrary(maxBytes: number): fc.Arbitrary<number> {
  const pages = Math.max(1, Math.floor(maxBytes / 4096));
  return fc.oneof(
    fc.constantFrom(...audioSizes.filter((s) => s <= maxBytes)),
    fc.tuple(fc.integer({ min: 1, max: pages }), fc.constantFrom(-1, 0, 1)).map(([p, d]) =>
      Math.max(1, p * 4096 + d)
    ),
    fc.integer({ min: 1, max: maxBytes }),
  );
}

/**
 * Options of {@linkcode sequenceArbitrary}.
 *
 * @example
 * ```ts
 * sequenceArbitrary({ maxSteps: 6, plentiful: true } satisfies SequenceOptions);
 * ```
 */
export interface SequenceOptions {
  /** Most steps in one sequence. Default 12. */
  readonly maxSteps?: number;
  /** Largest single request. Default 4 MiB. */
  readonly maxBytes?: number;
  /**
   * Only bounds at or above 4 GiB, so that a machine's memory is plentiful for every request:
   * what differential runs need, since a Linux host cannot honour a lower HighAddress.
   */
  readonly plentiful?: boolean;
}

/**
 * Sequences of allocate, map, unmap and free calls with several live MDLs, including misuse
 * (double map, free while mapped, use after free) that a checker must flag.
 *
 * @example
 * ```ts
 * import fc from "fast-check";
 * const [generated] = fc.sample(sequenceArbitrary({ maxSteps: 6 }), 1);
 * concretize(generated); // steps with handles h0, h1, …
 * ```
 */
export function sequenceArbitrary(options: SequenceOptions = {}): fc.Arbitrary<GeneratedStep[]> {
  const { maxSteps = 12, maxBytes = 4 << 20, plentiful = false } = options;
  const size = sizeArbitrary(maxBytes);
  const bounds = plentiful ? highAddresses.filter((a) => a >= 0xffffffffn) : highAddresses;
  const high = fc.constantFrom(...bounds);
  const which = fc.nat(7);
  const step: fc.Arbitrary<GeneratedStep> = fc.oneof(
    {
      weight: 4,
      arbitrary: fc.record({
        call: fc.constant("allocatePagesForMdl"),
        highAddress: high,
        totalBytes: size,
      }),
    },
    {
      weight: 2,
      arbitrary: fc.record({
        call: fc.constant("allocateContiguousPagesForMdl"),
        lowAddress: plentiful ? fc.constant(0n) : fc.constantFrom(0n, 0x100000n),
        highAddress: fc.constantFrom(...bounds.filter((a) => a >= 0xffffffn)),
        totalBytes: sizeArbitrary(Math.min(maxBytes, 2 << 20)),
      }),
    },
    {
      weight: 2,
      arbitrary: fc.record({
        call: fc.constant("mapAllocatedPages"),
        which,
        cacheType: fc.constantFrom<CacheTypeName>("WriteCombined", "Cached", "NonCached"),
      }),
    },
    { weight: 2, arbitrary: fc.record({ call: fc.constant("unmapAllocatedPages"), which }) },
    { weight: 3, arbitrary: fc.record({ call: fc.constant("freePagesFromMdl"), which }) },
  );
  return fc.array(step, { minLength: 1, maxLength: maxSteps });
}

/**
 * Names handles: the k-th allocation becomes `hk`, and other steps refer to allocation
 * `which mod k`; steps before any allocation are dropped.
 *
 * @example
 * ```ts
 * concretize([{ call: "allocatePagesForMdl", highAddress: 0xFFFFFFFFn, totalBytes: 1920 },
 *   { call: "freePagesFromMdl", which: 5 }]);
 * // [{ call: "allocatePagesForMdl", handle: "h0", … }, { call: "freePagesFromMdl", handle: "h0" }]
 * ```
 */
export function concretize(generated: readonly GeneratedStep[]): SequenceStep[] {
  const steps: SequenceStep[] = [];
  let allocations = 0;
  for (const step of generated) {
    if (step.call === "allocatePagesForMdl" || step.call === "allocateContiguousPagesForMdl") {
      steps.push({ ...step, handle: `h${allocations++}` });
    } else if (allocations > 0) {
      const { which, ...rest } = step;
      steps.push({ ...rest, handle: `h${which % allocations}` } as SequenceStep);
    }
  }
  return steps;
}

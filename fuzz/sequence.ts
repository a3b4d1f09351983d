/**
 * Generated allocation sequences: fast-check arbitraries for the calls a WaveRT driver makes, in
 * the same step shape the suite DSL uses, so that a shrunk failure is a ready-to-paste case.
 *
 * @module
 */

import fc from "npm:fast-check@4.10.2";
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
 * What a generated step may add to a suite step to break a rule no suite can express: a call at
 * raised IRQL, or another MDL than the handle's. A step with any of these changes nothing on a
 * correct backend (it raises a `DriverViolation`), so a suite case may leave it out.
 *
 * @example
 * ```ts
 * const misuse: FuzzOnly = { irql: 2, mdl: "spread" };
 * ```
 */
export interface FuzzOnly {
  /** The call is made at this IRQL (1 APC_LEVEL, 2 DISPATCH_LEVEL) instead of PASSIVE_LEVEL. */
  readonly irql?: number;
  /**
   * The MDL passed instead of the handle's: one of another backend instance, a spread copy
   * (`{ ...mdl }`) of the handle's, or a forged plain object.
   */
  readonly mdl?: ForeignMdlKind;
}

/**
 * Where a foreign MDL comes from; see {@linkcode FuzzOnly.mdl}.
 *
 * @example
 * ```ts
 * const kind: ForeignMdlKind = "other-backend";
 * ```
 */
export type ForeignMdlKind = "other-backend" | "spread" | "forged";

/**
 * One call of a sequence, with named handles: a suite's `steps` entry ({@linkcode StepInput}) with
 * the size as a byte count, addresses as bigint and no step expectations, plus the fuzz-only
 * misuse of {@linkcode FuzzOnly}: `engine` maps or unmaps the port driver's mapping for the audio
 * engine (`backend.engineMappings`) instead of the miniport's, `addressDelta` unmaps that many
 * bytes off the mapped address, and `assertNoLeaks` asks the backend for leaks while MDLs are
 * live.
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
  | Narrowed<StepOf<"allocatePagesForMdl">, { highAddress: bigint; totalBytes: number } & FuzzOnly>
  | Narrowed<
    StepOf<"allocateContiguousPagesForMdl">,
    { lowAddress: bigint; highAddress: bigint; totalBytes: number } & FuzzOnly
  >
  | Narrowed<StepOf<"mapAllocatedPages">, { cacheType: CacheTypeName; engine?: true } & FuzzOnly>
  | Narrowed<StepOf<"unmapAllocatedPages">, { engine?: true; addressDelta?: number } & FuzzOnly>
  | Narrowed<StepOf<"freePagesFromMdl">, FuzzOnly>
  | { readonly call: "assertNoLeaks"; readonly handle: "" };

/** A generated step's fields besides `call` and `which`. */
type Rest<C extends SequenceStep["call"]> = Omit<Extract<SequenceStep, { call: C }>, "handle">;

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
  | Rest<"allocatePagesForMdl">
  | Rest<"allocateContiguousPagesForMdl">
  | Rest<"mapAllocatedPages"> & { readonly which: number }
  | Rest<"unmapAllocatedPages"> & { readonly which: number }
  | Rest<"freePagesFromMdl"> & { readonly which: number }
  | { readonly call: "assertNoLeaks" };

const foreignKinds: readonly ForeignMdlKind[] = ["other-backend", "spread", "forged"];

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
 * import fc from "npm:fast-check@4.10.2";
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
  /**
   * Also steps at raised IRQL and the engine's mappings, which only a backend with `withIrql`
   * and `engineMappings` runs (the simulator). Default true; differential runs say false, so
   * that both sides run every step.
   */
  readonly kernelMisuse?: boolean;
}

/**
 * Sequences of allocate, map, unmap and free calls with several live MDLs, including misuse that
 * a checker must flag: every rule of `ViolationRules`, from double map and free while mapped to a
 * foreign MDL, raised IRQL, an unmap at the wrong address and conflicting cache types.
 *
 * @example
 * ```ts
 * import fc from "npm:fast-check@4.10.2";
 * const [generated] = fc.sample(sequenceArbitrary({ maxSteps: 6 }), 1);
 * concretize(generated); // steps with handles h0, h1, …
 * ```
 */
export function sequenceArbitrary(options: SequenceOptions = {}): fc.Arbitrary<GeneratedStep[]> {
  const { maxSteps = 12, maxBytes = 4 << 20, plentiful = false, kernelMisuse = true } = options;
  const k = kernelMisuse ? 1 : 0;
  const size = sizeArbitrary(maxBytes);
  const bounds = plentiful ? highAddresses.filter((a) => a >= 0xffffffffn) : highAddresses;
  const high = fc.constantFrom(...bounds);
  const which = fc.nat(7);
  const cacheType = fc.constantFrom<CacheTypeName>("WriteCombined", "Cached", "NonCached");
  const allocate = fc.record({
    call: fc.constant("allocatePagesForMdl" as const),
    highAddress: high,
    totalBytes: size,
  });
  const contiguous = fc.record({
    call: fc.constant("allocateContiguousPagesForMdl" as const),
    lowAddress: plentiful ? fc.constant(0n) : fc.constantFrom(0n, 0x100000n),
    highAddress: fc.constantFrom(...bounds.filter((a) => a >= 0xffffffn)),
    totalBytes: sizeArbitrary(Math.min(maxBytes, 2 << 20)),
  });
  const map = fc.record({ call: fc.constant("mapAllocatedPages" as const), which, cacheType });
  const unmap = fc.record({ call: fc.constant("unmapAllocatedPages" as const), which });
  const free = fc.record({ call: fc.constant("freePagesFromMdl" as const), which });
  const onHandle = fc.oneof(map, unmap, free);
  const step: fc.Arbitrary<GeneratedStep> = fc.oneof(
    { weight: 40, arbitrary: allocate },
    { weight: 20, arbitrary: contiguous },
    { weight: 20, arbitrary: map },
    { weight: 20, arbitrary: unmap },
    { weight: 30, arbitrary: free },
    // Misuse no suite can write: unmap at a wrong address, a foreign MDL, raised IRQL.
    {
      weight: 3,
      arbitrary: fc.record({
        call: fc.constant("unmapAllocatedPages" as const),
        which,
        addressDelta: fc.constantFrom(4096, -4096, 1, 1 << 20),
      }),
    },
    {
      weight: 3,
      arbitrary: fc.tuple(onHandle, fc.constantFrom<ForeignMdlKind>(...foreignKinds)).map((
        [s, mdl],
      ) => ({ ...s, mdl })),
    },
    {
      weight: 3 * k,
      arbitrary: fc.tuple(fc.oneof(allocate, onHandle), fc.constantFrom(1, 2)).map((
        [s, irql],
      ) => ({ ...s, irql })),
    },
    // The port driver's mapping for the audio engine: with the miniport's, cache-type conflicts.
    {
      weight: 5 * k,
      arbitrary: fc.record({
        call: fc.constant("mapAllocatedPages" as const),
        which,
        cacheType,
        engine: fc.constant(true as const),
      }),
    },
    {
      weight: 2 * k,
      arbitrary: fc.record({
        call: fc.constant("unmapAllocatedPages" as const),
        which,
        engine: fc.constant(true as const),
      }),
    },
    { weight: 1, arbitrary: fc.constant({ call: "assertNoLeaks" as const }) },
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
    if (step.call === "assertNoLeaks") {
      steps.push(NO_LEAKS);
    } else if (
      step.call === "allocatePagesForMdl" || step.call === "allocateContiguousPagesForMdl"
    ) {
      steps.push(withHandle(step, handleName(allocations++)));
    } else if (allocations > 0) {
      steps.push(withHandle(step, handleName(step.which % allocations)));
    }
  }
  return steps;
}

/**
 * The generated step's fields but `which`, in the order the generator writes them, then
 * `handle`: what `{ ...rest, handle }` makes, field by field (spreading the generator's many
 * object shapes took a quarter of generating a sequence).
 */
function withHandle(step: Exclude<GeneratedStep, { call: "assertNoLeaks" }>, handle: string) {
  const out: Record<string, unknown> = { call: step.call };
  if ("lowAddress" in step) out.lowAddress = step.lowAddress;
  if ("highAddress" in step) out.highAddress = step.highAddress;
  if ("totalBytes" in step) out.totalBytes = step.totalBytes;
  if ("cacheType" in step) out.cacheType = step.cacheType;
  if ("engine" in step) out.engine = step.engine;
  if ("addressDelta" in step) out.addressDelta = step.addressDelta;
  if ("mdl" in step) out.mdl = step.mdl;
  if ("irql" in step) out.irql = step.irql;
  out.handle = handle;
  return out as SequenceStep;
}

const NO_LEAKS: SequenceStep = Object.freeze({ call: "assertNoLeaks", handle: "" });

/** `h0`, `h1`, …: made once each, since every generated step names one. */
const handleNames: string[] = [];

function handleName(k: number): string {
  return handleNames[k] ??= `h${k}`;
}

/**
 * One step in words, for messages: the call with its arguments and any fuzz-only misuse.
 *
 * @example
 * ```ts
 * describeStep({ call: "freePagesFromMdl", handle: "h0", irql: 2 }); // "freePagesFromMdl(h0) at IRQL 2"
 * ```
 */
export function describeStep(step: SequenceStep): string {
  if (step.call === "assertNoLeaks") return "assertNoLeaks()";
  let text: string;
  switch (step.call) {
    case "allocatePagesForMdl":
      text = `${step.handle} = allocatePagesForMdl(0x${
        step.highAddress.toString(16).toUpperCase()
      }, ${step.totalBytes})`;
      break;
    case "allocateContiguousPagesForMdl":
      text = `${step.handle} = allocateContiguousPagesForMdl(0x${
        step.lowAddress.toString(16).toUpperCase()
      }, 0x${step.highAddress.toString(16).toUpperCase()}, ${step.totalBytes})`;
      break;
    case "mapAllocatedPages":
      text = `mapAllocatedPages(${step.handle}, ${step.cacheType})`;
      break;
    case "unmapAllocatedPages":
      text = `unmapAllocatedPages(${step.handle}${
        step.addressDelta === undefined ? "" : ` at its address ${signed(step.addressDelta)}`
      })`;
      break;
    default:
      text = `${step.call}(${step.handle})`;
  }
  if ("engine" in step && step.engine) text += " for the audio engine";
  if (step.mdl !== undefined) text += ` with ${foreignWords[step.mdl]}`;
  if (step.irql !== undefined) text += ` at IRQL ${step.irql}`;
  return text;
}

const foreignWords: Record<ForeignMdlKind, string> = {
  "other-backend": "an MDL of another backend",
  spread: "a spread copy of its MDL",
  forged: "a forged MDL",
};

function signed(n: number): string {
  return n < 0 ? `- ${-n}` : `+ ${n}`;
}

/**
 * Whether a step is only fuzz-expressible misuse that changes nothing on a correct backend (raised
 * IRQL, a foreign MDL, a wrong unmap address, `assertNoLeaks`), so that a suite case may omit it.
 *
 * @example
 * ```ts
 * isFuzzOnly({ call: "freePagesFromMdl", handle: "h0", mdl: "forged" }); // true
 * ```
 */
export function isFuzzOnly(step: SequenceStep): boolean {
  if (step.call === "assertNoLeaks") return true;
  return step.irql !== undefined || step.mdl !== undefined ||
    (step.call === "unmapAllocatedPages" && step.addressDelta !== undefined);
}

/**
 * The open questions of the allocation semantics ([HW?] in the reference: ByteCount of a size
 * that is not a page multiple, whether the page holding HighAddress is eligible, TotalBytes = 0),
 * asked of a backend. On Windows, with the WaveRT test driver, the answers are Windows' own; on
 * the simulator they are its policies, which is how the recorder itself is tested.
 *
 * Two ways in: {@linkcode openQuestions}, a suite for the usual runner and reports (the DSL
 * cannot express TotalBytes = 0, so that question is only in the recorder), and
 * {@linkcode recordOpenQuestions}, which makes the calls directly and returns observations for
 * `derivePolicyProfile`. Run as a script it writes the profile:
 *
 * ```sh
 * deno run --allow-read --allow-env --allow-ffi --allow-write suites/open_questions.ts out.json
 * ```
 *
 * @module
 */

import type { Backend, Mdl } from "../core/backend.ts";
import { hex } from "../core/hex.ts";
import { HelperStatus } from "../ffi/helper_error.ts";
import type { HelperLibrary } from "../ffi/library.ts";
import { ResultWord } from "../ffi/symbols.ts";
import { defineSuite } from "./define_suite.ts";
import type { Suite } from "./suite_model.ts";
import {
  derivePolicyProfile,
  type OpenQuestionObservations,
  policyProfileToJson,
} from "./policy_profile.ts";

// Types the suite and the recorder refer to.
export type * from "../core/backend.ts";
export { CacheType } from "../core/constants.ts";
export type * from "./suite_model.ts";
export type { MachinePresetName } from "../core/machine.ts";
export { type ViolationRuleId, ViolationRules } from "../core/violations.ts";
export type { OpenQuestionObservations } from "./policy_profile.ts";

const DMA32 = 0xFFFF_FFFFn;
/** Sizes that are not page multiples: 10 ms of 48 kHz stereo 16-bit, one byte past a page. */
const ODD_SIZES = [1920, 4097, 6000] as const;
/** Last bytes of pages, each the top of a range asked for in full: 2, 16 and 64 MiB. */
const BOUNDARIES = [0x1F_FFFFn, 0xFF_FFFFn, 0x3FF_FFFFn] as const;

/**
 * The open questions as a suite. Its expectations hold under either answer; the answers are in
 * the recorded byte counts and frames, read by {@linkcode recordOpenQuestions}.
 *
 * @example
 * ```ts ignore
 * // In a *_test.ts file:
 * import { registerSuite } from "./register.ts";
 * registerSuite(openQuestions);
 * ```
 */
export const openQuestions: Suite = defineSuite({
  name: "Open questions ([HW?])",
  description: "What Windows does where the documentation is silent; see suites/open_questions.ts",
  cases: [
    ...ODD_SIZES.map((totalBytes) => ({
      name: `ByteCount of a ${totalBytes}-byte request: rounded or as requested`,
      request: { call: "allocatePagesForMdl", highAddress: DMA32, totalBytes },
      expect: {
        result: "mdl",
        bytes: { atLeast: totalBytes, atMost: Math.ceil(totalBytes / 4096) * 4096 },
        withinBound: true,
      },
    } as const)),
    ...BOUNDARIES.map((highAddress) => ({
      name: `all of [0, ${hex(highAddress)}]: is the page holding HighAddress eligible`,
      request: {
        call: "allocatePagesForMdl",
        highAddress,
        totalBytes: Number(highAddress) + 1,
      },
      expect: { result: "mdl-or-null", bytes: "partial-allowed", withinBound: true },
    } as const)),
  ],
});

/** Calls the allocator, frees what it got, and hands back what the MDL said. */
function allocateAndFree<T>(
  backend: Backend,
  highAddress: bigint,
  totalBytes: number,
  read: (mdl: Mdl | null) => T,
): T {
  const stream = backend.stream();
  const mdl = stream.allocatePagesForMdl(highAddress, totalBytes);
  try {
    return read(mdl);
  } finally {
    if (mdl !== null) stream.freePagesFromMdl(mdl);
  }
}

/** How TotalBytes = 0 is asked when the backend's own stream cannot be trusted to pass it on. */
export type ZeroBytesProbe = () => OpenQuestionObservations["zeroBytes"];

/**
 * Asks `backend` each open question and records what it did; everything it allocates is freed
 * before it returns. `zeroBytes` replaces the stream call for TotalBytes = 0: the host backend
 * answers that one itself without calling the helper, so the script asks the helper directly
 * ({@linkcode zeroBytesThroughHelper}).
 *
 * @example
 * ```ts
 * import { Simulator } from "../core/simulator.ts";
 * using sim = new Simulator({ policies: { byteCount: "requested" } });
 * recordOpenQuestions(sim).byteCount[0]; // { totalBytes: 1920, byteCount: 1920 }
 * ```
 */
export function recordOpenQuestions(
  backend: Backend,
  zeroBytes: ZeroBytesProbe = () => zeroBytesThroughStream(backend),
): OpenQuestionObservations {
  const page = BigInt(backend.pageSize);
  const byteCount = ODD_SIZES.map((totalBytes) =>
    allocateAndFree(backend, DMA32, totalBytes, (mdl) => ({
      totalBytes,
      byteCount: mdl === null ? null : mdl.byteCount,
    }))
  );
  const highAddress = BOUNDARIES.map((high) => {
    const totalBytes = Number(high) + 1;
    const boundary = Number(high / page);
    return allocateAndFree(backend, high, totalBytes, (mdl) => ({
      highAddress: hex(high),
      totalBytes,
      byteCount: mdl === null ? null : mdl.byteCount,
      boundaryPageAllocated: mdl !== null && Array.from(mdl.pfns).includes(boundary),
    }));
  });
  return {
    backend: backend.name,
    pageSize: backend.pageSize,
    byteCount,
    highAddress,
    zeroBytes: zeroBytes(),
  };
}

function zeroBytesThroughStream(backend: Backend): OpenQuestionObservations["zeroBytes"] {
  try {
    return allocateAndFree(
      backend,
      DMA32,
      0,
      (mdl) =>
        mdl === null
          ? { outcome: "null" as const }
          : { outcome: "mdl" as const, detail: `ByteCount ${mdl.byteCount}` },
    );
  } catch (e) {
    return { outcome: "error", detail: e instanceof Error ? e.message : String(e) };
  }
}

/**
 * AllocatePagesForMdl(0xFFFFFFFF, 0) made through the helper's C ABI itself: on Windows it reaches
 * the test driver and PortCls unchanged; the Linux helper refuses it (WRT_E_ZERO_SIZE), which is
 * recorded as an error, never as an answer.
 *
 * @internal
 *
 * @example
 * ```ts ignore
 * // Not run as a doc test: it needs the built helper.
 * using lib = HelperLibrary.open();
 * zeroBytesThroughHelper(lib); // { outcome: "error", detail: "... WRT_E_ZERO_SIZE ..." } on Linux
 * ```
 */
export function zeroBytesThroughHelper(lib: HelperLibrary): OpenQuestionObservations["zeroBytes"] {
  const { wrt_context_open, wrt_context_close, wrt_allocate_pages, wrt_free } = lib.symbols;
  const out = new BigUint64Array(ResultWord.length);
  const frames = new BigUint64Array(1);
  let status = wrt_context_open(out);
  if (status !== HelperStatus.OK) throw lib.error("wrt_context_open", status);
  const context = out[ResultWord.handle];
  try {
    status = wrt_allocate_pages(context, DMA32, 0n, frames, 1n, out);
    if (status === HelperStatus.NO_MEMORY) return { outcome: "null" };
    if (status !== HelperStatus.OK) {
      return { outcome: "error", detail: lib.error("wrt_allocate_pages", status).message };
    }
    const detail = `ByteCount ${out[ResultWord.byteCount]}`;
    status = wrt_free(context, out[ResultWord.handle], out);
    if (status !== HelperStatus.OK) throw lib.error("wrt_free", status);
    return { outcome: "mdl", detail };
  } finally {
    wrt_context_close(context, out);
  }
}

if (import.meta.main) {
  const [output] = Deno.args;
  if (output === undefined || Deno.args.length !== 1) {
    console.error("usage: open_questions.ts <profile.json>");
    Deno.exit(2);
  }
  const { openHostBackend } = await import("../ffi/host_backend.ts");
  using backend = openHostBackend();
  const profile = derivePolicyProfile(
    recordOpenQuestions(backend, () => zeroBytesThroughHelper(backend.library)),
  );
  const directory = output.slice(0, output.lastIndexOf("/") + 1);
  if (directory !== "") await Deno.mkdir(directory, { recursive: true });
  await Deno.writeTextFile(output, policyProfileToJson(profile));
  console.log(policyProfileToJson(profile));
}

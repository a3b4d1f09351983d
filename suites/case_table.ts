/**
 * Case tables: many cases from one template, typed without annotations. A plain
 * `formats.map((f) => ({ ... }))` widens `call: "allocatePagesForMdl"` to `string` and only
 * type-checks with an explicit `CaseInput`; these helpers give the template its contextual type.
 *
 * @module
 */

import type { CaseInput } from "./schema.ts";

/**
 * One case per row, in row order.
 *
 * @example
 * ```ts
 * import { defineSuite } from "../mod.ts";
 * const formats = [{ rate: 44_100, pages: 1 }, { rate: 48_000, pages: 1 }];
 * defineSuite({
 *   name: "Rates",
 *   cases: caseTable(formats, (f) => ({
 *     name: `${f.rate} Hz stereo 16-bit 10 ms`,
 *     request: {
 *       call: "allocatePagesForMdl",
 *       highAddress: 0xFFFFFFFFn,
 *       audio: { sampleRate: f.rate, channels: 2, bitsPerSample: 16, durationMs: 10 },
 *     },
 *     expect: { pages: f.pages },
 *   })),
 * });
 * ```
 */
export function caseTable<const Row>(
  rows: readonly Row[],
  make: (row: Row, index: number) => CaseInput,
): CaseInput[] {
  return rows.map((row, index) => make(row, index));
}

/** One value of each parameter of {@linkcode parametrize}. */
export type ParameterValues<P extends Record<string, readonly unknown[]>> = {
  -readonly [K in keyof P]: P[K][number];
};

/**
 * One case per combination of the parameters' values (their cartesian product), the first
 * parameter varying slowest; each parameter's values keep their literal types.
 *
 * @example
 * ```ts
 * import { defineSuite } from "../mod.ts";
 * const suite = defineSuite({
 *   name: "Sizes and bounds",
 *   cases: parametrize(
 *     { pages: [1, 16], highAddress: [0xFFFFFFFFn, 0xFFFFFFn] },
 *     (p) => ({
 *       name: `${p.pages} page(s) below 0x${p.highAddress.toString(16)}`,
 *       request: { call: "allocatePagesForMdl", highAddress: p.highAddress, totalBytes: p.pages * 4096 },
 *       expect: { pages: p.pages },
 *     }),
 *   ),
 * });
 * suite.cases.length; // 4
 * ```
 */
export function parametrize<const P extends Record<string, readonly unknown[]>>(
  parameters: P,
  make: (values: ParameterValues<P>, index: number) => CaseInput,
): CaseInput[] {
  let combinations: Record<string, unknown>[] = [{}];
  for (const [name, values] of Object.entries(parameters)) {
    combinations = combinations.flatMap((partial) =>
      values.map((value) => ({ ...partial, [name]: value }))
    );
  }
  return combinations.map((values, index) => make(values as ParameterValues<P>, index));
}

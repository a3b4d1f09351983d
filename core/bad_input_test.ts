import assert from "node:assert/strict";
import type { Mdl } from "./backend.ts";
import { CacheType } from "./constants.ts";
import { Simulator } from "./simulator.ts";

const FOUR_GIB = 0xffffffffn;

// deno-lint-ignore no-explicit-any
type Any = any;

/** Each case: a call with one bad argument, the error class and the message it must contain. */
const cases: [string, (s: ReturnType<Simulator["stream"]>, mdl: Mdl) => unknown, string, RegExp][] =
  [
    ["negative size", (s) => s.allocatePagesForMdl(FOUR_GIB, -1), "RangeError", /totalBytes.*-1/],
    ["NaN size", (s) => s.allocatePagesForMdl(FOUR_GIB, NaN), "TypeError", /totalBytes.*NaN/],
    [
      "fractional size",
      (s) => s.allocatePagesForMdl(FOUR_GIB, 1.5),
      "TypeError",
      /totalBytes.*1\.5/,
    ],
    ["infinite size", (s) => s.allocatePagesForMdl(FOUR_GIB, Infinity), "TypeError", /totalBytes/],
    ["unsafe number size", (s) => s.allocatePagesForMdl(FOUR_GIB, 2 ** 60), "RangeError", /bigint/],
    [
      "size beyond SIZE_T",
      (s) => s.allocatePagesForMdl(FOUR_GIB, 1n << 64n),
      "RangeError",
      /SIZE_T/,
    ],
    ["string size", (s) => s.allocatePagesForMdl(FOUR_GIB, "4096" as Any), "TypeError", /"4096"/],
    [
      "HighAddress below one page",
      (s) => s.allocatePagesForMdl(0xffen, 4096),
      "RangeError",
      /highAddress.*0xFFE/,
    ],
    [
      "HighAddress wider than 64 bits",
      (s) => s.allocatePagesForMdl(1n << 64n, 4096),
      "RangeError",
      /highAddress must fit in 64 bits.*18446744073709551616/,
    ],
    [
      "number HighAddress",
      (s) => s.allocatePagesForMdl(4096 as Any, 4096),
      "TypeError",
      /highAddress must be a bigint/,
    ],
    [
      "low above high",
      (s) => s.allocateContiguousPagesForMdl(0x2000_0000n, 0x1000_0000n, 4096),
      "RangeError",
      /lowAddress must not exceed highAddress/,
    ],
    [
      "unknown cache type",
      (s, m) => s.mapAllocatedPages(m, 7 as Any),
      "RangeError",
      /cacheType must be one of NonCached \(0\), Cached \(1\), WriteCombined \(2\), got 7/,
    ],
    [
      "negative index",
      (s, m) => s.getPhysicalPageAddress(m, -1),
      "RangeError",
      /index must be ≥ 0, got -1/,
    ],
    [
      "fractional index",
      (s, m) => s.getPhysicalPageAddress(m, 0.5),
      "TypeError",
      /index must be an integer/,
    ],
    [
      "index past the end",
      (s, m) => s.getPhysicalPageAddress(m, 99),
      "RangeError",
      /index must be below/,
    ],
    [
      "number base address",
      (s, m) => s.unmapAllocatedPages(4096 as Any, m),
      "TypeError",
      /baseAddress/,
    ],
  ];

for (const [name, call, errorName, message] of cases) {
  Deno.test(`bad input is rejected and changes nothing: ${name}`, () => {
    using sim = new Simulator({ faults: { failNth: [2], operations: ["allocate"] } });
    const stream = sim.stream();
    const mdl = stream.allocatePagesForMdl(FOUR_GIB, 8192)!;
    stream.mapAllocatedPages(mdl, CacheType.Cached);
    const before = { free: sim.freePageCount, leaks: sim.leaks().length, clock: sim.clockNs };
    assert.throws(() => call(stream, mdl), (e: Error) => {
      assert.equal(e.name, errorName, e.message);
      assert.match(e.message, message);
      return true;
    });
    assert.deepEqual(
      { free: sim.freePageCount, leaks: sim.leaks().length, clock: sim.clockNs },
      before,
    );
    // The rejected call did not count as an eligible call: call 2 is still the one that fails.
    assert.equal(stream.allocatePagesForMdl(FOUR_GIB, 4096), null);
  });
}

Deno.test("simulator options are checked and name the option", () => {
  assert.throws(
    () => new Simulator({ fragmentation: 1.5 }),
    /fragmentation must be a number in 0..1/,
  );
  assert.throws(
    () => new Simulator({ machine: "x64-3gib" as Any }),
    /machine must be a layout or one of/,
  );
  assert.throws(
    () => new Simulator({ pageSize: 8192 }),
    /pageSize must be one of 4096, 16384, 65536/,
  );
  assert.throws(
    () => new Simulator({ policies: { byteCount: "exact" as Any } }),
    /policies.byteCount/,
  );
  assert.throws(
    () => new Simulator({ policies: { colour: "red" } as Any }),
    /policies.colour is not a policy/,
  );
  assert.throws(
    () => new Simulator({ costModel: { allocatePageNs: -5 } }),
    /costModel.allocatePageNs/,
  );
  assert.throws(() => new Simulator({ systemVaBytes: -1 }), /systemVaBytes/);
  assert.throws(() => new Simulator({ seed: 1.5 }), /seed must be an integer/);
});

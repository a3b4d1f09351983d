import assert from "node:assert/strict";
import { helperAvailability } from "../ffi/library.ts";
import { hardwareProvider, simulatorOnlyConditions, simulatorProvider } from "./backends.ts";
import { defineSuite } from "./define_suite.ts";

const suite = defineSuite({
  name: "Backends",
  cases: [
    {
      name: "plain",
      request: { call: "allocatePagesForMdl", highAddress: 0xFFFFFFFFn, totalBytes: 8192 },
      expect: { pages: 2, latency: { p99Us: 0.001, repetitions: 3 } },
    },
    {
      name: "fragmented and capped",
      conditions: { fragmentation: 0.2, memoryCapBytes: 4096, faults: { failNth: [3] } },
      request: { call: "allocatePagesForMdl", highAddress: 0xFFFFFFFFn, totalBytes: 8192 },
    },
  ],
});
const [plain, simulated] = suite.cases;

const helper = (() => {
  try {
    return helperAvailability();
  } catch (error) {
    return { available: false as const, reason: String(error) };
  }
})();
const noHardware = helper.available ? null : helper.reason;

Deno.test("conditions only the simulator can create are named", () => {
  assert.deepEqual(simulatorOnlyConditions(plain.conditions), []);
  assert.deepEqual(simulatorOnlyConditions(simulated.conditions), [
    "fragmentation 0.2",
    "failNth [3]",
    "memory cap 4096 bytes",
  ]);
});

Deno.test("the hardware ignores a simulator-only case with the reason, never passes it", async () => {
  const run = await hardwareProvider.run(simulated, { seed: 1 });
  assert.equal(run.status, "ignored");
  assert.equal(
    run.reason,
    "conditions only the simulator can create: fragmentation 0.2, failNth [3], memory cap 4096 bytes",
  );
});

Deno.test("the simulator applies the case's conditions", async () => {
  const run = await simulatorProvider.run(simulated, { seed: 1 });
  // The 4 KiB cap makes the 8 KiB request partial: the default "requested" expectation fails.
  assert.equal(run.status, "failed");
  assert.equal(run.allocations[0].byteCount, 4096);
});

Deno.test({
  name: `a measured latency over budget fails, or is only noted when asked${
    noHardware ? ` (ignored: ${noHardware})` : ""
  }`,
  ignore: noHardware !== null,
  async fn() {
    // A 1 ns budget no real allocation meets: this tests the verdict logic, not the machine.
    const enforced = await hardwareProvider.run(plain, { seed: 1 });
    assert.equal(enforced.timingSource, "measured");
    assert.equal(enforced.status, "failed");
    assert.match(
      enforced.failures[0],
      /^p99 latency .* \(measured\) exceeds the budget of 0\.001 µs: 95 % interval \[.*\] lies above/,
    );
    // 3 repetitions cannot estimate p99: the runner re-measured to the 368 samples it needs.
    assert.equal(enforced.latencyNs.length, 368);
    assert.equal(enforced.latencyBudgets?.[0].verdict, "fail");
    const reported = await hardwareProvider.run(plain, {
      seed: 1,
      measuredLatencyBudgets: "report",
    });
    assert.deepEqual(reported.failures, []);
    // Linux cannot enforce HighAddress: with frame numbers the bound is observed, never passed.
    const observes = reported.claims.includes("frameNumbers") &&
      !reported.claims.includes("highAddressEnforced");
    assert.equal(reported.status, observes ? "observed" : "passed");
    assert.ok(reported.notes.some((n) => n.endsWith("(measured budgets are reported only)")));
  },
});

Deno.test({
  name: `step expectations reach the hardware child, each checked on its own step${
    noHardware ? ` (ignored: ${noHardware})` : ""
  }`,
  ignore: noHardware !== null,
  async fn() {
    const [steps] = defineSuite({
      name: "Hardware steps",
      cases: [{
        name: "cyclic buffer and a second one",
        steps: [
          {
            call: "allocatePagesForMdl",
            handle: "cyclic",
            highAddress: 0xFFFFFFFFn,
            totalBytes: 1920,
            expect: { pages: 1, withinBound: true },
          },
          {
            call: "allocatePagesForMdl",
            handle: "second",
            highAddress: 0xFFFFFFFFn,
            totalBytes: 8192,
            // Two pages in truth: this step must fail, and only this step.
            expect: { pages: 1 },
          },
          { call: "freePagesFromMdl", handle: "second" },
          { call: "freePagesFromMdl", handle: "cyclic" },
        ],
      }],
    }).cases;
    const run = await hardwareProvider.run(steps, { seed: 1 });
    assert.equal(run.status, "failed");
    assert.deepEqual(run.failures, [
      'step 2 (allocatePagesForMdl "second"): 2 page(s), expected 1',
    ]);
    // The bound is compared with every page wherever frame numbers are readable (observed, as
    // Linux promises no HighAddress), and listed as unchecked with the reason where they are not.
    const canCompare = run.claims.includes("frameNumbers");
    assert.deepEqual(run.unchecked.map((u) => u.expectation), canCompare ? [] : ["withinBound"]);
    if (canCompare) assert.ok(run.allocations.every((a) => a.bound?.pagesOutside !== null));
  },
});

const hostCase = defineSuite({
  name: "Host machine",
  cases: [{
    name: "the simulator mirrors this machine's RAM",
    conditions: { machine: "host" },
    request: { call: "allocatePagesForMdl", highAddress: 0xFFFFFFFFn, totalBytes: 8192 },
    expect: { pages: 2, withinBound: true },
  }],
}).cases[0];

Deno.test({
  name: `the simulator's "host" machine comes from the helper without --allow-all${
    noHardware ? ` (unavailable: ${noHardware})` : ""
  }`,
  ignore: noHardware !== null,
  async fn() {
    const run = await simulatorProvider.run(hostCase, { seed: 1 });
    if (run.status === "ignored") {
      // Only when physical addresses are hidden (no CAP_SYS_ADMIN): the reason must say so.
      assert.match(run.reason ?? "", /physical addresses/);
      return;
    }
    assert.equal(run.status, "passed", run.failures.join("\n"));
    assert.ok(run.machine !== null && run.machine.ranges.length > 0);
    // The same layout the hardware run reports for this machine.
    const hardware = await hardwareProvider.run(hostCase, { seed: 1 });
    assert.deepEqual(run.machine.ranges, hardware.machine?.ranges);
  },
});

// defineDriverSuite: every problem at once, naming suite, case, field and value; and what a
// valid case resolves to.
import assert from "node:assert/strict";
import { SuiteDefinitionError } from "./define_suite.ts";
import { defineDriverSuite, isDriverSuite } from "./driver_suite.ts";
import type { DriverSuiteInput } from "./driver_schema.ts";

Deno.test("a malformed driver suite reports every problem at once, naming field and value", () => {
  const input = {
    name: "Broken",
    cases: [
      { name: "no library", requestedBytes: 4096 },
      {
        name: "bad values",
        library: { example: "fancy" },
        requestedBytes: -1,
        notificationCount: 3,
        steps: [{ call: "allocateBuffer" }, { call: "freeBuffers" }],
        conditions: { machine: "x64-1tib", fragmentation: 2 },
        sweep: { random: { runs: 0 } },
        expect: { findings: ["leaked-mdl"] },
      },
      { name: "both sizes", library: "lib.so", requestedBytes: 4096, durationMs: 10 },
      { name: "no library", library: "lib.so", requestedBytes: 4096, tyop: 1 },
    ],
  } as unknown as DriverSuiteInput;
  let error: SuiteDefinitionError | undefined;
  try {
    defineDriverSuite(input);
  } catch (e) {
    if (e instanceof SuiteDefinitionError) error = e;
  }
  assert.ok(error, "no SuiteDefinitionError");
  const got = error.problems.map((p) => `${p.case} › ${p.field} (${p.received})`);
  assert.deepEqual(got, [
    '"no library" (cases[0]) › library (nothing (the field is missing))',
    '"bad values" (cases[1]) › library ({"example":"fancy"})',
    '"bad values" (cases[1]) › requestedBytes (-1 (a number))',
    '"bad values" (cases[1]) › notificationCount (3 (a number))',
    '"bad values" (cases[1]) › steps[1].call ("freeBuffers")',
    '"bad values" (cases[1]) › conditions.machine ("x64-1tib")',
    '"bad values" (cases[1]) › conditions.fragmentation (2 (a number))',
    '"bad values" (cases[1]) › sweep.random.runs (0 (a number))',
    '"bad values" (cases[1]) › expect.findings[0] ("leaked-mdl")',
    '"both sizes" (cases[2]) › requestedBytes (4096 (a number))',
    '"no library" (cases[3]) › name ("no library")',
    '"no library" (cases[3]) › tyop (1 (a number))',
  ]);
  assert.match(error.message, /notificationCount: must be 0 \(AllocateAudioBuffer\), 1 or 2/);
  assert.match(error.message, /expect\.findings\[0\]: must be a driver finding rule, one of /);
  assert.match(error.message, /give exactly one of requestedBytes and durationMs/);
});

Deno.test("a driver case resolves its library, size, steps, conditions, sweep and findings", () => {
  const suite = defineDriverSuite({
    name: "Mine",
    library: { name: "my_stream", sources: ["stream.cpp", "entry.cpp"] },
    conditions: { machine: "x64-4gib", seed: 3 },
    cases: [{
      name: "1 s at 48 kHz stereo, swept",
      durationMs: 1000,
      notificationCount: 2,
      steps: [{ call: "allocateBuffer" }, { call: "freeBuffer" }, {
        call: "allocateBuffer",
        requestedBytes: 4096,
      }],
      conditions: { fragmentation: 0.3, memoryCapBytes: 8192, faults: { systematic: true } },
      allowedCacheTypes: ["WriteCombined"],
      sweep: { memoryCaps: false, random: { runs: 5, seed: 9 } },
      expect: { findings: ["leaked-pool", "actual-size-exceeds-mdl"] },
    }, { name: "plain", library: "/tmp/libx.so", requestedBytes: 4096 }],
  });
  assert.ok(isDriverSuite(suite));
  const [swept, plain] = suite.cases;
  assert.deepEqual(swept.library, {
    build: { name: "my_stream", sources: ["stream.cpp", "entry.cpp"] },
  });
  assert.deepEqual(swept.options, {
    requestedBytes: 192_000,
    notificationCount: 2,
    steps: [{ call: "allocate" }, { call: "free" }, { call: "allocate", requestedBytes: 4096 }],
    simulator: { machine: "x64-4gib", fragmentation: 0.3, seed: 3 },
    faults: { systematic: true, memoryCapBytes: 8192 },
    allowedCacheTypes: [2],
  });
  assert.deepEqual(swept.sweep, { memoryCaps: false, random: { runs: 5, seed: 9 } });
  assert.deepEqual(swept.expectFindings, ["actual-size-exceeds-mdl", "leaked-pool"]);
  assert.deepEqual(plain.library, { path: "/tmp/libx.so" });
  assert.equal(plain.sweep, null);
  assert.deepEqual(plain.expectFindings, []);
});

import assert from "node:assert/strict";
import type { AllocationPolicies } from "../core/policies.ts";
import { Simulator } from "../core/simulator.ts";
import { helperAvailability, HelperLibrary } from "../ffi/library.ts";
import { openQuestions, recordOpenQuestions, zeroBytesThroughHelper } from "./open_questions.ts";
import { derivePolicyProfile } from "./policy_profile.ts";
import { registerSuite } from "./register.ts";

// The suite's own expectations hold on the simulator under its default policies.
registerSuite(openQuestions, { backends: ["simulator"] });

/** Records on a simulator configured with `policies` and derives the profile back. */
function roundTrip(policies: Partial<AllocationPolicies>) {
  using sim = new Simulator({ policies });
  const observations = recordOpenQuestions(sim);
  assert.equal(sim.leaks().length, 0, "the recorder frees everything it allocates");
  return { observations, profile: derivePolicyProfile(observations) };
}

Deno.test("the recorder recovers the simulator's default policies", () => {
  const { profile } = roundTrip({});
  assert.deepEqual(profile.policies, {
    byteCount: "rounded",
    highAddressPage: "inclusive",
    zeroBytes: "null",
  });
  assert.deepEqual(profile.undetermined, {});
  assert.equal(profile.backend, "simulator");
});

Deno.test("the recorder recovers requested byte counts and an exclusive HighAddress page", () => {
  const { observations, profile } = roundTrip({
    byteCount: "requested",
    highAddressPage: "exclusive",
  });
  assert.deepEqual(observations.byteCount.map((b) => b.byteCount), [1920, 4097, 6000]);
  assert.ok(observations.highAddress.every((h) => !h.boundaryPageAllocated));
  assert.equal(profile.policies.byteCount, "requested");
  assert.equal(profile.policies.highAddressPage, "exclusive");
  assert.match(profile.evidence.highAddressPage!, /^inferred from absence: 3 requests/);
});

Deno.test("a backend that refuses TotalBytes 0 leaves that question open, with its message", () => {
  const { observations, profile } = roundTrip({ zeroBytes: "range-error" });
  assert.equal(observations.zeroBytes.outcome, "error");
  assert.equal(profile.policies.zeroBytes, undefined);
  assert.match(
    profile.undetermined.zeroBytes!,
    /^the backend refused TotalBytes 0 before calling the allocator: totalBytes must be > 0/,
  );
});

const helper = helperAvailability();

Deno.test({
  name: "TotalBytes 0 through the Linux helper is recorded as its refusal, never as an answer",
  ignore: !helper.available,
  fn() {
    using lib = HelperLibrary.open();
    const zero = zeroBytesThroughHelper(lib);
    assert.equal(zero.outcome, "error");
    assert.match(zero.detail!, /WRT_E_ZERO_SIZE/);
  },
});

import assert from "node:assert/strict";
import { AllocationPlanner, newPlan, planAllocation } from "./allocation_request.ts";
import { MmAllocateFlags } from "./constants.ts";
import { defaultPolicies } from "./policies.ts";

const FRAMES = 1 << 20;
const request = (totalBytes: number | bigint, highAddress = 0xffffffffn, flags = 0) => ({
  lowAddress: 0n,
  highAddress,
  skipBytes: 0n,
  totalBytes,
  flags,
});

Deno.test("the planner gives planAllocation's plan for every request, repeated or not, whatever the cap", () => {
  const planner = new AllocationPlanner(4096, FRAMES, defaultPolicies);
  const calls: [ReturnType<typeof request>, number][] = [
    [request(8192), Infinity],
    [request(8192), Infinity],
    [request(8192), 1],
    [request(8192), 1],
    [request(8192), Infinity],
    [request(8192n), Infinity],
    [request(8192, 0x7fffffffn), Infinity],
    [request(8192, 0x7fffffffn, MmAllocateFlags.FULLY_REQUIRED), 1],
    [request(8192, 0x7fffffffn, MmAllocateFlags.FULLY_REQUIRED), Infinity],
    [request(1 << 20), 300],
    [request(1 << 20), 100],
    [request(1 << 20), 256],
  ];
  for (const [r, cap] of calls) {
    const expected = planAllocation(r, 4096, FRAMES, cap, defaultPolicies, newPlan());
    const got = planner.plan(r, cap);
    assert.deepEqual(got === null ? null : { ...got }, expected === null ? null : { ...expected });
  }
});

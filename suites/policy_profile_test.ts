import assert from "node:assert/strict";
import { Simulator } from "../core/simulator.ts";
import {
  derivePolicyProfile,
  loadPolicyProfile,
  type OpenQuestionObservations,
  parsePolicyProfile,
  policyProfileToJson,
} from "./policy_profile.ts";

const windowsLike: OpenQuestionObservations = {
  backend: "windows-host",
  pageSize: 4096,
  byteCount: [{ totalBytes: 1920, byteCount: 4096 }, { totalBytes: 4097, byteCount: 8192 }],
  highAddress: [
    {
      highAddress: "0x1fffff",
      totalBytes: 0x200000,
      byteCount: 0x1a0000,
      boundaryPageAllocated: false,
    },
    {
      highAddress: "0xffffff",
      totalBytes: 0x1000000,
      byteCount: 0xfe0000,
      boundaryPageAllocated: true,
    },
  ],
  zeroBytes: { outcome: "null" },
};
const at = new Date("2026-11-24T12:00:00Z");

Deno.test("observations of a 1920-byte request with ByteCount 4096 settle byteCount: rounded", () => {
  const profile = derivePolicyProfile(windowsLike, at);
  assert.deepEqual(profile, {
    format: "wavert-policy-profile",
    version: 1,
    backend: "windows-host",
    recordedAt: "2026-11-24T12:00:00.000Z",
    policies: { byteCount: "rounded", highAddressPage: "inclusive", zeroBytes: "null" },
    evidence: {
      byteCount: "1920 bytes -> ByteCount 4096, 4097 bytes -> ByteCount 8192",
      highAddressPage: "the page holding HighAddress was allocated for 0xffffff",
      zeroBytes: "TotalBytes 0 returned NULL",
    },
    undetermined: {},
  });
});

Deno.test("ByteCount equal to the request settles requested; a mix settles nothing", () => {
  const requested = derivePolicyProfile({
    ...windowsLike,
    byteCount: [{ totalBytes: 1920, byteCount: 1920 }],
  }, at);
  assert.equal(requested.policies.byteCount, "requested");
  const mixed = derivePolicyProfile({
    ...windowsLike,
    byteCount: [{ totalBytes: 1920, byteCount: 1920 }, { totalBytes: 4097, byteCount: 8192 }],
  }, at);
  assert.equal(mixed.policies.byteCount, undefined);
  assert.match(mixed.undetermined.byteCount!, /fit neither rounded nor requested: 1920 bytes/);
});

Deno.test("partial, NULL and page-multiple results say nothing about ByteCount rounding", () => {
  const profile = derivePolicyProfile({
    ...windowsLike,
    byteCount: [
      { totalBytes: 1920, byteCount: null },
      { totalBytes: 6000, byteCount: 4096 },
      { totalBytes: 8192, byteCount: 8192 },
    ],
  }, at);
  assert.equal(profile.policies.byteCount, undefined);
  assert.equal(
    profile.undetermined.byteCount,
    "no request of a size that is not a page multiple was fully satisfied",
  );
});

Deno.test("exclusive needs two exhausted ranges without the boundary page", () => {
  const missed = (highAddress: string, byteCount: number | null) => ({
    highAddress,
    totalBytes: 0x200000,
    byteCount,
    boundaryPageAllocated: false,
  });
  const once = derivePolicyProfile({
    ...windowsLike,
    highAddress: [missed("0x1fffff", 0x100000), missed("0xffffff", 0x200000)],
  }, at);
  assert.equal(once.policies.highAddressPage, undefined);
  assert.match(once.undetermined.highAddressPage!, /1 request\(s\) exhausted the range/);
  const twice = derivePolicyProfile({
    ...windowsLike,
    highAddress: [missed("0x1fffff", 0x100000), missed("0xffffff", null)],
  }, at);
  assert.equal(twice.policies.highAddressPage, "exclusive");
});

Deno.test("an MDL for TotalBytes 0 is reported, not forced into a policy", () => {
  const profile = derivePolicyProfile({
    ...windowsLike,
    zeroBytes: { outcome: "mdl", detail: "ByteCount 0" },
  }, at);
  assert.equal(profile.policies.zeroBytes, undefined);
  assert.equal(
    profile.undetermined.zeroBytes,
    "TotalBytes 0 returned an MDL (ByteCount 0); no simulator policy models that",
  );
});

Deno.test("a written profile loads back as simulator policies", async () => {
  const path = await Deno.makeTempFile({ suffix: ".json" });
  try {
    await Deno.writeTextFile(path, policyProfileToJson(derivePolicyProfile(windowsLike, at)));
    const policies = await loadPolicyProfile(path);
    assert.deepEqual(policies, {
      byteCount: "rounded",
      highAddressPage: "inclusive",
      zeroBytes: "null",
    });
    using sim = new Simulator({ policies });
    assert.equal(sim.stream().allocatePagesForMdl(0xFFFFFFFFn, 0), null);
  } finally {
    await Deno.remove(path);
  }
});

Deno.test("a file that is not JSON is a TypeError naming the path", async () => {
  const path = await Deno.makeTempFile({ suffix: ".json" });
  try {
    await Deno.writeTextFile(path, "{ not json");
    await assert.rejects(() => loadPolicyProfile(path), (e: unknown) => {
      assert.ok(e instanceof TypeError);
      assert.ok(e.message.startsWith(`${path} is not JSON: `), e.message);
      return true;
    });
  } finally {
    await Deno.remove(path);
  }
});

Deno.test("every problem of a bad profile is listed with its field and value rule", () => {
  const good = derivePolicyProfile(windowsLike, at);
  assert.throws(
    () =>
      parsePolicyProfile({
        ...good,
        version: 2,
        recordedAt: "yesterday",
        policies: { byteCount: "exact", pageAddressOutOfRange: "zero" },
        undetermined: { zeroBytes: 7 },
      }, "p.json"),
    (e: unknown) => {
      assert.ok(e instanceof TypeError);
      const lines = e.message.split("\n");
      assert.equal(lines[0], "p.json is not a valid policy profile:");
      assert.ok(lines.includes("  version: must be 1, the only profile version this code reads"));
      assert.ok(lines.includes("  recordedAt: must be an ISO 8601 date-time"));
      assert.ok(lines.some((l) => l.startsWith("  policies.byteCount: ")), e.message);
      assert.ok(lines.some((l) => l.includes("pageAddressOutOfRange")), e.message);
      assert.ok(lines.some((l) => l.startsWith("  undetermined.zeroBytes: ")), e.message);
      return true;
    },
  );
  assert.throws(
    () => parsePolicyProfile([]),
    /profile is not a valid policy profile:\n {2}\(root\)/,
  );
});

import assert from "node:assert/strict";
import { Simulator } from "../core/simulator.ts";
import {
  derivePolicyProfile,
  loadPolicyProfile,
  type OpenQuestionObservations,
  parsePolicyProfile,
  policyProfileToJson,
} from "./policy_profile.ts";
import { OutputFileError, parseOutput } from "../results/read_output.ts";

const windowsLike: OpenQuestionObservations = {
  backend: "windows-host",
  pageSize: 4096,
  byteCount: [{ totalBytes: 1920, byteCount: 4096 }, { totalBytes: 4097, byteCount: 8192 }],
  highAddress: [
    {
      highAddress: "0x1FFFFF",
      totalBytes: 0x200000,
      byteCount: 0x1a0000,
      boundaryPageAllocated: false,
    },
    {
      highAddress: "0xFFFFFF",
      totalBytes: 0x1000000,
      byteCount: 0xfe0000,
      boundaryPageAllocated: true,
    },
  ],
  zeroBytes: { outcome: "null" },
};
const at = new Date("2026-11-24T12:00:00Z");

Deno.test("observations of a 1920-byte request with ByteCount 4096 settle byteCount: rounded", () => {
  const { host, command, ...profile } = derivePolicyProfile(windowsLike, at);
  assert.equal(host.denoVersion.value, Deno.version.deno);
  assert.equal(command[1], Deno.mainModule);
  assert.deepEqual(profile, {
    schema: "wavert-bench.policy-profile/2",
    createdAt: "2026-11-24T12:00:00.000Z",
    backend: "windows-host",
    policies: { byteCount: "rounded", highAddressPage: "inclusive", zeroBytes: "null" },
    evidence: {
      byteCount: "1920 bytes -> ByteCount 4096, 4097 bytes -> ByteCount 8192",
      highAddressPage: "the page holding HighAddress was allocated for 0xFFFFFF",
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
    highAddress: [missed("0x1FFFFF", 0x100000), missed("0xFFFFFF", 0x200000)],
  }, at);
  assert.equal(once.policies.highAddressPage, undefined);
  assert.match(once.undetermined.highAddressPage!, /1 request\(s\) exhausted the range/);
  const twice = derivePolicyProfile({
    ...windowsLike,
    highAddress: [missed("0x1FFFFF", 0x100000), missed("0xFFFFFF", null)],
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

/** Writes `text` as p.json, loads it, and returns the one line it is refused with. */
async function refusal(text: string): Promise<string> {
  const dir = await Deno.makeTempDir();
  const path = `${dir}/p.json`;
  try {
    await Deno.writeTextFile(path, text);
    let message = "";
    await assert.rejects(() => loadPolicyProfile(path), (e: unknown) => {
      assert.ok(e instanceof OutputFileError);
      message = e.message;
      return true;
    });
    assert.ok(message.startsWith(`${path}: `), message);
    assert.ok(!message.includes("\n"), message);
    return message.slice(path.length + 2);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("a wrong tag, truncated JSON or a missing field is one line naming the file", async () => {
  const good = derivePolicyProfile(windowsLike, at);
  assert.equal(
    await refusal(JSON.stringify({ ...good, schema: "wavert-bench.policy-profile/1" })),
    'schema "wavert-bench.policy-profile/1", expected "wavert-bench.policy-profile/2" ' +
      '(or the first format, "wavert-policy-profile")',
  );
  assert.match(await refusal("{}"), /^no schema tag, expected /);
  // The results/ schema of the kind accepts what derivePolicyProfile writes.
  assert.equal(parseOutput(good, "policy-profile", "p.json").backend, "windows-host");
  const text = policyProfileToJson(good);
  assert.match(await refusal(text.slice(0, text.length / 2)), /^truncated or empty JSON: /);
  assert.match(await refusal("{ not json }"), /^not JSON: /);
  const { host: _host, ...noHost } = good;
  assert.match(await refusal(JSON.stringify(noHost)), /^host: /);
  const { command: _command, ...noCommand } = good;
  assert.match(await refusal(JSON.stringify(noCommand)), /^command: /);
  const { backend: _backend, ...noBackend } = good;
  assert.match(await refusal(JSON.stringify(noBackend)), /^backend: /);
  assert.match(
    await refusal(JSON.stringify({ ...good, host: { ...good.host, os: "linux" } })),
    /^host\.os: /,
  );
});

Deno.test("a profile of the first format still loads; a bad one is refused in one line", async () => {
  const old = {
    format: "wavert-policy-profile",
    version: 1,
    backend: "windows-host",
    recordedAt: "2026-11-24T12:00:00.000Z",
    policies: { zeroBytes: "null" },
    evidence: { zeroBytes: "TotalBytes 0 returned NULL" },
    undetermined: {},
  };
  const path = await Deno.makeTempFile({ suffix: ".json" });
  try {
    await Deno.writeTextFile(path, JSON.stringify(old));
    assert.deepEqual(await loadPolicyProfile(path), { zeroBytes: "null" });
  } finally {
    await Deno.remove(path);
  }
  assert.equal(
    await refusal(JSON.stringify({ ...old, version: 2, recordedAt: "yesterday" })),
    "version: must be 1 in the first format (and 1 more problem(s))",
  );
  assert.match(
    await refusal(JSON.stringify({ ...old, policies: { byteCount: "exact" } })),
    /^policies\.byteCount: /,
  );
  assert.throws(() => parsePolicyProfile([]), /^OutputFileError: profile: no schema tag/);
});

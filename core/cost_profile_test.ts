import assert from "node:assert/strict";
import { type CostProfileV2, loadCostProfile } from "./cost_profile.ts";

const good: CostProfileV2 = {
  schema: "wavert-bench.cost-profile/2",
  name: "test",
  createdAt: "2026-01-01T00:00:00.000Z",
  host: { os: { value: "linux" }, hostname: { value: null, reason: "not permitted" } },
  command: ["deno", "file:///repo/cli/bench.ts"],
  fittedOn: "linux-host",
  costModel: { allocateCallNs: 3000, allocatePageNs: 200 },
  freshPages: "stale",
  points: [{ bytes: 4096, pages: 1, medianNs: 3200 }],
};

/** Writes `text` as p.json, loads it, and returns the one-line message it is refused with. */
function refusal(text: string): string {
  const dir = Deno.makeTempDirSync();
  const path = `${dir}/p.json`;
  try {
    Deno.writeTextFileSync(path, text);
    let message = "";
    assert.throws(() => loadCostProfile(path), (e) => {
      message = (e as Error).message;
      return e instanceof TypeError;
    });
    assert.ok(message.startsWith(`${path}: `), message);
    assert.ok(!message.includes("\n"), message);
    return message.slice(path.length + 2);
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
}

Deno.test("a version 2 profile and a version 1 profile both load", () => {
  const dir = Deno.makeTempDirSync();
  try {
    Deno.writeTextFileSync(`${dir}/v2.json`, JSON.stringify(good));
    assert.deepEqual(loadCostProfile(`${dir}/v2.json`), good);
    const { host: _host, command: _command, ...rest } = good;
    const v1 = { ...rest, schema: "wavert-bench.cost-profile/1" };
    Deno.writeTextFileSync(`${dir}/v1.json`, JSON.stringify(v1));
    assert.deepEqual(loadCostProfile(`${dir}/v1.json`), v1);
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});

Deno.test("a wrong tag, truncated JSON or a missing field is one line naming the file", () => {
  assert.equal(
    refusal(JSON.stringify({ ...good, schema: "other" })),
    'this is not a cost profile: schema "other", expected "wavert-bench.cost-profile/2" (or "wavert-bench.cost-profile/1")',
  );
  assert.equal(
    refusal("{}"),
    'this is not a cost profile: no schema tag, expected "wavert-bench.cost-profile/2" (or "wavert-bench.cost-profile/1")',
  );
  const text = JSON.stringify(good, null, 1);
  assert.match(refusal(text.slice(0, text.length / 2)), /^truncated or empty JSON: /);
  assert.match(refusal(""), /^truncated or empty JSON: /);
  assert.match(refusal("{ not json }"), /^not JSON: /);
  const { host: _host, ...noHost } = good;
  assert.match(refusal(JSON.stringify(noHost)), /^host: /);
  const { freshPages: _fresh, ...noFresh } = good;
  assert.match(refusal(JSON.stringify(noFresh)), /^freshPages: /);
  assert.match(
    refusal(JSON.stringify({ ...good, costModel: { allocatePageNs: -1 } })),
    /^costModel\.allocatePageNs: /,
  );
  assert.match(
    refusal(JSON.stringify({ ...good, costModel: { bogus: 1 } })),
    /^costModel: .*bogus/,
  );
  assert.match(refusal(JSON.stringify({ ...good, command: "deno" })), /^command: /);
  assert.match(refusal(JSON.stringify({ ...good, createdAt: "yesterday" })), /^createdAt: must be/);
});

Deno.test("a missing file is one line naming it", () => {
  assert.throws(
    () => loadCostProfile("/nonexistent/p.json"),
    /^TypeError: \/nonexistent\/p\.json: cannot be read: [^\n]*$/,
  );
});

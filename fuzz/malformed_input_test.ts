import assert from "node:assert/strict";
import fc from "npm:fast-check@4.10.2";
import { Simulator } from "../core/simulator.ts";
import { defineSuite, SuiteDefinitionError } from "../suites/define_suite.ts";
import type { SuiteInput } from "../suites/schema.ts";

const valid = {
  name: "valid",
  cases: [
    {
      name: "10 ms",
      request: {
        call: "allocatePagesForMdl",
        highAddress: 0xffffffffn,
        audio: { sampleRate: 48_000, channels: 2, bitsPerSample: 16, durationMs: 10 },
      },
      expect: { bytes: "requested" },
    },
    {
      name: "misuse",
      steps: [
        { call: "allocatePagesForMdl", handle: "a", highAddress: 0xffffffffn, totalBytes: 1920 },
        { call: "freePagesFromMdl", handle: "a" },
        { call: "freePagesFromMdl", handle: "a" },
      ],
      expect: { violation: "double-free" },
    },
  ],
};

/** Either a defined suite, or a SuiteDefinitionError naming each problem: never anything else. */
function defineOrNamedError(input: unknown): void {
  try {
    defineSuite(input as SuiteInput);
  } catch (e) {
    if (!(e instanceof SuiteDefinitionError)) throw e;
    assert.ok(e.problems.length > 0);
    for (const p of e.problems) {
      assert.equal(typeof p.field, "string");
      assert.ok(p.message.length > 0);
    }
    assert.doesNotMatch(e.message, /\n\s+at /, "no stack trace in the message");
  }
}

Deno.test("random JSON values as suites: always a named SuiteDefinitionError", () => {
  fc.assert(fc.property(fc.jsonValue(), defineOrNamedError), { numRuns: 2000, seed: 1 });
  fc.assert(fc.property(fc.anything({ withBigInt: true }), defineOrNamedError), {
    numRuns: 2000,
    seed: 2,
  });
});

/** Replaces the value at a random path of `value` with `replacement`. */
function mutate(value: unknown, path: number[], replacement: unknown): unknown {
  if (path.length === 0 || value === null || typeof value !== "object") return replacement;
  const entries = Array.isArray(value) ? [...value.entries()] : Object.entries(value);
  if (entries.length === 0) return replacement;
  const [key, child] = entries[path[0] % entries.length];
  const copy: Record<string, unknown> | unknown[] = Array.isArray(value)
    ? [...value]
    : { ...value };
  (copy as Record<string, unknown>)[key as string] = mutate(child, path.slice(1), replacement);
  return copy;
}

Deno.test("structurally wrong suites (a valid suite with one field replaced): named errors, nothing allocated", () => {
  using sim = new Simulator();
  const free = sim.freePageCount;
  fc.assert(
    fc.property(
      fc.array(fc.nat(), { minLength: 1, maxLength: 6 }),
      fc.oneof(fc.jsonValue(), fc.bigInt(), fc.constant(undefined), fc.constant(-1n)),
      (path, replacement) => defineOrNamedError(mutate(valid, path, replacement)),
    ),
    { numRuns: 3000, seed: 3 },
  );
  assert.equal(sim.freePageCount, free);
});

Deno.test("the CLI reports a malformed suite module with exit code 2 and no stack trace", async () => {
  const dir = Deno.makeTempDirSync();
  try {
    const module = `${dir}/bad_suite.ts`;
    const suites = new URL("../suites/define_suite.ts", import.meta.url).href;
    Deno.writeTextFileSync(
      module,
      `import { defineSuite } from "${suites}";\n` +
        `export const bad = defineSuite({ name: "bad", cases: [{ name: 3, request: {} }, 7] });\n`,
    );
    const cli = new URL("../suites/cli.ts", import.meta.url).pathname;
    const { code, stdout, stderr } = await new Deno.Command(Deno.execPath(), {
      args: ["run", "--allow-read", "--allow-env", "--allow-ffi", "--allow-run", cli, module],
      stdout: "piped",
      stderr: "piped",
      env: { NO_COLOR: "1" },
    }).output();
    const err = new TextDecoder().decode(stderr);
    assert.equal(code, 2, err + new TextDecoder().decode(stdout));
    assert.match(err, /problem\(s\) in suite definition/);
    assert.match(err, /cases\[1\]/);
    assert.doesNotMatch(err, /\n\s+at .*\.ts:\d+/, "no stack trace for the user");
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});

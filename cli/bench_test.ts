import assert from "node:assert/strict";

const decode = (b: Uint8Array) => new TextDecoder().decode(b);

async function bench(...args: string[]) {
  const { code, stdout, stderr } = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", new URL("./bench.ts", import.meta.url).pathname, ...args],
    stdout: "piped",
    stderr: "piped",
  }).output();
  return { code, stdout: decode(stdout), stderr: decode(stderr) };
}

Deno.test("--help prints the options and runs nothing, not even the Deno.bench files", async () => {
  const started = performance.now();
  const { code, stdout, stderr } = await bench("--deno-bench", "--help");
  assert.equal(code, 0, stderr);
  assert.match(stdout, /^Usage: deno task bench/);
  assert.match(stdout, /--baseline <file>/);
  assert.doesNotMatch(stdout + stderr, /benchmark|sizes|zeroing floor/);
  assert.ok(performance.now() - started < 10_000, "answered before any benchmark could run");
});

Deno.test("a bad option is one line naming the option and the value, exit 2", async () => {
  const { code, stdout, stderr } = await bench("--deno-bench", "--samples", "many");
  assert.equal(code, 2);
  assert.equal(stdout, "");
  assert.equal(stderr, "bench: --samples must be a positive number, got many\n");
});

Deno.test("piped: progress as plain lines, one table with right-aligned durations", async () => {
  const out = await Deno.makeTempDir();
  try {
    const { code, stdout, stderr } = await bench(
      "--samples",
      "5",
      "--largest",
      "16384",
      "--out",
      out,
    );
    assert.equal(code, 0, stderr);
    assert.ok(!stderr.includes("\r") && !stderr.includes("\x1b"), "no carriage return or escape");
    assert.match(stderr, /^3\/3 simulator sizes$/m);
    assert.doesNotMatch(stdout, /\(idx\)|'|"/, "not console.table");
    const lines = stdout.split("\n");
    assert.match(lines[0], /^backend\s+size\s+n\s+p50\s+p99\s+max\s+CI ±%/);
    const row = lines.find((l) => l.startsWith("simulator") && l.includes("16 KiB"))!;
    // Durations in one unit with three significant digits, right-aligned under their header.
    assert.match(row, /^simulator\s+16 KiB\s+5\s+\d\.\d\d µs\s/);
    const p50End = lines[0].indexOf("p50") + 3;
    assert.match(row.slice(p50End - 7, p50End), /^\d\.\d\d µs$/);
  } finally {
    await Deno.remove(out, { recursive: true });
  }
});

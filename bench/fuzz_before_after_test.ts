import assert from "node:assert/strict";

const script = new URL("./fuzz_before_after.ts", import.meta.url).pathname;
const root = new URL("..", import.meta.url).pathname;

async function run(...args: string[]) {
  const { code, stdout, stderr } = await new Deno.Command(Deno.execPath(), {
    args: ["run", "--allow-read", script, ...args],
    env: { NO_COLOR: "1" },
    stdout: "piped",
    stderr: "piped",
  }).output();
  return { code, out: new TextDecoder().decode(stdout), err: new TextDecoder().decode(stderr) };
}

Deno.test("the fuzz before/after bench runs the same steps on both trees (this one twice)", async () => {
  const { code, out, err } = await run(root, "1");
  assert.equal(code, 0, err);
  // The table's row: shards, steps/s before and after, same steps, pool builds, the ratio.
  assert.match(
    out,
    /│\s+1 │\s+\d+ │\s+\d+ │ true\s+│\s+\d+ │\s+\d+ │ "\d\.\d{3} \(median shard \d\.\d{3}\)"/,
  );
});

Deno.test("the fuzz before/after bench refuses a shard count that is not a whole number", async () => {
  const { code, err } = await run(root, "0.5");
  assert.notEqual(code, 0);
  assert.match(err, /shards must be a whole number ≥ 1, got 0\.5/);
});

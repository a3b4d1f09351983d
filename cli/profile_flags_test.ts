/**
 * The CLI flags that load a cost profile refuse a bad one with exit 2 and one line naming the file
 * and the problem, before any work: `cli/suites.ts --cost-profile` and `cli/bench.ts
 * --profile` (whose sweep takes minutes).
 *
 * @module
 */

import assert from "node:assert/strict";

const root = new URL("..", import.meta.url);

async function run(script: string, args: string[]) {
  const { code, stdout, stderr } = await new Deno.Command(Deno.execPath(), {
    args: ["run", "--allow-read", "--allow-env", "--allow-write", script, ...args],
    cwd: root,
    stdout: "piped",
    stderr: "piped",
  }).output();
  const decode = (b: Uint8Array) => new TextDecoder().decode(b);
  return { code, stdout: decode(stdout), stderr: decode(stderr) };
}

const bad: [string, string, RegExp][] = [
  ["wrong-tag.json", '{"schema":"wavert-bench.cost-profile/9"}', /schema "wavert-bench/],
  ["truncated.json", '{"schema":"wavert-bench.cost-profile/2","name":"x",', /truncated/],
  ["missing.json", '{"schema":"wavert-bench.cost-profile/1","name":"x"}', /createdAt: /],
];

Deno.test("cli/suites.ts --cost-profile and cli/bench.ts --profile refuse a bad file: exit 2, one line", async () => {
  const dir = await Deno.makeTempDir();
  try {
    for (const [name, text, problem] of bad) {
      const path = `${dir}/${name}`;
      await Deno.writeTextFile(path, text);
      for (
        const [script, args] of [
          ["cli/suites.ts", ["--backend", "simulator", "--cost-profile", path]],
          ["cli/bench.ts", ["--out", `${dir}/out`, "--profile", path]],
        ] as const
      ) {
        const { code, stdout, stderr } = await run(script, [...args]);
        const line = stderr.trim().split("\n").find((l) => l.includes(path)) ?? stderr;
        assert.equal(code, 2, `${script} ${name}: ${stderr}`);
        assert.match(line, problem, `${script} ${name}`);
        assert.match(line, new RegExp(`${path.replaceAll(/[.\/]/g, "\\$&")}: `), line);
        assert.ok(!stdout.includes("pass") && !stderr.includes("sizes"), `${script}: work ran`);
      }
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

import assert from "node:assert/strict";
import { sourceLines } from "./source_lines.ts";

const module = new URL("./source_lines.ts", import.meta.url).href;

/** `sourceLines` run by a child `deno run` with `flags` and `env`; its JSON result. */
async function inChild(flags: string[], env: Record<string, string>): Promise<unknown> {
  const script = await Deno.makeTempFile({ suffix: ".ts" });
  try {
    await Deno.writeTextFile(
      script,
      `import { sourceLines } from ${JSON.stringify(module)};\n` +
        `console.log(JSON.stringify(await sourceLines("/nonexistent/libx.so", [0x1001])));`,
    );
    const { code, stdout, stderr } = await new Deno.Command(Deno.execPath(), {
      args: ["run", "--no-prompt", ...flags, script],
      env,
      stdout: "piped",
      stderr: "piped",
    }).output();
    assert.equal(code, 0, new TextDecoder().decode(stderr));
    return JSON.parse(new TextDecoder().decode(stdout));
  } finally {
    await Deno.remove(script);
  }
}

Deno.test("without addr2line on PATH the sites keep their names and the reason is given", async () => {
  const empty = await Deno.makeTempDir();
  try {
    assert.deepEqual(await inChild(["--allow-run"], { PATH: empty }), {
      skipped: "no addr2line on PATH (binutils)",
    });
  } finally {
    await Deno.remove(empty);
  }
});

Deno.test("without leave to run addr2line the reason names --allow-run", async () => {
  assert.deepEqual(await inChild([], {}), { skipped: "addr2line may not be run (--allow-run)" });
});

Deno.test("addr2line failing on a missing library is a skip with its message, and no site is none", async (t) => {
  const probe = await new Deno.Command("addr2line", { args: ["--version"], stdout: "null" })
    .output().catch(() => null);
  await t.step({
    name: "addr2line on a missing library",
    ignore: probe === null,
    fn: async () => {
      const found = await sourceLines("/nonexistent/libx.so", [0x1001]);
      assert.ok(
        "skipped" in found && found.skipped.startsWith("addr2line failed: "),
        String(found),
      );
    },
  });
  assert.deepEqual(await sourceLines("/nonexistent/libx.so", []), { lines: new Map() });
});

import assert from "node:assert/strict";
import { Simulator } from "./simulator.ts";

const node = await (async () => {
  try {
    const { code, stdout } = await new Deno.Command("node", {
      args: ["--version"],
      stdout: "piped",
    })
      .output();
    const major = Number(new TextDecoder().decode(stdout).trim().replace(/^v/, "").split(".")[0]);
    if (code !== 0) return { missing: "node --version failed" };
    if (major < 18) return { missing: `Node.js ${major} is older than 18` };
    return { missing: null };
  } catch {
    return { missing: "no node on PATH" };
  }
})();

/** What the script below prints, computed here by the simulator the bundle is built from. */
function expected(): string {
  using sim = new Simulator({ machine: "x64-16gib", fragmentation: 0.3, seed: 42 });
  const stream = sim.stream();
  const lines: string[] = [];
  for (const bytes of [1920, 65536, 1 << 20]) {
    const mdl = stream.allocatePagesForMdl(0xFFFFFFFFn, bytes);
    lines.push(mdl === null ? "null" : `${mdl.byteCount} ${[...mdl.pfns].join(",")}`);
  }
  return lines.join("\n");
}

Deno.test({
  name: "the Node bundle runs under Node.js and gives the frames Deno's simulator gives",
  ignore: node.missing !== null,
  async fn() {
    const dir = await Deno.makeTempDir();
    try {
      const bundle = `${dir}/wavert-simulator.mjs`;
      const build = await new Deno.Command(Deno.execPath(), {
        args: [
          "bundle",
          "--quiet",
          "--platform",
          "browser",
          "--format",
          "esm",
          "--declaration",
          "-o",
          bundle,
          "node/simulator.ts",
        ],
        stderr: "piped",
      }).output();
      assert.equal(build.code, 0, new TextDecoder().decode(build.stderr));
      await Deno.stat(`${dir}/wavert-simulator.d.mts`);
      // The frames, then where a leak was allocated: as recorded, and named by a replay (a
      // bundle's frames are all the simulator's, so the first one outside it is the script's).
      const script = `
        import { Simulator, withLeakSites } from ${JSON.stringify(bundle)};
        const sim = new Simulator({ machine: "x64-16gib", fragmentation: 0.3, seed: 42 });
        const stream = sim.stream();
        for (const bytes of [1920, 65536, 1 << 20]) {
          const mdl = stream.allocatePagesForMdl(0xFFFFFFFFn, bytes);
          console.log(mdl === null ? "null" : mdl.byteCount + " " + [...mdl.pfns].join(","));
        }
        sim.close();
        function leakyStart(sim) { sim.stream().allocatePagesForMdl(0xFFFFFFFFn, 4096); }
        const held = new Simulator({ seed: 1 });
        leakyStart(held);
        console.error("recorded: " + held.leaks()[0].allocatedAt);
        held.close();
        await withLeakSites({ seed: 1 }, leakyStart).catch((e) => console.error("replayed: " + e.message));`;
      const run = await new Deno.Command("node", {
        args: ["--input-type=module", "-e", script],
        stdout: "piped",
        stderr: "piped",
      }).output();
      const stderr = new TextDecoder().decode(run.stderr);
      assert.equal(run.code, 0, stderr);
      assert.equal(new TextDecoder().decode(run.stdout).trim(), expected());
      assert.match(stderr, /^recorded: at leakyStart \(/m);
      assert.match(
        stderr,
        /^replayed: leaked-pages: .*\n {2}MDL #1 \(4096 bytes\) at leakyStart \(/m,
      );
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});

if (node.missing !== null) console.log(`Node bundle test ignored: unavailable: ${node.missing}`);

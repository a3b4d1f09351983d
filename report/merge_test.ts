import assert from "node:assert/strict";
import { encodeSamples } from "../stats/hdr.ts";

const root = new URL("..", import.meta.url);
const text = (b: Uint8Array) => new TextDecoder().decode(b);

async function run(args: string[]) {
  const out = await new Deno.Command(Deno.execPath(), {
    args,
    cwd: root,
    stdout: "piped",
    stderr: "piped",
  })
    .output();
  return { code: out.code, stdout: text(out.stdout), stderr: text(out.stderr) };
}

const merge = (dir: string, ...args: string[]) =>
  run([
    "run",
    "--allow-read",
    "--allow-env",
    "--allow-sys",
    `--allow-write=${dir}`,
    "--allow-run=git",
    "cli/report.ts",
    "merge",
    ...args,
  ]);

Deno.test("two runs with two host-fact sets merge into one HTML and JSON report", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const made = await run([
      "run",
      "--allow-read",
      "--allow-env",
      `--allow-write=${dir}`,
      "cli/suites.ts",
      "--backend",
      "simulator",
      "--filter",
      "DMA-limited",
      "--json",
      `${dir}/a.json`,
    ]);
    assert.equal(made.code, 0, made.stderr);
    const a = JSON.parse(await Deno.readTextFile(`${dir}/a.json`));
    // The second machine: other host facts, and one case three times slower.
    const b = structuredClone(a);
    b.host.hostname = { value: "second-machine" };
    b.host.cpuModel = { value: "Other CPU" };
    a.host.hostname = { value: "first-machine" };
    const samples = (scale: number) => Array.from({ length: 30 }, (_, i) => 2500 * scale + (i % 7));
    for (const [file, scale] of [[a, 1], [b, 3]] as const) {
      const first = file.suites[0].cases[0].runs[0];
      first.latencyNs = samples(scale);
      first.latencyHdr = encodeSamples(first.latencyNs);
    }
    await Deno.writeTextFile(`${dir}/a.json`, JSON.stringify(a));
    await Deno.writeTextFile(`${dir}/b.json`, JSON.stringify(b));

    const merged = await merge(
      dir,
      `${dir}/a.json`,
      `${dir}/b.json`,
      "--html",
      `${dir}/fleet.html`,
      "--json",
      `${dir}/fleet.json`,
    );
    assert.equal(merged.code, 0, merged.stderr);
    const fleet = JSON.parse(await Deno.readTextFile(`${dir}/fleet.json`));
    assert.equal(fleet.schema, "wavert-bench.merged-results/1");
    assert.deepEqual(fleet.machines.map((m: { id: string }) => m.id), [
      "first-machine",
      "second-machine",
    ]);
    // One row per case of the input (the DMA-limited suite's cases).
    assert.equal(fleet.cases.length, a.suites[0].cases.length);
    assert.ok(fleet.cases.length >= 4);
    const first = fleet.cases[0];
    assert.deepEqual(Object.keys(first.cells), ["first-machine", "second-machine"]);
    assert.ok(first.cells["first-machine"].p50Ci[0] <= first.cells["first-machine"].p50Ns);
    assert.ok(
      first.differs.some((d: { machine: string; why: string }) =>
        d.machine === "second-machine" && /latency slower \(Mann–Whitney/.test(d.why)
      ),
      JSON.stringify(first.differs),
    );
    assert.ok(fleet.cases.slice(1).every((c: { differs: unknown[] }) => c.differs.length === 0));
    const html = await Deno.readTextFile(`${dir}/fleet.html`);
    assert.match(html, /<th>first-machine<br>/);
    assert.match(html, /<th>second-machine<br><small>Other CPU/);
    assert.match(html, /differs: latency slower/);
    // The fleet p50 comes from the merged HDR histograms of both machines (30 + 30 samples).
    assert.equal(first.fleet.samples, 60);
    assert.ok(first.fleet.p50Ns > 2500 && first.fleet.p50Ns < 7600, String(first.fleet.p50Ns));

    // Different project versions are refused, or reconciled explicitly.
    b.host.projectVersion = { value: "9.9.9" };
    await Deno.writeTextFile(`${dir}/b.json`, JSON.stringify(b));
    const mixed = await merge(dir, `${dir}/a.json`, `${dir}/b.json`, "--json", `${dir}/x.json`);
    assert.equal(mixed.code, 2);
    assert.match(mixed.stderr, /^report merge: project versions differ \(.*9\.9\.9\)/);
    assert.equal(mixed.stderr.trim().split("\n").length, 1);
    const allowed = await merge(
      dir,
      `${dir}/a.json`,
      `${dir}/b.json`,
      "--json",
      `${dir}/x.json`,
      "--allow-mixed-versions",
    );
    assert.equal(allowed.code, 0, allowed.stderr);
    assert.match(JSON.parse(await Deno.readTextFile(`${dir}/x.json`)).reconciled[0], /9\.9\.9/);

    // A truncated input is refused before any work, naming the file.
    const whole = await Deno.readTextFile(`${dir}/a.json`);
    await Deno.writeTextFile(`${dir}/cut.json`, whole.slice(0, whole.length / 2));
    const cut = await merge(dir, `${dir}/a.json`, `${dir}/cut.json`, "--json", `${dir}/y.json`);
    assert.equal(cut.code, 2);
    assert.match(
      cut.stderr.trim(),
      /^report merge: \S+cut\.json: truncated or empty JSON/,
      cut.stderr,
    );
    await assert.rejects(() => Deno.stat(`${dir}/y.json`), Deno.errors.NotFound);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

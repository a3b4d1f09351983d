// The package as another project uses it: a script and a `deno test` file in a directory outside
// this repository, with no deno.json of their own, import mod.ts by file URL and by relative
// path, and run a suite. This fails if any module relies on this repository's configuration (an
// import map, compiler options).
import assert from "node:assert/strict";
import { relative } from "node:path";
import { fileURLToPath } from "node:url";

const modUrl = new URL("../mod.ts", import.meta.url).href;
const suiteSource = (from: string) => `
import { defineSuite, registerSuite, runSuites, simulatorProvider } from ${JSON.stringify(from)};
const suite = defineSuite({
  name: "outside",
  cases: [{
    name: "10 ms below 4 GiB",
    request: { call: "allocatePagesForMdl", highAddress: 0xFFFFFFFFn, totalBytes: 1920 },
    expect: { result: "mdl", pages: 1 },
  }],
});
if (import.meta.main) {
  const report = await runSuites([suite], { seed: 1, providers: [simulatorProvider] });
  console.log("status", report.suites[0].cases[0].runs[0].status);
} else {
  registerSuite(suite, { backends: ["simulator"] });
}
`;

async function deno(cwd: string, ...args: string[]) {
  const { code, stdout, stderr } = await new Deno.Command(Deno.execPath(), {
    args,
    cwd,
    env: { NO_COLOR: "1" },
    stdout: "piped",
    stderr: "piped",
  }).output();
  const text = new TextDecoder();
  return { code, out: text.decode(stdout) + text.decode(stderr) };
}

Deno.test("another project imports mod.ts by file URL and runs a suite with deno run", async () => {
  const dir = await Deno.makeTempDir({ prefix: "wavert-outside-" });
  try {
    await Deno.writeTextFile(`${dir}/run.ts`, suiteSource(modUrl));
    const { code, out } = await deno(dir, "run", "--quiet", "--no-lock", "run.ts");
    assert.equal(code, 0, out);
    assert.match(out, /status passed/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("another project imports mod.ts by relative path and registers it under deno test", async () => {
  const dir = await Deno.makeTempDir({ prefix: "wavert-outside-" });
  try {
    const path = relative(dir, fileURLToPath(modUrl));
    await Deno.writeTextFile(`${dir}/suite_test.ts`, suiteSource(path));
    const { code, out } = await deno(dir, "test", "--no-lock", "suite_test.ts");
    assert.equal(code, 0, out);
    assert.match(out, /outside › 10 ms below 4 GiB \.\.\. ok/);
    assert.match(out, /ok \| 1 passed/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("each npm package is imported at one pinned version, the one deno.lock records", async () => {
  const root = fileURLToPath(new URL("..", import.meta.url));
  const lock = JSON.parse(await Deno.readTextFile(`${root}/deno.lock`));
  const versions = new Map<string, Set<string>>();
  // Walked, not listed by git: CI also runs the tests in a plain copy without .git.
  const walk = async function* (dir: string): AsyncGenerator<string> {
    for await (const entry of Deno.readDir(dir)) {
      if (["node_modules", "build", "dist", "out", ".git"].includes(entry.name)) continue;
      const path = `${dir}/${entry.name}`;
      if (entry.isDirectory) yield* walk(path);
      else if (entry.name.endsWith(".ts")) yield path;
    }
  };
  for await (const file of walk(root.replace(/\/$/, ""))) {
    const source = await Deno.readTextFile(file);
    for (const [, name, version] of source.matchAll(/"npm:((?:@[\w.-]+\/)?[\w.-]+)@([^"/]+)/g)) {
      versions.set(name, (versions.get(name) ?? new Set()).add(version));
    }
  }
  assert.ok(versions.has("zod"), "no npm: import found at all");
  for (const [name, found] of versions) {
    assert.equal(found.size, 1, `${name} is imported at several versions: ${[...found]}`);
    const [version] = found;
    assert.ok(lock.specifiers[`npm:${name}@${version}`], `npm:${name}@${version} not in deno.lock`);
  }
});

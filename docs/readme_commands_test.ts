/**
 * Runs the README as written (issue 17): every command of its ```sh blocks and every inline
 * `npx --yes deno@2 …` command, and those of the speed log it links (`docs/speed.md`), in a fresh
 * copy of the repository, must exit 0; the README's ```ts examples are run too (`deno run`, or
 * `deno test` for those that register suites). Commands too long for a
 * test run, or needing Windows, are listed in {@link SKIPPED} with a reason each, printed when the
 * test runs; a command in neither list is run, so a new README command is never silently left out.
 *
 * @module
 */

import assert from "node:assert/strict";

const ROOT = new URL("../", import.meta.url);
/**
 * The README read: `WAVERT_README` may name another copy (to show that a broken command fails
 * the test), and `WAVERT_README_ONLY` limits the commands run to those containing it.
 */
const README = Deno.env.get("WAVERT_README") ?? new URL("README.md", ROOT);
const ONLY = Deno.env.get("WAVERT_README_ONLY");
/** The other documents whose commands are run, as the README links them. */
const LINKED = ["docs/speed.md"];

/** One command of the README (or a document it links), as written. */
export interface ReadmeCommand {
  /** The command text (continuation lines of a ```sh block keep their newline). */
  command: string;
  /** The README line it starts on. */
  line: number;
  /** Where it was found. */
  source: "sh" | "inline";
  /** The README line of its ```sh block's fence (commands of one block run in order), or its own line. */
  block: number;
}

/** One ```ts example of the README. */
export interface ReadmeExample {
  /** The example's code. */
  code: string;
  /** The README line of its opening fence. */
  line: number;
}

/** The commands of every ```sh block (an indented line continues the one before it) and every inline `npx --yes deno@2 …` span. */
export function extractCommands(markdown: string): ReadmeCommand[] {
  const lines = markdown.split("\n");
  const found: ReadmeCommand[] = [];
  let inSh = false;
  let inFence = false;
  let fenceLine = 0;
  for (let i = 0; i < lines.length; i++) {
    const text = lines[i];
    if (text.startsWith("```")) {
      if (inFence) {
        inFence = false;
        inSh = false;
      } else {
        inFence = true;
        inSh = text.trim() === "```sh";
        fenceLine = i + 1;
      }
      continue;
    }
    if (!inSh || text.trim() === "") continue;
    const previous = found.at(-1);
    if (/^\s/.test(text) && previous?.source === "sh" && previous.line < i + 1) {
      previous.command += "\n" + text;
    } else found.push({ command: text, line: i + 1, source: "sh", block: fenceLine });
  }
  // Inline spans, outside fences: `…npx --yes deno@2 …` (they may wrap across lines).
  const prose = lines.map((text, i) => ({ text, i }));
  let fence = false;
  const outside: string[] = [];
  const lineOf: number[] = [];
  for (const { text, i } of prose) {
    if (text.startsWith("```")) {
      fence = !fence;
      outside.push("");
    } else outside.push(fence ? "" : text);
    lineOf.push(i + 1);
  }
  const joined = outside.join("\n");
  for (const match of joined.matchAll(/`([^`]*npx --yes deno@2[^`]*)`/g)) {
    const line = joined.slice(0, match.index).split("\n").length;
    found.push({ command: match[1].replaceAll("\n", " "), line, source: "inline", block: line });
  }
  const seen = new Set<string>();
  return found.filter((c) => !seen.has(normalize(c.command)) && seen.add(normalize(c.command)));
}

/** Every ```ts block of the README. */
export function extractExamples(markdown: string): ReadmeExample[] {
  const examples: ReadmeExample[] = [];
  const pattern = /^```ts\n([\s\S]*?)^```$/gm;
  for (const match of markdown.matchAll(pattern)) {
    examples.push({ code: match[1], line: markdown.slice(0, match.index).split("\n").length });
  }
  return examples;
}

/** A command without its trailing `# comment` and with runs of blanks as one, for {@link SKIPPED}. */
export function normalize(command: string): string {
  return command.replace(/\s+#[^'"\n]*$/, "").replace(/\s+/g, " ").trim();
}

/** Commands not run, by their {@link normalize}d text, each with the reason printed when the test runs. */
export const SKIPPED: Readonly<Record<string, string>> = {
  "npx --yes deno@2 task test":
    "this test runs inside `deno task test`: running it again would recurse",
  "npx --yes deno@2 task fuzz":
    "a 10,000-sequence campaign (~1 min alone); the README's short variant `--runs 500 --seed 7` runs instead",
  "npx --yes deno@2 task bench":
    "the full Deno.bench files and a 200-sample sweep up to 64 MiB (minutes); the README's `cli/bench.ts --samples 50` runs instead",
  "npx --yes deno@2 task bench --save-baseline dist/base.json":
    "the full bench sweep again, to save a baseline (minutes)",
  "npx --yes deno@2 task bench --baseline dist/base.json --threshold 0.05":
    "the full bench sweep again, against the baseline the line before saves (minutes)",
  "npx --yes deno@2 task calibrate:placement out/placement-profile.json":
    "60 host processes and 40 simulators per calibration (many minutes)",
  "npx --yes deno@2 task reliability":
    "a soak of 1,000,000 allocate/free cycles (~45 s alone) plus Worker kill scenarios (the README shows no shorter `--soak N` command)",
  "stress-ng --cpu 2 --timeout 900s & for i in $(seq 20); do npx --yes deno@2 task demo; done":
    "a 15-minute CPU-hog loop of 20 demos (needs stress-ng); one demo runs as the README's first command",
  "npx --yes deno@2 test --allow-all my_stream_test.ts":
    "its suite builds your driver's sources (src/minwavertstream.cpp, test/entry.cpp), which the repository does not have",
  "npx --yes deno@2 task bench:c-reference":
    "5 rounds of 1 GiB allocations on a 64 GiB simulator against the C reference (minutes)",
  "npx --yes deno@2 task fuzz --seconds 30 --workers 1 --seed 77": "a 30-second fuzz campaign",
  "npx --yes deno@2 run --allow-read bench/fuzz_before_after.ts /tmp/base 20":
    "needs an older checkout's core/ and fuzz/ in /tmp/base, and runs 2 × 23,000 fuzz sequences",
  "npx --yes deno@2 run --allow-read bench/fuzz_before_after.ts /tmp/base 30":
    "needs an older checkout's core/, fuzz/ and suites/ in /tmp/base, and runs 2 × 33,000 fuzz sequences",
  'npx --yes deno@2 run --allow-read bench/before_after.ts /tmp/base/core "map + unmap"':
    "needs an older checkout's core/ in /tmp/base, and compares it with this one's",
  'npx --yes deno@2 run --allow-read bench/before_after.ts /tmp/base-ab/core "1 GiB" 15':
    "needs an older checkout's core/ in /tmp/base-ab, and times 1 GiB pairs on four 64 GiB machines",
  "npx --yes deno@2 task fuzz --runs 2010000 --seed 77 --workers 1":
    "a 10-million-step campaign (~2 min alone, many under the parallel tests)",
  "npx --yes deno@2 task fuzz --runs 200000 --seed 1 --workers 1":
    "a 200,000-sequence campaign (~15 s alone, a minute under the parallel tests)",
  "npx --yes deno@2 run --allow-read bench/simulator_targets.ts":
    "builds 64 GiB machines and times them (~30 s alone, minutes under the parallel tests)",
};

/** ```ts examples not run, by their README line's first code line, with the reason. */
export const SKIPPED_EXAMPLES: Readonly<Record<string, string>> = {
  'import { defineDriverSuite, registerDriverSuite } from "./mod.ts";':
    "its suite builds your driver's sources (src/minwavertstream.cpp, test/entry.cpp), which the repository does not have",
};

/** Files the README's commands expect, written into the copy before they run. */
function setupFiles(examples: ReadmeExample[]): Record<string, string> {
  // "Save as `my_driver_test.ts` in the repository": the first example that registers `myDriver`.
  const myDriver = examples.find((e) => e.code.includes("registerSuite(myDriver)"));
  assert(myDriver, "the README's my_driver_test.ts example is gone");
  return { "my_driver_test.ts": myDriver.code };
}

async function copyRepository(to: string): Promise<void> {
  const skip = new Set([".git", "out", "dist", "node_modules"]);
  async function copy(from: URL, target: string) {
    for await (const entry of Deno.readDir(from)) {
      if (skip.has(entry.name) && from.href === ROOT.href) continue;
      const source = new URL(entry.name + (entry.isDirectory ? "/" : ""), from);
      const path = `${target}/${entry.name}`;
      if (entry.isDirectory) {
        await Deno.mkdir(path);
        await copy(source, path);
      } else if (entry.isFile) await Deno.copyFile(source, path);
    }
  }
  await copy(ROOT, to);
}

interface Outcome {
  code: number;
  output: string;
}

async function bash(script: string, cwd: string): Promise<Outcome> {
  const { code, stdout, stderr } = await new Deno.Command("bash", {
    args: ["-c", script],
    cwd,
    stdout: "piped",
    stderr: "piped",
    env: { NO_COLOR: "1", WAVERT_README_RUN: "1" },
  }).output();
  const decoder = new TextDecoder();
  return { code, output: decoder.decode(stdout) + decoder.decode(stderr) };
}

function tail(text: string, lines = 30): string {
  return text.trimEnd().split("\n").slice(-lines).join("\n");
}

/** Runs `tasks` at most `limit` at a time; each result is available as soon as it is done. */
function pool<T>(tasks: (() => Promise<T>)[], limit: number): Promise<T>[] {
  let running = 0;
  const waiting: (() => void)[] = [];
  return tasks.map(async (task) => {
    while (running >= limit) await new Promise<void>((resolve) => waiting.push(resolve));
    running++;
    try {
      return await task();
    } finally {
      running--;
      waiting.shift()?.();
    }
  });
}

const markdown = Deno.readTextFileSync(README);

/** A command with the document it is in, for the step names and the order within a block. */
interface PlacedCommand extends ReadmeCommand {
  /** The document, relative to the repository: `README.md` or one of {@link LINKED}. */
  file: string;
}

/** The commands of the README and of {@link LINKED}, each once (the first place it appears). */
function allCommands(): PlacedCommand[] {
  const documents = [
    { file: "README.md", text: markdown },
    ...LINKED.map((file) => ({ file, text: Deno.readTextFileSync(new URL(file, ROOT)) })),
  ];
  const seen = new Set<string>();
  return documents.flatMap(({ file, text }) => extractCommands(text).map((c) => ({ ...c, file })))
    .filter((c) => !seen.has(normalize(c.command)) && seen.add(normalize(c.command)));
}

Deno.test("README: commands are extracted from ```sh blocks and inline spans", () => {
  const commands = extractCommands(markdown);
  assert(commands.some((c) => c.command.startsWith("npx --yes deno@2 task demo")));
  const node = commands.find((c) => c.command.startsWith("node --input-type=module"));
  assert(node?.command.includes("console.log(mdl.byteCount"), "a wrapped sh command is joined");
  const everywhere = allCommands();
  assert(everywhere.some((c) => c.file === "docs/speed.md"), "docs/speed.md's commands are read");
  for (const name of Object.keys(SKIPPED)) {
    assert(
      everywhere.some((c) => normalize(c.command) === name),
      `SKIPPED names a command neither the README nor ${LINKED} has: ${name}`,
    );
  }
  assert.deepEqual(
    extractCommands("```sh\nfalse\n```\n").map((c) => c.command),
    ["false"],
  );
});

// A README command that runs the tests must never run this file again inside itself.
const nested = Deno.env.get("WAVERT_README_RUN") === "1";
const npx = nested
  ? { code: -1, output: "inside a README command's own run" }
  : await bash("npx --yes deno@2 --version", ".").catch((e) => ({
    code: -1,
    output: String(e),
  }));
const npxMissing = npx.code === 0 ? null : `npx cannot start deno@2 here: ${tail(npx.output, 3)}`;
if (npxMissing) console.log(`README command tests ignored: ${npxMissing}`);

Deno.test({
  name: "README: every command runs as written and exits 0",
  ignore: npxMissing !== null,
  async fn(t) {
    const commands = allCommands();
    const examples = extractExamples(markdown);
    const dir = await Deno.makeTempDir({ prefix: "wavert-readme-" });
    try {
      await copyRepository(dir);
      for (const [name, text] of Object.entries(setupFiles(examples))) {
        await Deno.writeTextFile(`${dir}/${name}`, text);
      }
      // Three at a time: each writes its own files under out/ or dist/.
      const toRun = commands.filter((c) =>
        !(normalize(c.command) in SKIPPED) && (ONLY === undefined || c.command.includes(ONLY))
      );
      const blockOf = (c: PlacedCommand) => `${c.file}:${c.block}`;
      const blocks = [...new Set(toRun.map(blockOf))];
      const byBlock = pool(
        blocks.map((block) => async () => {
          const outcomes = new Map<ReadmeCommand, Outcome>();
          for (const c of toRun.filter((c) => blockOf(c) === block)) {
            outcomes.set(c, await bash(c.command, dir));
          }
          return outcomes;
        }),
        3,
      );
      const results = toRun.map((c) => byBlock[blocks.indexOf(blockOf(c))].then((m) => m.get(c)!));
      for (const [i, c] of toRun.entries()) {
        await t.step(`${c.file}:${c.line} ${c.command.split("\n")[0]}`, async () => {
          const { code, output } = await results[i];
          assert.equal(
            code,
            0,
            `${c.file} line ${c.line}: \`${c.command}\` exited ${code}:\n${tail(output)}`,
          );
        });
      }
      for (const c of commands.filter((c) => normalize(c.command) in SKIPPED)) {
        await t.step({
          name: `${c.file}:${c.line} ${c.command.split("\n")[0]}`,
          ignore: true,
          fn: () => {},
        });
        console.log(
          `skipped ${c.file}:${c.line} \`${c.command}\`: ${SKIPPED[normalize(c.command)]}`,
        );
      }
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});

Deno.test({
  name: "README: every self-contained ts example runs and exits 0",
  ignore: npxMissing !== null,
  async fn(t) {
    const examples = extractExamples(markdown);
    // Outside the repository, as a user's project would be: the examples need no deno.json.
    const dir = await Deno.makeTempDir({ prefix: "wavert-readme-ts-" });
    try {
      const modUrl = new URL("mod.ts", ROOT).href;
      for (const example of examples) {
        const first = example.code.split("\n")[0];
        if (first in SKIPPED_EXAMPLES) {
          await t.step({ name: `README:${example.line} (skipped)`, ignore: true, fn: () => {} });
          console.log(`skipped README:${example.line} example: ${SKIPPED_EXAMPLES[first]}`);
          continue;
        }
        await t.step(`README:${example.line} ${first}`, async () => {
          const code = example.code.replaceAll('"./mod.ts"', JSON.stringify(modUrl));
          const registers = /\bregister(Driver)?Suite\(/.test(code);
          const file = `${dir}/example_${example.line}${registers ? "_test" : ""}.ts`;
          await Deno.writeTextFile(file, code);
          const command = registers
            ? `npx --yes deno@2 test --allow-read --allow-env --allow-ffi --allow-run ${file}`
            : `npx --yes deno@2 run --allow-read --allow-env --allow-ffi ${file}`;
          const { code: status, output } = await bash(command, new URL(".", ROOT).pathname);
          assert.equal(
            status,
            0,
            `README line ${example.line}: \`${command}\` exited ${status}:\n${tail(output)}`,
          );
          if (registers) {
            const passed = output.match(/ok \| (\d+) passed/);
            assert(
              passed && Number(passed[1]) > 0,
              `README line ${example.line} registered no test:\n${tail(output)}`,
            );
          }
        });
      }
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});

/**
 * One hex style everywhere a user reads an address (issue 17): `0x` and upper-case digits. Scans
 * the product sources (not tests, not testdata) for hex a user would read in lower case.
 *
 * @module
 */

import assert from "node:assert/strict";
import { hex } from "./hex.ts";
import { formatHex } from "../report/format.ts";

const root = new URL("..", import.meta.url);
const FOLDERS = ["core", "ffi", "fuzz", "suites", "report", "bench", "results", "stats", "history"];
/** `.toString(16)` whose output is not an address: `\x..` escapes of control characters. */
const ALLOWED = ["cli/suites_support.ts"];

/** Comments removed, so that doc examples (`0xffffffffn` as code) are not read as messages. */
function stripComments(text: string): string {
  return text.replace(/\/\*[\s\S]*?\*\//g, "").replace(/(^|[^:"'`\\])\/\/.*$/gm, "$1");
}

/** Every problem of one source text: lower-case hex a user would read. */
export function lowerCaseHex(text: string): string[] {
  const code = stripComments(text);
  const problems: string[] = [];
  for (const m of code.matchAll(/\.toString\(16\)(?!\.toUpperCase\(\))/g)) {
    problems.push(
      `.toString(16) without .toUpperCase() or hex(): …${code.slice(m.index - 40, m.index + 12)}`,
    );
  }
  for (const m of code.matchAll(/(["'`])(?:(?!\1)[^\\\n]|\\.)*\1/g)) {
    const literal = /\b0x[0-9a-fA-F]*[a-f][0-9a-fA-F]*/.exec(m[0]);
    if (literal) problems.push(`lower-case hex in a string: ${literal[0]} in ${m[0].slice(0, 80)}`);
  }
  return problems;
}

async function* sources(dir: URL, prefix: string): AsyncGenerator<string> {
  for await (const entry of Deno.readDir(dir)) {
    const path = `${prefix}/${entry.name}`;
    if (entry.isDirectory && entry.name !== "testdata" && entry.name !== "native") {
      yield* sources(new URL(`${entry.name}/`, dir), path);
    } else if (entry.isFile && path.endsWith(".ts") && !path.endsWith("_test.ts")) {
      yield path;
    }
  }
}

Deno.test("hex() is the report's style, and formatHex is hex()", () => {
  assert.equal(hex(0xffffffffn), "0xFFFFFFFF");
  assert.equal(hex(0xc4), "0xC4");
  assert.equal(formatHex(0xabcn), hex(0xabcn));
});

Deno.test("no product source prints hex in lower case", async () => {
  const found: string[] = [];
  for (const folder of FOLDERS) {
    for await (const path of sources(new URL(`${folder}/`, root), folder)) {
      if (ALLOWED.includes(path)) continue;
      const text = await Deno.readTextFile(new URL(path, root));
      for (const problem of lowerCaseHex(text)) found.push(`${path}: ${problem}`);
    }
  }
  assert.deepEqual(found, []);
});

Deno.test("the scan catches a reintroduced lower-case address", () => {
  assert.equal(lowerCaseHex("const m = `at 0x${a.toString(16)}`;").length, 1);
  assert.equal(lowerCaseHex('const m = "limit 0xffffffff";').length, 1);
  assert.deepEqual(lowerCaseHex("const m = `at ${hex(a)} 0xFFFF`; // 0xffff in a comment"), []);
  assert.deepEqual(lowerCaseHex("const x = 0xffffn;"), []);
});

/**
 * Least privilege: every `deno task` scopes every permission it takes; the few that stay
 * unscoped are listed here with the reason the README's permissions section gives.
 *
 * @module
 */

import assert from "node:assert/strict";

const root = new URL("..", import.meta.url);

/** Unscoped permissions a task keeps on purpose (see README, "Permissions and reliability"). */
const UNSCOPED: Record<string, readonly string[]> = {
  // Deno.UnsafeCallback (the driver shim) needs unscoped --allow-ffi; the tests run programs
  // they build, and Deno refuses writes to any path listed in --allow-run.
  test: ["--allow-ffi", "--allow-run"],
  // The PostgreSQL server is the user's URL: any host.
  history: ["--allow-net"],
  // The native-crash scenario's child gets unscoped --allow-ffi, which only a parent holding it
  // can grant.
  reliability: ["--allow-ffi"],
};

Deno.test("every task scopes its permissions, except the documented ones", () => {
  const { tasks } = JSON.parse(Deno.readTextFileSync(new URL("deno.json", root)));
  for (const [name, task] of Object.entries<{ command: string }>(tasks)) {
    assert.doesNotMatch(task.command, /(^|\s)(-A|--allow-all)(\s|$)/, `${name} allows all`);
    const unscoped = [...task.command.matchAll(/(?:^|\s)"?(--allow-[a-z]+)(?=\s|"|$)/g)]
      .map((m) => m[1]);
    assert.deepEqual(unscoped, [...(UNSCOPED[name] ?? [])], `${name}: unscoped ${unscoped}`);
  }
});

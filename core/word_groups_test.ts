import assert from "node:assert/strict";
import { WordGroups, WordGroupsPool } from "./word_groups.ts";

function log(pairs: [number, number][]): WordGroups {
  const groups = new WordGroups();
  for (const [w, mask] of pairs) groups.push(w, mask);
  return groups;
}

Deno.test("a pooled copy holds the log's groups and is reused only once given back", () => {
  const pool = new WordGroupsPool();
  const first = pool.copyOf(log([[3, 0b11], [9, 0x80000000 | 0]]));
  assert.deepEqual([first.length, first.words[1], first.masks[1] >>> 0], [2, 9, 0x80000000]);
  const second = pool.copyOf(log([[4, 1]]));
  assert.notEqual(second, first, "a copy still held is never handed out again");
  pool.giveBack(first);
  const third = pool.copyOf(log([[5, 0b100]]));
  assert.equal(third, first, "a given-back copy serves the next copy of its class");
  assert.deepEqual([third.length, third.words[0], third.masks[0]], [1, 5, 0b100]);
});

Deno.test("copies are sized by power-of-two classes; the largest ones are not kept", () => {
  const pool = new WordGroupsPool();
  const wide = log(Array.from({ length: 9 }, (_, k) => [2 * k, 1] as [number, number]));
  const copy = pool.copyOf(wide);
  assert.equal(copy.words.length, 16);
  pool.giveBack(copy);
  assert.notEqual(pool.copyOf(log([[1, 1]])), copy, "a class-8 request does not get a 16");
  assert.equal(pool.copyOf(wide), copy);
  const huge = log(Array.from({ length: 5000 }, (_, k) => [2 * k, 1] as [number, number]));
  const big = pool.copyOf(huge);
  pool.giveBack(big);
  assert.notEqual(pool.copyOf(huge), big, "groupings above 4096 groups are left to the collector");
});

import assert from "node:assert/strict";
import { WordGroups, WordGroupsPool } from "./word_groups.ts";

function log(pairs: [number, number][]): WordGroups {
  const groups = new WordGroups();
  for (const [w, mask] of pairs) groups.push(w, mask);
  return groups;
}

Deno.test("a log that fits is kept as it is; a roomy one is copied to its size", () => {
  const pool = new WordGroupsPool();
  const small = log([[3, 0b11], [9, 0x80000000 | 0]]);
  assert.equal(pool.keep(small), small, "room 64 for 2 groups: kept without a copy");
  const roomy = new WordGroups();
  roomy.reserve(1000);
  roomy.push(5, 1);
  const copy = pool.keep(roomy);
  assert.notEqual(copy, roomy);
  assert.deepEqual([copy.length, copy.words.length, copy.words[0], copy.masks[0]], [1, 1, 5, 1]);
});

Deno.test("a grouping given back is the next spare; without one a new log is made", () => {
  const pool = new WordGroupsPool();
  const first = pool.spare();
  assert.equal(first.length, 0);
  assert.notEqual(pool.spare(), first, "a grouping still held is never handed out again");
  pool.giveBack(first);
  assert.equal(pool.spare(), first);
});

Deno.test("a grouping with room above 65,536 groups is kept only for a large allocation", () => {
  const pool = new WordGroupsPool();
  const huge = new WordGroups();
  huge.reserve(70_000);
  pool.giveBack(huge);
  assert.ok(pool.spare() !== huge, "not a spare for any allocation");
  const small = pool.spare();
  assert.ok(pool.roomFor(small, 30) === small, "a small allocation keeps its log");
  assert.ok(pool.roomFor(small, 100_000) === huge, "a large allocation logs into the large room");
  assert.ok(pool.spare() === small, "the log it replaced is a spare");
  assert.ok(pool.roomFor(small, 100_000) === small, "the large room is handed out once");
  const larger = new WordGroups();
  larger.reserve(1 << 19);
  pool.giveBack(huge);
  pool.giveBack(larger);
  assert.ok(pool.roomFor(new WordGroups(), 600_000) === larger, "the larger of two is kept");
  const tooLarge = new WordGroups();
  tooLarge.reserve((1 << 19) + 1);
  pool.giveBack(tooLarge);
  assert.ok(pool.roomFor(new WordGroups(), 2_000_000) !== tooLarge, "over 4 MiB: collected");
});

import assert from "node:assert/strict";
import { formatAddress, formatHex, formatNs, hexReplacer } from "./format.ts";

Deno.test("durations: one unit, three significant digits", () => {
  assert.equal(formatNs(2509.6), "2.51 µs");
  assert.equal(formatNs(315_081), "315 µs");
  assert.equal(formatNs(42), "42.0 ns");
  assert.equal(formatNs(999.7), "1.00 µs");
  assert.equal(formatNs(12_700_000_000), "12.7 s");
  assert.equal(formatNs(1_234_567), "1.23 ms");
  assert.equal(formatNs(0), "0 ns");
  assert.equal(formatNs(null), "-");
  assert.equal(formatNs(NaN), "-");
});

Deno.test("hex: 0x and upper-case digits, for numbers, bigints and JSON", () => {
  assert.equal(formatHex(0xc4), "0xC4");
  assert.equal(formatAddress(0xfffffn), "0xFFFFF");
  assert.equal(formatAddress(null), "-");
  assert.equal(JSON.stringify({ a: 0xabcn, b: 1 }, hexReplacer), '{"a":"0xABC","b":1}');
});

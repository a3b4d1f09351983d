import assert from "node:assert/strict";
import {
  machinePresets,
  parseProcIomem,
  ramBytes,
  validateMachine,
  withPageSize,
} from "./machine.ts";

const GiB = 1n << 30n;

Deno.test("x64 presets have RAM below 640 KiB, 1 MiB–3 GiB, a PCI hole, then RAM above 4 GiB", () => {
  for (const [name, gib] of [["x64-4gib", 4n], ["x64-16gib", 16n], ["x64-64gib", 64n]] as const) {
    const m = machinePresets[name];
    assert.equal(m.ranges[0].base, 0x1000n, `${name}: page 0 is reserved`);
    assert.equal(m.ranges[0].base + m.ranges[0].length, 0xa0000n);
    assert.equal(m.ranges[1].base, 0x100000n);
    assert.equal(m.ranges[1].base + m.ranges[1].length, 3n * GiB);
    assert.equal(m.ranges[2].base, 4n * GiB, "nothing between 3 and 4 GiB");
    const total = ramBytes(m);
    assert.ok(total <= gib * GiB && total > gib * GiB - 4n * (1n << 20n), `${name}: ${total}`);
  }
});

Deno.test("parseProcIomem keeps top-level System RAM lines, trimmed to whole pages", () => {
  const text = Deno.readTextFileSync(new URL("./testdata/iomem-kvm-24gib.txt", import.meta.url));
  const m = parseProcIomem(text);
  assert.deepEqual(m.ranges, [
    { base: 0x1000n, length: 0x9f000n - 0x1000n },
    { base: 0x100000n, length: 0xc0000000n - 0x100000n },
    { base: 0x100000000n, length: 0x640000000n - 0x100000000n },
  ]);
});

Deno.test("parseProcIomem rejects the all-zero view an unprivileged reader gets, and no RAM", () => {
  assert.throws(
    () => parseProcIomem("00000000-00000000 : System RAM\n"),
    /CAP_SYS_ADMIN/,
  );
  assert.throws(() => parseProcIomem("00000000-00000fff : Reserved\n"), /no 'System RAM'/);
});

Deno.test("withPageSize trims ranges inward to 64 KiB pages", () => {
  const m = withPageSize(machinePresets["x64-4gib"], 65536);
  assert.equal(m.pageSize, 65536);
  assert.deepEqual(m.ranges[0], { base: 0x10000n, length: 0x90000n });
  for (const r of m.ranges) assert.equal(r.base % 65536n, 0n);
});

Deno.test("validateMachine names the bad field", () => {
  assert.throws(
    () => validateMachine({ pageSize: 4096, ranges: [{ base: 1n, length: 4096n }] }),
    /machine.ranges\[0\] must be a non-empty, page-aligned range/,
  );
  assert.throws(
    () =>
      validateMachine({
        pageSize: 4096,
        ranges: [{ base: 0n, length: 8192n }, { base: 4096n, length: 4096n }],
      }),
    /overlaps/,
  );
  assert.throws(() => validateMachine({ pageSize: 8192, ranges: [] }), /pageSize must be one of/);
});

import assert from "node:assert/strict";
import { caseTable, parametrize } from "./case_table.ts";
import { defineSuite } from "./define_suite.ts";

// No CaseInput annotation anywhere: these type-check only if the templates get their context.
const formats = [
  { name: "44.1 kHz", sampleRate: 44_100 },
  { name: "48 kHz", sampleRate: 48_000 },
];

Deno.test("caseTable: one case per row, in row order, without annotations", () => {
  const suite = defineSuite({
    name: "Table",
    cases: caseTable(formats, (f) => ({
      name: f.name,
      request: {
        call: "allocatePagesForMdl",
        highAddress: 0xFFFFFFFFn,
        audio: { sampleRate: f.sampleRate, channels: 2, bitsPerSample: 16, durationMs: 10 },
      },
      expect: { pages: 1, bytes: "requested" },
    })),
  });
  assert.deepEqual(suite.cases.map((c) => c.name), ["44.1 kHz", "48 kHz"]);
});

Deno.test("parametrize: the cartesian product, first parameter slowest, literals kept", () => {
  const cases = parametrize(
    { call: ["allocatePagesForMdl", "allocateContiguousPagesForMdl"], pages: [1, 2, 3] },
    (p, i) => ({
      name: `${i}: ${p.call} ${p.pages}`,
      request: { call: p.call, highAddress: 0xFFFFFFFFn, totalBytes: p.pages * 4096 },
      expect: { pages: p.pages },
    }),
  );
  assert.deepEqual(cases.map((c) => c.name), [
    "0: allocatePagesForMdl 1",
    "1: allocatePagesForMdl 2",
    "2: allocatePagesForMdl 3",
    "3: allocateContiguousPagesForMdl 1",
    "4: allocateContiguousPagesForMdl 2",
    "5: allocateContiguousPagesForMdl 3",
  ]);
  assert.equal(defineSuite({ name: "Product", cases }).cases.length, 6);
});

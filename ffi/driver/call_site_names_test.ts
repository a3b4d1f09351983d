// Call sites are named function+0xNN: a case that fails a call site by that name fails the same
// call after a rebuild that moves every function; file:line come from addr2line where present.
import assert from "node:assert/strict";
import { buildDriverLibrary, driverCompilerMissing, exampleDrivers } from "./build_driver.ts";
import { CallSiteNames } from "./call_site_names.ts";
import { elfFunctions } from "./elf_symbols.ts";
import { IsolatedDriverRunner } from "./isolated.ts";
import { NO_SITE } from "./session_records.ts";
import { sourceLines } from "./source_lines.ts";

const missing = await driverCompilerMissing();
const suffix = missing ? ` (ignored: ${missing})` : "";
const here = (path: string) => decodeURIComponent(new URL(path, import.meta.url).pathname);
const buggy = missing ? "" : await buildDriverLibrary(exampleDrivers.buggy);
// The same source, with an unrelated function linked first: every library offset moves.
const shifted = missing ? "" : await buildDriverLibrary({
  ...exampleDrivers.buggy,
  name: "miniport_example_buggy_shifted",
  sources: [here("./testdata/shift_functions.c"), ...exampleDrivers.buggy.sources],
});
const CASE = { requestedBytes: 8192, notificationCount: 1, steps: [{ call: "allocate" }] } as const;

Deno.test("a call site is named function+0xNN and that name resolves back to it", () => {
  const functions = [
    { symbol: "_Z1fv", start: 0x100, size: 0x40 },
    { symbol: "g", start: 0x200, size: 0x10 },
    { symbol: "g", start: 0x300, size: 0x10 }, // two static functions of one name
  ];
  const names = new CallSiteNames("libx.so", functions, (s) => s === "_Z1fv" ? "f()" : s);
  assert.equal(names.name(0x12a), "f()+0x2A");
  assert.equal(names.resolve("f()+0x2A"), 0x12a);
  assert.equal(names.name(0x140), "f()+0x40", "a return address just past the function's end");
  assert.equal(names.name(0x180), "libx.so+0x180", "outside every function");
  assert.equal(names.resolve("libx.so+0x180"), 0x180);
  assert.equal(names.resolve(0x12a), 0x12a);
  assert.equal(names.name(NO_SITE), "unknown site");
  assert.throws(() => names.resolve("h()+0x4"), /libx\.so has no function h\(\)/);
  assert.throws(() => names.resolve("g+0x4"), /has 2 functions named g/);
  assert.throws(() => names.resolve("f()"), /is not function\+0xNN/);
});

Deno.test({
  name: "the library's symbol table lists its functions, static ones included" + suffix,
  ignore: missing !== null,
  fn() {
    const functions = elfFunctions(Deno.readFileSync(buggy));
    const entry = functions.find((f) => f.symbol === "wrt_driver_allocate_audio_buffer");
    assert.ok(entry !== undefined && entry.size > 0);
    // The shim's crash handler lives in an anonymous namespace: no dynamic symbol names it.
    assert.ok(functions.some((f) => f.symbol.includes("on_crash")));
    assert.deepEqual(elfFunctions(new TextEncoder().encode("not an ELF file")), []);
  },
});

Deno.test({
  name: "a case failing a call site by function+0xNN fails the same call after a rebuild " +
    "that moves every function" + suffix,
  ignore: missing !== null,
  async fn() {
    await using runner = new IsolatedDriverRunner();
    const [before, after] = await runner.run(
      [buggy, shifted].map((library) => ({ library, ...CASE })),
    );
    const mapSite = (sites: typeof before.sites) =>
      sites.find((s) =>
        s.operation === "MapAllocatedPages" && /AllocateBufferWith/.test(s.symbol)
      )!;
    const [old, moved] = [mapSite(before.sites), mapSite(after.sites)];
    assert.equal(moved.symbol, old.symbol, "the same name in both builds");
    assert.notEqual(moved.site, old.site, "at another library offset");

    const failing = (site: string | number) => ({
      library: shifted,
      ...CASE,
      faults: { failSites: [{ site, occurrence: 1 }] },
    });
    const [byName, byOldOffset] = await runner.run([failing(old.symbol), failing(old.site)]);
    assert.equal(byName.faultsInjected, 1);
    assert.deepEqual(byName.findings.map((f) => f.rule), ["failed-allocate-leaked"]);
    // The offset taken from the first build names nothing in the second.
    assert.equal(byOldOffset.faultsInjected, 0);
    assert.deepEqual(byOldOffset.findings, []);
  },
});

const addr2line = await new Deno.Command("addr2line", { args: ["--version"], stdout: "null" })
  .output().then((o) => o.success, () => false);
Deno.test({
  name: "call sites get file:line from addr2line" +
    (missing ? suffix : addr2line ? "" : " (ignored: no addr2line on PATH)"),
  ignore: missing !== null || !addr2line,
  async fn() {
    await using runner = new IsolatedDriverRunner();
    const [result] = await runner.run([{ library: buggy, ...CASE }]);
    const found = await sourceLines(buggy, result.sites.map((s) => s.site));
    assert.ok("lines" in found);
    const map = result.sites.find((s) =>
      s.operation === "MapAllocatedPages" && /With/.test(s.symbol)
    )!;
    const source = Deno.readTextFileSync(exampleDrivers.buggy.sources[0]).split("\n");
    const [file, line] = found.lines.get(map.site)!.split(":");
    assert.equal(file, "minwavertstream.cpp");
    assert.match(source[Number(line) - 1], /MapAllocatedPages\(mdl, MmWriteCombined\)/);
  },
});

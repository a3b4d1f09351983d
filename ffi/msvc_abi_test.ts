/**
 * The MSVC ABI test of the test driver's PortCls calls (issue #18): PortCls is MSVC-compiled
 * C++, the driver is C built by mingw-w64 from `portcls_min.h`'s vtables, so every slot must be
 * called exactly as MSVC's C++ ABI lays it out. `native/msvc_abi/` has a stand-in portcls.sys
 * written as C++ against PortCls's interfaces and compiled for the MSVC ABI with
 * `clang++ --target=x86_64-pc-windows-msvc` (linked by `lld-link`, no C runtime, no imports);
 * the driver's own `miniport.c`, `session.c` and `wavert_protocol.c` are compiled with the
 * driver's compiler and flags ({@linkcode KERNEL_FLAGS}) and linked into a console program with
 * the stand-in and Wine's ntoskrnl.exe. Under Wine, both directions are checked: every
 * IMiniport/IMiniportWaveRT/IMiniportWaveRTStream slot called from C++, every IPortWaveRT/
 * IPortWaveRTStream slot called from the driver, each argument, result and out-parameter.
 *
 * Ignored with the reason when clang, lld-link, mingw-w64 or wine is missing, unless
 * `WAVERT_REQUIRE_MSVC_ABI=1` (as `.ci/run` sets it), which turns that into a failure.
 *
 * @module
 */
import assert from "node:assert/strict";
import { ddkIncludeDir, KERNEL_FLAGS, mingwTool, runTool, WARNINGS } from "./build_windows.ts";
import { nativeSourceDir, windowsBuildDir } from "./paths.ts";
import { runUnderWine } from "./testdata/run_under_wine.ts";

const source = `${nativeSourceDir}msvc_abi/`;
const out = `${windowsBuildDir}msvc_abi/`;

async function runs(command: string, args: string[]): Promise<boolean> {
  try {
    const { success } = await new Deno.Command(command, { args, stdout: "null", stderr: "null" })
      .output();
    return success;
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return false;
    throw e;
  }
}

const missing: string[] = [];
if (!await runs("clang++", ["--version"])) missing.push("clang++ (apt-get install clang)");
if (!await runs("lld-link", ["--version"])) missing.push("lld-link (apt-get install lld)");
if (!await runs(mingwTool("gcc"), ["--version"])) missing.push("mingw-w64");
if (!await runs("wine", ["--version"])) missing.push("wine (apt-get install wine64 wine)");
const required = Deno.env.get("WAVERT_REQUIRE_MSVC_ABI") === "1";
const reason = `MSVC ABI test skipped: unavailable: ${missing.join(", ")}`;
if (missing.length > 0 && !required) console.log(reason);

/** Builds the stand-in (MSVC ABI) and the driver side (as the driver is built). */
async function build(): Promise<string> {
  await Deno.mkdir(out, { recursive: true });
  await runTool("clang++", [
    "--target=x86_64-pc-windows-msvc",
    "-std=c++17",
    ...WARNINGS,
    "-ffreestanding",
    "-fno-exceptions",
    "-fno-rtti",
    "-mno-stack-arg-probe",
    "-c",
    `${source}portcls_standin.cpp`,
    "-o",
    `${out}portcls_standin.obj`,
  ]);
  await runTool("lld-link", [
    "/dll",
    "/noentry",
    "/nodefaultlib",
    "/machine:x64",
    `/def:${source}portcls_standin.def`,
    `/out:${out}portcls.sys`,
    `/implib:${out}portcls_standin.lib`,
    `${out}portcls_standin.obj`,
  ]);
  await runTool(mingwTool("dlltool"), [
    "-d",
    `${source}portcls_standin.def`,
    "-l",
    `${out}libportcls_standin.a`,
  ]);
  const ddk = await ddkIncludeDir();
  const driverObjects: string[] = [];
  for (
    const file of [
      `${nativeSourceDir}windows_driver/miniport.c`,
      `${nativeSourceDir}windows_driver/session.c`,
      `${nativeSourceDir}wavert_protocol.c`,
      `${source}driver_side.c`,
    ]
  ) {
    const object = `${out}${file.split("/").pop()!.replace(/\.c$/, ".o")}`;
    await runTool(mingwTool("gcc"), [
      ...WARNINGS,
      ...KERNEL_FLAGS,
      `-I${ddk}`,
      "-c",
      file,
      "-o",
      object,
    ]);
    driverObjects.push(object);
  }
  const program = `${out}abi_test.exe`;
  await runTool(mingwTool("gcc"), [
    ...WARNINGS,
    "-o",
    program,
    `${source}abi_main.c`,
    `${source}abi_checks.c`,
    ...driverObjects,
    `-L${out}`,
    "-lportcls_standin",
    "-lntoskrnl",
    "-lhal",
  ]);
  return program;
}

Deno.test({
  name: "the driver's PortCls calls match MSVC-compiled C++ in both directions, slot by slot " +
    "(struct returns included), under Wine",
  ignore: missing.length > 0 && !required,
  async fn() {
    assert.equal(missing.length, 0, reason);
    const program = await build();
    const text = await runUnderWine({
      prefix: `${windowsBuildDir}wineprefix-abi`,
      args: [program],
      cwd: out,
    });
    const summary = text.match(/^(\d+) checks, (\d+) failed\r?$/m);
    assert.ok(summary, text);
    assert.equal(summary[2], "0", text);
    assert.ok(Number(summary[1]) >= 100, `only ${summary[1]} checks ran:\n${text}`);
  },
});

// The native side on its own: the headers compile warning-free under gcc and clang (C and C++),
// and the shim with each driver passes its C++ test program. The sanitizer build of the same
// programs takes ~30 s, so the suite runs it only with WRT_DRIVER_SANITIZE=1; CI runs it as
// `deno run --allow-read --allow-write --allow-run --allow-env ffi/driver/build_driver.ts --sanitize`.
import assert from "node:assert/strict";
import {
  driverCompilerMissing,
  driverIncludeDir,
  exampleDrivers,
  runNativeHarnessTests,
} from "./build_driver.ts";

const missing = await driverCompilerMissing();
const suffix = missing ? ` (ignored: ${missing})` : "";
const NATIVE = decodeURIComponent(new URL("./native/", import.meta.url).pathname);

async function present(program: string): Promise<boolean> {
  try {
    return (await new Deno.Command(program, { args: ["--version"], stdout: "null" }).output())
      .success;
  } catch {
    return false;
  }
}

const compilers = [["gcc", "g++"], ["clang", "clang++"]] as const;
for (const [cc, cxx] of compilers) {
  const absent = !await present(cc) || !await present(cxx);
  Deno.test({
    name: `the headers, shim and drivers compile with ${cc}/${cxx} -Wall -Wextra, no warning` +
      (absent ? ` (ignored: ${cc} or ${cxx} not installed)` : ""),
    ignore: absent,
    async fn() {
      const sources = [
        ...exampleDrivers.correct.sources.map((s) => [cxx, s, []] as const),
        ...exampleDrivers.correct.sources.map((s) =>
          [cxx, s, ["-DWAVERT_EXAMPLE_CLASSIC_BUGS"]] as const
        ),
        [cc, exampleDrivers.contract.sources[0], []] as const,
        [cxx, `${NATIVE}shim_port.cpp`, []] as const,
        [cxx, `${NATIVE}shim_runtime.cpp`, []] as const,
      ];
      for (const [compiler, source, defines] of sources) {
        const std = compiler === cc ? "-std=c11" : "-std=c++17";
        const { success, stderr } = await new Deno.Command(compiler, {
          args: [
            std,
            "-Wall",
            "-Wextra",
            "-Wno-multichar",
            "-fsyntax-only",
            ...defines,
            `-I${driverIncludeDir}`,
            source,
          ],
          stderr: "piped",
        }).output();
        const text = new TextDecoder().decode(stderr);
        assert.ok(success, text);
        assert.equal(text, "", `${compiler} warned on ${source}`);
      }
    },
  });
}

const sanitize = Deno.env.get("WRT_DRIVER_SANITIZE") === "1";
Deno.test({
  name:
    `the shim with each driver passes its native test program${
      sanitize ? " under ASan+UBSan" : ""
    }` + suffix,
  ignore: missing !== null,
  async fn() {
    for (const result of await runNativeHarnessTests({ sanitize })) {
      assert.ok(result.success, `${result.name}: ${result.output}`);
      assert.match(result.output, /^\d+ passed, 0 failed$/m, result.name);
    }
  },
});

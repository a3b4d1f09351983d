import assert from "node:assert/strict";
import {
  buildWindows,
  mingwAvailability,
  mingwTool,
  runTool,
  windowsOutputs,
} from "./build_windows.ts";
import { windowsBuildDir } from "./paths.ts";
import { helperSymbols } from "./symbols.ts";
import { runUnderWine } from "./testdata/run_under_wine.ts";

const mingw = await mingwAvailability();
const wine = await wineAvailability();
if (!mingw.available) console.log(`Windows bridge tests skipped: unavailable: ${mingw.reason}`);
if (mingw.available && !wine.available) {
  console.log(`Windows helper under Wine skipped: unavailable: ${wine.reason}`);
}

async function wineAvailability(): Promise<{ available: boolean; reason: string }> {
  try {
    const { success } = await new Deno.Command("wine", {
      args: ["--version"],
      stdout: "null",
      stderr: "null",
    }).output();
    if (success) return { available: true, reason: "" };
  } catch (e) {
    if (!(e instanceof Deno.errors.NotFound)) throw e;
  }
  return { available: false, reason: "wine not found: install wine64 (apt-get install wine64)" };
}

/** One build shared by both tests, so either can run alone under --filter. */
let built: Promise<void> | undefined;
function ensureBuilt(): Promise<void> {
  built ??= buildWindows();
  return built;
}

/** `objdump -p` of a PE file, the one source of every check on headers, imports and exports. */
function peInfo(path: string): Promise<string> {
  return runTool(mingwTool("objdump"), ["-p", path]);
}

/** Names imported from each DLL, from objdump's import tables. */
function importsByDll(info: string): Map<string, string[]> {
  const imports = new Map<string, string[]>();
  let current: string[] | undefined;
  for (const line of info.split("\n")) {
    const dll = line.match(/^\s*DLL Name: (\S+)/);
    if (dll) {
      current = [];
      imports.set(dll[1].toLowerCase(), current);
    } else if (current && /^\s*$/.test(line)) {
      current = undefined;
    } else if (current) {
      const entry = line.match(/^\s+[0-9a-f]+\s+\d+\s+(\w+)\s*$/);
      if (entry) current.push(entry[1]);
    }
  }
  return imports;
}

Deno.test({
  name: "mingw-w64 builds the helper DLL with every ABI symbol, and a native-subsystem driver " +
    "that imports only from the kernel, the HAL and PortCls",
  ignore: !mingw.available,
  async fn() {
    await ensureBuilt();
    const dll = await peInfo(windowsOutputs.helperDll);
    const table = dll.slice(dll.indexOf("[Ordinal/Name Pointer] Table"));
    const exported = [...table.matchAll(/^\s*\[\s*\d+\] (\w+)$/gm)].map((m) => m[1]);
    assert.deepEqual(exported.sort(), Object.keys(helperSymbols).sort());
    // The helper opens the test filter's render pin itself: SetupAPI finds it, ksuser opens it.
    const dllImports = importsByDll(dll);
    assert.deepEqual(dllImports.get("ksuser.dll"), ["KsCreatePin"]);
    for (const name of ["SetupDiGetClassDevsW", "SetupDiGetDeviceInterfaceAlias"]) {
      assert.ok(dllImports.get("setupapi.dll")?.includes(name), `the DLL does not import ${name}`);
    }

    const driver = await peInfo(windowsOutputs.driver);
    assert.match(driver, /^Subsystem\s+00000001\s+\(NT native\)$/m);
    const characteristics = Number.parseInt(
      driver.match(/^Characteristics 0x([0-9a-f]+)/m)![1],
      16,
    );
    assert.equal(characteristics & 0x2000, 0, "a driver is an executable image, not a DLL");
    assert.notEqual(
      Number.parseInt(driver.match(/^AddressOfEntryPoint\s+([0-9a-f]+)/m)![1], 16),
      0,
    );
    assert.match(driver, /Base Relocation Directory \[\.reloc\]/);
    const imports = importsByDll(driver);
    assert.deepEqual([...imports.keys()].sort(), ["hal.dll", "ntoskrnl.exe", "portcls.sys"]);
    assert.deepEqual(imports.get("portcls.sys")!.sort(), [
      "PcAddAdapterDevice",
      "PcInitializeAdapterDriver",
      "PcNewPort",
      "PcRegisterSubdevice",
    ]);
    assert.deepEqual(imports.get("hal.dll"), ["KeQueryPerformanceCounter"]);
    // Windows 10 in the optional header, as for a driver linked by Microsoft's linker.
    for (const field of ["MajorOSystemVersion", "MajorSubsystemVersion"]) {
      assert.match(driver, new RegExp(`^${field}\\s+10$`, "m"));
    }
    // The control device's admin-only DACL is set with what mingw-w64 can link (no wdmsec.lib).
    const kernel = imports.get("ntoskrnl.exe")!;
    for (
      const name of [
        "IoCreateDevice",
        "RtlAddAccessAllowedAce",
        "ObOpenObjectByPointer",
        "ZwSetSecurityObject",
      ]
    ) assert.ok(kernel.includes(name), `the driver does not import ${name}`);
    assert.ok(!kernel.includes("IoCreateDeviceSecure"), "IoCreateDeviceSecure is in wdmsec.lib");
    const inf = await Deno.readTextFile(windowsOutputs.inf);
    assert.match(inf, /^ServiceBinary=%13%\\wavert_test\.sys$/m);
  },
});

Deno.test({
  name: "the helper DLL answers every call with 'WaveRT test driver not found' under Wine, and " +
    "its stream opener finds no test filter (WRTW_E_NO_FILTER) without crashing",
  ignore: !mingw.available || !wine.available,
  async fn() {
    await ensureBuilt();
    const text = await runUnderWine({
      prefix: `${windowsBuildDir}wineprefix`,
      args: [windowsOutputs.helperTest, windowsOutputs.helperDll],
    });
    assert.match(text, /^\d+ passed, 0 failed\r?$/m);
    assert.match(text, /^stream opener: WRTW_E_NO_FILTER, Win32 error 259\r?$/m); // NO_MORE_ITEMS
  },
});

Deno.test({
  name: "the helper DLL's code refuses a request past the context's locked-memory budget with " +
    "WRT_E_OVER_BUDGET before any request reaches the driver (a fake one, under Wine)",
  ignore: !mingw.available || !wine.available,
  async fn() {
    await ensureBuilt();
    const text = await runUnderWine({
      prefix: `${windowsBuildDir}wineprefix`,
      args: [windowsOutputs.budgetTest],
    });
    assert.match(text, /^\d+ passed, 0 failed\r?$/m);
  },
});

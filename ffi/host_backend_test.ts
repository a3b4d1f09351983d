import assert from "node:assert/strict";
import type { CacheType } from "../core/constants.ts";
import { openHostBackend } from "./host_backend.ts";
import { hostCapabilities } from "./host_capabilities.ts";
import type { HostInfo } from "./host_info.ts";
import { runIsolated } from "./isolation.ts";
import { helperAvailability } from "./library.ts";

const helper = helperAvailability();
const hostCases = new URL("./testdata/host_cases.ts", import.meta.url);

/** What a case needs from this machine beyond the helper. */
interface Needs {
  readonly frames?: boolean;
  readonly contiguous?: boolean;
  readonly ram?: boolean;
}

/** This machine's host facts, read once in-process to decide which cases can run. */
function probeHost(): HostInfo | null {
  if (!helper.available) return null;
  using backend = openHostBackend();
  return backend.host;
}
const host = probeHost();

/** Why the helper gives no RAM ranges here (hidden addresses, no list), or null when it does. */
function probeRam(): string | null {
  if (!helper.available) return helper.reason;
  using backend = openHostBackend();
  try {
    return backend.ramLayout() === null
      ? "physical RAM ranges are hidden or unsupported here (reading them needs CAP_SYS_ADMIN)"
      : null;
  } catch {
    return null; // a real failure: the case runs and reports it
  }
}
const ramHidden = probeRam();

/** Why a case cannot run here, or null when it can. */
function unavailable(needs: Needs): string | null {
  if (!helper.available) return helper.reason;
  if ((needs.frames || needs.contiguous) && !host!.framesReadable) return host!.framesReason;
  if (needs.ram && ramHidden !== null) return ramHidden;
  if (needs.contiguous && host!.transparentHugePages === "never") {
    return "transparent huge pages are disabled";
  }
  return null;
}

/** Registers a hardware case that runs in a child process, or skips it printing the reason. */
function hardwareCase(
  name: string,
  caseName: string,
  needs: Needs = {},
  wrapper: readonly string[] | string = [],
): void {
  const reason = unavailable(needs) ?? (typeof wrapper === "string" ? wrapper : null);
  if (reason !== null) console.log(`skipped "${name}": unavailable: ${reason}`);
  Deno.test({
    name: reason === null ? name : `${name} (unavailable: ${reason})`,
    ignore: reason !== null,
    async fn() {
      const summary = await runIsolated(hostCases, caseName, {
        wrapper: typeof wrapper === "string" ? [] : wrapper,
      });
      console.log(`${caseName}: ${JSON.stringify(summary)}`);
    },
  });
}

hardwareCase("frame numbers are real, unique and non-zero", "realFrameNumbers", { frames: true });
hardwareCase("sizes are whole pages and fresh MDLs look like Windows'", "pageMultipleSizes");
hardwareCase("contiguous requests up to 2 MiB are contiguous or null", "contiguousOrNull", {
  contiguous: true,
});
hardwareCase("HighAddress is observed and reported, not enforced", "highAddressObserved");
hardwareCase("map returns the user mapping; misuse raises DriverViolations", "mapUnmapAndMisuse");
hardwareCase("close() frees everything and is safe twice", "closeFreesEverything");
hardwareCase("VmLck is back at its baseline after 10,000 cycles", "lockedMemoryBackToBaseline");
hardwareCase(
  "ramLayout() is sorted, page-aligned RAM holding every allocated frame",
  "ramLayoutHoldsFrames",
  { frames: true, ram: true },
);

async function commandExists(name: string): Promise<boolean> {
  try {
    await new Deno.Command(name, { args: ["--version"], stdout: "null", stderr: "null" }).output();
    return true;
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return false;
    throw e;
  }
}

const setpriv = await commandExists("setpriv");
const prlimit = await commandExists("prlimit");

/** A prefix that removes capabilities from the child (the bounding set limits what exec grants). */
function dropCapabilities(names: string[]): readonly string[] | string {
  if (!setpriv) {
    return `cannot drop CAP_${
      names.join(", CAP_").toUpperCase()
    }: setpriv (util-linux) is not installed`;
  }
  const list = names.map((n) => `-${n}`).join(",");
  return ["setpriv", `--inh-caps=${list}`, `--bounding-set=${list}`];
}

const MEMLOCK_LIMIT = 256 * 1024;

/** A small RLIMIT_MEMLOCK, and no CAP_IPC_LOCK where this process could otherwise ignore it. */
function memlockLimited(): readonly string[] | string {
  if (!prlimit) return "prlimit (util-linux) is not installed";
  const limit = ["prlimit", `--memlock=${MEMLOCK_LIMIT}:${MEMLOCK_LIMIT}`];
  if (!host?.canLockUnlimited) return limit;
  const drop = dropCapabilities(["ipc_lock"]);
  return typeof drop === "string" ? drop : [...limit, ...drop];
}

hardwareCase(
  "locking fails partway under RLIMIT_MEMLOCK without CAP_IPC_LOCK: a partial result",
  "partialUnderMemlockLimit",
  {},
  memlockLimited(),
);
hardwareCase(
  "without CAP_SYS_ADMIN frame numbers are reported unavailable with the reason",
  "withoutFrameNumbers",
  {},
  dropCapabilities(["sys_admin"]),
);
hardwareCase(
  "without CAP_SYS_ADMIN ramLayout() is null: the helper reports the addresses hidden",
  "ramLayoutWithoutSysAdmin",
  {},
  dropCapabilities(["sys_admin"]),
);

Deno.test({
  name: "bad arguments throw TypeError/RangeError naming the parameter and change nothing",
  ignore: !helper.available,
  fn() {
    using backend = openHostBackend();
    const stream = backend.stream();
    const page = backend.pageSize;
    const bad: [() => unknown, ErrorConstructor, RegExp][] = [
      [() => stream.allocatePagesForMdl(0xFFFFFFFF as never, page), TypeError, /highAddress/],
      [() => stream.allocatePagesForMdl(1n << 64n, page), RangeError, /highAddress.*64 bits/],
      [() => stream.allocatePagesForMdl(0x10n, page), RangeError, /highAddress.*one page/],
      [() => stream.allocatePagesForMdl(0xFFFFFFFFn, -1), RangeError, /totalBytes.*-1/],
      [() => stream.allocatePagesForMdl(0xFFFFFFFFn, 1.5), TypeError, /totalBytes/],
      [() => stream.allocatePagesForMdl(0xFFFFFFFFn, "8" as never), TypeError, /totalBytes/],
      [() => stream.allocatePagesForMdl(0xFFFFFFFFn, 1n << 64n), RangeError, /totalBytes/],
      [() => stream.allocateContiguousPagesForMdl(2n << 20n, 0xFFFFFn, page), RangeError, /low/],
      [() => stream.allocateContiguousPagesForMdl(-5n, 0xFFFFFn, page), RangeError, /lowAddress/],
    ];
    for (const [call, type, pattern] of bad) {
      assert.throws(call, (e: unknown) => e instanceof type && pattern.test(e.message));
    }
    assert.deepEqual(backend.stats(), { allocations: 0, lockedBytes: 0 });
    assert.equal(stream.lastCall, null, "a rejected call was recorded as made");

    const mdl = stream.allocatePagesForMdl(0xFFFFFFFFn, page)!;
    try {
      const before = backend.stats();
      assert.throws(() => stream.mapAllocatedPages(mdl, 3 as CacheType), RangeError);
      assert.throws(() => stream.getPhysicalPageAddress(mdl, 1), RangeError);
      assert.throws(() => stream.getPhysicalPageAddress(mdl, -1), RangeError);
      assert.throws(() => stream.getPhysicalPageAddress(mdl, 0.5), TypeError);
      assert.throws(() => stream.unmapAllocatedPages(1 as never, mdl), TypeError);
      assert.deepEqual(backend.stats(), before);
      assert.equal(mdl.mappedSystemVa, null);
    } finally {
      stream.freePagesFromMdl(mdl);
    }
  },
});

Deno.test({
  name: "capabilities say what the host cannot do, with reasons",
  ignore: !helper.available,
  fn() {
    using backend = openHostBackend();
    const { capabilities } = backend;
    assert.equal(backend.name, "linux-host");
    assert.equal(capabilities.timing.source, "measured");
    assert.ok(capabilities.timing.resolutionNs > 0 && capabilities.timing.resolutionNs < 1e6);
    assert.ok(
      !capabilities.cacheTypes.available && /user mode/.test(capabilities.cacheTypes.reason),
    );
    assert.ok(
      !capabilities.highAddressEnforced.available &&
        /observed/.test(capabilities.highAddressEnforced.reason),
    );
    assert.equal(capabilities.frameNumbers.available, backend.host.framesReadable);
    assert.ok(capabilities.misuseDetection.available);
    if (!capabilities.frameNumbers.available) {
      console.log(`frame numbers unavailable: ${capabilities.frameNumbers.reason}`);
    }
  },
});

Deno.test({
  name: "close() is safe twice and a closed backend refuses new streams",
  ignore: !helper.available,
  fn() {
    const backend = openHostBackend();
    const stream = backend.stream();
    stream.allocatePagesForMdl(0xFFFFFFFFn, 3 * backend.pageSize);
    backend.close();
    backend.close();
    assert.throws(() => backend.stream(), /closed/);
    assert.throws(() => backend.stats(), /closed/);
    assert.throws(() => stream.allocatePagesForMdl(0xFFFFFFFFn, 4096), /closed/);
  },
});

Deno.test("capabilities follow the OS: the Windows bridge claims what the real allocator does", () => {
  const host: HostInfo = {
    pageSize: 4096,
    framesReadable: true,
    framesReason: "",
    transparentHugePages: "never",
    hugePageSize: 0,
    memlockLimit: Infinity,
    canLockUnlimited: true,
    clockResolutionNs: 100,
    clockMeasuredNs: 100,
  };
  const windows = hostCapabilities(host, "windows");
  const linux = hostCapabilities(host, "linux");
  for (const claim of ["highAddressEnforced", "contiguous", "cacheTypes"] as const) {
    assert.equal(windows[claim].available, true, claim);
    assert.equal(linux[claim].available, false, claim);
  }
  const noStream = hostCapabilities(
    { ...host, framesReadable: false, framesReason: "no stream" },
    "windows",
  );
  assert.deepEqual(noStream.frameNumbers, { available: false, reason: "no stream" });
  assert.equal(noStream.contiguous.available, false);
});

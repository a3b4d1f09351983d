/**
 * Host facts every output file carries: which machine, OS, CPU, memory, Deno and project version
 * produced it, and the privileges that decide what the hardware backend could check. Each fact is
 * read where permitted (Deno APIs, `/proc`, `git`); where not, it is null with the reason.
 *
 * @module
 */

import denoJson from "../deno.json" with { type: "json" };

/**
 * One fact: its value, or null and why it could not be read.
 *
 * @example
 * ```ts
 * const fact: Fact<string> = { value: null, reason: "--allow-sys=hostname not granted" };
 * ```
 */
export interface Fact<T> {
  /** The fact, or null when it could not be read. */
  readonly value: T | null;
  /** Why the value is null. */
  readonly reason?: string;
}

/**
 * The machine and process an output file came from.
 *
 * @example
 * ```ts
 * const facts: HostFacts = await collectHostFacts();
 * console.log(facts.hostname.value ?? facts.hostname.reason);
 * ```
 */
export interface HostFacts {
  /** `Deno.hostname()` (needs --allow-sys=hostname). */
  readonly hostname: Fact<string>;
  /** `Deno.build.os`. */
  readonly os: Fact<string>;
  /** `Deno.osRelease()`, the kernel release. */
  readonly kernel: Fact<string>;
  /** `Deno.build.arch`. */
  readonly arch: Fact<string>;
  /** The first "model name" of /proc/cpuinfo. */
  readonly cpuModel: Fact<string>;
  /** Logical CPUs (`navigator.hardwareConcurrency`). */
  readonly cpuCount: Fact<number>;
  /** Total RAM (`Deno.systemMemoryInfo()`). */
  readonly memoryBytes: Fact<number>;
  /** The Deno that ran. */
  readonly denoVersion: Fact<string>;
  /** deno.json's version. */
  readonly projectVersion: Fact<string>;
  /** `git rev-parse HEAD` of the checkout, when git may run. */
  readonly gitCommit: Fact<string>;
  /** Whether `/proc/self/pagemap` shows frame numbers (Linux: CAP_SYS_ADMIN in CapEff). */
  readonly frameNumbersReadable: Fact<boolean>;
  /** RLIMIT_MEMLOCK soft limit in bytes; null value with reason "unlimited" when unlimited. */
  readonly memlockLimitBytes: Fact<number>;
  /** CAP_IPC_LOCK in CapEff of /proc/self/status. */
  readonly capIpcLock: Fact<boolean>;
}

function reasonOf(error: unknown): string {
  if (error instanceof Deno.errors.NotCapable || error instanceof Deno.errors.PermissionDenied) {
    return `not permitted: ${(error as Error).message.split("\n")[0]}`;
  }
  return error instanceof Error ? error.message.split("\n")[0] : String(error);
}

function attempt<T>(read: () => T | null, missing = "not available"): Fact<T> {
  try {
    const value = read();
    return value === null ? { value: null, reason: missing } : { value };
  } catch (error) {
    return { value: null, reason: reasonOf(error) };
  }
}

function readProc(path: string): string {
  if (Deno.build.os !== "linux") throw new Error(`${path} exists only on Linux`);
  return Deno.readTextFileSync(path);
}

function capabilityBit(bit: number): boolean {
  const line = /^CapEff:\s*([0-9a-f]+)$/m.exec(readProc("/proc/self/status"));
  if (!line) throw new Error("/proc/self/status has no CapEff line");
  return (BigInt(`0x${line[1]}`) >> BigInt(bit) & 1n) === 1n;
}

function memlockLimit(): Fact<number> {
  try {
    const line = /^Max locked memory\s+(\S+)/m.exec(readProc("/proc/self/limits"));
    if (!line) return { value: null, reason: "/proc/self/limits has no Max locked memory line" };
    if (line[1] === "unlimited") return { value: null, reason: "unlimited" };
    return { value: Number(line[1]) };
  } catch (error) {
    return { value: null, reason: reasonOf(error) };
  }
}

function gitCommand(): Deno.Command {
  return new Deno.Command("git", {
    args: ["rev-parse", "HEAD"],
    cwd: new URL("..", import.meta.url),
    stdout: "piped",
    stderr: "piped",
  });
}

function gitFact({ code, stdout, stderr }: Deno.CommandOutput): Fact<string> {
  const text = new TextDecoder().decode(code === 0 ? stdout : stderr).trim();
  return code === 0 ? { value: text } : { value: null, reason: `git: ${text.split("\n")[0]}` };
}

async function gitCommit(): Promise<Fact<string>> {
  try {
    return gitFact(await gitCommand().output());
  } catch (error) {
    return { value: null, reason: reasonOf(error) };
  }
}

function gitCommitSync(): Fact<string> {
  try {
    return gitFact(gitCommand().outputSync());
  } catch (error) {
    return { value: null, reason: reasonOf(error) };
  }
}

function factsWith(gitCommit: Fact<string>): HostFacts {
  return {
    hostname: attempt(() => Deno.hostname()),
    os: attempt(() => Deno.build.os),
    kernel: attempt(() => Deno.osRelease()),
    arch: attempt(() => Deno.build.arch),
    cpuModel: attempt(
      () => /^model name\s*:\s*(.+)$/m.exec(readProc("/proc/cpuinfo"))?.[1].trim() ?? null,
      "/proc/cpuinfo has no model name",
    ),
    cpuCount: attempt(() => navigator.hardwareConcurrency),
    memoryBytes: attempt(() => Deno.systemMemoryInfo().total),
    denoVersion: attempt(() => Deno.version.deno),
    projectVersion: attempt(() => denoJson.version ?? null, "deno.json has no version"),
    gitCommit,
    frameNumbersReadable: attempt(() => capabilityBit(21)),
    memlockLimitBytes: memlockLimit(),
    capIpcLock: attempt(() => capabilityBit(14)),
  };
}

/**
 * Reads every host fact this process is permitted to read.
 *
 * @example
 * ```ts
 * const facts = await collectHostFacts();
 * facts.denoVersion.value; // e.g. "2.9.6"
 * facts.capIpcLock; // { value: true } as root, { value: false } as nobody
 * ```
 */
export async function collectHostFacts(): Promise<HostFacts> {
  return factsWith(await gitCommit());
}

/**
 * The synchronous {@linkcode collectHostFacts}, for writers that are synchronous (a fitted cost
 * profile, a derived policy profile); it blocks while `git` runs.
 *
 * @example
 * ```ts
 * collectHostFactsSync().os; // { value: "linux" } on Linux
 * ```
 */
export function collectHostFactsSync(): HostFacts {
  return factsWith(gitCommitSync());
}

/**
 * The exact command line of this process: the Deno executable, the main module and its arguments.
 *
 * @example
 * ```ts
 * commandLine(); // e.g. ["/usr/bin/deno", "file:///repo/cli/suites.ts", "--json", "out.json"]
 * ```
 */
export function commandLine(): string[] {
  let exec = "deno";
  try {
    exec = Deno.execPath();
  } catch {
    // Without --allow-read the path of the executable is not readable; "deno" says what ran.
  }
  return [exec, Deno.mainModule, ...Deno.args];
}

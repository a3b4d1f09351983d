/**
 * Synthetic history runs for the history tests, and a writer a test starts twice at once:
 * `deno run … sample_runs.ts FILE COUNT TAG` stores COUNT runs in the SQLite file FILE.
 *
 * @module
 */

import { collectHostFacts } from "../../results/host_facts.ts";
import type { HistoryRun } from "../model.ts";
import { encodeSamples } from "../../stats/hdr.ts";
import { openSqliteHistory } from "../sqlite_store.ts";

/**
 * A run with two cases whose p50 is `p50Ns`, made at `createdAt`.
 *
 * @example
 * ```ts
 * (await sampleRun("2026-01-01T00:00:00.000Z", 1000)).results.length; // 2
 * ```
 */
export async function sampleRun(
  createdAt: string,
  p50Ns: number,
  verdict = "passed",
): Promise<HistoryRun> {
  const host = await collectHostFacts();
  return {
    id: crypto.randomUUID(),
    createdAt,
    seed: 1,
    hostname: host.hostname.value,
    projectVersion: host.projectVersion.value,
    gitCommit: host.gitCommit.value,
    host,
    command: ["deno", "cli/suites.ts", "--history", "h.sqlite"],
    results: ["a case", "b case"].map((name) => ({
      suite: "Sample",
      case: name,
      backend: "simulator",
      verdict,
      reason: null,
      bytes: 4096,
      pages: 1,
      contiguousRuns: 1,
      p50Ns,
      p99Ns: p50Ns * 1.5,
      samples: 3,
      latencyHdr: encodeSamples([p50Ns * 0.9, p50Ns, p50Ns * 1.5]),
    })),
  };
}

if (import.meta.main) {
  const [path, count, tag] = Deno.args;
  const store = openSqliteHistory(path);
  for (let i = 0; i < Number(count); i++) {
    const stamp = new Date(Date.UTC(2026, 0, 1, 0, 0, i)).toISOString();
    await store.insertRun({ ...(await sampleRun(stamp, 1000 + i)), id: `${tag}-${i}` });
  }
  await store.close();
}

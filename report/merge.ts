/**
 * The cross-machine report: suite-results files from several machines merged into one matrix
 * (cases × machines) of verdicts, bytes, pages, contiguous runs, p50/p99 with bootstrap 95 %
 * intervals, and which machine differs. The test: per case, each machine's latency samples
 * against all other machines' pooled, two-sided Mann–Whitney U with a Bonferroni correction
 * over the machines (p < 0.05 / machines) and a rank-biserial effect of at least 0.5; and a
 * verdict unlike every other machine's. All machines' HDR histograms merge into the fleet p50/p99.
 * Files from different project versions are refused unless `allowMixedVersions`, which records
 * the versions in `reconciled`.
 *
 * @module
 */

import { mannWhitneyU } from "../bench/compare.ts";
import type { SuiteResultsFile } from "../results/output_schemas.ts";
import type { Envelope } from "../results/envelope.ts";
import { hdrPercentile, mergeHistograms } from "../stats/hdr.ts";
import { percentile, percentileCi } from "../stats/latency.ts";

/**
 * One machine's figures for one case.
 *
 * @example
 * ```ts
 * function verdictOf(cell: MergedCell) {
 *   return cell.verdict;
 * }
 * ```
 */
export interface MergedCell {
  readonly verdict: string;
  readonly bytes: number | null;
  readonly pages: number;
  readonly runs: number | null;
  readonly samples: number;
  readonly p50Ns: number | null;
  readonly p50Ci: [number, number] | null;
  readonly p99Ns: number | null;
  readonly p99Ci: [number, number] | null;
}

/**
 * One row of the matrix.
 *
 * @example
 * ```ts
 * function differing(row: MergedCase) {
 *   return row.differs.map((d) => d.machine);
 * }
 * ```
 */
export interface MergedCase {
  readonly suite: string;
  readonly case: string;
  readonly backend: string;
  readonly cells: Record<string, MergedCell>;
  readonly fleet: { p50Ns: number | null; p99Ns: number | null; samples: number };
  readonly differs: { machine: string; why: string }[];
}

/**
 * The merged-results file, schema `wavert-bench.merged-results/1`.
 *
 * @example
 * ```ts
 * function machineIds(file: MergedReport) {
 *   return file.machines.map((m) => m.id);
 * }
 * ```
 */
export interface MergedReport extends Envelope<"merged-results"> {
  readonly method: string;
  readonly reconciled: string[];
  readonly machines: { id: string; file: string; host: SuiteResultsFile["host"] }[];
  readonly cases: MergedCase[];
}

/** Thrown for inputs that cannot be merged; the message is one line naming the files. */
export class MergeError extends Error {}

const METHOD = "each machine's latency samples against the other machines' pooled: two-sided " +
  "Mann–Whitney U, Bonferroni over machines (p < 0.05 / machines), rank-biserial effect ≥ 0.5; " +
  "or a verdict unlike every other machine's";

/**
 * Merges suite-results files (already validated) into one report.
 *
 * @example
 * ```ts ignore
 * const a = await readOutput("a.json", "suite-results");
 * const b = await readOutput("b.json", "suite-results");
 * mergeResults([{ file: "a.json", data: a }, { file: "b.json", data: b }], envelope);
 * ```
 */
export function mergeResults(
  inputs: readonly { file: string; data: SuiteResultsFile }[],
  envelope: Envelope<"merged-results">,
  options: { allowMixedVersions?: boolean } = {},
): MergedReport {
  if (inputs.length < 2) throw new MergeError("merge needs at least two suite-results files");
  const versions = new Set(inputs.map((i) => i.data.host.projectVersion.value ?? "unknown"));
  const reconciled: string[] = [];
  if (versions.size > 1) {
    const list = inputs.map((i) => `${i.file}: ${i.data.host.projectVersion.value ?? "unknown"}`);
    if (!options.allowMixedVersions) {
      throw new MergeError(
        `project versions differ (${list.join(", ")}); pass --allow-mixed-versions to merge anyway`,
      );
    }
    reconciled.push(`merged across project versions: ${list.join(", ")}`);
  }
  const seen = new Map<string, number>();
  const machines = inputs.map((input, i) => {
    const base = input.data.host.hostname.value ?? `machine-${i + 1}`;
    const n = (seen.get(base) ?? 0) + 1;
    seen.set(base, n);
    return { id: n === 1 ? base : `${base} (${n})`, file: input.file, host: input.data.host };
  });
  type Row = { key: [string, string, string]; cells: Record<string, MergedCell> };
  const rows = new Map<string, Row & { samples: Record<string, number[]>; hdr: string[] }>();
  inputs.forEach((input, i) => {
    for (const suite of input.data.suites) {
      for (const c of suite.cases) {
        for (const run of c.runs) {
          const id = JSON.stringify([c.suite, c.case, run.backend]);
          const row = rows.get(id) ??
            { key: [c.suite, c.case, run.backend], cells: {}, samples: {}, hdr: [] };
          const samples = run.latencyNs;
          row.samples[machines[i].id] = samples;
          if (run.latencyHdr) row.hdr.push(run.latencyHdr);
          row.cells[machines[i].id] = {
            verdict: run.status,
            bytes: run.summary.bytes,
            pages: run.summary.pages,
            runs: run.summary.runs,
            samples: samples.length,
            p50Ns: percentile(samples, 50),
            p50Ci: percentileCi(samples, 50),
            p99Ns: percentile(samples, 99),
            p99Ci: percentileCi(samples, 99),
          };
          rows.set(id, row);
        }
      }
    }
  });
  const cases = [...rows.values()].map((row) => {
    const ids = Object.keys(row.cells);
    const differs: { machine: string; why: string }[] = [];
    for (const id of ids) {
      const others = ids.filter((o) => o !== id);
      if (
        others.length > 0 && others.every((o) => row.cells[o].verdict !== row.cells[id].verdict) &&
        others.every((o) => row.cells[o].verdict === row.cells[others[0]].verdict)
      ) {
        differs.push({ machine: id, why: `verdict ${row.cells[id].verdict}` });
      }
      const mine = row.samples[id];
      const pooled = others.flatMap((o) => row.samples[o]);
      if (mine.length < 5 || pooled.length < 5) continue;
      const test = mannWhitneyU(pooled, mine);
      if (test.p < 0.05 / ids.length && Math.abs(test.effect) >= 0.5) {
        differs.push({
          machine: id,
          why: `latency ${test.effect > 0 ? "slower" : "faster"} (Mann–Whitney p=${
            test.p.toPrecision(2)
          }, effect ${test.effect.toFixed(2)})`,
        });
      }
    }
    const fleetHdr = row.hdr.length ? mergeHistograms(row.hdr) : null;
    return {
      suite: row.key[0],
      case: row.key[1],
      backend: row.key[2],
      cells: row.cells,
      fleet: {
        p50Ns: fleetHdr ? hdrPercentile(fleetHdr, 50) : null,
        p99Ns: fleetHdr ? hdrPercentile(fleetHdr, 99) : null,
        samples: Object.values(row.samples).reduce((n, s) => n + s.length, 0),
      },
      differs,
    };
  });
  return { ...envelope, method: METHOD, reconciled, machines, cases };
}

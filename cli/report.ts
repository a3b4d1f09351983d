/**
 * `deno task report merge a.json b.json … [--html FILE] [--json FILE] [--allow-mixed-versions]`:
 * the cross-machine report (report/merge.ts). Every input is validated before any work; a wrong
 * or truncated file, or files of different project versions, exit 2 with one line.
 *
 * `deno task report percentiles dist/bench/latency.json`: HdrHistogram's standard percentile
 * distribution of every size in a latency sweep (stats/hdr.ts), values in microseconds.
 *
 * @example
 * ```sh
 * deno task report merge a.json b.json --html out/fleet.html --json out/fleet.json
 * ```
 *
 * @module
 */

import { dirname } from "node:path";
import { bigintAsHex, envelopeFor } from "../results/envelope.ts";
import { readOutput } from "../results/read_output.ts";
import { fleetHtml } from "../report/fleet_html.ts";
import { mergeResults } from "../report/merge.ts";
import { percentileDistribution } from "../stats/hdr.ts";
import { formatBytes } from "../report/format.ts";
import { parseCommandLine } from "./command_line.ts";

const usage = `Usage: deno task report <command> [options]

Commands:
  merge a.json b.json …    merge suite results (--json) of several machines
    --html <file>          write the cross-machine HTML report
    --json <file>          write the merged results
    --allow-mixed-versions merge files of different project versions
  percentiles <sweep.json> print HdrHistogram's percentile distribution of every size of a
                           latency sweep (deno task bench writes dist/bench/latency.json), in µs

  -h, --help               show this help and run nothing

Exit status: 0, 2 on bad usage or an invalid input file.`;

/**
 * Runs the report CLI and returns its exit status.
 *
 * @example
 * ```ts ignore
 * Deno.exitCode = await main(["merge", "a.json", "b.json", "--html", "out/fleet.html"]);
 * ```
 */
export async function main(args: readonly string[]): Promise<number> {
  const parsed = parseCommandLine(args, {
    html: { type: "string" },
    json: { type: "string" },
    "allow-mixed-versions": { type: "boolean" },
    help: { type: "boolean", short: "h" },
  });
  if ("error" in parsed) {
    console.error(`report: ${parsed.error}`);
    return 2;
  }
  if (parsed.values.help) {
    console.log(usage);
    return 0;
  }
  const [command, ...files] = parsed.positionals;
  if (command === "percentiles") return await percentiles(files);
  if (command !== "merge") {
    console.error(
      `report: unknown command "${command ?? ""}"; usage: report merge a.json b.json … ` +
        "or report percentiles sweep.json (--help)",
    );
    return 2;
  }
  if (!parsed.values.html && !parsed.values.json) {
    console.error("report merge: give --html FILE and/or --json FILE");
    return 2;
  }
  let merged;
  try {
    const inputs = [];
    for (const file of files) inputs.push({ file, data: await readOutput(file, "suite-results") });
    merged = mergeResults(inputs, await envelopeFor("merged-results"), {
      allowMixedVersions: parsed.values["allow-mixed-versions"],
    });
  } catch (error) {
    console.error(`report merge: ${(error as Error).message}`);
    return 2;
  }
  for (
    const [path, text] of [
      [parsed.values.json, JSON.stringify(merged, bigintAsHex, 2) + "\n"],
      [parsed.values.html, fleetHtml(merged)],
    ] as const
  ) {
    if (!path) continue;
    await Deno.mkdir(dirname(path), { recursive: true });
    await Deno.writeTextFile(path, text);
    console.log(`written to ${path}`);
  }
  const differing = merged.cases.filter((c) => c.differs.length > 0).length;
  console.log(
    `${merged.cases.length} case(s) × ${merged.machines.length} machines; ` +
      `${differing} with a machine that differs`,
  );
  return 0;
}

async function percentiles(files: readonly string[]): Promise<number> {
  if (files.length !== 1) {
    console.error(`report percentiles: give one latency sweep file, got ${files.length}`);
    return 2;
  }
  let sweep;
  try {
    sweep = await readOutput(files[0], "latency-sweep");
  } catch (error) {
    console.error(`report percentiles: ${(error as Error).message}`);
    return 2;
  }
  for (const backend of sweep.backends) {
    for (const c of backend.cases) {
      if (!c.hdr) continue;
      console.log(`${backend.backend} ${formatBytes(c.bytes)} (${backend.source}), µs:`);
      console.log(percentileDistribution(c.hdr));
    }
  }
  return 0;
}

if (import.meta.main) Deno.exitCode = await main(Deno.args);

/**
 * `deno task report merge a.json b.json … [--html FILE] [--json FILE] [--allow-mixed-versions]`:
 * the cross-machine report (report/merge.ts). Every input is validated before any work; a wrong
 * or truncated file, or files of different project versions, exit 2 with one line.
 *
 * @example
 * ```sh
 * deno task report merge a.json b.json --html out/fleet.html --json out/fleet.json
 * ```
 *
 * @module
 */

import { dirname } from "node:path";
import { parseArgs } from "node:util";
import { bigintAsHex, envelopeFor } from "../results/envelope.ts";
import { readOutput } from "../results/read_output.ts";
import { fleetHtml } from "./fleet_html.ts";
import { mergeResults } from "./merge.ts";

/**
 * Runs the report CLI and returns its exit status.
 *
 * @example
 * ```ts ignore
 * Deno.exitCode = await main(["merge", "a.json", "b.json", "--html", "out/fleet.html"]);
 * ```
 */
export async function main(args: readonly string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...args],
      allowPositionals: true,
      options: {
        html: { type: "string" },
        json: { type: "string" },
        "allow-mixed-versions": { type: "boolean" },
      },
    });
  } catch (error) {
    console.error(`report: ${(error as Error).message}`);
    return 2;
  }
  const [command, ...files] = parsed.positionals;
  if (command !== "merge") {
    console.error(
      `report: unknown command "${command ?? ""}"; usage: report merge a.json b.json …`,
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

if (import.meta.main) Deno.exitCode = await main(Deno.args);

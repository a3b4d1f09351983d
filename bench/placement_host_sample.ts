/**
 * One host sample for the placement calibration, taken in a fresh process so that every sample
 * starts the same way (nothing of this workload freed yet): opens the hardware backend, runs
 * `measurePlacement` and prints the measurement as JSON on stdout. Spawned by
 * `bench/placement_calibrate.ts`; exit code 2 when frame numbers are unreadable.
 *
 * Run: `deno run --allow-read --allow-env --allow-ffi bench/placement_host_sample.ts [rounds]`
 *
 * @module
 */

import { openHostBackend } from "../ffi/host_backend.ts";
import { measurePlacement } from "./placement_measure.ts";

const rounds = Number(Deno.args[0] ?? 200);
using host = openHostBackend();
if (!host.capabilities.frameNumbers.available) {
  console.error(`frame numbers unavailable: ${host.capabilities.frameNumbers.reason}`);
  Deno.exit(2);
}
const layout = host.ramLayout();
const last = layout?.ranges.at(-1);
const highestFrame = last === undefined
  ? undefined
  : Number((last.base + last.length) / BigInt(host.pageSize));
const measurement = measurePlacement(host, { rounds, highestFrame });
console.log(JSON.stringify(measurement));

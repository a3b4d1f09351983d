/**
 * A small placement profile for tests (format version 1, one measured size, no reuse).
 *
 * @module
 */

import type { PlacementProfile } from "../placement_profile.ts";

/** The profile: 16-page buffers, runs of 1 or 8 pages, half above 4 GiB. */
export const sampleProfile: PlacementProfile = {
  format: "wavert-bench.placement-profile/1",
  measuredAt: "2025-01-01T00:00:00.000Z",
  measuredOn: "linux-host",
  pageSize: 4096,
  workload: { sizes: [65536], rounds: 1 },
  allocations: 1,
  pages: 16,
  runLengths: [[1, 90], [8, 10]],
  above4GiBShare: 0.5,
  spread: 0.7,
  reuseShare: 0,
};

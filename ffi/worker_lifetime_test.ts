import assert from "node:assert/strict";
import { openHostBackend } from "./host_backend.ts";
import { helperAvailability } from "./library.ts";

const helper = helperAvailability();
const WORKER = new URL("./testdata/locking_worker.ts", import.meta.url);
const BYTES = 16 << 20;

/** Why VmLck cannot be read here, or null when it can. */
function vmLckUnavailable(): string | null {
  if (!helper.available) return helper.reason;
  try {
    using backend = openHostBackend();
    backend.processLockedBytes();
    return null;
  } catch (e) {
    return `VmLck of /proc/self/status cannot be read: ${e instanceof Error ? e.message : e}`;
  }
}
const unavailable = vmLckUnavailable();
if (unavailable !== null) console.log(`worker lifetime tests skipped: ${unavailable}`);

/** VmLck of this process, read by the helper through a backend that locks nothing. */
function vmLck(): number {
  using backend = openHostBackend();
  return backend.processLockedBytes();
}

/** Polls VmLck until it is back to `baseline`, for at most `ms`; returns the last reading. */
async function settle(baseline: number, ms = 5_000): Promise<number> {
  const deadline = Date.now() + ms;
  let now = vmLck();
  while (now > baseline && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 20));
    now = vmLck();
  }
  return now;
}

for (const mode of ["terminate", "close", "throw"] as const) {
  Deno.test({
    name: `a Worker that ${
      { terminate: "is terminated", close: "closes itself", throw: "throws" }[mode]
    } after locking 16 MiB leaves nothing locked`,
    ignore: unavailable !== null,
    async fn() {
      const baseline = vmLck();
      const worker = new Worker(WORKER, { type: "module" });
      const ended = new Promise<void>((resolve) => {
        worker.onerror = (event) => {
          event.preventDefault(); // the uncaught error of "throw" is the point, not a failure
          resolve();
        };
      });
      const locked = await new Promise<number>((resolve) => {
        worker.onmessage = (event) => resolve(event.data.locked);
        worker.postMessage({ mode, bytes: BYTES });
      });
      assert.ok(locked > 0, "the worker locked nothing");
      const during = vmLck();
      assert.ok(
        during >= baseline + locked,
        `VmLck ${during} should include the worker's ${locked} bytes over ${baseline}`,
      );
      if (mode === "terminate") worker.terminate();
      else worker.postMessage("end");
      if (mode === "throw") await ended;
      const after = await settle(baseline);
      worker.terminate();
      assert.equal(
        after,
        baseline,
        `VmLck is ${after - baseline} bytes above its baseline after the worker ended (${mode})`,
      );
    },
  });
}

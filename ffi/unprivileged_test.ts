import assert from "node:assert/strict";
import { openHostBackend } from "./host_backend.ts";
import { helperAvailability } from "./library.ts";

const helper = helperAvailability();
const repoRoot = decodeURIComponent(new URL("../", import.meta.url).pathname);
const SUITES = ["ffi/host_backend_test.ts", "ffi/gc_stress_test.ts"];
const DROPPED = "-sys_admin,-ipc_lock";

/** Why the unprivileged run cannot happen here, or null. */
async function unavailable(): Promise<string | null> {
  if (!helper.available) return helper.reason;
  {
    using backend = openHostBackend();
    if (!backend.host.framesReadable) return "this process is already unprivileged";
  }
  try {
    await new Deno.Command("setpriv", { args: ["--version"], stdout: "null" }).output();
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return "setpriv (util-linux) is not installed";
    throw e;
  }
  return null;
}

const reason = await unavailable();
if (reason !== null) console.log(`unprivileged run skipped: unavailable: ${reason}`);

Deno.test({
  name: "without CAP_SYS_ADMIN and CAP_IPC_LOCK the ffi suites pass, skipping with the reason",
  ignore: reason !== null,
  async fn() {
    const { success, stdout, stderr } = await new Deno.Command("setpriv", {
      args: [
        `--inh-caps=${DROPPED}`,
        `--bounding-set=${DROPPED}`,
        Deno.execPath(),
        "test",
        "--no-prompt",
        "--allow-read",
        "--allow-env",
        "--allow-ffi",
        "--allow-run",
        "--allow-write",
        ...SUITES,
      ],
      cwd: repoRoot,
      env: { NO_COLOR: "1" },
      stdout: "piped",
      stderr: "piped",
    }).output();
    const text = new TextDecoder().decode(stdout) + new TextDecoder().decode(stderr);
    assert.ok(success, text);
    assert.match(
      text,
      /skipped "frame numbers are real, unique and non-zero": unavailable: .*CAP_SYS_ADMIN/,
    );
    const summary = text.match(/^ok \| (\d+) passed \| 0 failed \| (\d+) ignored/m);
    assert.ok(summary !== null, text);
    assert.ok(Number(summary[2]) >= 2, "the frame-number cases were not skipped");
    console.log(`unprivileged run: ${summary[0]}`);
  },
});

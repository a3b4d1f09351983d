/**
 * `registerSuite` refuses a hardware case over the locked-memory budget before its child starts,
 * as the CLI does (exit 2): under `deno test` the analogue is that case's hardware step failing
 * with the figures, nothing allocated, while cases within the budget still run.
 *
 * @module
 */

import assert from "node:assert/strict";
import { helperAvailability } from "../ffi/library.ts";

const root = new URL("..", import.meta.url);
const helper = helperAvailability();

Deno.test({
  name: "a hardware case over the locked-memory budget fails its step with the figures",
  ignore: !helper.available,
  async fn() {
    const { code, stdout } = await new Deno.Command(Deno.execPath(), {
      args: [
        "test",
        "--allow-read",
        "--allow-env",
        "--allow-ffi",
        `--allow-run=${Deno.execPath()}`,
        "suites/testdata/over_budget_suite.ts",
      ],
      cwd: root,
      env: { NO_COLOR: "1", WAVERT_LOCKED_BUDGET: "1MiB" },
      stdout: "piped",
      stderr: "piped",
    }).output();
    const output = new TextDecoder().decode(stdout);
    assert.notEqual(code, 0, output);
    assert.match(
      output,
      /Budget fixture › 8 MiB buffer: needs up to 8 MiB \(8388608 bytes\) locked, over the locked-memory budget of 1 MiB \(1048576 bytes, WAVERT_LOCKED_BUDGET=1MiB\); nothing was allocated/,
    );
    assert.match(output, /Budget fixture › 8 MiB buffer \.\.\. hardware => /);
    // Within the budget, the other case runs on the hardware as usual.
    assert.match(output, /one page \.\.\.[\s\S]*hardware \.\.\. (ok|ignored)/);
    assert.match(output, /\| 1 passed .*\| 1 failed \(1 step\)/, output);
  },
});

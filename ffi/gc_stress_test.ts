import { runIsolated } from "./isolation.ts";
import { helperAvailability } from "./library.ts";

const helper = helperAvailability();
if (!helper.available) console.log(`GC stress test skipped: unavailable: ${helper.reason}`);

Deno.test({
  name: "forced GC while frame buffers are in use keeps every MDL intact; the backstop frees",
  ignore: !helper.available,
  async fn() {
    const cases = new URL("./testdata/host_cases.ts", import.meta.url);
    const summary = await runIsolated(cases, "gcStress", { v8Flags: ["--expose-gc"] });
    console.log(`gcStress: ${JSON.stringify(summary)}`);
  },
});

import assert from "node:assert/strict";
import { loadCostProfile } from "./cost_profile.ts";

Deno.test("loadCostProfile checks the schema tag and the model", () => {
  const dir = Deno.makeTempDirSync();
  try {
    const path = `${dir}/p.json`;
    Deno.writeTextFileSync(path, JSON.stringify({ schema: "other" }));
    assert.throws(() => loadCostProfile(path), /not a cost profile/);
    Deno.writeTextFileSync(
      path,
      JSON.stringify({
        schema: "wavert-bench.cost-profile/1",
        costModel: { allocatePageNs: -1 },
        freshPages: "stale",
      }),
    );
    assert.throws(() => loadCostProfile(path), /costModel.allocatePageNs/);
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});

import assert from "node:assert/strict";
import { Simulator } from "../core/simulator.ts";
import { DriverViolation, withoutViolationStacks } from "../core/violations.ts";

/** The violation a double free raises, caught. */
function doubleFree(): DriverViolation {
  using sim = new Simulator({ machine: "x64-4gib", seed: 1 });
  const stream = sim.stream();
  const mdl = stream.allocatePagesForMdl(0xffffffffn, 4096)!;
  stream.freePagesFromMdl(mdl);
  try {
    stream.freePagesFromMdl(mdl);
  } catch (e) {
    if (e instanceof DriverViolation) return e;
    throw e;
  }
  throw new Error("the double free was not flagged");
}

Deno.test("a violation's stack names the line that broke the rule", () => {
  assert.match(doubleFree().stack ?? "", /violation_stacks_test\.ts:\d+:\d+/);
});

Deno.test("without stacks, a violation keeps its class, rule, bug check and message", () => {
  const normal = doubleFree();
  const stackless = withoutViolationStacks(doubleFree);
  assert.ok(stackless instanceof DriverViolation && stackless instanceof Error);
  assert.equal(stackless.message, normal.message);
  assert.equal(String(stackless), String(normal));
  assert.deepEqual(
    [stackless.name, stackless.rule, stackless.bugCheck, stackless.parameter1],
    [normal.name, normal.rule, normal.bugCheck, normal.parameter1],
  );
  assert.equal(stackless.stack, `DriverViolation: ${normal.message}\n    (stack not captured)`);
});

Deno.test("stacks are captured again after withoutViolationStacks, also when its body throws", () => {
  assert.throws(() => withoutViolationStacks(() => doubleFree().rule.toUpperCase() + fail()));
  assert.match(doubleFree().stack ?? "", /violation_stacks_test\.ts/);
  assert.equal(withoutViolationStacks(() => withoutViolationStacks(() => 7)), 7);
  assert.match(doubleFree().stack ?? "", /violation_stacks_test\.ts/);
});

function fail(): never {
  throw new Error("body failed");
}

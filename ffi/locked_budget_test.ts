import assert from "node:assert/strict";
import { openHostBackend } from "./host_backend.ts";
import { helperAvailability } from "./library.ts";
import { chooseLockedBudget, LockedBudgetError, parseLockedBudget } from "./locked_budget.ts";

const helper = helperAvailability();

Deno.test("budgets parse with binary units or unlimited, and anything else is refused", () => {
  assert.equal(parseLockedBudget("4096"), 4096);
  assert.equal(parseLockedBudget("64MiB"), 64 << 20);
  assert.equal(parseLockedBudget("1g"), 2 ** 30);
  assert.equal(parseLockedBudget(" 2 KiB "), 2048);
  assert.equal(parseLockedBudget("unlimited"), null);
  for (const bad of ["", "0", "-1", "1.5MiB", "lots", "1e9", "99999999999999999999"]) {
    assert.throws(() => parseLockedBudget(bad), RangeError, bad);
  }
});

Deno.test("the default budget is a quarter of MemAvailable; the option and the environment win", () => {
  const gib8 = 8 * 2 ** 30;
  assert.deepEqual(chooseLockedBudget(undefined, gib8, 4096, undefined).bytes, 2 * 2 ** 30);
  assert.match(chooseLockedBudget(undefined, gib8, 4096, "").rule, /25 % of MemAvailable/);
  assert.equal(chooseLockedBudget(undefined, gib8, 4096, "1MiB").bytes, 1 << 20);
  assert.equal(chooseLockedBudget(undefined, gib8, 4096, "unlimited").bytes, null);
  assert.equal(chooseLockedBudget(8192, gib8, 4096, "1MiB").bytes, 8192);
  assert.equal(chooseLockedBudget(null, gib8, 4096, "1MiB").bytes, null);
  assert.throws(() => chooseLockedBudget(0, gib8, 4096), RangeError);
  assert.equal(chooseLockedBudget(undefined, 100, 4096, undefined).bytes, 4096);
});

Deno.test({
  name: "the host backend refuses what exceeds its budget, with the figures, before allocating",
  ignore: !helper.available,
  fn() {
    using backend = openHostBackend({ lockedBudgetBytes: 64 * 1024 });
    assert.equal(backend.limits.lockedBudgetBytes, 64 * 1024);
    const stream = backend.stream();
    const held = stream.allocatePagesForMdl(0xFFFFFFFFn, 48 * 1024)!;
    assert.throws(
      () => stream.allocatePagesForMdl(0xFFFFFFFFn, 20_000),
      (e: unknown) => {
        assert.ok(e instanceof LockedBudgetError);
        assert.equal(e.requestedBytes, 20_480);
        assert.equal(e.heldBytes, 48 * 1024);
        assert.equal(e.budgetBytes, 64 * 1024);
        assert.match(e.message, /20 KiB with 48 KiB already held.*64 KiB \(the lockedBudgetBytes/);
        return true;
      },
    );
    assert.deepEqual(backend.stats(), { allocations: 1, lockedBytes: 48 * 1024 });
    stream.freePagesFromMdl(held);
    stream.freePagesFromMdl(stream.allocatePagesForMdl(0xFFFFFFFFn, 64 * 1024)!);
  },
});

Deno.test({
  name: "an absurd size is refused, not silently clamped to 4 GiB − 4 KiB of locked memory",
  ignore: !helper.available,
  fn() {
    using backend = openHostBackend({ lockedBudgetBytes: null });
    const stream = backend.stream();
    for (const size of [2 ** 32, Number.MAX_SAFE_INTEGER, 2n ** 63n]) {
      assert.throws(
        () => stream.allocatePagesForMdl(0xFFFFFFFFn, size),
        /totalBytes must be at most 4294963200 .*allowOversizedRequests/,
      );
    }
    assert.deepEqual(backend.stats(), { allocations: 0, lockedBytes: 0 });
    // Explicitly allowed, the clamp applies and the budget still bounds it.
    using clamped = openHostBackend({ allowOversizedRequests: true, lockedBudgetBytes: 1 << 20 });
    assert.throws(
      () => clamped.stream().allocatePagesForMdl(0xFFFFFFFFn, 2 ** 40),
      (e: unknown) => e instanceof LockedBudgetError && e.requestedBytes === 2 ** 32 - 4096,
    );
  },
});

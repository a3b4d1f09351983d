/**
 * Deno.bench for the FFI round trip: a bare call, a raw one-page allocate/free pair, the same
 * through the stream surface, and zeroing a page in JavaScript for scale. `deno bench` batches
 * calls this short, so per-call in-helper latency is reported by `bench/ffi_report.ts` instead.
 *
 * ```sh
 * deno task build:ffi && deno bench --allow-read --allow-env --allow-ffi bench/ffi_alloc.bench.ts
 * ```
 *
 * @module
 */

import { openHostBackend } from "../ffi/host_backend.ts";
import { helperAvailability } from "../ffi/library.ts";
import { ResultWord } from "../ffi/symbols.ts";

const helper = helperAvailability();
if (!helper.available) {
  console.log(`FFI benches skipped: unavailable: ${helper.reason}`);
} else {
  const backend = openHostBackend();
  const { wrt_abi_version, wrt_allocate_pages, wrt_free, wrt_context_open, wrt_context_close } =
    backend.library.symbols;
  const stream = backend.stream();
  const page = BigInt(backend.pageSize);
  // A context of its own for the raw calls, so they bypass the backend's bookkeeping entirely.
  const out = new BigUint64Array(ResultWord.length);
  const frames = new BigUint64Array(1);
  wrt_context_open(out);
  const context = out[ResultWord.handle];
  globalThis.addEventListener("unload", () => {
    wrt_context_close(context, out);
    backend.close();
  });

  Deno.bench("ffi: bare call (wrt_abi_version)", { group: "ffi" }, () => {
    wrt_abi_version();
  });

  Deno.bench(
    "host: allocate + free 1 page (raw symbols)",
    { group: "alloc", baseline: true },
    () => {
      wrt_allocate_pages(context, 0xFFFFFFFFn, page, frames, 1n, out);
      wrt_free(context, out[ResultWord.handle], out);
    },
  );

  Deno.bench("host: allocate + free 1 page (stream surface)", { group: "alloc" }, () => {
    const mdl = stream.allocatePagesForMdl(0xFFFFFFFFn, page)!;
    stream.freePagesFromMdl(mdl);
  });

  const buffer = new Uint8Array(backend.pageSize);
  Deno.bench("js: zero 1 page (Uint8Array.fill)", { group: "alloc" }, () => {
    buffer.fill(0);
  });
}

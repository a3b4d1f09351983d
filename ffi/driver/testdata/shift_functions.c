/*
 * An unrelated function linked before a driver's own sources: every function of the driver moves
 * by its size, so a call site's offset in the library changes while its function+offset does not
 * (ffi/driver/call_site_names_test.ts).
 */
void wrt_test_unrelated_function(void);

void wrt_test_unrelated_function(void) {
  __asm__ volatile(".skip 4096"); /* never runs: it only takes room */
}

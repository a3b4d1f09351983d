/*
 * The ABI test's program: runs driver_side.c against the MSVC-ABI stand-in and prints every
 * failed check of both sides, then "N checks, M failed". Exits 1 on any failure.
 */
#include <stdint.h>
#include <stdio.h>

#include "abi_log.h"

int abi_driver_run(void);

static unsigned checks, failures;

void abi_expect(const char *what, uint64_t got, uint64_t want) {
  checks++;
  if (got == want) return;
  failures++;
  printf("driver side: %s: got 0x%016llx, expected 0x%016llx\n", what, (unsigned long long)got,
         (unsigned long long)want);
}

int main(void) {
  abi_driver_run();
  const abi_log *log = StandInLog();
  fwrite(log->text, 1, log->text_length, stdout);
  printf("%u checks, %u failed\n", checks + log->checks, failures + log->failures);
  fflush(stdout);
  return failures + log->failures == 0 ? 0 : 1;
}

/*
 * The ABI test's program: runs driver_side.c against the MSVC-ABI stand-in and prints every
 * failed check of both sides, then "N checks, M failed". Exits 1 on any failure.
 */
#include <stdint.h>
#include <stdio.h>

#include "abi_checks.h"
#include "abi_log.h"

int main(void) {
  abi_driver_run();
  unsigned checks, failures;
  abi_check_totals(&checks, &failures);
  const abi_log *log = StandInLog();
  fwrite(log->text, 1, log->text_length, stdout);
  printf("%u checks, %u failed\n", checks + log->checks, failures + log->failures);
  fflush(stdout);
  return failures + log->failures == 0 ? 0 : 1;
}

/* The driver side's check counter (abi_checks.h). */
#include "abi_checks.h"

#include <stdio.h>

static unsigned checks, failures;

void abi_expect(const char *what, uint64_t got, uint64_t want) {
  checks++;
  if (got == want) return;
  failures++;
  printf("driver side: %s: got 0x%016llx, expected 0x%016llx\n", what, (unsigned long long)got,
         (unsigned long long)want);
}

void abi_check_totals(unsigned *checks_out, unsigned *failures_out) {
  *checks_out = checks;
  *failures_out = failures;
}

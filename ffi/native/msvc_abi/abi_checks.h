/*
 * The driver side's checks of the ABI test: each compares what arrived with what was sent and
 * counts it; abi_main.c prints the totals.
 */
#ifndef WAVERT_ABI_CHECKS_H
#define WAVERT_ABI_CHECKS_H

#include <stdint.h>

/* Counts one check; prints it when `got` is not `want`. */
void abi_expect(const char *what, uint64_t got, uint64_t want);

/* How many checks ran and how many failed so far. */
void abi_check_totals(unsigned *checks, unsigned *failures);

/* Runs every driver-side check (driver_side.c). */
int abi_driver_run(void);

#endif

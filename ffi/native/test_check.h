/*
 * The check macro shared by the C test programs: counts passing checks, stops at the first
 * failure with its file and line, and prints the "N passed, N failed" line that the Deno tests and
 * CI read.
 */
#ifndef WRT_TEST_CHECK_H
#define WRT_TEST_CHECK_H

#include <stdio.h>
#include <stdlib.h>

static int passed;

#define CHECK(cond)                                                                 \
  do {                                                                              \
    if (!(cond)) {                                                                  \
      fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #cond);      \
      printf("%d passed, 1 failed\n", passed);                                      \
      exit(1);                                                                      \
    }                                                                               \
    passed++;                                                                       \
  } while (0)

#endif

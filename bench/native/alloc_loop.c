/*
 * The allocation loop of bench/ffi_report.ts written in plain C and linked against the same built
 * helper library, so its in-helper medians can be compared with the Deno loop's: the timed code is
 * identical, and any gap comes from the process around it (Deno's threads, caches disturbed by
 * JavaScript between calls). Also measures memset of the same size: zeroing is the physical floor
 * of a zeroed allocation. Reports the median of `repetitions` loops' medians.
 *
 * usage: alloc_loop [iterations] [pages] [repetitions]   prints one JSON object
 */
#include "wavert_helper.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static int compare(const void *a, const void *b) {
  uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
  return (x > y) - (x < y);
}

static uint64_t now_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC_RAW, &ts);
  return (uint64_t)ts.tv_sec * UINT64_C(1000000000) + (uint64_t)ts.tv_nsec;
}

static uint64_t median(uint64_t *values, size_t n) {
  qsort(values, n, sizeof *values, compare);
  return values[n / 2];
}

int main(int argc, char **argv) {
  size_t iterations = argc > 1 ? strtoul(argv[1], NULL, 10) : 20000;
  size_t pages = argc > 2 ? strtoul(argv[2], NULL, 10) : 1;
  size_t repetitions = argc > 3 ? strtoul(argv[3], NULL, 10) : 5;
  if (iterations == 0 || pages == 0 || repetitions == 0) {
    fprintf(stderr, "usage: alloc_loop [iterations > 0] [pages > 0] [repetitions > 0]\n");
    return 2;
  }
  wrt_result out;
  if (wrt_context_open(&out) != WRT_OK) return 1;
  uint64_t context = out.handle;
  wrt_host_info info;
  uint8_t reason[256];
  wrt_host_query(&info, reason, sizeof reason);
  size_t bytes = pages * info.page_size;
  uint64_t *frames = calloc(pages, sizeof *frames);
  uint64_t *helper = calloc(iterations, sizeof *helper);
  uint64_t *zeroing = calloc(iterations, sizeof *zeroing);
  uint64_t *medians = calloc(repetitions, sizeof *medians);
  uint8_t *buffer = malloc(bytes);
  if (frames == NULL || helper == NULL || zeroing == NULL || medians == NULL || buffer == NULL) {
    return 1;
  }

  for (size_t r = 0; r < repetitions; r++) {
    for (size_t i = 0; i < iterations; i++) {
      int32_t status = wrt_allocate_pages(context, UINT64_MAX, bytes, frames, pages, &out);
      if (status != WRT_OK) {
        fprintf(stderr, "allocation %zu failed with status %d\n", i, status);
        return 1;
      }
      helper[i] = out.duration_ns;
      wrt_free(context, out.handle, &out);
    }
    medians[r] = median(helper, iterations);
  }
  for (size_t i = 0; i < iterations; i++) {
    uint64_t start = now_ns();
    memset(buffer, 0, bytes);
    /* Keep the compiler from dropping the memset as a dead store. */
    __asm__ volatile("" : : "r"(buffer) : "memory");
    zeroing[i] = now_ns() - start;
  }
  printf("{\"iterations\":%zu,\"pages\":%zu,\"bytes\":%zu,\"helperMedianNs\":%llu,"
         "\"memsetMedianNs\":%llu}\n",
         iterations, pages, bytes, (unsigned long long)median(medians, repetitions),
         (unsigned long long)median(zeroing, iterations));
  wrt_context_close(context, &out);
  free(frames);
  free(helper);
  free(zeroing);
  free(medians);
  free(buffer);
  return 0;
}

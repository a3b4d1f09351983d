/*
 * The C reference allocator of bench/c_reference.ts: the simulator's work for one allocate + free
 * in plain C, on the same free-frame bitmap (copied from the simulator, 1 = free, 32 frames a
 * word): take the lowest free frames below a bound by scanning words with count-trailing-zeros
 * from a cursor (the lowest word that may hold a free frame), write their frame numbers, then
 * give them back. Also the contiguous search: the lowest run of n free frames. Each function
 * times its own loop with CLOCK_MONOTONIC_RAW and returns nanoseconds per iteration.
 *
 * Build: cc -O2 -shared -fPIC -o build/libref_alloc.so ref_alloc.c (bench/c_reference.ts does it)
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static uint32_t *words;
static size_t word_count;
static size_t cursor; /* every word below it is 0 (no free frame) */

static uint64_t now_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC_RAW, &ts);
  return (uint64_t)ts.tv_sec * UINT64_C(1000000000) + (uint64_t)ts.tv_nsec;
}

/* Copies the simulator's bitmap; returns 0, or -1 when out of memory. */
int ref_load(const uint32_t *bitmap, size_t count) {
  free(words);
  words = malloc(count * sizeof *words);
  if (words == NULL) return -1;
  memcpy(words, bitmap, count * sizeof *words);
  word_count = count;
  cursor = 0;
  while (cursor < word_count && words[cursor] == 0) cursor++;
  return 0;
}

/* Takes up to `pages` free frames below frame `hi` (exclusive), lowest first, into `out`. */
static size_t take(size_t pages, uint64_t hi, uint32_t *out) {
  size_t taken = 0;
  size_t last = (size_t)((hi + 31) / 32);
  if (last > word_count) last = word_count;
  for (size_t w = cursor; w < last && taken < pages; w++) {
    uint32_t bits = words[w];
    if (bits == 0) continue;
    if ((uint64_t)w * 32 + 32 > hi) bits &= (uint32_t)((UINT64_C(1) << (hi - (uint64_t)w * 32)) - 1);
    uint32_t took = 0;
    while (bits != 0 && taken < pages) {
      uint32_t low = bits & -bits;
      out[taken++] = (uint32_t)(w * 32 + (size_t)__builtin_ctz(bits));
      took |= low;
      bits ^= low;
    }
    words[w] &= ~took;
  }
  while (cursor < word_count && words[cursor] == 0) cursor++;
  return taken;
}

static void give_back(const uint32_t *frames, size_t count) {
  for (size_t i = 0; i < count; i++) {
    size_t w = frames[i] >> 5;
    words[w] |= UINT32_C(1) << (frames[i] & 31);
    if (w < cursor) cursor = w;
  }
}

/* `iterations` allocate + free pairs of `pages` frames below `hi`; ns per pair, or 0 if short. */
double ref_alloc_free(uint64_t pages, uint64_t hi, uint32_t iterations, uint32_t *out) {
  uint64_t start = now_ns();
  for (uint32_t i = 0; i < iterations; i++) {
    size_t got = take((size_t)pages, hi, out);
    if (got != pages) return 0;
    give_back(out, got);
  }
  return (double)(now_ns() - start) / iterations;
}

/* Lowest start of `n` free frames (n >= 64): runs of full words widened by their neighbours. */
static int64_t find_run(uint64_t n) {
  uint64_t run = 0;
  for (size_t w = 0; w < word_count; w++) {
    uint32_t x = words[w];
    if (x == UINT32_MAX) {
      run += 32;
      if (run >= n) return (int64_t)((w + 1) * 32 - run);
      continue;
    }
    uint64_t low = x == 0 ? 0 : (uint64_t)__builtin_ctz(~x);
    if (run + low >= n) return (int64_t)(w * 32 - run);
    run = x == 0 ? 0 : (uint64_t)__builtin_clz(~x);
  }
  return -1;
}

/* `iterations` searches for `n` contiguous frames; ns per search. `*found` gets the start or -1. */
double ref_find_run(uint64_t n, uint32_t iterations, int64_t *found) {
  uint64_t start = now_ns();
  for (uint32_t i = 0; i < iterations; i++) *found = find_run(n);
  return (double)(now_ns() - start) / iterations;
}

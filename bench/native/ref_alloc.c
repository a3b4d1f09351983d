/*
 * The C reference allocator of bench/c_reference.ts: the simulator's work for one allocate + free
 * in plain C, on the same free-frame bitmap (copied from the simulator, 1 = free, 32 frames a
 * word): take the lowest free frames below a bound by scanning words with count-trailing-zeros
 * from a cursor (the lowest word that may hold a free frame), write their frame numbers, then
 * give them back. Also the contiguous allocation: the lowest run of n free frames, taken and
 * given back; and the simulator's default placement, `running-system` (ref_placement.c). Each
 * function times its own loop with CLOCK_MONOTONIC_RAW and returns nanoseconds per iteration.
 *
 * Build: cc -O2 -shared -fPIC -o build/libref_alloc.so ref_alloc.c -lm (bench/c_reference.ts)
 */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static uint32_t *words;
static size_t word_count;
static size_t cursor; /* every word below it is 0 (no free frame) */
static uint64_t frame_count;

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
  frame_count = (uint64_t)count * 32;
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

/* Marks [start, start + n) in use, writing the frames to `out`. */
static void take_run(uint64_t start, uint64_t n, uint32_t *out) {
  for (uint64_t i = 0; i < n; i++) {
    uint64_t f = start + i;
    words[f >> 5] &= ~(UINT32_C(1) << (f & 31));
    out[i] = (uint32_t)f;
  }
}

/* ---- The default placement, `running-system` (core/placement.ts), draw for draw. ---- */

/* mulberry32, as core/random.ts: the same uniform doubles in [0, 1) for the same seed. */
static uint32_t random_state;
static double next_random(void) {
  random_state += UINT32_C(0x6d2b79f5);
  uint32_t t = random_state;
  t = (t ^ (t >> 15)) * (t | 1);
  t ^= t + (t ^ (t >> 7)) * (t | 61);
  return (double)(t ^ (t >> 14)) / 4294967296.0;
}

/* geometric(random, 2) of core/random.ts: the run length, mean 2 pages. */
static uint64_t draw_run(void) {
  return 1 + (uint64_t)floor(log(1 - next_random()) / log(1 - 0.5));
}

#define MAX_RANGES 64
static uint64_t range_start[MAX_RANGES], range_end[MAX_RANGES]; /* RAM, in frames */
static size_t range_count;

/* Frames freed recently, oldest batch first, as one stack; each batch is used from its end. */
#define RECENT_CAPACITY (1u << 16)
static uint32_t *recent;
static size_t recent_size; /* frames held: the placement's `remembered` */
static size_t recent_room;
static size_t *batch_count;
static size_t batch_total, batch_room;

/* Sets the machine's RAM ranges (frames) and restarts the placement as the simulator's `seed` does. */
int ref_placement_reset(uint32_t seed, const uint64_t *starts, const uint64_t *ends, uint64_t n) {
  if (n > MAX_RANGES) return -1;
  random_state = seed ^ UINT32_C(0x5eed91ac);
  range_count = (size_t)n;
  for (size_t i = 0; i < range_count; i++) range_start[i] = starts[i], range_end[i] = ends[i];
  recent_size = 0;
  batch_total = 0;
  return 0;
}

static uint64_t ram_in(uint64_t lo, uint64_t hi) {
  uint64_t total = 0;
  for (size_t i = 0; i < range_count; i++) {
    uint64_t a = lo > range_start[i] ? lo : range_start[i];
    uint64_t b = hi < range_end[i] ? hi : range_end[i];
    if (b > a) total += b - a;
  }
  return total;
}

/* The k-th RAM frame of [lo, hi) for a uniform k below `total`. */
static uint64_t nth(uint64_t lo, uint64_t hi, uint64_t total) {
  uint64_t k = (uint64_t)floor(next_random() * (double)total);
  for (size_t i = 0; i < range_count; i++) {
    uint64_t a = lo > range_start[i] ? lo : range_start[i];
    uint64_t b = hi < range_end[i] ? hi : range_end[i];
    uint64_t n = b > a ? b - a : 0;
    if (k < n) return a + k;
    k -= n;
  }
  return lo;
}

/* First free frame in [from, hi), or -1. */
static int64_t next_free(uint64_t from, uint64_t hi) {
  if (from >= hi) return -1;
  size_t w = (size_t)(from >> 5);
  uint32_t bits = words[w] & (UINT32_MAX << (from & 31));
  size_t last = (size_t)((hi - 1) >> 5);
  while (bits == 0) {
    if (++w > last) return -1;
    bits = words[w];
  }
  uint64_t f = (uint64_t)w * 32 + (uint64_t)__builtin_ctz(bits);
  return f < hi ? (int64_t)f : -1;
}

/* Consecutive free frames from `frame`, at most `max`. */
static uint64_t free_run_length(uint64_t frame, uint64_t max) {
  uint64_t n = 0;
  while (n < max && frame + n < frame_count &&
         (words[(frame + n) >> 5] >> ((frame + n) & 31) & 1) != 0) n++;
  return n;
}

static int take_frame(uint32_t f) {
  uint32_t bit = UINT32_C(1) << (f & 31);
  if ((words[f >> 5] & bit) == 0) return 0;
  words[f >> 5] &= ~bit;
  return 1;
}

static int grow(void **p, size_t *room, size_t need, size_t size) {
  if (need <= *room) return 0;
  size_t n = *room ? *room : 1024;
  while (n < need) n *= 2;
  void *q = realloc(*p, n * size);
  if (q == NULL) return -1;
  *p = q;
  *room = n;
  return 0;
}

/* A batch of freed frames on top; past the capacity the oldest batches are forgotten. */
void placement_freed(const uint32_t *frames, size_t count) {
  if (count == 0) return;
  if (recent_size + count > RECENT_CAPACITY && count > RECENT_CAPACITY / 2) {
    recent_size = 0; /* every batch, this one included, would be forgotten at once */
    batch_total = 0;
    return;
  }
  if (grow((void **)&recent, &recent_room, recent_size + count, sizeof *recent) ||
      grow((void **)&batch_count, &batch_room, batch_total + 1, sizeof *batch_count)) abort();
  memcpy(recent + recent_size, frames, count * sizeof *frames);
  recent_size += count;
  batch_count[batch_total++] = count;
  if (recent_size <= RECENT_CAPACITY) return;
  size_t drop = 0, dropped = 0;
  while (recent_size - dropped > RECENT_CAPACITY / 2) dropped += batch_count[drop++];
  memmove(recent, recent + dropped, (recent_size - dropped) * sizeof *recent);
  memmove(batch_count, batch_count + drop, (batch_total - drop) * sizeof *batch_count);
  recent_size -= dropped;
  batch_total -= drop;
}

/* Last freed, first reused, within a budget; frames out of range are kept as a new batch. */
static size_t take_recent(uint64_t lo, uint64_t hi, size_t max, uint32_t *out) {
  static uint32_t *kept;
  static size_t kept_room;
  size_t kept_count = 0;
  int64_t budget = 2 * (int64_t)max + 256;
  size_t taken = 0;
  while (taken < max && budget > 0 && batch_total > 0) {
    size_t top = batch_total - 1;
    size_t n = batch_count[top];
    size_t base = recent_size - n;
    while (n > 0 && taken < max && budget-- > 0) {
      uint32_t frame = recent[base + --n];
      if (frame < lo || frame >= hi) {
        if (grow((void **)&kept, &kept_room, kept_count + 1, sizeof *kept)) abort();
        kept[kept_count++] = frame;
      } else if (take_frame(frame)) out[taken++] = frame;
    }
    recent_size -= batch_count[top] - n;
    if (n == 0) batch_total--;
    else batch_count[top] = n;
  }
  if (kept_count > 0) {
    for (size_t i = 0; i < kept_count / 2; i++) {
      uint32_t t = kept[i];
      kept[i] = kept[kept_count - 1 - i];
      kept[kept_count - 1 - i] = t;
    }
    placement_freed(kept, kept_count);
  }
  return taken;
}

/* Recently freed frames first, then short runs from random RAM frames of [lo, hi). */
static size_t placement_take(uint64_t lo, uint64_t hi, size_t max, uint32_t *out) {
  if (hi > frame_count) hi = frame_count;
  size_t taken = take_recent(lo, hi, max, out);
  uint64_t total = ram_in(lo, hi);
  while (taken < max && total > 0) {
    uint64_t start = nth(lo, hi, total);
    int64_t frame = next_free(start, hi);
    if (frame < 0 && start > lo) frame = next_free(lo, start);
    if (frame < 0) break;
    uint64_t want = draw_run();
    if (want > max - taken) want = max - taken;
    uint64_t room = hi - (uint64_t)frame;
    uint64_t n = free_run_length((uint64_t)frame, want < room ? want : room);
    take_run((uint64_t)frame, n, out + taken);
    taken += n;
  }
  return taken;
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

/*
 * `iterations` contiguous allocations of `n` frames (n >= 64), each found, taken (its frame
 * numbers written to `out`) and given back; ns per pair, or 0 when there is no such run.
 */
double ref_contiguous_alloc_free(uint64_t n, uint32_t iterations, uint32_t *out) {
  uint64_t start = now_ns();
  for (uint32_t i = 0; i < iterations; i++) {
    int64_t run = find_run(n);
    if (run < 0) return 0;
    take_run((uint64_t)run, n, out);
    give_back(out, (size_t)n);
  }
  return (double)(now_ns() - start) / iterations;
}

/* `iterations` allocate + free pairs under the default placement; ns per pair, or 0 if short. */
double ref_default_alloc_free(uint64_t pages, uint64_t hi, uint32_t iterations, uint32_t *out) {
  uint64_t start = now_ns();
  for (uint32_t i = 0; i < iterations; i++) {
    size_t got = placement_take(0, hi, (size_t)pages, out);
    if (got != pages) return 0;
    give_back(out, got);
    placement_freed(out, got);
  }
  return (double)(now_ns() - start) / iterations;
}

/* One allocation under the default placement (frames to `out`); returns how many it took. */
uint64_t ref_default_alloc(uint64_t pages, uint64_t hi, uint32_t *out) {
  return placement_take(0, hi, (size_t)pages, out);
}

/* Frees frames an allocation took, as the simulator's free does (bitmap, then recent frees). */
void ref_default_free(const uint32_t *frames, uint64_t count) {
  give_back(frames, (size_t)count);
  placement_freed(frames, (size_t)count);
}

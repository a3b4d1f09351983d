/**
 * Frame lists for MDLs, cut from shared slabs: `new Uint32Array(256)` costs about 0.8 µs in Deno
 * (a backing store of its own, zeroed and tracked by the garbage collector), a view of a slab
 * about 0.04 µs, and zeroing each new slab about as much again per 1 KiB list. A slab is
 * collected once no list cut from it is reachable, so a list keeps its frames however long its
 * MDL (or a placement's memory of recent frees) holds it; a list nothing reads any more (its MDL
 * freed, its placement keeping none) is given back with {@linkcode recycleFrameList} and serves
 * the next request of its length, as a driver allocates the same buffer size again.
 *
 * @module
 */

/** Bytes of one slab. */
const SLAB_BYTES = 256 * 1024;
/** Longer lists get a buffer of their own: their cost is in the frames, not the allocation. */
const MAX_SLAB_FRAMES = 4096;

/** Given-back lists kept for reuse, at most this many of each length. */
const KEPT_PER_LENGTH = 8;
/**
 * Given-back lists with a buffer of their own (a 1 GiB allocation's is 1 MiB, zeroed anew by
 * each `new Uint32Array`): one per length, at most this many bytes of buffers in all.
 */
const MAX_KEPT_LARGE_BYTES = 8 << 20;
let keptLargeBytes = 0;

let slab = new ArrayBuffer(SLAB_BYTES);
let used = 0;
/** Given-back lists by length. */
const kept = new Map<number, Uint32Array[]>();

/**
 * A `Uint32Array` of `count` frames: a given-back list of that length (holding old frames), else
 * a zeroed view of the current slab when it is short, else an array of its own. Callers write
 * every frame before reading it.
 *
 * @example
 * ```ts
 * import { frameList } from "./frame_slab.ts";
 * const frames = frameList(256);
 * frames.length; // 256
 * ```
 */
export function frameList(count: number): Uint32Array {
  const reused = kept.get(count)?.pop();
  if (reused !== undefined) {
    if (count > MAX_SLAB_FRAMES) keptLargeBytes -= reused.buffer.byteLength;
    return reused;
  }
  if (count > MAX_SLAB_FRAMES) return new Uint32Array(count);
  const bytes = count * 4;
  if (used + bytes > SLAB_BYTES) {
    slab = new ArrayBuffer(SLAB_BYTES);
    used = 0;
  }
  const list = new Uint32Array(slab, used, count);
  used += bytes;
  return list;
}

/**
 * Gives back a list from {@linkcode frameList} that nothing reads any more (its MDL is freed and
 * no placement keeps it), for a later request of its length. A plain array, and a list with a
 * buffer of its own once one of its length or 8 MiB of such buffers are kept, is left to the
 * garbage collector.
 *
 * @example
 * ```ts
 * import { frameList, recycleFrameList } from "./frame_slab.ts";
 * const list = frameList(16);
 * recycleFrameList(list);
 * frameList(16) === list; // true
 * ```
 */
export function recycleFrameList(list: ArrayLike<number>): void {
  const count = list.length;
  if (!(list instanceof Uint32Array) || count === 0) return;
  const large = count > MAX_SLAB_FRAMES;
  const bytes = list.buffer.byteLength;
  if (large && keptLargeBytes + bytes > MAX_KEPT_LARGE_BYTES) return;
  let lists = kept.get(count);
  if (lists === undefined) kept.set(count, lists = []);
  if (lists.length >= (large ? 1 : KEPT_PER_LENGTH)) return;
  lists.push(list);
  if (large) keptLargeBytes += bytes;
}

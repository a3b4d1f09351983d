/**
 * WaveRT buffer sizes from audio formats, so a suite says "48 kHz, 2 ch, 16-bit, 10 ms" and never
 * does the arithmetic itself.
 *
 * @module
 */

/**
 * A cyclic WaveRT buffer described by its PCM format and length.
 *
 * @example
 * ```ts
 * const tenMs: AudioBuffer = { sampleRate: 48_000, channels: 2, bitsPerSample: 16, durationMs: 10 };
 * ```
 */
export interface AudioBuffer {
  /** Frames per second, e.g. 48_000. */
  readonly sampleRate: number;
  /** Interleaved channels, e.g. 2. */
  readonly channels: number;
  /** Valid bits per sample, e.g. 16 or 24. */
  readonly bitsPerSample: number;
  /** Bits each sample occupies in memory (`WAVEFORMATEX.wBitsPerSample`); 24-in-32 is 32. */
  readonly containerBits?: number;
  /** Buffer length in milliseconds; the frame count is rounded up to whole frames. */
  readonly durationMs?: number;
  /** Buffer length in frames, instead of `durationMs`. */
  readonly frames?: number;
  /** WaveRT notifications per buffer pass: 1 or 2, and it must divide the buffer. */
  readonly notificationCount?: 1 | 2;
}

/** What an {@linkcode AudioBuffer} works out to. */
export interface AudioBufferSize {
  /** Bytes per frame (`nBlockAlign`): channels × container bytes. */
  readonly blockAlign: number;
  /** Frames in the buffer. */
  readonly frames: number;
  /** Buffer size in bytes: frames × blockAlign. */
  readonly bytes: number;
}

/** One reason an {@linkcode AudioBuffer} is not a valid WaveRT buffer, with the offending field. */
export interface AudioBufferProblem {
  readonly field: keyof AudioBuffer;
  readonly message: string;
}

/**
 * Every problem with an audio buffer description, or an empty list when it is valid. Used by suite
 * validation so that all problems are reported together.
 *
 * @example
 * ```ts
 * audioBufferProblems({ sampleRate: 44_100, channels: 2, bitsPerSample: 16, durationMs: 10,
 *   notificationCount: 2 }); // [{ field: "notificationCount", message: "... 441 frames ..." }]
 * ```
 */
export function audioBufferProblems(buffer: AudioBuffer): AudioBufferProblem[] {
  const problems: AudioBufferProblem[] = [];
  const container = containerBitsOf(buffer);
  if (container % 8 !== 0 || container < buffer.bitsPerSample) {
    problems.push({
      field: "containerBits",
      message:
        `containerBits must be a multiple of 8 and at least bitsPerSample (${buffer.bitsPerSample}), got ${container}`,
    });
  }
  if ((buffer.durationMs === undefined) === (buffer.frames === undefined)) {
    problems.push({
      field: "durationMs",
      message: "give exactly one of durationMs and frames",
    });
    return problems;
  }
  const frames = framesOf(buffer);
  if (frames < 1) {
    problems.push({
      field: buffer.frames === undefined ? "durationMs" : "frames",
      message: `the buffer must hold at least one frame, got ${frames}`,
    });
  }
  const count = buffer.notificationCount ?? 1;
  if (frames % count !== 0) {
    problems.push({
      field: "notificationCount",
      message:
        `notificationCount ${count} must divide the buffer into whole frames, but it has ${frames} frames`,
    });
  }
  return problems;
}

/**
 * The size of a valid audio buffer.
 *
 * @throws {RangeError} naming the field, when {@linkcode audioBufferProblems} finds a problem.
 * @example
 * ```ts
 * audioBufferSize({ sampleRate: 48_000, channels: 2, bitsPerSample: 16, durationMs: 10 }).bytes; // 1920
 * ```
 */
export function audioBufferSize(buffer: AudioBuffer): AudioBufferSize {
  const [problem] = audioBufferProblems(buffer);
  if (problem) throw new RangeError(`${problem.field}: ${problem.message}`);
  const blockAlign = buffer.channels * containerBitsOf(buffer) / 8;
  const frames = framesOf(buffer);
  return { blockAlign, frames, bytes: frames * blockAlign };
}

/**
 * A short label for tables and reports.
 *
 * @example
 * ```ts
 * describeAudioBuffer({ sampleRate: 48_000, channels: 2, bitsPerSample: 16, durationMs: 10 });
 * // "48 kHz 2 ch 16-bit 10 ms"
 * ```
 */
export function describeAudioBuffer(buffer: AudioBuffer): string {
  const container = containerBitsOf(buffer);
  const bits = container === buffer.bitsPerSample
    ? `${buffer.bitsPerSample}-bit`
    : `${buffer.bitsPerSample}-in-${container}`;
  const length = buffer.durationMs === undefined
    ? `${buffer.frames} frames`
    : `${buffer.durationMs} ms`;
  const notifications = buffer.notificationCount === undefined
    ? ""
    : `, ${buffer.notificationCount} notif.`;
  return `${buffer.sampleRate / 1000} kHz ${buffer.channels} ch ${bits} ${length}${notifications}`;
}

function containerBitsOf(buffer: AudioBuffer): number {
  return buffer.containerBits ?? Math.ceil(buffer.bitsPerSample / 8) * 8;
}

function framesOf(buffer: AudioBuffer): number {
  if (buffer.frames !== undefined) return buffer.frames;
  // Rounded after scaling to integers so that 44.1 kHz × 10 ms gives exactly 441, not 441.00000001.
  const exact = Math.round(buffer.sampleRate * (buffer.durationMs ?? 0) * 1000) / 1_000_000;
  return Math.ceil(exact);
}

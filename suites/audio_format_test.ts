import assert from "node:assert/strict";
import { audioBufferProblems, audioBufferSize, describeAudioBuffer } from "./audio_format.ts";

Deno.test("48 kHz, 2 ch, 16-bit, 10 ms is 1,920 bytes of 4-byte frames", () => {
  const size = audioBufferSize({
    sampleRate: 48_000,
    channels: 2,
    bitsPerSample: 16,
    durationMs: 10,
  });
  assert.deepEqual(size, { blockAlign: 4, frames: 480, bytes: 1920 });
});

Deno.test("common WaveRT formats size without arithmetic in the suite", () => {
  const bytes = (buffer: Parameters<typeof audioBufferSize>[0]) => audioBufferSize(buffer).bytes;
  assert.deepEqual(
    bytes({ sampleRate: 44_100, channels: 2, bitsPerSample: 16, durationMs: 10 }),
    1764,
  );
  assert.deepEqual(
    bytes({
      sampleRate: 96_000,
      channels: 2,
      bitsPerSample: 24,
      containerBits: 32,
      durationMs: 10,
    }),
    7680,
  );
  assert.deepEqual(
    bytes({ sampleRate: 96_000, channels: 2, bitsPerSample: 24, durationMs: 10 }),
    5760,
  );
  assert.deepEqual(
    bytes({ sampleRate: 192_000, channels: 8, bitsPerSample: 32, durationMs: 10 }),
    61440,
  );
  assert.deepEqual(
    bytes({ sampleRate: 48_000, channels: 2, bitsPerSample: 16, durationMs: 2000 }),
    384000,
  );
  assert.deepEqual(
    bytes({ sampleRate: 48_000, channels: 6, bitsPerSample: 16, frames: 256 }),
    3072,
  );
});

Deno.test("a duration that is not a whole number of frames rounds up to whole frames", () => {
  // 48 kHz × 2.66 ms (a short engine period) = 127.68 frames.
  const size = audioBufferSize({
    sampleRate: 48_000,
    channels: 2,
    bitsPerSample: 16,
    durationMs: 2.66,
  });
  assert.deepEqual(size.frames, 128);
  assert.deepEqual(size.bytes % size.blockAlign, 0);
});

Deno.test("notification count 2 must split the buffer into whole frames", () => {
  const odd = { sampleRate: 44_100, channels: 2, bitsPerSample: 16, durationMs: 10 } as const;
  assert.deepEqual(audioBufferProblems({ ...odd, notificationCount: 1 }), []);
  const [problem] = audioBufferProblems({ ...odd, notificationCount: 2 });
  assert.deepEqual(problem.field, "notificationCount");
  assert.deepEqual(problem.message.includes("441 frames"), true);
  assert.deepEqual(
    audioBufferSize({ ...odd, durationMs: 20, notificationCount: 2 }).bytes,
    3528,
  );
});

Deno.test("every problem of a format is named with its field", () => {
  const problems = audioBufferProblems({
    sampleRate: 48_000,
    channels: 2,
    bitsPerSample: 24,
    containerBits: 20,
    durationMs: 10,
    frames: 480,
  });
  assert.deepEqual(problems.map((p) => p.field), ["containerBits", "durationMs"]);
  assert.throws(
    () => audioBufferSize({ sampleRate: 48_000, channels: 2, bitsPerSample: 16 }),
    { name: "RangeError", message: "durationMs: give exactly one of durationMs and frames" },
  );
});

Deno.test("describeAudioBuffer labels formats the way engineers say them", () => {
  assert.deepEqual(
    describeAudioBuffer({
      sampleRate: 96_000,
      channels: 2,
      bitsPerSample: 24,
      containerBits: 32,
      durationMs: 10,
      notificationCount: 2,
    }),
    "96 kHz 2 ch 24-in-32 10 ms, 2 notif.",
  );
});

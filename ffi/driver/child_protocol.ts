/**
 * The line protocol between the isolated runner and its long-lived child process: the parent
 * writes one job a line on the child's stdin, `{"id":N,"job":{...}}`; the child answers on stdout
 * with a marked line when a case starts and one with its result (or its error), so that a crash
 * is attributed to the case that was running. Lines without the marker are the driver's own
 * output.
 *
 * @module
 */

/**
 * Marks the child's protocol lines on stdout.
 *
 * @example
 * ```ts
 * console.log(`${CHILD_MARKER}start 0`);
 * ```
 */
export const CHILD_MARKER = "\u001eWAVERT_DRIVER_CASE ";

/**
 * One protocol line of the child, decoded; `null` for a line that is not one.
 *
 * @example
 * ```ts
 * parseChildLine(`${CHILD_MARKER}start 3`); // { kind: "start", id: 3, payload: undefined }
 * ```
 */
export function parseChildLine(
  line: string,
): { kind: "start" | "result" | "error"; id: number; payload: unknown } | null {
  if (!line.startsWith(CHILD_MARKER)) return null;
  const text = line.slice(CHILD_MARKER.length);
  const [kind, id] = text.split(" ", 2);
  if (kind !== "start" && kind !== "result" && kind !== "error") return null;
  const rest = text.slice(kind.length + id.length + 2);
  try {
    return { kind, id: Number(id), payload: rest === "" ? undefined : JSON.parse(rest) };
  } catch {
    return null; // cut short: the case stays unanswered, and the child's exit says why
  }
}

/**
 * The lines of a byte stream as they arrive (the last one even without a newline).
 *
 * @example
 * ```ts
 * for await (const line of readLines(ReadableStream.from([new TextEncoder().encode("a\nb")]))) {
 *   console.log(line); // "a", then "b"
 * }
 * ```
 */
export async function* readLines(stream: ReadableStream<Uint8Array>): AsyncGenerator<string> {
  const decoder = new TextDecoder();
  let buffered = "";
  for await (const chunk of stream) {
    buffered += decoder.decode(chunk, { stream: true });
    let newline;
    while ((newline = buffered.indexOf("\n")) >= 0) {
      yield buffered.slice(0, newline);
      buffered = buffered.slice(newline + 1);
    }
  }
  buffered += decoder.decode();
  if (buffered !== "") yield buffered;
}

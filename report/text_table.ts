/**
 * The one text-table renderer of the CLIs: the suites' tables and the bench's. Columns of figures
 * are right-aligned, text left-aligned; cells are plain strings, so no quotes and no index column
 * (unlike `console.table`), and colour is applied after the padding so it never shifts a column.
 *
 * @module
 */

/**
 * One column: its header and how its cells line up (`"right"` for figures).
 *
 * @example
 * ```ts
 * const column: TextColumn = { header: "p50", align: "right" };
 * ```
 */
export interface TextColumn {
  /** Shown in the first line. */
  readonly header: string;
  /** `"left"` (default) for text, `"right"` for figures. */
  readonly align?: "left" | "right";
}

/**
 * Options of {@linkcode renderTextTable}.
 *
 * @example
 * ```ts
 * const options: TextTableOptions = { paint: (_row, _column, text) => text.toUpperCase() };
 * ```
 */
export interface TextTableOptions {
  /** Colours a padded cell (row index from 0, header excluded); identity by default. */
  readonly paint?: (row: number, column: number, padded: string) => string;
  /** Colours the padded header line; identity by default. */
  readonly paintHeader?: (line: string) => string;
  /** Between columns; two spaces by default. */
  readonly gap?: string;
}

/**
 * Renders a header line and one line per row. A left-aligned last column is not padded, so no
 * line ends in spaces.
 *
 * @example
 * ```ts
 * renderTextTable(
 *   [{ header: "size" }, { header: "p50", align: "right" }],
 *   [["4 KiB", "2.51 µs"], ["64 MiB", "315 µs"]],
 * ).join("\n");
 * // size        p50
 * // 4 KiB   2.51 µs
 * // 64 MiB   315 µs
 * ```
 */
export function renderTextTable(
  columns: readonly TextColumn[],
  rows: readonly (readonly string[])[],
  options: TextTableOptions = {},
): string[] {
  for (const [i, row] of rows.entries()) {
    if (row.length !== columns.length) {
      throw new RangeError(`row ${i} has ${row.length} cells, expected ${columns.length}`);
    }
  }
  const widths = columns.map((c, i) => Math.max(width(c.header), ...rows.map((r) => width(r[i]))));
  const last = columns.length - 1;
  const pad = (text: string, i: number) => {
    if (columns[i].align === "right") return " ".repeat(widths[i] - width(text)) + text;
    return i === last ? text : text + " ".repeat(widths[i] - width(text));
  };
  const gap = options.gap ?? "  ";
  const header = columns.map((c, i) => pad(c.header, i)).join(gap);
  return [
    options.paintHeader ? options.paintHeader(header) : header,
    ...rows.map((row, r) =>
      row.map((cell, i) => {
        const padded = pad(cell, i);
        return options.paint ? options.paint(r, i, padded) : padded;
      }).join(gap)
    ),
  ];
}

/** Columns a string takes on a terminal: code points, so "µ" and "›" count as one. */
function width(text: string): number {
  return [...text].length;
}

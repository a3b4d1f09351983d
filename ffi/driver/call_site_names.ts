/**
 * Call sites named as `function+0xNN` (the function demangled, the offset of the return address
 * in it) instead of by offset into the library, and those names resolved back: a rebuild of the
 * same source moves functions, not the code inside them, so a case that fails a call site by its
 * name still fails the same call after an unrelated function is added.
 *
 * @module
 */

import { hex } from "../../core/hex.ts";
import { type ElfFunction, elfFunctions } from "./elf_symbols.ts";
import { NO_SITE } from "./session_records.ts";

/** `function+0xNN`: the name, then the offset after the last `+0x`. */
const NAMED = /^(.*)\+0x([0-9a-f]+)$/i;

/**
 * The call-site names of one library.
 *
 * @example
 * ```ts
 * const names = new CallSiteNames("libx.so", [{ symbol: "f", start: 0x100, size: 0x40 }], (s) => s);
 * names.name(0x12a); // "f+0x2A"
 * names.resolve("f+0x2A"); // 0x12a
 * names.name(0x900); // "libx.so+0x900"
 * ```
 */
export class CallSiteNames {
  readonly #file: string;
  readonly #functions: readonly ElfFunction[];
  readonly #demangle: (symbol: string) => string;
  readonly #names = new Map<ElfFunction, string>();
  #starts: Map<string, number[]> | null = null;

  /** From the library's file name, its functions and a demangler for C++ symbols. */
  constructor(
    file: string,
    functions: readonly ElfFunction[],
    demangle: (symbol: string) => string,
  ) {
    this.#file = file;
    this.#functions = functions;
    this.#demangle = demangle;
  }

  /** The names of the library at `path`, read from its symbol table. */
  static read(path: string, demangle: (symbol: string) => string): CallSiteNames {
    const file = path.slice(path.lastIndexOf("/") + 1);
    return new CallSiteNames(file, elfFunctions(Deno.readFileSync(path)), demangle);
  }

  /** `function+0xNN` for a site (a return address as library offset); `library+0xSITE` outside
   * any function. */
  name(site: number): string {
    if (site === NO_SITE) return "unknown site";
    // A return address: the call is the byte before it, possibly the function's last.
    const f = this.#functionAt(site - 1);
    return f === undefined
      ? `${this.#file}+${hex(site)}`
      : `${this.#nameOf(f)}+${hex(site - f.start)}`;
  }

  /** The site a name stands for: `function+0xNN`, `library+0xSITE`, or a number as it is. */
  resolve(site: string | number): number {
    if (typeof site === "number") return site;
    const match = NAMED.exec(site);
    if (match === null) throw new RangeError(`call site "${site}" is not function+0xNN`);
    const [, name, offset] = match;
    if (name === this.#file) return parseInt(offset, 16);
    const starts = this.#startsOf(name);
    if (starts.length !== 1) {
      throw new RangeError(
        starts.length === 0
          ? `call site "${site}": ${this.#file} has no function ${name}`
          : `call site "${site}": ${this.#file} has ${starts.length} functions named ${name}`,
      );
    }
    return starts[0] + parseInt(offset, 16);
  }

  #functionAt(address: number): ElfFunction | undefined {
    const functions = this.#functions;
    let low = 0;
    let high = functions.length - 1;
    while (low <= high) {
      const middle = (low + high) >> 1;
      if (functions[middle].start <= address) low = middle + 1;
      else high = middle - 1;
    }
    const f = functions[high];
    return f !== undefined && address < f.start + f.size ? f : undefined;
  }

  #nameOf(f: ElfFunction): string {
    let name = this.#names.get(f);
    if (name === undefined) {
      name = f.symbol.startsWith("_Z") ? this.#demangle(f.symbol) : f.symbol;
      this.#names.set(f, name);
    }
    return name;
  }

  #startsOf(name: string): number[] {
    if (this.#starts === null) {
      this.#starts = new Map();
      for (const f of this.#functions) {
        const starts = this.#starts.get(this.#nameOf(f)) ?? [];
        // Aliases (a constructor's complete and base objects) share a start: one function.
        if (!starts.includes(f.start)) starts.push(f.start);
        this.#starts.set(this.#nameOf(f), starts);
      }
    }
    return this.#starts.get(name) ?? [];
  }
}

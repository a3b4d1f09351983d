/**
 * The functions of an ELF64 shared library, read from its symbol table: where each starts and
 * how long it is, relative to the library's load address. `.symtab` is read when present (it
 * names static functions too, which `dladdr` cannot see), `.dynsym` otherwise.
 *
 * @module
 */

/**
 * One function of a library: its (mangled) symbol name, and where it lies as offsets from the
 * library's load address.
 *
 * @example
 * ```ts
 * const f: ElfFunction = { symbol: "_ZN3Foo3barEv", start: 0x1a40, size: 0x62 };
 * ```
 */
export interface ElfFunction {
  readonly symbol: string;
  readonly start: number;
  readonly size: number;
}

const SHT_SYMTAB = 2;
const SHT_DYNSYM = 11;
const STT_FUNC = 2;
const PT_LOAD = 1;
const SYMBOL_BYTES = 24;

/**
 * The defined functions of an ELF64 little-endian file, sorted by start; empty for any other
 * file (the call sites are then named by library offset alone).
 *
 * @example
 * ```ts ignore
 * // Not run as a doc test: it needs a built library.
 * const functions = elfFunctions(Deno.readFileSync("ffi/native/build/driver/libcontract_driver.so"));
 * ```
 */
export function elfFunctions(file: Uint8Array): ElfFunction[] {
  const isElf64Le = file.length >= 64 && file[0] === 0x7f && file[1] === 0x45 &&
    file[2] === 0x4c && file[3] === 0x46 && file[4] === 2 && file[5] === 1;
  if (!isElf64Le) return [];
  const view = new DataView(file.buffer, file.byteOffset, file.byteLength);
  const u64 = (at: number) => Number(view.getBigUint64(at, true));
  const sections = Array.from({ length: view.getUint16(0x3c, true) }, (_, i) => {
    const at = u64(0x28) + i * view.getUint16(0x3a, true);
    return {
      type: view.getUint32(at + 4, true),
      offset: u64(at + 24),
      size: u64(at + 32),
      link: view.getUint32(at + 40, true),
    };
  });
  const table = sections.find((s) => s.type === SHT_SYMTAB) ??
    sections.find((s) => s.type === SHT_DYNSYM);
  if (table === undefined) return [];
  const strings = sections[table.link];
  const base = loadBase(view);
  const decoder = new TextDecoder();
  const functions: ElfFunction[] = [];
  for (let at = table.offset; at + SYMBOL_BYTES <= table.offset + table.size; at += SYMBOL_BYTES) {
    const defined = view.getUint16(at + 6, true) !== 0;
    const size = u64(at + 16);
    if ((file[at + 4] & 0xf) !== STT_FUNC || !defined || size === 0) continue;
    const name = strings.offset + view.getUint32(at, true);
    const end = file.indexOf(0, name);
    functions.push({
      symbol: decoder.decode(file.subarray(name, end)),
      start: u64(at + 8) - base,
      size,
    });
  }
  return functions.sort((a, b) => a.start - b.start || (a.symbol < b.symbol ? -1 : 1));
}

/** The lowest PT_LOAD address, page-aligned: what the loader maps at the library's base. */
function loadBase(view: DataView): number {
  const count = view.getUint16(0x38, true);
  const size = view.getUint16(0x36, true);
  const table = Number(view.getBigUint64(0x20, true));
  let lowest = Infinity;
  for (let i = 0; i < count; i++) {
    const at = table + i * size;
    if (view.getUint32(at, true) !== PT_LOAD) continue;
    lowest = Math.min(lowest, Number(view.getBigUint64(at + 16, true)));
  }
  return lowest === Infinity ? 0 : lowest - (lowest % 4096);
}

/**
 * Reads just enough of an executable's header to tell which OS and CPU it is for: the check that a
 * cross-compiled binary is what its archive name promises, without a machine of that kind.
 * @module
 */
import { open } from "node:fs/promises";

/** What an executable header says. */
export interface ExecutableFormat {
  readonly format: "ELF" | "Mach-O" | "PE32+";
  /** "x86-64" or "arm64". */
  readonly cpu: string;
  /** ELF only: the dynamic loader (PT_INTERP), e.g. "/lib/ld-musl-x86_64.so.1"; null when static. */
  readonly interpreter: string | null;
}

const ELF_MACHINES: Record<number, string> = { 0x3e: "x86-64", 0xb7: "arm64" };
const MACHO_CPUS: Record<number, string> = { 0x01000007: "x86-64", 0x0100000c: "arm64" };
const PE_MACHINES: Record<number, string> = { 0x8664: "x86-64", 0xaa64: "arm64" };
const PT_INTERP = 3;

/**
 * The format of the 64-bit little-endian executable at `path`.
 * @throws {SyntaxError} when the file is none of 64-bit ELF, Mach-O or PE32+, or is cut short.
 */
export async function readExecutableFormat(path: string): Promise<ExecutableFormat> {
  const file = await open(path, "r");
  try {
    const at = async (offset: number, length: number): Promise<DataView> => {
      const bytes = new Uint8Array(length);
      const { bytesRead } = await file.read(bytes, 0, length, offset);
      if (bytesRead < length) throw new SyntaxError(`Cannot read ${path}: file ends inside its header`);
      return new DataView(bytes.buffer);
    };
    const head = await at(0, 64);
    if (head.getUint32(0) === 0x7f454c46) return await readElf(path, head, at);
    if (head.getUint32(0, true) === 0xfeedfacf) {
      return { format: "Mach-O", cpu: name(MACHO_CPUS, head.getUint32(4, true), path), interpreter: null };
    }
    if (head.getUint16(0) === 0x4d5a) {
      const pe = await at(head.getUint32(0x3c, true), 26);
      if (pe.getUint32(0) !== 0x50450000) throw new SyntaxError(`Cannot read ${path}: MZ header without PE`);
      if (pe.getUint16(24, true) !== 0x20b) throw new SyntaxError(`Cannot read ${path}: PE but not PE32+`);
      return { format: "PE32+", cpu: name(PE_MACHINES, pe.getUint16(4, true), path), interpreter: null };
    }
    throw new SyntaxError(`Cannot read ${path}: not an ELF, Mach-O or PE executable`);
  } finally {
    await file.close();
  }
}

async function readElf(
  path: string,
  head: DataView,
  at: (offset: number, length: number) => Promise<DataView>,
): Promise<ExecutableFormat> {
  if (head.getUint8(4) !== 2 || head.getUint8(5) !== 1) {
    throw new SyntaxError(`Cannot read ${path}: ELF but not 64-bit little-endian`);
  }
  const cpu = name(ELF_MACHINES, head.getUint16(18, true), path);
  const phoff = Number(head.getBigUint64(32, true));
  const phentsize = head.getUint16(54, true);
  const phnum = head.getUint16(56, true);
  for (let i = 0; i < phnum; i++) {
    const ph = await at(phoff + i * phentsize, 56);
    if (ph.getUint32(0, true) !== PT_INTERP) continue;
    const text = await at(Number(ph.getBigUint64(8, true)), Number(ph.getBigUint64(32, true)));
    const interpreter = new TextDecoder().decode(text).replace(/\0+$/, "");
    return { format: "ELF", cpu, interpreter };
  }
  return { format: "ELF", cpu, interpreter: null };
}

function name(table: Record<number, string>, code: number, path: string): string {
  const cpu = table[code];
  if (cpu === undefined) throw new SyntaxError(`Cannot read ${path}: unknown machine 0x${code.toString(16)}`);
  return cpu;
}

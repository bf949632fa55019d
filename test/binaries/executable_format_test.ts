import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { readExecutableFormat } from "./executable_format.ts";

async function withFile(bytes: Uint8Array | string, check: (path: string) => Promise<void>): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), "exe-format-"));
  try {
    await writeFile(join(dir, "file"), bytes);
    await check(join(dir, "file"));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** A minimal PE32+ header: "MZ", e_lfanew = 0x40, "PE\0\0", machine, and the optional-header magic. */
function peHeader(machine: number, magic: number): Uint8Array {
  const bytes = new Uint8Array(0x40 + 26);
  const view = new DataView(bytes.buffer);
  view.setUint16(0, 0x4d5a);
  view.setUint32(0x3c, 0x40, true);
  view.setUint32(0x40, 0x50450000);
  view.setUint16(0x44, machine, true);
  view.setUint16(0x40 + 24, magic, true);
  return bytes;
}

describe("readExecutableFormat()", () => {
  it("reads the machine of a PE32+ header", async () => {
    await withFile(peHeader(0xaa64, 0x20b), async (path) => {
      assert.deepEqual(await readExecutableFormat(path), {
        format: "PE32+",
        cpu: "arm64",
        interpreter: null,
      });
    });
  });

  it("rejects a 32-bit PE, which is not what we ship", async () => {
    await withFile(peHeader(0x14c, 0x10b), async (path) => {
      await assert.rejects(readExecutableFormat(path), { name: "SyntaxError", message: /PE but not PE32\+/ });
    });
  });

  it("rejects a shell script", async () => {
    await withFile("#!/bin/sh\n".padEnd(80, "#"), async (path) => {
      await assert.rejects(readExecutableFormat(path), {
        name: "SyntaxError",
        message: /not an ELF, Mach-O or PE executable/,
      });
    });
  });

  it("rejects a file cut inside its header", async () => {
    await withFile("\x7fELF", async (path) => {
      await assert.rejects(readExecutableFormat(path), {
        name: "SyntaxError",
        message: /file ends inside its header/,
      });
    });
  });
});

/**
 * Running a release target's executables on this machine: natively where the CPU and C library match,
 * under `qemu-aarch64-static` with a Debian arm64 sysroot for linux-arm64, and not at all for the rest
 * (macOS, Windows, musl), which only their headers can be checked for here.
 * @module
 */
import { execFileSync } from "node:child_process";
import { ensureArm64Sysroot } from "../../scripts/arm64_sysroot.ts";
import type { Target } from "../../scripts/build_targets.ts";
import { thisMachine } from "./dist_files.ts";

const QEMU = "qemu-aarch64-static";

/** The targets whose executables run here, in order of cost (qemu last). */
export function runnableTargets(targets: readonly Target[]): Target[] {
  const host = thisMachine().name;
  return targets.filter((t) =>
    t.name === host || (host === "linux-x64" && (t.name === "linux-x64-baseline" || t.name === "linux-arm64"))
  );
}

/** qemu checked and the sysroot built once, by whichever test needs them first. */
let sysroot: Promise<string> | undefined;

/**
 * The command that runs the executable at `path` built for `target`, with `args`. Under qemu the guest
 * sees `path` as its argv[0], as a shell would pass it.
 */
export async function commandFor(
  target: Target,
  path: string,
  args: readonly string[],
): Promise<{ command: string; args: string[] }> {
  if (target.name !== "linux-arm64" || thisMachine().name === "linux-arm64") {
    return { command: path, args: [...args] };
  }
  sysroot ??= (async () => {
    try {
      execFileSync(QEMU, ["--version"], { stdio: "ignore" });
    } catch {
      throw new Error(`${QEMU} is not installed: apt-get install qemu-user-static`);
    }
    return await ensureArm64Sysroot();
  })();
  return { command: QEMU, args: ["-L", await sysroot, path, ...args] };
}

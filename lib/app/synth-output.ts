/**
 * The app's output folder (cdktf.out): what a synth leaves there when it fails, and what it prunes when it succeeds.
 *
 * A failed synth must not leave stack JSON from an earlier run: `terraform -chdir=cdktf.out/stacks/<stack> plan`
 * would plan that old configuration without a word. Terraform's own files in a stack folder (`.terraform/`, the lock
 * file, saved plans) are kept, as `cdktf synth` keeps them, so a later `init` is not needed again.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import type { StackAnnotation } from "cdktf";

/** Files cdktf writes for a stack: JSON, or HCL and its metadata (SYNTH_HCL_OUTPUT). */
const STACK_FILES = ["cdk.tf.json", "cdk.tf", "metadata.json"];
const MANIFEST = "manifest.json";
const STACKS = "stacks";

/**
 * The folder the app writes to, as `new App()` chooses it: CDKTF_OUTDIR (set by `cdktf synth` and `npm run synth`),
 * else cdktf.out. Read before the App exists, because a bad config must not create the folder.
 */
export function synthOutdir(env: NodeJS.ProcessEnv = process.env): string {
  return env["CDKTF_OUTDIR"] ?? "cdktf.out";
}

/** Removes the manifest and every stack's synthesized files under `outdir`; anything else stays. */
export function removeSynthesizedStacks(outdir: string): void {
  fs.rmSync(path.join(outdir, MANIFEST), { force: true });
  for (const stack of stackFolders(outdir)) {
    for (const file of STACK_FILES) fs.rmSync(path.join(outdir, STACKS, stack, file), { force: true });
  }
}

/** Removes stack folders that the last synth did not write (an environment that was removed), as `cdktf synth` does. */
export function removeOrphanedStacks(outdir: string, synthesized: readonly string[]): void {
  for (const stack of stackFolders(outdir)) {
    if (!synthesized.includes(stack)) fs.rmSync(path.join(outdir, STACKS, stack), { recursive: true, force: true });
  }
}

/** Error annotations of the synthesized stacks, one line each: `[construct path] message`. */
export function errorAnnotations(stacks: Readonly<Record<string, { readonly annotations: readonly StackAnnotation[] }>>): string[] {
  return Object.values(stacks)
    .flatMap((stack) => stack.annotations)
    .filter((a) => a.level === "@cdktf/error")
    .map((a) => `[${a.constructPath}] ${a.message}`);
}

function stackFolders(outdir: string): string[] {
  try {
    return fs
      .readdirSync(path.join(outdir, STACKS), { withFileTypes: true })
      .filter((entry) => entry.isDirectory())
      .map((entry) => entry.name);
  } catch {
    return [];
  }
}

/**
 * The app's output folder (cdktf.out): what a synth leaves there when it fails, and what it prunes when it succeeds.
 *
 * A failed synth must not leave stack JSON from an earlier run: `terraform -chdir=cdktf.out/stacks/<stack> plan`
 * would plan that old configuration without a word. Terraform's own files in a stack folder (`.terraform/`, the lock
 * file, saved plans) are kept, as `cdktf synth` keeps them, so a later `init` is not needed again.
 *
 * Copies of local files (scoring code, models, build contexts) that the last synth no longer references are removed:
 * cdktf replaces an asset's earlier copy only when the asset keeps its construct id, and ours are named by their
 * content hash, so every retrained model used to leave its predecessor behind (a 300 MB model twice: 573 MB).
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { TerraformAsset, TerraformStack, type StackAnnotation } from "cdktf";
import type { IConstruct } from "constructs";

/** Files cdktf writes for a stack: JSON, or HCL and its metadata (SYNTH_HCL_OUTPUT). */
const STACK_FILES = ["cdk.tf.json", "cdk.tf", "metadata.json"];
const MANIFEST = "manifest.json";
const STACKS = "stacks";
/** cdktf's folder of asset copies in a stack folder (TerraformAsset: `assets/<logical id>/<hash>/...`). */
const ASSETS = "assets";

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
    // No `force`: the folder was just listed, and a name that is not there is a bug worth hearing about.
    if (!synthesized.includes(stack)) fs.rmSync(path.join(outdir, STACKS, stack), { recursive: true });
  }
}

/**
 * The asset folders (`<logical id>`, under a stack folder's `assets/`) that the app's assets are copied to, by stack
 * name. Read from the construct tree: what the current synth writes, whatever an earlier one left.
 */
export function referencedAssetFolders(scope: IConstruct): Map<string, Set<string>> {
  const byStack = new Map<string, Set<string>>();
  for (const node of scope.node.findAll()) {
    if (!(node instanceof TerraformAsset)) continue;
    const stack = TerraformStack.of(node).node.id;
    // `assets/<logical id>/<hash>/<file>`: the second part is the folder cdktf owns for this asset.
    const folder = node.path.split("/")[1];
    if (!byStack.has(stack)) byStack.set(stack, new Set());
    byStack.get(stack)!.add(folder);
  }
  return byStack;
}

/**
 * Removes asset copies under each stack folder of `outdir` that `referenced` does not name (see
 * {@link referencedAssetFolders}); a stack folder without any referenced asset loses its whole `assets/` folder.
 */
export function removeUnreferencedAssets(outdir: string, referenced: ReadonlyMap<string, ReadonlySet<string>>): void {
  for (const stack of stackFolders(outdir)) {
    const assets = path.join(outdir, STACKS, stack, ASSETS);
    const keep = referenced.get(stack) ?? new Set<string>();
    let entries: string[];
    try {
      entries = fs.readdirSync(assets);
    } catch {
      continue;
    }
    for (const entry of entries) if (!keep.has(entry)) fs.rmSync(path.join(assets, entry), { recursive: true });
    if (keep.size === 0) fs.rmSync(assets, { recursive: true });
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

/**
 * `--synth-diff-from <git-ref>`: the rollout check without CI. Synthesizes the config folder as it was at a git ref
 * (checked out in a temporary worktree) and as it is in the working tree, both with today's code, into temporary
 * folders; the caller reviews the two. Whatever happens, the worktree and the temporary folders are removed and
 * `git worktree prune` runs, so nothing is left behind.
 *
 * Like the rest of the review it imports nothing from the app: it runs the app the way `npm run synth` does
 * (scripts/synth.js, with SERVING_CONFIG_DIR), in a child process.
 */

import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { ReviewInputError } from "./plan";
import { readSynthDir, SynthStack } from "./synth";

/** The project whose code synthesizes both sides: the one this file belongs to. */
const PROJECT_ROOT = path.resolve(__dirname, "..", "..");

/** Runs git in `cwd`; returns its trimmed stdout, or undefined when it fails (with its stderr in `failure`). */
function git(cwd: string, args: readonly string[], failure?: { message: string }): string | undefined {
  const result = spawnSync("git", [...args], { cwd, encoding: "utf8" });
  if (result.status === 0) return result.stdout.trim();
  if (failure) failure.message = (result.stderr || result.error?.message || "").trim().split("\n")[0] ?? "";
  return undefined;
}

/** Synthesizes `configDir` into `outdir` with scripts/synth.js; throws a one-line input error when it fails. */
function synthesize(configDir: string, outdir: string, label: string): Map<string, SynthStack> {
  const result = spawnSync(process.execPath, [path.join(PROJECT_ROOT, "scripts", "synth.js"), "--output", outdir], {
    cwd: PROJECT_ROOT,
    env: { ...process.env, SERVING_CONFIG_DIR: configDir },
    encoding: "utf8",
  });
  if (result.status !== 0) {
    // The app prints every config problem (file:line) itself; keep them, indented under one line of ours.
    const detail = `${result.stderr}${result.stdout}`.trim().split("\n").filter(Boolean).slice(0, 20).map((l) => `  ${l}`).join("\n");
    throw new ReviewInputError(label, `does not synthesize with today's code${detail ? `:\n${detail}` : ""}`);
  }
  return readSynthDir(outdir);
}

/**
 * The synthesized stacks of the config folder at `ref` (base) and in the working tree (head).
 * @param ref a commit, branch or tag of the repository that holds the working directory
 * @param cwd the working directory: its repository, and where a relative SERVING_CONFIG_DIR starts
 * @throws ReviewInputError when cwd is not in a git repository, the ref is unknown, the folder is not in the
 *   repository, or either side does not synthesize
 */
export function synthesizeFrom(ref: string, cwd: string = process.cwd()): { base: Map<string, SynthStack>; head: Map<string, SynthStack> } {
  const failure = { message: "" };
  const top = git(cwd, ["rev-parse", "--show-toplevel"], failure);
  if (top === undefined) throw new ReviewInputError(cwd, `is not in a git repository (${failure.message})`);
  if (ref.startsWith("-") || git(top, ["rev-parse", "--verify", "--quiet", `${ref}^{commit}`]) === undefined) {
    throw new ReviewInputError(ref, "is not a commit, branch or tag of this repository");
  }
  // An empty SERVING_CONFIG_DIR is unset, as for the app (lib/config/load.ts resolveConfigDir).
  const headConfig = path.resolve(cwd, process.env["SERVING_CONFIG_DIR"] || "config");
  const inRepo = path.relative(fs.realpathSync(top), fs.existsSync(headConfig) ? fs.realpathSync(headConfig) : headConfig);
  if (inRepo.startsWith("..") || path.isAbsolute(inRepo)) {
    throw new ReviewInputError(headConfig, `is outside the repository ${top}: there is no version of it at ${ref}`);
  }

  const temp = fs.mkdtempSync(path.join(os.tmpdir(), "plan-review-from-"));
  const worktree = path.join(temp, "worktree");
  try {
    if (git(top, ["worktree", "add", "--detach", "--quiet", worktree, ref], failure) === undefined) {
      throw new ReviewInputError(ref, `cannot be checked out in a temporary worktree (${failure.message})`);
    }
    const baseConfig = path.join(worktree, inRepo);
    if (!fs.existsSync(baseConfig)) throw new ReviewInputError(ref, `has no ${inRepo || "."} folder to synthesize`);
    const base = synthesize(baseConfig, path.join(temp, "base"), `${inRepo} at ${ref}`);
    const head = synthesize(headConfig, path.join(temp, "head"), `${inRepo} in the working tree`);
    return { base, head };
  } finally {
    // Remove the worktree through git (its admin entry goes too), then the folder whatever git managed, then prune
    // any entry a failed `worktree add` or remove may have left.
    git(top, ["worktree", "remove", "--force", worktree]);
    fs.rmSync(temp, { recursive: true, force: true });
    git(top, ["worktree", "prune"]);
  }
}

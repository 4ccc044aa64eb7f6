/**
 * `plan-review --synth-diff-from <ref>` in a fresh clone (issue 21, point 3): it synthesizes the ref's config/ in a
 * temporary worktree and the working tree's, with this checkout's code, reviews them, and leaves no worktree and no
 * temporary folder behind (TMPDIR points at a folder of the test's own, which must end up empty), even on error.
 */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { REPO, tempDir } from "./helpers";

const FIXTURES = path.join(REPO, "__tests__", "fixtures", "rollout-blocked");
const GIT_ID = ["-c", "user.name=plan-review test", "-c", "user.email=test@example.com"];

let root: string;
let clone: string;
let tmp: string;

function git(cwd: string, ...args: string[]): string {
  const result = spawnSync("git", [...GIT_ID, ...args], { cwd, encoding: "utf8" });
  if (result.status !== 0) throw new Error(`git ${args.join(" ")}: ${result.stderr}`);
  return result.stdout;
}

/** A config/ folder holding the fixture's netout.yaml as of `side` (a private environment; head changes its outbound). */
function writeConfig(repo: string, side: "base" | "head"): void {
  fs.rmSync(path.join(repo, "config"), { recursive: true, force: true });
  fs.mkdirSync(path.join(repo, "config"));
  fs.copyFileSync(path.join(FIXTURES, side, "netout.yaml"), path.join(repo, "config", "netout.yaml"));
}

function review(...args: string[]) {
  // The clone's own config/, as a user's run would read it.
  const { SERVING_CONFIG_DIR: _ignored, ...env } = process.env;
  const result = spawnSync(process.execPath, [path.join(REPO, "scripts/ts-run.js"), path.join(REPO, "lib/review/cli.ts"), ...args], {
    cwd: clone,
    env: { ...env, TMPDIR: tmp },
    encoding: "utf8",
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

const worktrees = () => git(clone, "worktree", "list", "--porcelain").split("\n").filter((l) => l.startsWith("worktree ")).length;

let run: ReturnType<typeof review>;
beforeAll(() => {
  root = tempDir("synth-diff-from-");
  const origin = path.join(root, "origin");
  fs.mkdirSync(origin);
  git(origin, "init", "--quiet");
  writeConfig(origin, "base");
  git(origin, "add", "-A");
  git(origin, "commit", "--quiet", "-m", "base");
  git(origin, "tag", "base");
  writeConfig(origin, "head");
  git(origin, "add", "-A");
  git(origin, "commit", "--quiet", "-m", "head");
  clone = path.join(root, "clone");
  git(root, "clone", "--quiet", origin, clone);
  tmp = path.join(root, "tmp");
  fs.mkdirSync(tmp);
  // The budget bounds two synths of the app in child processes; nothing here measures time.
}, 60_000);
beforeAll(() => {
  run = review("--synth-diff-from", "base");
}, 60_000);
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

it("reviews the ref's config against the working tree's: the outbound change is blocked, exit 3", () => {
  expect(run.stderr).toBe("");
  expect(run.code).toBe(3);
  expect(run.stdout.split("\n").slice(1, 4)).toEqual(["## Synthesized configuration diff", "", "### Blocked"]);
  expect(run.stdout).toContain("Rule `rollout-network-outbound-changed`. environment `netout` · field `network.outbound`");
});

it("leaves no worktree and no temporary folder behind", () => {
  expect(worktrees()).toBe(1);
  expect(fs.readdirSync(tmp)).toEqual([]);
  expect(fs.existsSync(path.join(clone, "cdktf.out"))).toBe(false);
});

it("an unknown ref is an input error (exit 2, one line), and still leaves nothing behind", () => {
  const { code, stdout, stderr } = review("--synth-diff-from", "no-such-ref");
  expect(code).toBe(2);
  expect(stdout).toBe("");
  expect(stderr).toBe("plan-review: no-such-ref: is not a commit, branch or tag of this repository\n");
  expect(worktrees()).toBe(1);
  expect(fs.readdirSync(tmp)).toEqual([]);
});

it("a ref without the config folder fails after checking it out, and cleans up the worktree", () => {
  const branch = git(clone, "rev-parse", "--abbrev-ref", "HEAD").trim();
  fs.writeFileSync(path.join(clone, "README"), "x");
  git(clone, "checkout", "--quiet", "--orphan", "empty");
  git(clone, "rm", "-r", "--quiet", "--cached", ".");
  git(clone, "add", "README");
  git(clone, "commit", "--quiet", "-m", "no config");
  git(clone, "checkout", "--quiet", "-f", branch);
  const { code, stderr } = review("--synth-diff-from", "empty");
  expect(code).toBe(2);
  expect(stderr).toBe("plan-review: empty: has no config folder to synthesize\n");
  expect(worktrees()).toBe(1);
  expect(fs.readdirSync(tmp)).toEqual([]);
});

it("--synth-diff-from takes no folders", () => {
  const { code, stderr } = review("--synth-diff-from", "base", "cdktf.out");
  expect(code).toBe(2);
  expect(stderr).toBe("plan-review: --synth-diff-from takes a git ref and no other files or folders (see plan-review --help)\n");
});

it("is documented in `help` and in the CLI's usage", () => {
  expect(fs.readFileSync(path.join(REPO, "help"), "utf8")).toContain("npm run plan-review -- --synth-diff-from ");
  const { code, stdout } = review("--help");
  expect(code).toBe(0);
  expect(stdout).toContain("plan-review --synth-diff-from GIT_REF");
});

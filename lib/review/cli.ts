/**
 * `npm run plan-review -- ...`: Terraform plan JSON (or two cdktf.out folders)
 * to a Markdown review on stdout. See docs/plan-review.md.
 */

import * as fs from "node:fs";
import { renderPlanReview } from "./markdown";
import { classifyPlan, parsePlanJson, RawPlan, redactPlan, ReviewInputError, sensitiveStringsOf, stackNameFromPath } from "./plan";
import { reviewRollout, RolloutReview } from "./rollout";
import { SecretSet } from "./sensitive";
import { readSynthDir, SynthStack } from "./synth";
import { diffSynth, renderSynthDiff } from "./synth-diff";
import { synthesizeFrom } from "./synth-from";

/** Where the CLI writes; tests pass their own. */
export interface CliIO {
  stdout(text: string): void;
  stderr(text: string): void;
}

/** Exit code for usage and input errors. */
export const EXIT_USAGE = 2;

/** Exit code when the review printed a non-empty "Blocked" section: changes Azure refuses, unwaived. */
export const EXIT_BLOCKED = 3;

/** The --help text. */
export const USAGE = `Usage:
  plan-review [--synth-dir DIR [--synth-base DIR]] [--note TEXT] [--max-chars N] PLAN.json...
  plan-review --synth-diff BASE_DIR HEAD_DIR [--note TEXT] [--max-chars N]
  plan-review --synth-diff-from GIT_REF [--note TEXT] [--max-chars N]
  plan-review --redact PLAN.json

Each PLAN.json is the output of \`terraform show -json <planfile>\` for one stack;
the stack name comes from the file name (plans/serving-dev.json -> serving-dev).

  --synth-dir DIR   cdktf output folder (cdktf.out): show construct paths and guardrails
  --synth-base DIR  the base branch's cdktf output folder: rollout warnings above everything else
  --synth-diff      compare two cdktf output folders instead of plans (no credentials needed)
  --synth-diff-from synthesize config/ (or SERVING_CONFIG_DIR) as it was at GIT_REF, in a temporary worktree,
                    and as it is in the working tree, both with today's code, and compare them; cleans up after

Exit status: 0, 3 when the review has a Blocked section (changes Azure refuses, unwaived), 2 for usage and
input errors, 1 for a bug.
  --redact          print the plan JSON with sensitive values and state removed (safe as a CI artifact)
  --note TEXT       add a caution line under the title
  --max-chars N     output budget (default 65000, under GitHub's 65536-character comment limit)
`;

class UsageError extends Error {}

interface Args {
  mode: "plan" | "synth-diff" | "synth-diff-from" | "redact" | "help";
  ref?: string;
  files: string[];
  synthDir?: string;
  synthBase?: string;
  note?: string;
  maxChars?: number;
}

function parseArgs(argv: readonly string[]): Args {
  const args: Args = { mode: "plan", files: [] };
  const setMode = (mode: Args["mode"]): void => {
    if (args.mode !== "plan" && args.mode !== mode) throw new UsageError(`--${args.mode} and --${mode} cannot be combined`);
    args.mode = mode;
  };
  let onlyFiles = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (onlyFiles || !arg.startsWith("-") || arg === "-") {
      args.files.push(arg);
      continue;
    }
    const eq = arg.indexOf("=");
    const flag = eq > 0 ? arg.slice(0, eq) : arg;
    const value = (): string => {
      if (eq > 0) return arg.slice(eq + 1);
      const next = argv[++i];
      if (next === undefined) throw new UsageError(`${flag} needs a value`);
      return next;
    };
    switch (flag) {
      case "--":
        onlyFiles = true;
        break;
      case "-h":
      case "--help":
        args.mode = "help";
        return args;
      case "--synth-diff":
        setMode("synth-diff");
        break;
      case "--redact":
        setMode("redact");
        break;
      case "--synth-diff-from":
        setMode("synth-diff-from");
        args.ref = value();
        break;
      case "--synth-dir":
        args.synthDir = value();
        break;
      case "--synth-base":
        args.synthBase = value();
        break;
      case "--note":
        args.note = value();
        break;
      case "--max-chars": {
        const text = value();
        const n = Number(text);
        if (!Number.isInteger(n) || n < 1000) throw new UsageError(`--max-chars must be a whole number of at least 1000, not "${text}"`);
        args.maxChars = n;
        break;
      }
      default:
        throw new UsageError(`unknown option ${flag}`);
    }
  }
  if (args.mode === "synth-diff" && args.files.length !== 2) throw new UsageError("--synth-diff needs exactly two folders: BASE_DIR HEAD_DIR");
  if (args.mode === "synth-diff" && args.synthDir !== undefined) throw new UsageError("--synth-dir applies to plans, not to --synth-diff");
  if (args.synthBase !== undefined && (args.mode !== "plan" || args.synthDir === undefined)) {
    throw new UsageError("--synth-base needs --synth-dir and plan files: it compares the base branch's synth with that one");
  }
  if (args.mode === "synth-diff-from" && args.files.length > 0) throw new UsageError("--synth-diff-from takes a git ref and no other files or folders");
  if (args.mode === "synth-diff-from" && args.synthDir !== undefined) throw new UsageError("--synth-dir applies to plans, not to --synth-diff-from");
  if (args.mode === "redact" && args.files.length !== 1) throw new UsageError("--redact takes exactly one plan file");
  if (args.mode === "plan" && args.files.length === 0) throw new UsageError("no plan files given");
  return args;
}

/** Reads a plan file as text, decoding the UTF-16 that PowerShell's `>` writes. */
function readPlanFile(file: string): string {
  let bytes: Buffer;
  try {
    bytes = fs.readFileSync(file);
  } catch (error) {
    const errno = (error as NodeJS.ErrnoException).code;
    const problem =
      errno === "ENOENT" ? "cannot read: no such file" : errno === "EISDIR" ? "is a directory, not a plan JSON file" : errno === "EACCES" ? "cannot read: permission denied" : `cannot read (${errno ?? (error as Error).message})`;
    throw new ReviewInputError(file, problem);
  }
  if (bytes[0] === 0xff && bytes[1] === 0xfe) return bytes.subarray(2).toString("utf16le");
  const text = bytes.toString("utf8");
  return text.startsWith("\uFEFF") ? text.slice(1) : text;
}

/** Runs a plan review; returns the rollout review when --synth-base gave one. */
function runPlans(args: Args, io: CliIO): RolloutReview | undefined {
  const parsed: { file: string; stack: string; plan: RawPlan }[] = [];
  const seen = new Map<string, string>();
  for (const file of args.files) {
    const plan = parsePlanJson(readPlanFile(file), file);
    const stack = stackNameFromPath(file);
    const earlier = seen.get(stack);
    if (earlier !== undefined) throw new ReviewInputError(file, `stack "${stack}" is already given by ${earlier}; name plan files after their stacks`);
    seen.set(stack, file);
    parsed.push({ file, stack, plan });
  }
  // One set for all stacks: a secret of one stack can reach another through remote state.
  const secrets = new SecretSet(parsed.flatMap((p) => [...sensitiveStringsOf(p.plan)]));
  const plans = parsed.map((p) => classifyPlan(p.plan, p.stack, p.file, secrets));
  const synth: Map<string, SynthStack> | undefined = args.synthDir !== undefined ? readSynthDir(args.synthDir) : undefined;
  const rollout = synth && args.synthBase !== undefined ? reviewRollout(readSynthDir(args.synthBase), synth) : undefined;
  io.stdout(
    renderPlanReview(plans, {
      secrets,
      ...(synth ? { synth } : {}),
      ...(rollout ? { rollout: rollout.warnings, blocked: rollout.blocked } : {}),
      ...(args.note !== undefined ? { note: args.note } : {}),
      ...(args.maxChars !== undefined ? { maxChars: args.maxChars } : {}),
    }),
  );
  return rollout;
}

/** 3 when the review blocked something, else 0. */
const exitFor = (rollout: RolloutReview | undefined): number => (rollout && rollout.blocked.length > 0 ? EXIT_BLOCKED : 0);

function runSynthDiff(base: Map<string, SynthStack>, head: Map<string, SynthStack>, args: Args, io: CliIO): number {
  const rollout = reviewRollout(base, head);
  io.stdout(
    renderSynthDiff(diffSynth(base, head), {
      rollout: rollout.warnings,
      blocked: rollout.blocked,
      ...(args.note !== undefined ? { note: args.note } : {}),
      ...(args.maxChars !== undefined ? { maxChars: args.maxChars } : {}),
    }),
  );
  return exitFor(rollout);
}

/**
 * Runs the CLI and returns its exit code: 0, 3 when the review blocks a change Azure refuses (--synth-diff, or
 * --synth-base), 2 for usage or input errors, 1 for a bug. Errors are one line on stderr, without a stack trace.
 */
export function main(argv: readonly string[], io: CliIO): number {
  try {
    const args = parseArgs(argv);
    switch (args.mode) {
      case "help":
        io.stdout(USAGE);
        return 0;
      case "synth-diff": {
        const [baseDir, headDir] = args.files as [string, string];
        return runSynthDiff(readSynthDir(baseDir), readSynthDir(headDir), args, io);
      }
      case "synth-diff-from": {
        const { base, head } = synthesizeFrom(args.ref!);
        return runSynthDiff(base, head, args, io);
      }
      case "redact": {
        const file = args.files[0]!;
        io.stdout(`${JSON.stringify(redactPlan(parsePlanJson(readPlanFile(file), file)), null, 2)}\n`);
        return 0;
      }
      default:
        return exitFor(runPlans(args, io));
    }
  } catch (error) {
    if (error instanceof UsageError) {
      io.stderr(`plan-review: ${error.message} (see plan-review --help)\n`);
      return EXIT_USAGE;
    }
    if (error instanceof ReviewInputError) {
      io.stderr(`plan-review: ${error.source}: ${error.message}\n`);
      return EXIT_USAGE;
    }
    io.stderr(`plan-review: internal error: ${error instanceof Error ? error.message : String(error)}\n`);
    return 1;
  }
}

if (require.main === module) {
  process.exitCode = main(process.argv.slice(2), {
    stdout: (text) => process.stdout.write(text),
    stderr: (text) => process.stderr.write(text),
  });
}

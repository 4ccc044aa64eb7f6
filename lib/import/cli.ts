/**
 * `npm run import -- --into config/<env>.yaml FILE...`: adds az ml endpoint and deployment files to an environment
 * file. See README "Coming from az ml".
 */

import { writeFileSync } from "node:fs";
import { formatProblem } from "../config/errors";
import { importAzMl, ImportError } from "./az-ml";

/** Where the CLI writes; tests pass their own. */
export interface CliIO {
  stdout(text: string): void;
  stderr(text: string): void;
}

export const EXIT_REFUSED = 1;
export const EXIT_USAGE = 2;

export const USAGE = `Usage:
  import --into config/<env>.yaml [--traffic blue=90,green=10] [--set NAME=VALUE]... FILE...

Adds az ml managed online endpoint and deployment files, and batch endpoint and model batch deployment files,
to an environment file (which must hold at least project, location, state and compute). Deployments attach to
their endpoint by endpoint_name. Nothing is written unless the file then passes the config loader.

  --into FILE       the environment file to add to
  --traffic SPEC    the split of an endpoint with several deployments: blue=90,green=10 (or my-endpoint/blue=90)
  --set NAME=VALUE  fill a template placeholder {{NAME}} of the az ml files
`;

interface Args {
  into?: string;
  traffic?: Record<string, number>;
  set: Record<string, string>;
  files: string[];
}

class UsageError extends Error {}

function parseArgs(argv: readonly string[]): Args | "help" {
  const args: Args = { set: {}, files: [] };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const value = () => {
      const v = argv[++i];
      if (v === undefined) throw new UsageError(`${arg} needs a value`);
      return v;
    };
    if (arg === "--help" || arg === "-h") return "help";
    if (arg === "--into") args.into = value();
    else if (arg === "--traffic") {
      args.traffic = {};
      for (const part of value().split(",")) {
        const m = /^\s*([^=\s]+)\s*=\s*(\d+)\s*$/.exec(part);
        if (!m) throw new UsageError(`--traffic must be deployment=percent pairs such as blue=90,green=10 (got ${JSON.stringify(part)})`);
        args.traffic[m[1]] = Number(m[2]);
      }
    } else if (arg === "--set") {
      const m = /^([A-Za-z_][A-Za-z0-9_]*)=(.*)$/s.exec(value());
      if (!m) throw new UsageError("--set must be NAME=VALUE");
      args.set[m[1]] = m[2];
    } else if (arg.startsWith("--")) throw new UsageError(`unknown option ${arg}`);
    else args.files.push(arg);
  }
  if (args.into === undefined) throw new UsageError("--into config/<env>.yaml is required");
  if (args.files.length === 0) throw new UsageError("name at least one az ml file to import");
  return args;
}

/** Runs the command; returns the exit code. Writes the environment file only when everything imports. */
export function main(argv: readonly string[], io: CliIO, cwd = process.cwd()): number {
  let args: Args | "help";
  try {
    args = parseArgs(argv);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    io.stderr(`import: ${error.message}\n\n${USAGE}`);
    return EXIT_USAGE;
  }
  if (args === "help") {
    io.stdout(USAGE);
    return 0;
  }
  try {
    const result = importAzMl({ into: args.into!, files: args.files, traffic: args.traffic, set: args.set, cwd });
    writeFileSync(result.path, result.text);
    io.stdout(`${result.added.join("\n")}\n`);
    if (result.notes.length > 0) io.stdout(`${result.notes.join("\n")}\n`);
    return 0;
  } catch (error) {
    if (!(error instanceof ImportError)) throw error;
    io.stderr(`${error.problems.map(formatProblem).join("\n")}\nNothing was written.\n`);
    return error.usage ? EXIT_USAGE : EXIT_REFUSED;
  }
}

if (require.main === module) {
  process.exitCode = main(process.argv.slice(2), {
    stdout: (text) => process.stdout.write(text),
    stderr: (text) => process.stderr.write(text),
  });
}

/**
 * `node scripts/ts-run.js scripts/deploy-matrix.ts`: which environments .github/workflows/deploy.yml deploys, in which
 * wave, behind which GitHub environment, from every config file's `deploy` block (config/ or SERVING_CONFIG_DIR).
 *
 * Prints `wave1=[...]` ... `wave5=[...]` (JSON matrices, `[]` when empty), one per line, in GITHUB_OUTPUT's format;
 * with GITHUB_OUTPUT set, appends them there too. An invalid config prints its problems (file:line) and exits 1.
 */
import { appendFileSync } from "node:fs";
import { deployMatrix } from "../lib/config/deploy-order";
import { ConfigError } from "../lib/config/errors";
import { loadEnvironments } from "../lib/config/load";

function main(): number {
  let environments;
  try {
    environments = loadEnvironments({ configDir: process.env.SERVING_CONFIG_DIR });
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    process.stderr.write(`deploy-matrix: config is invalid:\n${error.message}\n`);
    return 1;
  }
  let waves;
  try {
    waves = deployMatrix(
      environments.map((e) => ({ name: e.name, file: e.file, after: e.config.deploy.after, githubEnvironment: e.config.deploy.environment })),
    );
  } catch (error) {
    process.stderr.write(`deploy-matrix: ${(error as Error).message}\n`);
    return 1;
  }
  const lines = waves.map((targets, i) => `wave${i + 1}=${JSON.stringify(targets)}\n`).join("");
  process.stdout.write(lines);
  if (process.env.GITHUB_OUTPUT) appendFileSync(process.env.GITHUB_OUTPUT, lines);
  return 0;
}

process.exitCode = main();

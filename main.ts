import { App } from "cdktf";
import {
  errorAnnotations,
  referencedAssetFolders,
  removeOrphanedStacks,
  removeSynthesizedStacks,
  removeUnreferencedAssets,
  synthOutdir,
} from "./lib/app/synth-output";
import { ConfigError, formatWarning } from "./lib/config/errors";
import { loadEnvironments } from "./lib/config/load";
import { PropsError } from "./lib/constructs/invariants";
import { checkGuardrails, formatCapacityReport, formatGuardrailReport } from "./lib/guardrails";
import { ServingStack } from "./lib/stacks/serving-stack";
import { StateStack, stateStacksFrom } from "./lib/stacks/state-stack";

// Whatever happens below, no stack JSON of an earlier synth survives to be planned as if it were current.
const outdir = synthOutdir();
removeSynthesizedStacks(outdir);

// Validate every file before the App exists, so a bad file writes nothing at all.
let environments;
try {
  environments = loadEnvironments({ configDir: process.env.SERVING_CONFIG_DIR });
} catch (error) {
  if (!(error instanceof ConfigError)) throw error;
  const count = `${error.problems.length} problem${error.problems.length === 1 ? "" : "s"}`;
  process.stderr.write(`Config is invalid (${count}):\n${error.message}\n`);
  process.exit(1);
}

// Warnings never stop a synth; they go to stdout with the guardrail warnings, each with its file and line.
const warnings = environments.flatMap((e) => e.warnings).map(formatWarning);
if (warnings.length > 0) process.stdout.write(`${warnings.join("\n")}\n`);

const app = new App();
try {
  for (const props of stateStacksFrom(environments)) {
    new StateStack(app, props);
  }
  for (const environment of environments) {
    new ServingStack(app, environment);
  }
} catch (error) {
  // Config validation should have caught it; a construct's own invariant is the backstop, reported the same way.
  if (!(error instanceof PropsError)) throw error;
  process.stderr.write(`${error.message}\n`);
  process.exit(1);
}

// Guardrails run over every stack before any is written: app.synth() writes stacks one by one.
const report = checkGuardrails(app);
const text = formatGuardrailReport(report);
// Errors go to stderr; warnings and waivers to stdout, which the cdktf CLI shows as plain output, not as errors.
if (text !== "") (report.hasErrors ? process.stderr : process.stdout).write(`${text}\n`);
if (report.hasErrors) process.exit(1);
// Quota cores per VM family of each environment: information for whoever requests quota, printed on every synth.
const capacity = formatCapacityReport(report);
if (capacity !== "") process.stdout.write(`${capacity}\n`);

try {
  app.synth();
} catch (error) {
  // Stacks written before the failure would be a partial, misleading output.
  removeSynthesizedStacks(outdir);
  throw error;
}
// Under `cdktf synth` (CDKTF_CONTINUE_SYNTH_ON_ERROR_ANNOTATIONS) cdktf writes stacks despite error annotations and
// leaves them to the CLI; the app reports them itself, once, and takes the stacks back.
const errors = errorAnnotations(app.manifest.stacks);
if (errors.length > 0) {
  removeSynthesizedStacks(outdir);
  process.stderr.write(`${errors.join("\n")}\n${errors.length} error${errors.length === 1 ? "" : "s"}: no stack was written.\n`);
  process.exit(1);
}
removeOrphanedStacks(outdir, Object.keys(app.manifest.stacks));
// Copies of models and code that no current asset references (a retrained model's predecessor) go too.
removeUnreferencedAssets(outdir, referencedAssetFolders(app));

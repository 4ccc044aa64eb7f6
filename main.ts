import { App } from "cdktf";
import { ConfigError } from "./lib/config/errors";
import { loadEnvironments } from "./lib/config/load";
import { PropsError } from "./lib/constructs/invariants";
import { checkGuardrails, formatGuardrailReport } from "./lib/guardrails";
import { ServingStack } from "./lib/stacks/serving-stack";
import { StateStack, stateStacksFrom } from "./lib/stacks/state-stack";

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

app.synth();

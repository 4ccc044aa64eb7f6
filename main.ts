import { App } from "cdktf";
import { ConfigError } from "./lib/config/errors";
import { loadEnvironments } from "./lib/config/load";
import { ServingStack } from "./lib/stacks/serving-stack";

// Validate every file before the App exists, so a bad file writes nothing at all.
let environments;
try {
  environments = loadEnvironments({ configDir: process.env.SERVING_CONFIG_DIR });
} catch (error) {
  if (!(error instanceof ConfigError)) throw error;
  process.stderr.write(`Config is invalid (${error.problems.length} problem${error.problems.length === 1 ? "" : "s"}):\n${error.message}\n`);
  process.exit(1);
}

const app = new App();
for (const environment of environments) {
  new ServingStack(app, environment);
}
app.synth();

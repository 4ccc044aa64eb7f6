import { readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { Testing, type App } from "cdktf";
import { loadEnvironments } from "../../lib/config/load";
import { ServingStack } from "../../lib/stacks/serving-stack";

/**
 * Every serving stack of a config folder, synthesized in full (the app as `npm run synth` builds it, guardrail
 * metadata included), as parsed JSON by environment name; the output folder is removed afterwards.
 */
export function synthConfigFolder(configDir: string): Record<string, any> {
  const app: App = Testing.app({ enableFutureFlags: false });
  try {
    const environments = loadEnvironments({ configDir });
    for (const environment of environments) new ServingStack(app, environment);
    app.synth();
    return Object.fromEntries(
      environments.map((e) => [e.name, JSON.parse(readFileSync(join(app.outdir, "stacks", `serving-${e.name}`, "cdk.tf.json"), "utf8"))]),
    );
  } finally {
    rmSync(app.outdir, { recursive: true, force: true });
  }
}

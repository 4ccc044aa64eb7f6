import { readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { Testing } from "cdktf";
import { loadEnvironments } from "../../lib/config/load";
import { ServingStack } from "../../lib/stacks/serving-stack";
import { StateStack, stateStacksFrom } from "../../lib/stacks/state-stack";
import { perFile } from "../helpers/shared";
import { problemsOf, baseConfig } from "../helpers/config-dir";

/** Teardown and re-creation (issue 21, point 4), on full synths of fixtures/teardown: `keep` (default) and `gone`. */
const FIXTURES = join(__dirname, "..", "fixtures", "teardown");

function synthAll(): Record<string, string> {
  const app = Testing.app({ enableFutureFlags: false });
  const environments = loadEnvironments({ configDir: FIXTURES });
  for (const props of stateStacksFrom(environments)) new StateStack(app, props);
  for (const environment of environments) new ServingStack(app, environment);
  app.synth();
  const read = (name: string) => readFileSync(join(app.outdir, "stacks", name, "cdk.tf.json"), "utf8");
  const out = { keep: read("serving-keep"), gone: read("serving-gone"), state: read("state-stchurntfstate01") };
  rmSync(app.outdir, { recursive: true, force: true });
  return out;
}
// Synthesized at load only to name the test.each rows; each test reads its own synth through perFile, so that
// Stryker credits the tests that read it (docs/testing.md, "One trap").
const atLoad = synthAll();
const current = perFile(synthAll, atLoad);
let stacks = atLoad;
beforeEach(() => {
  stacks = current();
});

/** The addresses whose lifecycle says prevent_destroy = true. */
function protectedAddresses(text: string): string[] {
  const json = JSON.parse(text);
  return Object.entries<Record<string, any>>(json.resource)
    .flatMap(([type, byName]) => Object.entries(byName).filter(([, r]) => r.lifecycle?.prevent_destroy === true).map(([name]) => `${type}.${name}`))
    .sort();
}

it("by default the stateful resources keep prevent_destroy: workspace, key vault, storage, registry, Log Analytics", () => {
  expect(protectedAddresses(stacks.keep).map((a) => a.split(".")[0])).toEqual([
    "azapi_resource",
    "azurerm_container_registry",
    "azurerm_key_vault",
    "azurerm_log_analytics_workspace",
    "azurerm_storage_account",
  ]);
});

it("workspace.prevent_destroy: false synthesizes no prevent_destroy at all in that environment's stack", () => {
  expect(stacks.gone).not.toContain("prevent_destroy");
});

it("other stacks keep theirs: the state storage too", () => {
  expect(protectedAddresses(stacks.state).length).toBeGreaterThan(0);
});

it.each(["keep", "gone"])("serving-%s: azurerm recovers a soft-deleted key vault and never purges one on destroy", (name) => {
  expect(JSON.parse(stacks[name]!).provider.azurerm[0].features).toEqual([
    { key_vault: [{ purge_soft_delete_on_destroy: false, recover_soft_deleted_key_vaults: true }] },
  ]);
});

it("workspace.prevent_destroy must be a boolean", () => {
  expect(problemsOf({ "dev.yaml": baseConfig({ workspace: { prevent_destroy: "no" } }) })).toEqual([
    expect.stringMatching(/^dev\.yaml:\d+: workspace\.prevent_destroy: must be true or false \(got "no"\)$/),
  ]);
});

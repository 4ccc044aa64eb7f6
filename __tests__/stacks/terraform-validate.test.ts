import { readFileSync } from "node:fs";
import { join } from "node:path";
import { Testing } from "cdktf";
import { loadEnvironments } from "../../lib/config/load";
import { ServingStack } from "../../lib/stacks/serving-stack";
import { StateStack, stateStacksFrom } from "../../lib/stacks/state-stack";
import { onTerraformData, terraformBinary, validateOffline, type SynthesizedStack } from "../helpers/terraform-offline";

/**
 * Terraform itself reads every synthesized stack of the fixture configs, offline: expressions, functions,
 * depends_on and replace_triggered_by forms, count instance keys. No provider can be downloaded here, so resources
 * are validated as terraform_data (see the helper); this needs a terraform binary on PATH and is skipped without one.
 */
const terraform = terraformBinary();
/** Fixture folders with every kind of resource the app makes: public, keys, private (two ways), bring-your-model, scaling. */
const FIXTURE_DIRS = ["apply-order", "private-network", join("issue-13", "acceptance"), join("issue-23", "acceptance")].map((d) => join(__dirname, "..", "fixtures", d));

function synthFixtures(): SynthesizedStack[] {
  const app = Testing.app();
  const environments = FIXTURE_DIRS.flatMap((configDir) => loadEnvironments({ configDir }));
  for (const props of stateStacksFrom(environments)) new StateStack(app, props);
  for (const environment of environments) new ServingStack(app, environment);
  app.synth();
  return app.node.children.map((stack) => {
    const dir = join(app.outdir, "stacks", stack.node.id);
    return { name: stack.node.id, dir, json: JSON.parse(readFileSync(join(dir, "cdk.tf.json"), "utf8")) };
  });
}

test("the rewrite keeps every reference, pointing at the renamed resource", () => {
  const out = onTerraformData({
    resource: {
      azurerm_x: { a: { name: "n", tags: { t: "${data.azurerm_c.c.object_id}" } } },
      azurerm_y: {
        b: {
          x_id: "${element(split(\"/\", azurerm_x.a.id), 2)}",
          count: "${contains([], lower(azurerm_x.a.name)) ? 0 : 1}",
          depends_on: ["azurerm_x.a"],
          lifecycle: { ignore_changes: ["tags"], replace_triggered_by: ["azurerm_x.a"], create_before_destroy: true },
        },
      },
    },
    data: { azurerm_c: { c: {} } },
    output: { o: { value: "${azurerm_y.b[0].id}", depends_on: ["azurerm_x.a"] } },
  });
  expect(out).toEqual({
    resource: {
      terraform_data: {
        azurerm_x__a: { input: { name: "n", tags: { t: "${terraform_data.data__azurerm_c__c.output.object_id}" } } },
        azurerm_y__b: {
          input: { x_id: '${element(split("/", terraform_data.azurerm_x__a.output.id), 2)}' },
          count: "${contains([], lower(terraform_data.azurerm_x__a.output.name)) ? 0 : 1}",
          depends_on: ["terraform_data.azurerm_x__a"],
          lifecycle: { replace_triggered_by: ["terraform_data.azurerm_x__a"], create_before_destroy: true },
        },
        data__azurerm_c__c: { input: {} },
      },
    },
    output: { o: { value: "${terraform_data.azurerm_y__b.output[0].id}", depends_on: ["terraform_data.azurerm_x__a"] } },
  });
});

(terraform ? describe : describe.skip)("terraform validate, offline", () => {
  const stacks = synthFixtures();
  // One init and one validate for all stacks (each a child module), read by every test below.
  let results: Map<string, string[]> | undefined;
  const diagnostics = (name: string) => (results ??= validateOffline(stacks, terraform!)).get(name);

  test("the fixtures synthesize state stacks and every serving stack", () => {
    const names = stacks.map((s) => s.name);
    expect(names).toEqual(expect.arrayContaining(["serving-full", "serving-keys", "serving-secure", "serving-hub", "serving-byom"]));
    expect(names.filter((n) => n.startsWith("state-")).length).toBeGreaterThanOrEqual(1);
  });

  test.each(stacks.map((s) => [s.name, s] as const))("%s is valid Terraform", (_name, stack) => {
    expect(diagnostics(stack.name)).toEqual([]);
  });

  test("it does catch what cdktf gets wrong: a templated depends_on in an output", () => {
    const [state] = stacks.filter((s) => s.name.startsWith("state-"));
    const broken = structuredClone(state.json);
    const [name] = Object.keys(broken.output);
    broken.output[name].depends_on = [`\${${broken.output[name].depends_on[0]}}`];
    const found = validateOffline([{ ...state, json: broken }], terraform!).get(state.name)!;
    expect(found.join("\n")).toMatch(/single static variable reference is required/);
  });
});

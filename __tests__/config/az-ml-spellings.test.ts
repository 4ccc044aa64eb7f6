import { baseConfig, deployment, problemsOf } from "../helpers/config-dir";

/** Issue 24: a config written with az ml's spellings hears what to write here instead. */
const endpoint = (d: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({ endpoint: { name: "churn-a1", deployments: [d], ...extra } });
const problem = (d: Record<string, unknown>, extra: Record<string, unknown> = {}) => problemsOf({ "dev.yaml": baseConfig(endpoint(d, extra)) }).join("\n");

test("code_configuration says to write code: { path, scoring_script }", () => {
  expect(problem(deployment({ code_configuration: { code: "src", scoring_script: "score.py" } }))).toMatch(
    /endpoint\.deployments\[0\]\.code_configuration: is not a known key; az ml's code_configuration is written code: \{ path, scoring_script \} here/,
  );
});

test("app_insights_enabled says to write app_insights", () => {
  expect(problem(deployment({ app_insights_enabled: true }))).toMatch(/app_insights_enabled: is not a known key; az ml's app_insights_enabled is written app_insights: true or false here/);
});

test("endpoint_name says to list the deployment under its endpoint", () => {
  expect(problem(deployment({ endpoint_name: "churn-a1" }))).toMatch(/endpoint_name: is not a known key; az ml's endpoint_name is not needed here: list the deployment under its endpoint's deployments/);
});

test("$schema says to remove it, and names the import", () => {
  expect(problemsOf({ "dev.yaml": baseConfig({ $schema: "https://azuremlschemas.azureedge.net/latest/managedOnlineEndpoint.schema.json" }) }).join("\n")).toMatch(
    /\$schema: is not a known key; az ml's \$schema is not needed here: remove it \(npm run import/,
  );
});

test("egress_public_network_access: disabled says to write false", () => {
  expect(problem(deployment({ egress_public_network_access: "disabled" }))).toMatch(
    /egress_public_network_access: must be true or false: write egress_public_network_access: false for az ml's disabled \(got "disabled"\)/,
  );
});

test("an endpoint's public_network_access: enabled says to write true", () => {
  expect(problem(deployment(), { public_network_access: "enabled" })).toMatch(/public_network_access: must be true or false: write public_network_access: true for az ml's enabled/);
});

test("auth_mode: AMLToken says to write aml_token", () => {
  expect(problem(deployment(), { auth_mode: "AMLToken" })).toMatch(/auth_mode: must be one of "key", "aml_token", "aad_token": write auth_mode: aml_token for az ml's AMLToken/);
});

test("a batch deployment's compute says that batch runs on compute.name", () => {
  const batch = [{ name: "churn-batch", deployments: [{ name: "nightly", model: "azureml:churn:3", compute: "azureml:cpu-cluster" }] }];
  expect(problemsOf({ "dev.yaml": baseConfig({ batch }) }).join("\n")).toMatch(/batch\[0\]\.deployments\[0\]\.compute: is not a known key; az ml's batch deployment compute is not needed here/);
});

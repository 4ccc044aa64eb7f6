import { baseConfig, loadValid, problemsOf } from "../helpers/config-dir";

// workspace.deployer_principal_ids: who uploads code and models, so that a plan run under another identity
// proposes no new role assignments (issue 20).

test("deployer ids are kept as written, and default to none (whoever runs Terraform)", () => {
  const ids = ["33333333-3333-3333-3333-333333333333", "44444444-4444-4444-4444-444444444444"];
  const [named] = loadValid({ "dev.yaml": baseConfig({ workspace: { deployer_principal_ids: ids } }) });
  expect(named.config.workspace.deployer_principal_ids).toEqual(ids);
  const [unnamed] = loadValid({ "dev.yaml": baseConfig() });
  expect(unnamed.config.workspace.deployer_principal_ids).toEqual([]);
});

test("a deployer id that is not an object id is refused with its file, line and value", () => {
  expect(problemsOf({ "dev.yaml": baseConfig({ workspace: { deployer_principal_ids: ["ci-bot"] } }) })).toEqual([
    expect.stringMatching(/^dev\.yaml:\d+: workspace\.deployer_principal_ids\[0\]: must be a UUID like 00000000-0000-0000-0000-000000000000 \(got "ci-bot"\)$/),
  ]);
});

test("at most 20 deployers", () => {
  const ids = Array.from({ length: 21 }, (_, i) => `00000000-0000-0000-0000-${String(i).padStart(12, "0")}`);
  expect(problemsOf({ "dev.yaml": baseConfig({ workspace: { deployer_principal_ids: ids } }) })).toEqual([
    expect.stringMatching(/workspace\.deployer_principal_ids: must have at most 20 items/),
  ]);
});

import { baseConfig, deployment, loadValid, problemsOf } from "../helpers/config-dir";

// Many endpoints per environment, and an existing workspace (issue 22): the config shapes and what they refuse.

const EXISTING = "/subscriptions/00000000-0000-0000-0000-0000000000ab/resourceGroups/rg-ml/providers/Microsoft.MachineLearningServices/workspaces/mlw-shared";

const endpointNamed = (name: string, deployments = [deployment()]) => ({ name, deployments });

describe("endpoints: a list of endpoints", () => {
  test("each endpoint keeps its place in the file; only the endpoint of the one-endpoint form keeps its addresses", () => {
    const [listed] = loadValid({ "dev.yaml": baseConfig({ endpoints: [endpointNamed("churn-a1"), { ...endpointNamed("churn-b2"), moved_from_endpoint: true }] }) });
    expect(listed.config.endpoints.map((e) => [e.name, e.at, e.keeps_single_form_addresses])).toEqual([
      ["churn-a1", ["endpoints", 0], false],
      ["churn-b2", ["endpoints", 1], true],
    ]);
    const [single] = loadValid({ "dev.yaml": baseConfig({ endpoint: endpointNamed("churn-a1") }) });
    expect(single.config.endpoints.map((e) => [e.name, e.at, e.keeps_single_form_addresses])).toEqual([["churn-a1", ["endpoint"], true]]);
  });

  test("network defaults reach every endpoint and deployment", () => {
    const [env] = loadValid({
      "dev.yaml": baseConfig({
        network: { isolation: "private", client_subnet: { address_space: "10.40.0.0/24" } },
        endpoints: [endpointNamed("churn-a1"), endpointNamed("churn-b2")],
      }),
    });
    for (const e of env.config.endpoints) {
      expect(e.public_network_access).toBe(false);
      expect(e.deployments[0].egress_public_network_access).toBe(false);
    }
  });

  test("both endpoint and endpoints is refused, saying how to move on", () => {
    expect(problemsOf({ "dev.yaml": baseConfig({ endpoint: endpointNamed("churn-a1"), endpoints: [endpointNamed("churn-b2")] }) })).toEqual([
      expect.stringMatching(
        /^dev\.yaml:\d+: endpoints: must not be given together with endpoint: list every endpoint under endpoints \(the one from endpoint with moved_from_endpoint: true, which keeps its Terraform addresses\), or keep endpoint alone$/,
      ),
    ]);
  });

  test("two endpoints of one name are refused at the second, naming the first", () => {
    expect(problemsOf({ "dev.yaml": baseConfig({ endpoints: [endpointNamed("churn-a1"), endpointNamed("Churn-A1")] }) })).toEqual([
      expect.stringMatching(
        /^dev\.yaml:\d+: endpoints\[1\]\.name: must be unique in the environment: endpoints\[0\] has it too, and both would be <name>\.westeurope\.inference\.ml\.azure\.com \(got "Churn-A1"\)$/,
      ),
    ]);
  });

  test("an endpoint and a batch endpoint of one name are refused too", () => {
    const batch = [{ name: "churn-a1", deployments: [{ ...deployment(), traffic: undefined, instance_type: undefined }] }];
    expect(problemsOf({ "dev.yaml": baseConfig({ endpoints: [endpointNamed("churn-a1")], batch: JSON.parse(JSON.stringify(batch)) }) })).toEqual([
      expect.stringMatching(/^dev\.yaml:\d+: batch\[0\]\.name: must be unique in the environment: endpoints\[0\] has it too/),
    ]);
  });

  test("every rule of one endpoint holds per endpoint: a traffic sum off in the second endpoint names endpoints[1]", () => {
    const second = endpointNamed("churn-b2", [deployment({ traffic: 60 }), deployment({ name: "green", traffic: 30 })]);
    expect(problemsOf({ "dev.yaml": baseConfig({ endpoints: [endpointNamed("churn-a1"), second] }) })).toEqual([
      expect.stringMatching(/^dev\.yaml:\d+: endpoints\[1\]\.deployments: traffic must add up to 100 across deployments, or be 0 for all \(got blue=60, green=30, total 90\)$/),
    ]);
  });

  test("deployment names repeat freely across endpoints, not within one", () => {
    expect(loadValid({ "dev.yaml": baseConfig({ endpoints: [endpointNamed("churn-a1"), endpointNamed("churn-b2")] }) })[0].config.endpoints).toHaveLength(2);
    const twice = endpointNamed("churn-b2", [deployment({ traffic: 50 }), deployment({ traffic: 50 })]);
    expect(problemsOf({ "dev.yaml": baseConfig({ endpoints: [endpointNamed("churn-a1"), twice] }) })).toEqual([
      expect.stringMatching(/^dev\.yaml:\d+: endpoints\[1\]\.deployments\[1\]\.name: must be unique/),
    ]);
  });

  test("moved_from_endpoint on two endpoints is refused at the second", () => {
    const moved = (name: string) => ({ ...endpointNamed(name), moved_from_endpoint: true });
    expect(problemsOf({ "dev.yaml": baseConfig({ endpoints: [moved("churn-a1"), moved("churn-b2")] }) })).toEqual([
      expect.stringMatching(/^dev\.yaml:\d+: endpoints\[1\]\.moved_from_endpoint: must be true on one endpoint at most: endpoints\[0\] already keeps the addresses of endpoint \(got true\)$/),
    ]);
  });

  test("moved_from_endpoint belongs to the list form only", () => {
    expect(problemsOf({ "dev.yaml": baseConfig({ endpoint: { ...endpointNamed("churn-a1"), moved_from_endpoint: true } }) })).toEqual([
      expect.stringMatching(/^dev\.yaml:\d+: endpoint\.moved_from_endpoint: is not a known key/),
    ]);
  });

  test("a private environment refuses public access on any listed endpoint", () => {
    const open = { ...endpointNamed("churn-b2"), public_network_access: true };
    expect(
      problemsOf({
        "dev.yaml": baseConfig({ network: { isolation: "private", client_subnet: { address_space: "10.40.0.0/24" } }, endpoints: [endpointNamed("churn-a1"), open] }),
      }),
    ).toEqual([expect.stringMatching(/^dev\.yaml:\d+: endpoints\[1\]\.public_network_access: must be false \(or left out\) when network\.isolation is private/)]);
  });

  test("endpoint names are regional: two files may not share one, in either form", () => {
    const problems = problemsOf({
      "dev.yaml": baseConfig({ endpoints: [endpointNamed("churn-a1")] }),
      "qa.yaml": baseConfig({ state: { resource_group: "rg-tfstate", storage_account: "sttfstate02" }, endpoint: endpointNamed("churn-a1") }),
    });
    expect(problems).toEqual([expect.stringMatching(/^qa\.yaml: endpoint\.name: must be unique in westeurope: dev\.yaml uses it too/)]);
  });
});

describe("workspace.existing_id: deploying into an existing workspace", () => {
  const existing = (overrides: Record<string, unknown> = {}) => {
    const { compute: _compute, ...base } = baseConfig();
    return { ...base, workspace: { existing_id: EXISTING }, endpoints: [endpointNamed("churn-a1")], ...overrides };
  };

  test("needs no compute, and defaults nothing a created workspace would have", () => {
    const [env] = loadValid({ "dev.yaml": existing() });
    expect(env.config.compute).toBeUndefined();
    expect(env.config.workspace.existing_id).toBe(EXISTING);
  });

  test("an existing cluster is named, and nothing else of it is given", () => {
    const [env] = loadValid({ "dev.yaml": existing({ compute: { name: "gpu-pool", existing: true } }) });
    expect(env.config.compute).toEqual({ existing: true, name: "gpu-pool" });
    expect(problemsOf({ "dev.yaml": existing({ compute: { name: "gpu-pool", existing: true, vm_size: "STANDARD_NC6", max_nodes: 2 } }) })).toEqual([
      expect.stringMatching(/compute\.vm_size: must be left out with compute\.existing: the cluster exists with its own settings \(got "STANDARD_NC6"\)$/),
      expect.stringMatching(/compute\.max_nodes: must be left out with compute\.existing: the cluster exists with its own settings \(got 2\)$/),
    ]);
  });

  test("settings of a workspace this stack would create are refused, each naming its field", () => {
    const problems = problemsOf({
      "dev.yaml": existing({
        workspace: { existing_id: EXISTING, description: "x", storage_shared_key_access: true, public_network_access: false },
        monitoring: { log_retention_days: 60 },
        network: { isolation: "private", client_subnet: { address_space: "10.40.0.0/24" } },
      }),
    });
    expect(problems).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/workspace\.public_network_access: must be left out with workspace\.existing_id/),
        expect.stringMatching(/workspace\.description: must be left out with workspace\.existing_id/),
        expect.stringMatching(/workspace\.storage_shared_key_access: must be left out with workspace\.existing_id/),
        expect.stringMatching(/monitoring\.log_retention_days: must be left out with workspace\.existing_id/),
        expect.stringMatching(/^dev\.yaml:\d+: network\.isolation: must be left out with workspace\.existing_id: the existing workspace's network isolation is its own, and not checked here \(got "private"\)$/),
        expect.stringMatching(/network\.client_subnet: must be left out with workspace\.existing_id/),
      ]),
    );
  });

  test("batch endpoints need a cluster, even in an existing workspace", () => {
    const batch = [{ name: "churn-batch1", deployments: [{ name: "nightly", model: "azureml:churn:3", environment: "azureml:env:1", code: { path: "src", scoring_script: "batch_score.py" } }] }];
    expect(problemsOf({ "dev.yaml": existing({ batch }) })).toEqual([
      expect.stringMatching(/^dev\.yaml:\d+: compute: is required with batch endpoints: their jobs run on it \(set compute\.existing: true to use a cluster the workspace has\)$/),
    ]);
  });

  test("compute.existing without an existing workspace is refused", () => {
    expect(problemsOf({ "dev.yaml": baseConfig({ compute: { name: "cpu", existing: true } }) })).toEqual([
      expect.stringMatching(/compute\.existing: must be left out unless workspace\.existing_id is set: a cluster can exist already only in an existing workspace \(got true\)$/),
    ]);
  });

  test("a cluster created here needs its size and maximum", () => {
    expect(problemsOf({ "dev.yaml": baseConfig({ compute: { name: "cpu" } }) })).toEqual([
      expect.stringMatching(/^dev\.yaml:\d+: compute\.vm_size: is required$/),
      expect.stringMatching(/^dev\.yaml:\d+: compute\.max_nodes: is required$/),
    ]);
  });

  test("an id that is not a workspace's is refused", () => {
    expect(problemsOf({ "dev.yaml": existing({ workspace: { existing_id: "/subscriptions/x/resourceGroups/rg/providers/Microsoft.Storage/storageAccounts/st" } }) })).toEqual([
      expect.stringMatching(/workspace\.existing_id: must be a workspace id: \/subscriptions\/<subscription id>\/resourceGroups\/<group>\/providers\/Microsoft\.MachineLearningServices\/workspaces\/<name>/),
    ]);
  });

  test("a datastore model path is no warning there: the datastore exists before the apply", () => {
    const model = { name: "churn", version: "3", path: "azureml://datastores/workspaceblobstore/paths/models/churn/3/", type: "custom_model" };
    const [env] = loadValid({ "dev.yaml": existing({ endpoints: [endpointNamed("churn-a1", [deployment({ model })])] }) });
    expect(env.warnings.filter((w) => w.id === "model-path-not-yet-there")).toEqual([]);
    const [created] = loadValid({ "dev.yaml": baseConfig({ endpoints: [endpointNamed("churn-a1", [deployment({ model })])] }) });
    expect(created.warnings.map((w) => w.id)).toContain("model-path-not-yet-there");
  });
});

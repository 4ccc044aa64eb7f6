import { baseConfig, deployment, problemsOf } from "../helpers/config-dir";

/** The problems, without the "dev.yaml:<line>: " prefix. */
function rules(files: Record<string, string | object>): string[] {
  return problemsOf(files).map((line) => line.replace(/^dev\.yaml(:\d+)?: /, ""));
}

const badDuration = { name: "cpu-cluster", vm_size: "STANDARD_D2_V2", max_nodes: 4, idle_time_before_scale_down: "2 minutes" };
const badTraffic = [deployment({ traffic: 60 }), deployment({ name: "green", traffic: 30 })];
const TRAFFIC = "traffic must add up to 100 across deployments, or be 0 for all (got blue=60, green=30, total 90)";

describe("cross-field rules run on the sections that parsed", () => {
  test("a duration error in compute and a traffic sum error in the endpoint are both reported, each on its line", () => {
    const lines = problemsOf({ "dev.yaml": baseConfig({ compute: badDuration, endpoint: { name: "churn-dev", deployments: badTraffic } }) });
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(/^dev\.yaml:\d+: compute\.idle_time_before_scale_down: /);
    expect(lines[1]).toMatch(new RegExp(`^dev\\.yaml:\\d+: endpoint\\.deployments: ${TRAFFIC.replace(/[()]/g, "\\$&")}$`));
  });

  test("listed endpoints: only the endpoint that parsed gets its traffic checked", () => {
    const lines = rules({
      "dev.yaml": baseConfig({
        compute: badDuration,
        endpoints: [
          { name: "churn-a", deployments: badTraffic },
          // Its own shape error: its traffic (also wrong) waits, so no problem is reported twice or on a guess.
          { name: "churn-b", auth_mode: "token", deployments: badTraffic },
        ],
      }),
    });
    expect(lines.filter((l) => l.includes("traffic must add up"))).toEqual([`endpoints[0].deployments: ${TRAFFIC}`]);
    expect(lines.some((l) => l.startsWith("endpoints[1].auth_mode: "))).toBe(true);
  });

  test("a missing local file in a clean endpoint is reported with a shape error elsewhere", () => {
    const lines = rules({
      "dev.yaml": baseConfig({ compute: badDuration, endpoint: { name: "churn-dev", deployments: [deployment({ code: { path: "nowhere", scoring_script: "score.py" } })] } }),
    });
    expect(lines.filter((l) => l.startsWith("endpoint.deployments[0].code.path: must name an existing folder"))).toHaveLength(1);
  });

  test("batch: a missing code folder is reported beside a shape error elsewhere", () => {
    const nightly = { name: "nightly", model: "azureml:churn:3", environment: "azureml:env:1", code: { path: "nowhere", scoring_script: "batch_score.py" } };
    const lines = rules({ "dev.yaml": baseConfig({ compute: badDuration, batch: [{ name: "churn-batch", deployments: [nightly] }] }) });
    expect(lines.filter((l) => l.startsWith("batch[0].deployments[0].code.path: must name an existing folder"))).toHaveLength(1);
  });

  test("no rule runs on a section that has a problem of its own, so a root problem is not reported twice", () => {
    const lines = rules({ "dev.yaml": baseConfig({ endpoint: { name: "churn-dev", auth_mode: "token", deployments: badTraffic } }) });
    expect(lines).toEqual(['endpoint.auth_mode: must be one of "key", "aml_token", "aad_token" (got "token")']);
  });
});

describe("the root problem, once", () => {
  const yaml = (body: string) => ({ "dev.yaml": `project: churn\nlocation: westeurope\nstate:\n  resource_group: rg\n  storage_account: sttfstate01\n${body}` });

  test("tabs that indent give one line, at the first tab, naming every line a tab indents", () => {
    const lines = problemsOf(yaml("endpoint:\n  name: churn-dev\n  deployments:\n    - name: blue\n\t  traffic: 100\n\t  instance_count: 1\n"));
    expect(lines).toEqual(["dev.yaml:10: is not valid YAML: a tab indents this line; YAML indents with spaces only (tabs also indent line 11)"]);
  });

  test("one tab alone names no other line", () => {
    expect(problemsOf(yaml("compute:\n\tname: cpu-cluster\n"))).toEqual(["dev.yaml:7: is not valid YAML: a tab indents this line; YAML indents with spaces only"]);
  });

  test("a tab inside a value is not indentation", () => {
    expect(problemsOf(yaml("compute:\n  name: cpu-cluster\n  vm_size: STANDARD_D2_V2\n  max_nodes: 4\nendpoint:\n  name: churn-dev\n  description: \"a\tb\"\n  deployments: []\n"))).toEqual([
      "dev.yaml:13: endpoint.deployments: must have at least 1 item (got an empty list)",
    ]);
  });

  test("a missing conda file is reported once, without a false 'version must change' on the sibling deployment", () => {
    const typo = deployment({ name: "green", traffic: 0, environment: { name: "churn-env", version: "1", image: "mcr.microsoft.com/azureml/openmpi4.1.0-ubuntu22.04:latest", conda_file: "envs/chrun.yml" } });
    const lines = rules({ "dev.yaml": baseConfig({ endpoint: { name: "churn-dev", deployments: [deployment(), typo] } }) });
    expect(lines).toEqual([expect.stringMatching(/^endpoint\.deployments\[1\]\.environment\.conda_file: must name an existing file /)]);
  });

  test("a missing local model is reported once, without a false 'version must change' on the sibling deployment", () => {
    const model = (path: string) => ({ name: "churn", version: "3", path, type: "custom_model" });
    const lines = rules({
      "dev.yaml": baseConfig({ endpoint: { name: "churn-dev", deployments: [deployment({ model: model("models/churn") }), deployment({ name: "green", traffic: 0, model: model("models/chrun") })] } }),
      "models/churn/model.pkl": "bytes",
    });
    expect(lines).toEqual([expect.stringMatching(/^endpoint\.deployments\[1\]\.model\.path: must name an existing local file or folder /)]);
  });
});

describe("messages that say what to write", () => {
  test("a region's display name or a typo gets the region name meant", () => {
    expect(rules({ "dev.yaml": baseConfig({ location: "West Europe" }) })).toEqual([
      'location: must be an Azure region name (did you mean westeurope?) (see `az account list-locations -o table`) (got "West Europe")',
    ]);
    expect(rules({ "dev.yaml": baseConfig({ location: "mars" }) })).toEqual([
      'location: must be an Azure region name such as westeurope (see `az account list-locations -o table`) (got "mars")',
    ]);
  });

  test("a misspelt waiver id gets the id meant; one far from any gets the list", () => {
    expect(rules({ "dev.yaml": baseConfig({ waivers: [{ rule: "endpoint-key-auht", reason: "legacy client" }] }) })).toEqual([
      'waivers[0].rule: must be a rule id; did you mean endpoint-key-auth? (got "endpoint-key-auht")',
    ]);
    const [far] = rules({ "dev.yaml": baseConfig({ waivers: [{ rule: "zzz", reason: "legacy client" }] }) });
    expect(far).toMatch(/^waivers\[0\]\.rule: must be one of "endpoint-key-auth", .*"rollout-egress-changed" \(got "zzz"\)$/);
  });

  test("a missing state says what state needs", () => {
    const { state: _state, ...withoutState } = baseConfig();
    expect(rules({ "dev.yaml": withoutState })).toEqual(["state: is required: a mapping with at least resource_group and storage_account"]);
  });

  test("a missing scalar stays 'is required'", () => {
    const { project: _project, ...withoutProject } = baseConfig();
    expect(rules({ "dev.yaml": withoutProject })).toEqual(["project: is required"]);
  });
});

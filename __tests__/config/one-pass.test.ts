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

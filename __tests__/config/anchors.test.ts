/**
 * The regex anchors of the schema and the network rules. They are module-level constants, so Stryker reports their
 * mutants as static and leaves them out of the score; each anchor gets an input here that only it refuses: a valid
 * value with a bad character before it (for `^`) or after it (for `$`).
 */
import { baseConfig, deployment, problemsOf } from "../helpers/config-dir";

/** The problems of one dev.yaml, without the "dev.yaml:<line>: " prefix. */
function rules(config: Record<string, unknown>): string[] {
  return problemsOf({ "dev.yaml": config }).map((line) => line.replace(/^dev\.yaml(:\d+)?: /, ""));
}

const base = baseConfig();
const state = base.state as Record<string, unknown>;
const compute = base.compute as Record<string, unknown>;
const endpoint = (overrides: Record<string, unknown> = {}, deploymentOverrides: Record<string, unknown> = {}) => ({
  endpoint: { name: "churn-dev", deployments: [deployment({ instance_count: 3, ...deploymentOverrides })], ...overrides },
});

/** [field, a config with a bad value there]: each value is valid but for one character at one end. */
const cases: [string, string, Record<string, unknown>][] = [];
const both = (field: string, valid: string, bad: string, config: (value: string) => Record<string, unknown>) => {
  cases.push([field, `${bad}${valid}`, config(`${bad}${valid}`)], [field, `${valid}${bad}`, config(`${valid}${bad}`)]);
};
both("project", "churn", "-", (v) => baseConfig({ project: v }));
both("subscription_id", "00000000-0000-0000-0000-000000000000", "x", (v) => baseConfig({ subscription_id: v }));
both("state.resource_group", "rg-tfstate", "/", (v) => baseConfig({ state: { ...state, resource_group: v } }));
both("state.storage_account", "sttfstate01", "-", (v) => baseConfig({ state: { ...state, storage_account: v } }));
both("state.container", "tfstate", "_", (v) => baseConfig({ state: { ...state, container: v } }));
both("compute.name", "cpu-cluster", "_", (v) => baseConfig({ compute: { ...compute, name: v } }));
both("compute.vm_size", "STANDARD_D2_V2", "-", (v) => baseConfig({ compute: { ...compute, vm_size: v } }));
both("endpoint.name", "churn-dev", "_", (v) => baseConfig(endpoint({ name: v })));
both("endpoint.deployments[0].instance_type", "Standard_DS3_v2", "-", (v) => baseConfig(endpoint({}, { instance_type: v })));
both("endpoint.deployments[0].model_mount_path", "/models", " ", (v) => baseConfig(endpoint({}, { model_mount_path: v })));
both("deploy.environment", "prod", "/", (v) => baseConfig({ deploy: { environment: v } }));
both("network.allowed_fqdns[0]", "pypi.org", "_", (v) => baseConfig({ network: { isolation: "private", client_subnet: { address_space: "10.40.0.0/24" }, allowed_fqdns: [v] } }));

describe("each anchor refuses a value that is valid but for one character at its end", () => {
  test.each(cases)("%s: %j", (field, _value, config) => {
    expect(rules(config).filter((line) => line.startsWith(`${field}: must `))).toHaveLength(1);
  });
});

describe("environment names (file names)", () => {
  test.each(["-dev", "dev-"])("%s.yaml is refused", (name) => {
    expect(problemsOf({ [`${name}.yaml`]: baseConfig() })).toContainEqual(expect.stringMatching(new RegExp(`^${name}\\.yaml: file name must be <env>\\.yaml`)));
  });
});

describe("the network rules read only well-formed ranges", () => {
  // Host bits set, so a range that slipped past the rules' own anchors would also get "must start at its network
  // address", computed from the junk around it (NaN.NaN.NaN.NaN/24).
  const privateNetwork = (network: Record<string, unknown>) => baseConfig({ network: { isolation: "private", ...network } });

  test.each(["x10.40.0.1/24", "10.40.0.1/24x"])("client_subnet.address_space %s gets the schema's one problem", (space) => {
    const lines = rules(privateNetwork({ client_subnet: { address_space: space } })).filter((l) => l.startsWith("network.client_subnet"));
    expect(lines).toEqual([expect.stringMatching(/^network\.client_subnet\.address_space: must be an IPv4 range in CIDR form/)]);
  });

  test.each(["x203.0.113.1/24", "203.0.113.1/24x"])("deployer_ip_ranges[0] %s gets the schema's one problem", (range) => {
    const lines = rules(privateNetwork({ client_subnet: { address_space: "10.40.0.0/24" }, deployer_ip_ranges: [range] })).filter((l) => l.startsWith("network.deployer_ip_ranges"));
    expect(lines).toEqual([expect.stringMatching(/^network\.deployer_ip_ranges\[0\]: must be a public IPv4 address or a CIDR range/)]);
  });

  test("address_space given as a list is a shape problem, not a crash", () => {
    // The rules' `typeof space === "string"` guard: a list would reach the address arithmetic (a TypeError).
    expect(rules(privateNetwork({ client_subnet: { address_space: ["10.40.0.1/24"] } }))).toEqual([
      'network.client_subnet.address_space: must be a string (got a list of 1)',
    ]);
  });
});

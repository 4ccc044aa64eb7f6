import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { baseConfig, configDir, deployment, loadValid, problemsOf } from "../helpers/config-dir";

/** The network block contract: mode-dependent defaults, and every contradiction reported with file, line and field. */

const SUBNET_ID = "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-net/providers/Microsoft.Network/virtualNetworks/vnet-hub/subnets/snet-ml";

/** A private network block; tests override parts of it. */
function privateNetwork(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return { isolation: "private", client_subnet: { address_space: "10.40.0.0/24" }, ...overrides };
}

/** A config with an endpoint of one deployment and the given network block. */
function withNetwork(network: Record<string, unknown> | undefined, extra: Record<string, unknown> = {}) {
  return {
    "dev.yaml": baseConfig({
      endpoint: { name: "churn-dev", deployments: [deployment({ instance_count: 3 })] },
      ...(network && { network }),
      ...extra,
    }),
  };
}

/** The problems, without the "dev.yaml:<line>: " prefix. */
function rules(files: Record<string, string | object>): string[] {
  return problemsOf(files).map((line) => line.replace(/^dev\.yaml(:\d+)?: /, ""));
}

describe("defaults follow network.isolation", () => {
  test("without a network block the environment is public, exactly as before", () => {
    const [env] = loadValid(withNetwork(undefined));
    expect(env.config.network).toEqual({ isolation: "public", outbound: undefined, allowed_fqdns: [], deployer_ip_ranges: [] });
    expect(env.config.workspace.public_network_access).toBe(true);
    expect(env.config.endpoints[0].public_network_access).toBe(true);
    expect(env.config.endpoints[0].deployments[0].egress_public_network_access).toBe(true);
  });

  test("private: public access and egress default to false, outbound to approved_only", () => {
    const [env] = loadValid(withNetwork(privateNetwork({ allowed_fqdns: ["pypi.org"], deployer_ip_ranges: ["203.0.113.0/24"] })));
    expect(env.config.network).toEqual({
      isolation: "private",
      outbound: "approved_only",
      allowed_fqdns: ["pypi.org"],
      client_subnet: { address_space: "10.40.0.0/24" },
      deployer_ip_ranges: ["203.0.113.0/24"],
    });
    expect(env.config.workspace.public_network_access).toBe(false);
    expect(env.config.endpoints[0].public_network_access).toBe(false);
    expect(env.config.endpoints[0].deployments[0].egress_public_network_access).toBe(false);
  });

  test("private: explicit false is accepted, and so is a deployment that asks for public egress (the guardrail warns)", () => {
    const [env] = loadValid(
      withNetwork(privateNetwork({ outbound: "internet", client_subnet: { id: SUBNET_ID } }), {
        workspace: { public_network_access: false },
        endpoint: { name: "churn-dev", public_network_access: false, deployments: [deployment({ instance_count: 3, egress_public_network_access: true })] },
      }),
    );
    expect(env.config.network.outbound).toBe("internet");
    expect(env.config.network.client_subnet).toEqual({ id: SUBNET_ID });
    expect(env.config.endpoints[0].deployments[0].egress_public_network_access).toBe(true);
  });

  test("public: explicit values are kept", () => {
    const [env] = loadValid(withNetwork({ isolation: "public" }, { workspace: { public_network_access: false } }));
    expect(env.config.workspace.public_network_access).toBe(false);
    expect(env.config.endpoints[0].public_network_access).toBe(true);
  });
});

describe("contradictions name file, line and field", () => {
  test("public access switched on in a private environment", () => {
    const yaml = [
      "project: churn",
      "location: westeurope",
      "state: { resource_group: rg-tfstate, storage_account: sttfstate01 }",
      "compute: { name: cpu-cluster, vm_size: STANDARD_D2_V2, max_nodes: 4 }",
      "workspace:",
      "  public_network_access: true",
      "network:",
      "  isolation: private",
      "  client_subnet: { address_space: 10.40.0.0/24 }",
      "endpoint:",
      "  name: churn-dev",
      "  public_network_access: true",
      "  deployments:",
      "    - name: blue",
      "      model: { name: churn, version: '3', path: azureml://datastores/workspaceblobstore/paths/m/, type: mlflow_model }",
      "      instance_type: Standard_DS3_v2",
      "      traffic: 100",
      "",
    ].join("\n");
    expect(problemsOf({ "dev.yaml": yaml })).toEqual([
      "dev.yaml:6: workspace.public_network_access: must be false (or left out) when network.isolation is private: the workspace is then reached through its private endpoint only (got true)",
      "dev.yaml:12: endpoint.public_network_access: must be false (or left out) when network.isolation is private: callers reach the endpoint through the workspace's private endpoint (got true)",
    ]);
  });

  test("private needs exactly one client subnet", () => {
    expect(rules(withNetwork({ isolation: "private" }))).toEqual([
      "network.client_subnet: is required when network.isolation is private: give address_space (a new VNet) or id (an existing subnet) for the private endpoints",
    ]);
    expect(rules(withNetwork(privateNetwork({ client_subnet: {} })))).toEqual([
      "network.client_subnet: must have exactly one of address_space (create a VNet and subnet) or id (use an existing subnet)",
    ]);
    expect(rules(withNetwork(privateNetwork({ client_subnet: { address_space: "10.40.0.0/24", id: SUBNET_ID } })))).toEqual([
      "network.client_subnet: must have exactly one of address_space (create a VNet and subnet) or id (use an existing subnet)",
    ]);
  });

  test("private-only fields in a public environment", () => {
    expect(
      rules(
        withNetwork({
          outbound: "approved_only",
          allowed_fqdns: ["pypi.org"],
          client_subnet: { address_space: "10.40.0.0/24" },
          deployer_ip_ranges: ["203.0.113.0/24"],
        }),
      ),
    ).toEqual([
      'network.outbound: must not be set unless network.isolation is private (got "approved_only")',
      "network.allowed_fqdns: must not be set unless network.isolation is private (got a list of 1)",
      "network.client_subnet: must not be set unless network.isolation is private (got a mapping)",
      "network.deployer_ip_ranges: must not be set unless network.isolation is private (got a list of 1)",
    ]);
  });

  test("allowed FQDNs only with approved_only outbound", () => {
    expect(rules(withNetwork(privateNetwork({ outbound: "internet", allowed_fqdns: ["pypi.org"] })))).toEqual([
      "network.allowed_fqdns: must be left out unless network.outbound is approved_only: with internet outbound every host is reachable already (got a list of 1)",
    ]);
  });
});

describe("values", () => {
  test("closed sets", () => {
    expect(rules(withNetwork({ isolation: "vnet", outbound: "none" }))).toEqual([
      'network.isolation: must be one of "public", "private" (got "vnet")',
      'network.outbound: must be one of "approved_only", "internet" (got "none")',
    ]);
  });

  test("host names: lower case, optionally a *. wildcard, no scheme or path; no repeats", () => {
    expect(rules(withNetwork(privateNetwork({ allowed_fqdns: ["PyPI.org", "https://pypi.org", "pypi.org/simple", "*.anaconda.org", "pypi"] })))).toEqual([
      'network.allowed_fqdns[0]: must be a lower-case host name such as pypi.org, optionally starting with *. for its subdomains (got "PyPI.org")',
      'network.allowed_fqdns[1]: must be a lower-case host name such as pypi.org, optionally starting with *. for its subdomains (got "https://pypi.org")',
      'network.allowed_fqdns[2]: must be a lower-case host name such as pypi.org, optionally starting with *. for its subdomains (got "pypi.org/simple")',
      'network.allowed_fqdns[4]: must be a lower-case host name such as pypi.org, optionally starting with *. for its subdomains (got "pypi")',
    ]);
    expect(rules(withNetwork(privateNetwork({ allowed_fqdns: ["pypi.org", "conda.anaconda.org", "pypi.org"] })))).toEqual([
      'network.allowed_fqdns[2]: must not repeat network.allowed_fqdns[0] (got "pypi.org")',
    ]);
  });

  test("client subnet: a CIDR from /8 to /27 at its network address, or a subnet id", () => {
    expect(rules(withNetwork(privateNetwork({ client_subnet: { address_space: "10.40.0.0/28" } })))).toEqual([
      'network.client_subnet.address_space: must be an IPv4 range in CIDR form from /8 to /27, such as 10.40.0.0/24 (private endpoints need about a dozen addresses) (got "10.40.0.0/28")',
    ]);
    expect(rules(withNetwork(privateNetwork({ client_subnet: { address_space: "10.40.0.5/24" } })))).toEqual([
      'network.client_subnet.address_space: must start at its network address (10.40.0.0/24) (got "10.40.0.5/24")',
    ]);
    expect(rules(withNetwork(privateNetwork({ client_subnet: { id: "vnet-hub/snet-ml" } })))).toEqual([
      'network.client_subnet.id: must be a subnet id: /subscriptions/<id>/resourceGroups/<rg>/providers/Microsoft.Network/virtualNetworks/<vnet>/subnets/<subnet> (got "vnet-hub/snet-ml")',
    ]);
  });

  test("deployer ranges: public IPv4 addresses or ranges up to /30, at their network address, no repeats", () => {
    // Shape problems and the rules between values come together.
    expect(
      rules(withNetwork(privateNetwork({ deployer_ip_ranges: ["203.0.113.0/24", "198.51.100.7", "203.0.113.7/32", "198.51.100.7", "2001:db8::/32", "0.0.0.0/0"] }))),
    ).toEqual([
      'network.deployer_ip_ranges[2]: must be a public IPv4 address or a CIDR range from /8 to /30 such as 203.0.113.0/24 (write /31 and /32 as a bare address, as the storage firewall requires) (got "203.0.113.7/32")',
      'network.deployer_ip_ranges[3]: must not repeat network.deployer_ip_ranges[1] (got "198.51.100.7")',
      'network.deployer_ip_ranges[4]: must be a public IPv4 address or a CIDR range from /8 to /30 such as 203.0.113.0/24 (write /31 and /32 as a bare address, as the storage firewall requires) (got "2001:db8::/32")',
      'network.deployer_ip_ranges[5]: must be a public IPv4 address or a CIDR range from /8 to /30 such as 203.0.113.0/24 (write /31 and /32 as a bare address, as the storage firewall requires) (got "0.0.0.0/0")',
    ]);
    expect(rules(withNetwork(privateNetwork({ deployer_ip_ranges: ["203.0.113.0/24", "10.1.0.0/16", "192.168.1.1", "198.51.100.5/24", "203.0.113.0/24"] })))).toEqual([
      'network.deployer_ip_ranges[1]: must be a public address range: the storage firewall ignores private (RFC 1918) addresses; reach storage from inside the VNet instead (got "10.1.0.0/16")',
      'network.deployer_ip_ranges[2]: must be a public address range: the storage firewall ignores private (RFC 1918) addresses; reach storage from inside the VNet instead (got "192.168.1.1")',
      'network.deployer_ip_ranges[3]: must start at its network address (198.51.100.0/24) (got "198.51.100.5/24")',
      'network.deployer_ip_ranges[4]: must not repeat network.deployer_ip_ranges[0] (got "203.0.113.0/24")',
    ]);
  });

  test("a misspelt key gets a hint", () => {
    expect(rules(withNetwork(privateNetwork({ allowed_fqdn: ["pypi.org"] })))).toEqual([
      "network.allowed_fqdn: is not a known key; did you mean allowed_fqdns?",
    ]);
  });

  test("a contradiction comes together with unrelated problems elsewhere in the file", () => {
    expect(rules(withNetwork(privateNetwork(), { workspace: { public_network_access: true }, compute: { name: "c", vm_size: "STANDARD_D2_V2", max_nodes: 4 } }))).toEqual([
      'compute.name: must be 3-24 letters, digits or hyphens, starting with a letter, ending with a letter or digit, and not ending in -<digits> (got "c")',
      "workspace.public_network_access: must be false (or left out) when network.isolation is private: the workspace is then reached through its private endpoint only (got true)",
    ]);
  });

  test("every problem of every file at once", () => {
    const problems = problemsOf({
      ...withNetwork(privateNetwork({ outbound: "internet", allowed_fqdns: ["pypi.org"], client_subnet: {} }), { workspace: { public_network_access: true } }),
      "prod.yaml": baseConfig({ network: { isolation: "public", deployer_ip_ranges: ["203.0.113.0/24"] } }),
    });
    // In file order, then line order.
    expect(problems).toEqual([
      expect.stringMatching(/^dev\.yaml:\d+: network\.client_subnet: must have exactly one of/),
      expect.stringMatching(/^dev\.yaml:\d+: network\.allowed_fqdns: must be left out unless network\.outbound is approved_only/),
      expect.stringMatching(/^dev\.yaml:\d+: workspace\.public_network_access: must be false/),
      expect.stringMatching(/^prod\.yaml:\d+: network\.deployer_ip_ranges: must not be set unless network\.isolation is private/),
    ]);
  });
});

test("the app rejects a contradictory network config: exit 1, the field on stderr, nothing written", () => {
  const outdir = join(mkdtempSync(join(tmpdir(), "app-out-")), "cdktf.out");
  const folder = configDir(withNetwork(privateNetwork(), { workspace: { public_network_access: true } }));
  const run = spawnSync(process.execPath, ["scripts/ts-run.js", "main.ts"], {
    cwd: join(__dirname, "..", ".."),
    env: { ...process.env, SERVING_CONFIG_DIR: folder, CDKTF_OUTDIR: outdir },
    encoding: "utf8",
  });
  expect(run.status).toBe(1);
  expect(run.stderr).toMatch(/dev\.yaml:\d+: workspace\.public_network_access: must be false \(or left out\) when network\.isolation is private/);
  expect(run.stderr).not.toMatch(/^\s+at /m);
  expect(existsSync(outdir)).toBe(false);
});

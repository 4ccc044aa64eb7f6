import { readFileSync } from "node:fs";
import { join } from "node:path";
import { App, Testing } from "cdktf";
import { loadEnvironments, type LoadedEnvironment } from "../../lib/config/load";
import { PRIVATE_DNS_ZONES } from "../../lib/constructs/client-network";
import { ServingStack } from "../../lib/stacks/serving-stack";
import { validateSynthesizedAzapiBodies } from "../helpers/azapi-schema";
import { baseConfig, configDir, deployment } from "../helpers/config-dir";
import { DependencyGraph } from "../helpers/dependency-graph";

/**
 * Private serving end to end: full synths of the fixture configs in fixtures/private-network (never the user's
 * config/), asked property by property and of the dependency graph.
 *
 * - secure.yaml: approved-only outbound with FQDN rules, a new client VNet, deployer ranges, online and batch serving;
 * - hub.yaml: internet outbound, an existing subnet, no deployer ranges, account keys kept on.
 */
const FIXTURES = join(__dirname, "..", "fixtures", "private-network");

function synthAll(environments: readonly LoadedEnvironment[]): Record<string, any> {
  const app: App = Testing.app({ enableFutureFlags: false });
  for (const environment of environments) new ServingStack(app, environment);
  app.synth();
  return Object.fromEntries(
    environments.map((e) => [e.name, JSON.parse(readFileSync(join(app.outdir, "stacks", `serving-${e.name}`, "cdk.tf.json"), "utf8"))]),
  );
}

const stacks = synthAll(loadEnvironments({ configDir: FIXTURES }));
const secure = stacks.secure;
const hub = stacks.hub;
const graph = new DependencyGraph(secure);

const ML = "Microsoft.MachineLearningServices/workspaces";
const resources = (json: any, type: string): [string, any][] =>
  Object.entries(json.resource[type] ?? {}).map(([name, config]) => [`${type}.${name}`, config]);
const only = (json: any, type: string): any => {
  const all = resources(json, type);
  if (all.length !== 1) throw new Error(`expected one ${type}, found ${all.length}`);
  return all[0][1];
};
const azapi = (json: any, kind: string) => resources(json, "azapi_resource").filter(([, r]) => r.type === `${ML}/${kind}@2025-12-01`);
const refTo = (address: string, attr = "id") => `\${${address}.${attr}}`;

describe("a private environment (secure.yaml)", () => {
  const workspaceAddress = graph.at("ml/workspace");
  const provision = graph.at("ml/managed-network/provision");

  test("every azapi body, the provisioning action's included, is valid against the 2025-12-01 schema", () => {
    expect(resources(secure, "azapi_resource_action")).toHaveLength(1);
    expect(validateSynthesizedAzapiBodies(secure)).toEqual([]);
    expect(validateSynthesizedAzapiBodies(hub)).toEqual([]);
  });

  test("the workspace: managed network allowing only approved outbound, public access off", () => {
    expect(only(secure, "azurerm_machine_learning_workspace")).toMatchObject({
      managed_network: { isolation_mode: "AllowOnlyApprovedOutbound" },
      public_network_access_enabled: false,
      image_build_compute_name: "cpu-cluster",
    });
  });

  test("an FQDN outbound rule per allowed host, on this workspace", () => {
    const rules = resources(secure, "azurerm_machine_learning_workspace_network_outbound_rule_fqdn").map(([, r]) => r);
    expect(rules.map((r) => [r.name, r.destination_fqdn]).sort()).toEqual([
      ["fqdn-any-anaconda-org", "*.anaconda.org"],
      ["fqdn-files-pythonhosted-org", "files.pythonhosted.org"],
      ["fqdn-pypi-org", "pypi.org"],
    ]);
    for (const rule of rules) expect(rule.workspace_id).toBe(refTo(workspaceAddress));
  });

  test("the managed network is provisioned by the provisionManagedNetwork action, after the workspace and its rules", () => {
    expect(only(secure, "azapi_resource_action")).toMatchObject({
      type: `${ML}@2025-12-01`,
      resource_id: refTo(workspaceAddress),
      action: "provisionManagedNetwork",
      method: "POST",
      body: { includeSpark: false },
    });
    expect(graph.waitsFor(provision, workspaceAddress)).toBe(true);
    for (const [rule] of resources(secure, "azurerm_machine_learning_workspace_network_outbound_rule_fqdn")) {
      expect(graph.waitsFor(provision, rule)).toBe(true);
    }
  });

  test("the compute cluster: no public IPs on nodes, created after the managed network is provisioned", () => {
    const cluster = graph.ofType("azurerm_machine_learning_compute_cluster")[0];
    expect(only(secure, "azurerm_machine_learning_compute_cluster").node_public_ip_enabled).toBe(false);
    expect(graph.waitsFor(cluster, provision)).toBe(true);
  });

  test.each(azapi(secure, "onlineEndpoints/deployments").map(([a]) => a))("online deployment %s: egress Disabled, after the managed network", (address) => {
    const [, config] = azapi(secure, "onlineEndpoints/deployments").find(([a]) => a === address)!;
    expect(config.body.properties.egressPublicNetworkAccess).toBe("Disabled");
    expect(graph.waitsFor(address, provision)).toBe(true);
  });

  test("the batch deployment runs on the cluster, so it too waits for the managed network", () => {
    const [[batchDeployment]] = azapi(secure, "batchEndpoints/deployments");
    expect(graph.waitsFor(batchDeployment, provision)).toBe(true);
  });

  test("the online endpoint: publicNetworkAccess Disabled at creation and in the settings merged into it later", () => {
    const [[endpoint, config]] = azapi(secure, "onlineEndpoints");
    expect(config.body.properties.publicNetworkAccess).toBe("Disabled");
    const settings = resources(secure, "azapi_update_resource").find(([, r]) => r.resource_id === refTo(endpoint) && r.body.properties.authMode);
    expect(settings![1].body.properties.publicNetworkAccess).toBe("Disabled");
  });

  test("storage: the firewall denies by default and lets in the deployer ranges, trusted services and the workspace", () => {
    const [[rulesAddress, rules]] = resources(secure, "azurerm_storage_account_network_rules");
    const [[account]] = resources(secure, "azurerm_storage_account");
    expect(rules).toEqual({
      storage_account_id: refTo(account),
      default_action: "Deny",
      bypass: ["AzureServices"],
      ip_rules: ["203.0.113.0/24", "198.51.100.7"],
      private_link_access: [{ endpoint_resource_id: refTo(workspaceAddress), endpoint_tenant_id: "${data.azurerm_client_config.client.tenant_id}" }],
      "//": expect.anything(),
    });
    expect(graph.direct(rulesAddress)).toContain(account);
  });

  test("key vault and registry: public access off; the registry is Premium", () => {
    expect(only(secure, "azurerm_key_vault")).toMatchObject({
      public_network_access_enabled: false,
      network_acls: { default_action: "Deny", bypass: "AzureServices" },
    });
    expect(only(secure, "azurerm_container_registry")).toMatchObject({ sku: "Premium", public_network_access_enabled: false });
  });

  test("six private DNS zones, each linked to the client VNet", () => {
    const [[vnet, vnetConfig]] = resources(secure, "azurerm_virtual_network");
    expect(vnetConfig.address_space).toEqual(["10.40.0.0/24"]);
    expect(only(secure, "azurerm_subnet").address_prefixes).toEqual(["10.40.0.0/24"]);
    const zones = resources(secure, "azurerm_private_dns_zone");
    // The names themselves are pinned in the ClientNetwork tests.
    expect(zones.map(([, z]) => z.name).sort()).toEqual(Object.values(PRIVATE_DNS_ZONES).sort());
    const links = resources(secure, "azurerm_private_dns_zone_virtual_network_link").map(([, l]) => l);
    for (const [zone] of zones) {
      expect(links.filter((l) => l.private_dns_zone_name === refTo(zone, "name") && l.virtual_network_id === refTo(vnet))).toHaveLength(1);
    }
  });

  test("five private endpoints in the client subnet, each registering in its zones", () => {
    const [[subnet]] = resources(secure, "azurerm_subnet");
    const zoneOf = (name: string) => resources(secure, "azurerm_private_dns_zone").find(([, z]) => z.name === name)![0];
    const target = (type: string) => refTo(resources(secure, type)[0][0]);
    const endpoints = resources(secure, "azurerm_private_endpoint").map(([, pe]) => pe);
    expect(endpoints).toHaveLength(5);
    const expected: [string, string, string[]][] = [
      ["amlworkspace", target("azurerm_machine_learning_workspace"), ["privatelink.api.azureml.ms", "privatelink.notebooks.azure.net"]],
      ["blob", target("azurerm_storage_account"), ["privatelink.blob.core.windows.net"]],
      ["file", target("azurerm_storage_account"), ["privatelink.file.core.windows.net"]],
      ["vault", target("azurerm_key_vault"), ["privatelink.vaultcore.azure.net"]],
      ["registry", target("azurerm_container_registry"), ["privatelink.azurecr.io"]],
    ];
    for (const [subresource, targetId, zoneNames] of expected) {
      const pe = endpoints.find((e) => e.private_service_connection.subresource_names[0] === subresource);
      expect(pe).toMatchObject({
        subnet_id: refTo(subnet),
        private_service_connection: { private_connection_resource_id: targetId, is_manual_connection: false, subresource_names: [subresource] },
        private_dns_zone_group: { private_dns_zone_ids: zoneNames.map((z) => refTo(zoneOf(z))) },
      });
    }
  });

  describe("uploads still wait for their role and delay, and now also for the way through the firewall", () => {
    const sleep = graph.at("assets/deployer/propagation/wait");
    const rules = graph.at("ml/storage-network-rules");
    const blobEndpoint = graph.at("ml/pe-blob/endpoint");
    const blobs = graph.ofType("azurerm_storage_blob");

    test("the fixture uploads code", () => {
      expect(blobs.length).toBeGreaterThanOrEqual(2);
    });

    test.each(blobs)("%s waits for the role delay, the storage firewall rules and the blob private endpoint", (blob) => {
      expect(graph.waitsFor(blob, sleep)).toBe(true);
      expect(graph.waitsFor(blob, rules)).toBe(true);
      expect(graph.waitsFor(blob, blobEndpoint)).toBe(true);
    });
  });

  test("no guardrail finding at all: the public-access rules and the private-network rules have nothing to report", () => {
    expect(secure["//"].metadata.guardrails).toEqual({ findings: [], waivers: [] });
  });
});

describe("a private environment on an existing subnet (hub.yaml)", () => {
  const SUBNET = "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-network/providers/Microsoft.Network/virtualNetworks/vnet-spoke/subnets/snet-ml";

  test("internet outbound, no FQDN rules, still provisioned before compute", () => {
    const hubGraph = new DependencyGraph(hub);
    expect(only(hub, "azurerm_machine_learning_workspace").managed_network).toEqual({ isolation_mode: "AllowInternetOutbound" });
    expect(hub.resource.azurerm_machine_learning_workspace_network_outbound_rule_fqdn).toBeUndefined();
    const provision = hubGraph.at("ml/managed-network/provision");
    expect(hubGraph.waitsFor(hubGraph.ofType("azurerm_machine_learning_compute_cluster")[0], provision)).toBe(true);
  });

  test("no VNet or subnet created; endpoints in the given subnet; zones linked to its VNet", () => {
    expect(hub.resource.azurerm_virtual_network).toBeUndefined();
    expect(hub.resource.azurerm_subnet).toBeUndefined();
    for (const [, pe] of resources(hub, "azurerm_private_endpoint")) expect(pe.subnet_id).toBe(SUBNET);
    for (const [, link] of resources(hub, "azurerm_private_dns_zone_virtual_network_link")) {
      expect(link.virtual_network_id).toBe(SUBNET.replace(/\/subnets\/snet-ml$/, ""));
    }
  });

  test("no deployer ranges: the firewall lets only trusted services and the workspace in, and uploads come through the VNet", () => {
    expect(only(hub, "azurerm_storage_account_network_rules")).toMatchObject({ default_action: "Deny", ip_rules: [] });
  });

  test("the only finding is the account-key warning it asks for", () => {
    expect(hub["//"].metadata.guardrails.findings.map((f: any) => f.rule)).toEqual(["storage-shared-key"]);
  });
});

describe("public environments are untouched", () => {
  const files = (network?: object) => ({
    "dev.yaml": baseConfig({
      endpoint: { name: "churn-dev-q7x2", deployments: [deployment({ instance_count: 3 })] },
      ...(network && { network }),
      waivers: [
        { rule: "workspace-public", reason: "test" },
        { rule: "endpoint-public", reason: "test" },
      ],
    }),
  });
  const implicit = synthAll(loadEnvironments({ configDir: configDir(files()) })).dev;
  const explicit = synthAll(loadEnvironments({ configDir: configDir(files({ isolation: "public" })) })).dev;

  test("an explicit `isolation: public` synthesizes exactly what no network block does", () => {
    // Source paths of code uploads differ between the two temporary folders; everything else must not.
    const strip = (json: any) => JSON.parse(JSON.stringify(json).replace(/"source":"[^"]*"/g, '"source":""'));
    expect(strip(explicit)).toEqual(strip(implicit));
  });

  test("no networking resource and no networking attribute", () => {
    for (const type of [
      "azurerm_virtual_network",
      "azurerm_subnet",
      "azurerm_private_dns_zone",
      "azurerm_private_dns_zone_virtual_network_link",
      "azurerm_private_endpoint",
      "azurerm_storage_account_network_rules",
      "azurerm_machine_learning_workspace_network_outbound_rule_fqdn",
      "azapi_resource_action",
    ]) {
      expect(implicit.resource[type]).toBeUndefined();
    }
    const workspace = only(implicit, "azurerm_machine_learning_workspace");
    expect(workspace.managed_network).toBeUndefined();
    expect(workspace.image_build_compute_name).toBeUndefined();
    expect(workspace.public_network_access_enabled).toBe(true);
    const cluster = only(implicit, "azurerm_machine_learning_compute_cluster");
    expect(cluster.node_public_ip_enabled).toBeUndefined();
    expect(cluster.depends_on).toBeUndefined();
    expect(only(implicit, "azurerm_container_registry").sku).toBe("Standard");
    expect(only(implicit, "azurerm_key_vault").network_acls).toBeUndefined();
    const [[, onlineDeployment]] = azapi(implicit, "onlineEndpoints/deployments");
    expect(onlineDeployment.body.properties.egressPublicNetworkAccess).toBe("Enabled");
    expect(onlineDeployment.depends_on.some((d: string) => d.startsWith("azapi_resource_action."))).toBe(false);
  });
});

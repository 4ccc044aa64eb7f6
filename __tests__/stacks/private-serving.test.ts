import { readFileSync } from "node:fs";
import { join } from "node:path";
import { App, Testing } from "cdktf";
import { loadEnvironments, type LoadedEnvironment } from "../../lib/config/load";
import { PRIVATE_DNS_ZONES } from "../../lib/constructs/client-network";
import { ServingStack } from "../../lib/stacks/serving-stack";
import { validateSynthesizedAzapiBodies } from "../helpers/azapi-schema";
import { baseConfig, configDir, deployment } from "../helpers/config-dir";
import { DependencyGraph } from "../helpers/dependency-graph";
import { perFile } from "../helpers/shared";

/**
 * Private serving end to end: full synths of the fixture configs in fixtures/private-network (never the user's
 * config/), asked property by property and of the dependency graph.
 *
 * - secure.yaml: approved-only outbound with FQDN rules, a new client VNet, deployer ranges, online and batch serving;
 * - hub.yaml: internet outbound, an existing subnet, no deployer ranges, account keys kept on;
 * - edge.yaml: internet outbound, keyless, batch serving, named deployers, a registry model.
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

// Synthesized at load to name the test.each rows; assertions read the per-file synth (see perFile).
const atLoad = synthAll(loadEnvironments({ configDir: FIXTURES }));
const current = perFile(() => synthAll(loadEnvironments({ configDir: FIXTURES })), atLoad);
let secure: any;
let hub: any;
let edge: any;
let graph: DependencyGraph;
beforeEach(() => {
  ({ secure, hub, edge } = current());
  graph = new DependencyGraph(secure);
});
const names = new DependencyGraph(atLoad.secure);

const ML = "Microsoft.MachineLearningServices/workspaces";
const resources = (json: any, type: string): [string, any][] =>
  Object.entries(json.resource[type] ?? {}).map(([name, config]) => [`${type}.${name}`, config]);
const only = (json: any, type: string, which: (r: any) => boolean = () => true): any => {
  const all = resources(json, type).filter(([, r]) => which(r));
  if (all.length !== 1) throw new Error(`expected one ${type}, found ${all.length}`);
  return all[0][1];
};
const azapi = (json: any, kind: string) => resources(json, "azapi_resource").filter(([, r]) => r.type === `${ML}/${kind}@2025-12-01`);
const refTo = (address: string, attr = "id") => `\${${address}.${attr}}`;

describe("a private environment (secure.yaml)", () => {
  const workspaceAddress = names.at("ml/workspace");
  const provision = names.at("ml/managed-network/provision");
  const workspace = () => only(secure, "azapi_resource", (r) => r.type === `${ML}@2025-12-01`);

  test("every azapi body, the provisioning action's included, is valid against the 2025-12-01 schema", () => {
    expect(resources(secure, "azapi_resource_action")).toHaveLength(1);
    expect(validateSynthesizedAzapiBodies(secure)).toEqual([]);
    expect(validateSynthesizedAzapiBodies(hub)).toEqual([]);
    expect(validateSynthesizedAzapiBodies(edge)).toEqual([]);
  });

  test("the workspace is born keyless, with a managed network allowing only approved outbound, public access off", () => {
    expect(workspace().body.properties).toMatchObject({
      systemDatastoresAuthMode: "identity",
      managedNetwork: { isolationMode: "AllowOnlyApprovedOutbound" },
      publicNetworkAccess: "Disabled",
      imageBuildCompute: "cpu-cluster",
    });
    // Nothing switches or PUTs the workspace back after it is created.
    expect(resources(secure, "azapi_update_resource").filter(([, r]) => r.type === `${ML}@2025-12-01`)).toEqual([]);
  });

  test("its user-defined outbound rules: an FQDN rule per allowed host, and queue and table endpoints for batch", () => {
    const rules = workspace().body.properties.managedNetwork.outboundRules;
    const storage = refTo(resources(secure, "azurerm_storage_account")[0][0]);
    expect(rules).toEqual({
      "fqdn-any-anaconda-org": { type: "FQDN", category: "UserDefined", destination: "*.anaconda.org" },
      "fqdn-files-pythonhosted-org": { type: "FQDN", category: "UserDefined", destination: "files.pythonhosted.org" },
      "fqdn-pypi-org": { type: "FQDN", category: "UserDefined", destination: "pypi.org" },
      "storage-queue": { type: "PrivateEndpoint", category: "UserDefined", destination: { serviceResourceId: storage, subresourceTarget: "queue", sparkEnabled: false } },
      "storage-table": { type: "PrivateEndpoint", category: "UserDefined", destination: { serviceResourceId: storage, subresourceTarget: "table", sparkEnabled: false } },
    });
    expect(secure.resource.azurerm_machine_learning_workspace_network_outbound_rule_fqdn).toBeUndefined();
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
  });

  test("the compute cluster: no public IPs on nodes, created after the managed network is provisioned", () => {
    const cluster = graph.ofType("azurerm_machine_learning_compute_cluster")[0];
    expect(only(secure, "azurerm_machine_learning_compute_cluster").node_public_ip_enabled).toBe(false);
    expect(graph.waitsFor(cluster, provision)).toBe(true);
  });

  test.each(azapi(atLoad.secure, "onlineEndpoints/deployments").map(([a]) => a))(
    "online deployment %s: no egress flag (the managed network governs egress), after the managed network",
    (address) => {
      const [, config] = azapi(secure, "onlineEndpoints/deployments").find(([a]) => a === address)!;
      expect(config.body.properties).not.toHaveProperty("egressPublicNetworkAccess");
      expect(graph.waitsFor(address, provision)).toBe(true);
    },
  );

  test("the batch deployment runs on the cluster, so it too waits for the managed network", () => {
    const [[batchDeployment]] = azapi(secure, "batchEndpoints/deployments");
    expect(graph.waitsFor(batchDeployment, provision)).toBe(true);
  });

  describe("images are built on the cluster", () => {
    const cluster = names.ofType("azurerm_machine_learning_compute_cluster")[0];
    const sleep = names.at("image-builder/propagation/wait");
    const deployments = [...azapi(atLoad.secure, "onlineEndpoints/deployments"), ...azapi(atLoad.secure, "batchEndpoints/deployments")].map(([a]) => a);

    test("the cluster's identity gets AcrPush on the registry and read on the default datastore's container, then a delay", () => {
      const identity = names.at("compute/identity");
      const roles = graph
        .direct(sleep)
        .filter((a) => a.startsWith("azurerm_role_assignment."))
        .map((a) => secure.resource.azurerm_role_assignment[a.split(".")[1]]);
      const registry = refTo(resources(secure, "azurerm_container_registry")[0][0]);
      const storage = refTo(resources(secure, "azurerm_storage_account")[0][0]);
      expect(roles.map((r) => [r.role_definition_name, r.scope, r.principal_id, r.principal_type]).sort()).toEqual(
        [
          ["AcrPush", registry, refTo(identity, "principal_id"), "ServicePrincipal"],
          [
            "Storage Blob Data Reader",
            `${storage}/blobServices/default/containers/azureml-blobstore-\${${workspaceAddress}.output.properties.workspaceId}`,
            refTo(identity, "principal_id"),
            "ServicePrincipal",
          ],
        ].sort(),
      );
    });

    test.each(deployments)("%s waits for the cluster and for the build roles to propagate", (deployment) => {
      expect(graph.waitsFor(deployment, cluster)).toBe(true);
      expect(graph.waitsFor(deployment, sleep)).toBe(true);
    });

    test("the code container: the builder may read it and the deployer write it, each on that container only", () => {
      const assignments = resources(secure, "azurerm_role_assignment").map(([, r]) => r);
      const onContainer = assignments.filter((r) => r.scope.includes("/blobServices/default/containers/${azurerm_storage_container.assets_code-container_"));
      expect(onContainer.map((r) => r.role_definition_name).sort()).toEqual(["Storage Blob Data Contributor", "Storage Blob Data Reader"]);
    });
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
      ["amlworkspace", refTo(workspaceAddress), ["privatelink.api.azureml.ms", "privatelink.notebooks.azure.net"]],
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
    const sleep = names.at("assets/code-container-access/propagation/wait");
    const rules = names.at("ml/storage-network-rules");
    const blobEndpoint = names.at("ml/pe-blob/endpoint");
    const blobs = names.ofType("azurerm_storage_blob");

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

  test("internet outbound: no FQDN rules but blob and file private endpoint rules, still provisioned before compute", () => {
    const hubGraph = new DependencyGraph(hub);
    const managedNetwork = only(hub, "azapi_resource", (r) => r.type === `${ML}@2025-12-01`).body.properties.managedNetwork;
    expect(managedNetwork.isolationMode).toBe("AllowInternetOutbound");
    // The storage keeps public access behind its firewall, so Azure makes it no managed private endpoint.
    expect(Object.keys(managedNetwork.outboundRules).sort()).toEqual(["storage-blob", "storage-file"]);
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

describe("internet outbound with batch scoring and keyless storage (edge.yaml)", () => {
  const edgeNames = new DependencyGraph(atLoad.edge);
  const workspace = () => only(edge, "azapi_resource", (r) => r.type === `${ML}@2025-12-01`);

  test("the storage is reached through blob, file, queue and table private endpoints", () => {
    const storage = refTo(resources(edge, "azurerm_storage_account")[0][0]);
    const rules = workspace().body.properties.managedNetwork.outboundRules;
    expect(Object.entries<any>(rules).map(([name, r]) => [name, r.type, r.destination.serviceResourceId, r.destination.subresourceTarget]).sort()).toEqual([
      ["storage-blob", "PrivateEndpoint", storage, "blob"],
      ["storage-file", "PrivateEndpoint", storage, "file"],
      ["storage-queue", "PrivateEndpoint", storage, "queue"],
      ["storage-table", "PrivateEndpoint", storage, "table"],
    ]);
    expect(workspace().body.properties.systemDatastoresAuthMode).toBe("identity");
  });

  test.each([...azapi(atLoad.edge, "onlineEndpoints/deployments"), ...azapi(atLoad.edge, "batchEndpoints/deployments")].map(([a]) => a))(
    "%s waits for the image-building cluster and its roles",
    (deployment) => {
      const g = new DependencyGraph(edge);
      expect(g.waitsFor(deployment, edgeNames.ofType("azurerm_machine_learning_compute_cluster")[0])).toBe(true);
      expect(g.waitsFor(deployment, edgeNames.at("image-builder/propagation/wait"))).toBe(true);
    },
  );

  test("the named deployers, and only they, may write the code container; a plan under another identity changes nothing", () => {
    const writers = resources(edge, "azurerm_role_assignment")
      .map(([, r]) => r)
      .filter((r) => r.role_definition_name === "Storage Blob Data Contributor" && r.scope.includes("/blobServices/default/containers/"));
    expect(writers.map((r) => r.principal_id).sort()).toEqual(["33333333-3333-3333-3333-333333333333", "44444444-4444-4444-4444-444444444444"]);
    expect(writers.every((r) => r.principal_type === undefined)).toBe(true);
    expect(JSON.stringify(edge.resource.azurerm_role_assignment)).not.toContain("client_config.client.object_id");
  });

  test("no guardrail finding", () => {
    expect(edge["//"].metadata.guardrails).toEqual({ findings: [], waivers: [] });
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
      "azapi_resource_action",
    ]) {
      expect(implicit.resource[type]).toBeUndefined();
    }
    const workspace = only(implicit, "azapi_resource", (r) => r.type === `${ML}@2025-12-01`).body.properties;
    expect(workspace.managedNetwork).toBeUndefined();
    expect(workspace.imageBuildCompute).toBeUndefined();
    expect(workspace.publicNetworkAccess).toBe("Enabled");
    expect(Object.keys(implicit.resource.time_sleep).some((k) => k.startsWith("image-builder"))).toBe(false);
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

import type { TerraformStack } from "cdktf";
import { ClientNetwork, PRIVATE_DNS_ZONES, type ClientNetworkProps } from "../../lib/constructs/client-network";
import { ComputeCluster } from "../../lib/constructs/compute-cluster";
import { ManagedNetwork, outboundRuleName, outboundRules } from "../../lib/constructs/managed-network";
import { MlWorkspace, type MlWorkspaceNetworkProps } from "../../lib/constructs/ml-workspace";
import { PrivateEndpoint } from "../../lib/constructs/private-endpoint";
import { validateSynthesizedAzapiBodies } from "../helpers/azapi-schema";
import { newStack, resourceAt, synthJson, workspaceProps } from "../helpers/stacks";

/** The private-networking constructs, built from props (no config): what each creates and how it is wired. */

const SUB = "/subscriptions/00000000-0000-0000-0000-000000000000";
const SUBNET_ID = `${SUB}/resourceGroups/rg-net/providers/Microsoft.Network/virtualNetworks/vnet-hub/subnets/snet-ml`;
const WORKSPACE_ID = `${SUB}/resourceGroups/rg/providers/Microsoft.MachineLearningServices/workspaces/mlw`;
const ref = (type: string, path: string, attr = "id") => new RegExp(`^\\$\\{${type}\\.${path}_[0-9A-F]{8}\\.${attr}\\}$`);

function clientNetwork(stack: TerraformStack, subnet: ClientNetworkProps["subnet"] = { addressSpace: "10.40.0.0/24" }): ClientNetwork {
  return new ClientNetwork(stack, "client-network", { resourceGroupName: "rg", location: "westeurope", subnet, virtualNetworkName: "vnet-test", tags: { team: "ml" } });
}

function all(json: any, type: string): any[] {
  return Object.values(json.resource?.[type] ?? {});
}

describe("ClientNetwork", () => {
  test("a new VNet and one subnet spanning it, with no default outbound access", () => {
    const stack = newStack();
    clientNetwork(stack);
    const json = synthJson(stack);
    expect(resourceAt(json, "azurerm_virtual_network", "client-network/vnet")).toMatchObject({
      name: "vnet-test",
      address_space: ["10.40.0.0/24"],
      resource_group_name: "rg",
      location: "westeurope",
      tags: { team: "ml" },
    });
    expect(resourceAt(json, "azurerm_subnet", "client-network/subnet")).toMatchObject({
      name: "snet-private-endpoints",
      address_prefixes: ["10.40.0.0/24"],
      virtual_network_name: expect.stringMatching(ref("azurerm_virtual_network", "client-network_vnet", "name")),
      default_outbound_access_enabled: false,
    });
  });

  test("the six privatelink zones, each linked to the VNet without auto-registration", () => {
    const stack = newStack();
    const network = clientNetwork(stack);
    const json = synthJson(stack);
    expect(all(json, "azurerm_private_dns_zone").map((z) => z.name).sort()).toEqual([
      "privatelink.api.azureml.ms",
      "privatelink.azurecr.io",
      "privatelink.blob.core.windows.net",
      "privatelink.file.core.windows.net",
      "privatelink.notebooks.azure.net",
      "privatelink.vaultcore.azure.net",
    ]);
    expect(Object.values(PRIVATE_DNS_ZONES)).toHaveLength(6);
    const links = all(json, "azurerm_private_dns_zone_virtual_network_link");
    expect(links).toHaveLength(6);
    for (const link of links) {
      expect(link).toMatchObject({
        name: "link-vnet-test",
        registration_enabled: false,
        virtual_network_id: expect.stringMatching(ref("azurerm_virtual_network", "client-network_vnet")),
        private_dns_zone_name: expect.stringMatching(/^\$\{azurerm_private_dns_zone\.client-network_zone-\w+_[0-9A-F]{8}\.name\}$/),
      });
    }
    // Each zone is linked exactly once.
    expect(new Set(links.map((l) => l.private_dns_zone_name)).size).toBe(6);
    expect(Object.keys(network.dnsZoneIds).sort()).toEqual(Object.keys(PRIVATE_DNS_ZONES).sort());
  });

  test("an existing subnet: nothing created but the zones, linked to the subnet's VNet", () => {
    const stack = newStack();
    const network = clientNetwork(stack, { subnetId: SUBNET_ID });
    const json = synthJson(stack);
    expect(json.resource.azurerm_virtual_network).toBeUndefined();
    expect(json.resource.azurerm_subnet).toBeUndefined();
    expect(network.subnetId).toBe(SUBNET_ID);
    expect(network.virtualNetworkId).toBe(`${SUB}/resourceGroups/rg-net/providers/Microsoft.Network/virtualNetworks/vnet-hub`);
    for (const link of all(json, "azurerm_private_dns_zone_virtual_network_link")) {
      expect(link).toMatchObject({ name: "link-vnet-hub", virtual_network_id: network.virtualNetworkId });
    }
  });

  test("an id that is not a subnet id is refused", () => {
    expect(() => clientNetwork(newStack(), { subnetId: `${SUB}/resourceGroups/rg-net/providers/Microsoft.Network/virtualNetworks/vnet-hub` })).toThrow(
      /^ClientNetwork: subnet\.subnetId: must be a literal subnet id/,
    );
  });
});

describe("PrivateEndpoint", () => {
  test("one sub-resource, automatic approval, a DNS zone group and a named NIC", () => {
    const stack = newStack();
    new PrivateEndpoint(stack, "pe", {
      name: "pe-mlw-blob",
      resourceGroupName: "rg",
      location: "westeurope",
      subnetId: SUBNET_ID,
      targetId: "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Storage/storageAccounts/st",
      subresource: "blob",
      privateDnsZoneIds: ["zone-blob"],
    });
    expect(resourceAt(synthJson(stack), "azurerm_private_endpoint", "pe/endpoint")).toEqual({
      name: "pe-mlw-blob",
      resource_group_name: "rg",
      location: "westeurope",
      subnet_id: SUBNET_ID,
      custom_network_interface_name: "pe-mlw-blob-nic",
      private_service_connection: {
        name: "pe-mlw-blob",
        private_connection_resource_id: "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Storage/storageAccounts/st",
        subresource_names: ["blob"],
        is_manual_connection: false,
      },
      private_dns_zone_group: { name: "default", private_dns_zone_ids: ["zone-blob"] },
      tags: {},
    });
  });

  test("without a DNS zone it is refused: callers would resolve the public address", () => {
    expect(
      () =>
        new PrivateEndpoint(newStack(), "pe", {
          name: "pe",
          resourceGroupName: "rg",
          location: "westeurope",
          subnetId: SUBNET_ID,
          targetId: "t",
          subresource: "vault",
          privateDnsZoneIds: [],
        }),
    ).toThrow(/^PrivateEndpoint: privateDnsZoneIds: must name at least one zone/);
  });
});

describe("ManagedNetwork", () => {
  test.each([
    ["pypi.org", "fqdn-pypi-org"],
    ["files.pythonhosted.org", "fqdn-files-pythonhosted-org"],
    ["*.anaconda.org", "fqdn-any-anaconda-org"],
  ])("rule name of %s is %s", (fqdn, name) => {
    expect(outboundRuleName(fqdn)).toBe(name);
  });

  test("long host names get a shortened, hashed, stable name within Azure's pattern", () => {
    const long = "packages.mirror.internal.example-corporation.com";
    const name = outboundRuleName(long);
    expect(name).toMatch(/^[a-zA-Z0-9][a-zA-Z0-9_-]{2,32}$/);
    expect(name).toMatch(/^fqdn-packages-mirror-int-[0-9a-f]{8}$/);
    expect(outboundRuleName(long)).toBe(name);
    expect(outboundRuleName(`${long}.eu`)).not.toBe(name);
  });

  test("an FQDN rule per host and a private endpoint rule per target, user-defined, by name", () => {
    expect(
      outboundRules({
        isolationMode: "AllowOnlyApprovedOutbound",
        allowedFqdns: ["pypi.org", "files.pythonhosted.org"],
        privateEndpoints: [{ name: "storage-queue", targetId: "/st", subresource: "queue" }],
      }),
    ).toEqual({
      "fqdn-pypi-org": { type: "FQDN", category: "UserDefined", destination: "pypi.org" },
      "fqdn-files-pythonhosted-org": { type: "FQDN", category: "UserDefined", destination: "files.pythonhosted.org" },
      "storage-queue": {
        type: "PrivateEndpoint",
        category: "UserDefined",
        destination: { serviceResourceId: "/st", subresourceTarget: "queue", sparkEnabled: false },
      },
    });
  });

  test("two rules of one name are refused", () => {
    expect(() =>
      outboundRules({
        isolationMode: "AllowInternetOutbound",
        privateEndpoints: [
          { name: "storage-queue", targetId: "/st", subresource: "queue" },
          { name: "storage-queue", targetId: "/st2", subresource: "queue" },
        ],
      }),
    ).toThrow('ManagedNetwork: outboundRules: must have unique names (got "storage-queue")');
  });

  test("the network is provisioned on the workspace, once, with a long timeout", () => {
    const stack = newStack();
    new ManagedNetwork(stack, "mn", { workspaceId: WORKSPACE_ID });
    const json = synthJson(stack);
    expect(resourceAt(json, "azapi_resource_action", "mn/provision")).toEqual({
      type: "Microsoft.MachineLearningServices/workspaces@2025-12-01",
      resource_id: WORKSPACE_ID,
      action: "provisionManagedNetwork",
      method: "POST",
      body: { includeSpark: false },
      timeouts: { create: "60m", update: "60m" },
    });
    expect(validateSynthesizedAzapiBodies(json)).toEqual([]);
  });

  test("FQDN rules with internet outbound are refused: Azure only has them in approved-only mode", () => {
    expect(() => outboundRules({ isolationMode: "AllowInternetOutbound", allowedFqdns: ["pypi.org"] })).toThrow(
      /^ManagedNetwork: allowedFqdns: must be empty unless isolationMode is AllowOnlyApprovedOutbound/,
    );
  });
});

describe("MlWorkspace with network", () => {
  const network: MlWorkspaceNetworkProps = {
    isolationMode: "AllowOnlyApprovedOutbound",
    allowedFqdns: ["pypi.org"],
    deployerIpRanges: ["203.0.113.0/24", "198.51.100.7"],
    privateEndpoints: {
      subnetId: SUBNET_ID,
      dnsZoneIds: { workspaceApi: "z-api", workspaceNotebooks: "z-nb", blob: "z-blob", file: "z-file", vault: "z-kv", registry: "z-acr" },
    },
    imageBuildComputeName: "cpu-cluster",
  };

  function privateWorkspace(extra: Partial<typeof workspaceProps> = {}) {
    const stack = newStack();
    const ml = new MlWorkspace(stack, "ml", { ...workspaceProps, network, ...extra });
    return { stack, ml, json: synthJson(stack) };
  }

  const workspaceBody = (json: any) => resourceAt(json, "azapi_resource", "ml/workspace").body.properties;

  test("the workspace: managed network with its user-defined rules, no public access, images built on the cluster", () => {
    const { json } = privateWorkspace();
    expect(workspaceBody(json)).toMatchObject({
      publicNetworkAccess: "Disabled",
      managedNetwork: {
        isolationMode: "AllowOnlyApprovedOutbound",
        outboundRules: { "fqdn-pypi-org": { type: "FQDN", category: "UserDefined", destination: "pypi.org" } },
      },
      imageBuildCompute: "cpu-cluster",
    });
    // Provisioning at creation is left to the explicit action, after the workspace exists with its rules.
    expect(workspaceBody(json)).not.toHaveProperty("provisionNetworkNow");
    expect(validateSynthesizedAzapiBodies(json)).toEqual([]);
  });

  test("approved-only outbound without batch: Azure creates the storage's blob and file endpoints, so no storage rule", () => {
    const rules = workspaceBody(privateWorkspace().json).managedNetwork.outboundRules;
    expect(Object.keys(rules)).toEqual(["fqdn-pypi-org"]);
  });

  test("batch scoring adds private endpoint rules to the storage's queue and table", () => {
    const stack = newStack();
    new MlWorkspace(stack, "ml", { ...workspaceProps, network: { ...network, batchScoring: true } });
    const rules = workspaceBody(synthJson(stack)).managedNetwork.outboundRules;
    for (const subresource of ["queue", "table"]) {
      expect(rules[`storage-${subresource}`]).toEqual({
        type: "PrivateEndpoint",
        category: "UserDefined",
        destination: { serviceResourceId: expect.stringMatching(ref("azurerm_storage_account", "ml_storage")), subresourceTarget: subresource, sparkEnabled: false },
      });
    }
    expect(rules).not.toHaveProperty("storage-blob");
  });

  test("internet outbound adds blob and file private endpoint rules: Azure creates none to a publicly reachable storage", () => {
    const stack = newStack();
    new MlWorkspace(stack, "ml", { ...workspaceProps, network: { ...network, isolationMode: "AllowInternetOutbound", allowedFqdns: [] } });
    const body = workspaceBody(synthJson(stack));
    expect(body.managedNetwork.isolationMode).toBe("AllowInternetOutbound");
    expect(Object.keys(body.managedNetwork.outboundRules).sort()).toEqual(["storage-blob", "storage-file"]);
    expect(body.managedNetwork.outboundRules["storage-file"].destination).toEqual({
      serviceResourceId: expect.stringMatching(ref("azurerm_storage_account", "ml_storage")),
      subresourceTarget: "file",
      sparkEnabled: false,
    });
  });

  test("internet outbound with batch: blob, file, queue and table", () => {
    const stack = newStack();
    new MlWorkspace(stack, "ml", { ...workspaceProps, network: { ...network, isolationMode: "AllowInternetOutbound", allowedFqdns: [], batchScoring: true } });
    expect(Object.keys(workspaceBody(synthJson(stack)).managedNetwork.outboundRules).sort()).toEqual(["storage-blob", "storage-file", "storage-queue", "storage-table"]);
  });

  test("without any user-defined rule the body sends no rule map", () => {
    const stack = newStack();
    new MlWorkspace(stack, "ml", { ...workspaceProps, network: { ...network, allowedFqdns: [] } });
    expect(workspaceBody(synthJson(stack)).managedNetwork).toEqual({ isolationMode: "AllowOnlyApprovedOutbound" });
  });

  test("FQDN rules that earlier versions kept as azurerm resources are forgotten, not deleted", () => {
    const { json } = privateWorkspace();
    expect(json.removed).toEqual([
      {
        from: expect.stringMatching(/^azurerm_machine_learning_workspace_network_outbound_rule_fqdn\.ml_managed-network_fqdn-pypi-org_[0-9A-F]{8}$/),
        lifecycle: { destroy: false },
      },
    ]);
    expect(json.resource.azurerm_machine_learning_workspace_network_outbound_rule_fqdn).toBeUndefined();
  });

  test("key vault and registry: public access off, trusted services allowed; the registry is Premium", () => {
    const { json } = privateWorkspace();
    expect(resourceAt(json, "azurerm_key_vault", "ml/key-vault")).toMatchObject({
      public_network_access_enabled: false,
      network_acls: { default_action: "Deny", bypass: "AzureServices" },
    });
    expect(resourceAt(json, "azurerm_container_registry", "ml/registry")).toMatchObject({
      sku: "Premium",
      public_network_access_enabled: false,
      network_rule_bypass_option: "AzureServices",
      admin_enabled: false,
    });
  });

  test("the storage firewall denies by default, lets in the deployer ranges, trusted services and the workspace", () => {
    const { json } = privateWorkspace();
    expect(resourceAt(json, "azurerm_storage_account_network_rules", "ml/storage-network-rules")).toEqual({
      storage_account_id: expect.stringMatching(ref("azurerm_storage_account", "ml_storage")),
      default_action: "Deny",
      bypass: ["AzureServices"],
      ip_rules: ["203.0.113.0/24", "198.51.100.7"],
      private_link_access: [{ endpoint_resource_id: expect.stringMatching(ref("azapi_resource", "ml_workspace")), endpoint_tenant_id: workspaceProps.tenantId }],
    });
    // The account itself keeps its firewall rules applicable: with public access off, IP rules would be ignored.
    expect(resourceAt(json, "azurerm_storage_account", "ml/storage").network_rules).toBeUndefined();
  });

  test("five private endpoints in the client subnet, each in its zones", () => {
    const { json } = privateWorkspace();
    const endpoints = all(json, "azurerm_private_endpoint").map((pe) => [
      pe.private_service_connection.subresource_names[0],
      pe.private_service_connection.private_connection_resource_id.replace(/_[0-9A-F]{8}\.id\}$/, "").replace("${", ""),
      pe.private_dns_zone_group.private_dns_zone_ids,
      pe.subnet_id,
      pe.name,
    ]);
    expect(endpoints.sort()).toEqual(
      [
        ["amlworkspace", "azapi_resource.ml_workspace", ["z-api", "z-nb"], SUBNET_ID, "pe-mlw-test-amlworkspace"],
        ["blob", "azurerm_storage_account.ml_storage", ["z-blob"], SUBNET_ID, "pe-sttest-blob"],
        ["file", "azurerm_storage_account.ml_storage", ["z-file"], SUBNET_ID, "pe-sttest-file"],
        ["registry", "azurerm_container_registry.ml_registry", ["z-acr"], SUBNET_ID, "pe-crtest-registry"],
        ["vault", "azurerm_key_vault.ml_key-vault", ["z-kv"], SUBNET_ID, "pe-kvtest-vault"],
      ].sort(),
    );
  });

  test("data-plane writes wait for the firewall and the blob endpoint; compute waits for the managed network", () => {
    const { ml } = privateWorkspace();
    expect(ml.dataPlaneReady).toEqual([ml.datastoreAccess!.wait, ml.storageNetworkRules, ml.privateEndpoints.blob.endpoint]);
    expect(ml.networkReady).toEqual([ml.managedNetwork!.provisioned]);
    const keyed = privateWorkspace({ storageSharedKeyAccess: true }).ml;
    expect(keyed.dataPlaneReady).toEqual([keyed.storageNetworkRules, keyed.privateEndpoints.blob.endpoint]);
  });

  test("the provisioning is on this workspace, so it runs once the workspace exists with its rules", () => {
    const { json } = privateWorkspace();
    expect(resourceAt(json, "azapi_resource_action", "ml/managed-network/provision").resource_id).toMatch(ref("azapi_resource", "ml_workspace"));
    expect(validateSynthesizedAzapiBodies(json)).toEqual([]);
  });

  test("contradicting props are refused", () => {
    expect(() => new MlWorkspace(newStack(), "ml", { ...workspaceProps, network, publicNetworkAccess: true })).toThrow(
      /^MlWorkspace: publicNetworkAccess: must not be true with network/,
    );
    expect(() => new MlWorkspace(newStack(), "ml", { ...workspaceProps, network, registrySku: "Standard" })).toThrow(
      /^MlWorkspace: registrySku: must be Premium with network/,
    );
  });

  test("without network nothing of this is there", () => {
    const stack = newStack();
    const ml = new MlWorkspace(stack, "ml", workspaceProps);
    const json = synthJson(stack);
    for (const type of ["azurerm_private_endpoint", "azurerm_storage_account_network_rules", "azapi_resource_action"]) {
      expect(json.resource[type]).toBeUndefined();
    }
    expect(json.removed).toBeUndefined();
    const ws = workspaceBody(json);
    expect(ws.managedNetwork).toBeUndefined();
    expect(ws.imageBuildCompute).toBeUndefined();
    expect(resourceAt(json, "azurerm_key_vault", "ml/key-vault").network_acls).toBeUndefined();
    const registry = resourceAt(json, "azurerm_container_registry", "ml/registry");
    expect(registry.sku).toBe("Standard");
    expect(registry.public_network_access_enabled).toBeUndefined();
    expect(ml.networkReady).toEqual([]);
    expect(ml.dataPlaneReady).toEqual([ml.datastoreAccess!.wait]);
  });
});

describe("ComputeCluster in a managed network", () => {
  test("no public IPs on nodes, created after the network is provisioned", () => {
    const stack = newStack();
    const mn = new ManagedNetwork(stack, "mn", { workspaceId: WORKSPACE_ID });
    new ComputeCluster(stack, "compute", {
      workspaceId: WORKSPACE_ID,
      resourceGroupName: "rg",
      location: "westeurope",
      name: "cpu-cluster",
      vmSize: "STANDARD_D2_V2",
      maxNodes: 2,
      nodePublicIpEnabled: false,
      networkReady: [mn.provisioned],
    });
    const cluster = resourceAt(synthJson(stack), "azurerm_machine_learning_compute_cluster", "compute/cluster");
    expect(cluster.node_public_ip_enabled).toBe(false);
    expect(cluster.depends_on).toEqual([expect.stringMatching(/^azapi_resource_action\.mn_provision_[0-9A-F]{8}$/)]);
  });

  test("by default neither is set, so public clusters synthesize as before", () => {
    const stack = newStack();
    new ComputeCluster(stack, "compute", { workspaceId: WORKSPACE_ID, resourceGroupName: "rg", location: "westeurope", name: "cpu-cluster", vmSize: "STANDARD_D2_V2", maxNodes: 2, networkReady: [] });
    const cluster = resourceAt(synthJson(stack), "azurerm_machine_learning_compute_cluster", "compute/cluster");
    expect(cluster.node_public_ip_enabled).toBeUndefined();
    expect(cluster.depends_on).toBeUndefined();
  });
});

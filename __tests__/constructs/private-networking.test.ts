import type { TerraformStack } from "cdktf";
import { ClientNetwork, PRIVATE_DNS_ZONES, type ClientNetworkProps } from "../../lib/constructs/client-network";
import { ComputeCluster } from "../../lib/constructs/compute-cluster";
import { ManagedNetwork, outboundRuleName } from "../../lib/constructs/managed-network";
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

  test("an FQDN rule per host, created one after another, then the network is provisioned", () => {
    const stack = newStack();
    new ManagedNetwork(stack, "mn", { workspaceId: WORKSPACE_ID, isolationMode: "AllowOnlyApprovedOutbound", allowedFqdns: ["pypi.org", "files.pythonhosted.org"] });
    const json = synthJson(stack);
    const first = resourceAt(json, "azurerm_machine_learning_workspace_network_outbound_rule_fqdn", "mn/fqdn-pypi-org");
    const second = resourceAt(json, "azurerm_machine_learning_workspace_network_outbound_rule_fqdn", "mn/fqdn-files-pythonhosted-org");
    expect(first).toEqual({ name: "fqdn-pypi-org", workspace_id: WORKSPACE_ID, destination_fqdn: "pypi.org" });
    expect(second).toMatchObject({ name: "fqdn-files-pythonhosted-org", workspace_id: WORKSPACE_ID, destination_fqdn: "files.pythonhosted.org" });
    expect(second.depends_on).toEqual([expect.stringMatching(/^azurerm_machine_learning_workspace_network_outbound_rule_fqdn\.mn_fqdn-pypi-org_[0-9A-F]{8}$/)]);
    const provision = resourceAt(json, "azapi_resource_action", "mn/provision");
    expect(provision).toEqual({
      type: "Microsoft.MachineLearningServices/workspaces@2025-12-01",
      resource_id: WORKSPACE_ID,
      action: "provisionManagedNetwork",
      method: "POST",
      body: { includeSpark: false },
      depends_on: [expect.stringMatching(/^azurerm_machine_learning_workspace_network_outbound_rule_fqdn\.mn_fqdn-files-pythonhosted-org_[0-9A-F]{8}$/)],
      timeouts: { create: "60m", update: "60m" },
    });
    expect(validateSynthesizedAzapiBodies(json)).toEqual([]);
  });

  test("without hosts: no rules, just the provisioning", () => {
    const stack = newStack();
    new ManagedNetwork(stack, "mn", { workspaceId: WORKSPACE_ID, isolationMode: "AllowInternetOutbound" });
    const json = synthJson(stack);
    expect(json.resource.azurerm_machine_learning_workspace_network_outbound_rule_fqdn).toBeUndefined();
    expect(resourceAt(json, "azapi_resource_action", "mn/provision").depends_on).toBeUndefined();
  });

  test("FQDN rules with internet outbound are refused: Azure only has them in approved-only mode", () => {
    expect(() => new ManagedNetwork(newStack(), "mn", { workspaceId: WORKSPACE_ID, isolationMode: "AllowInternetOutbound", allowedFqdns: ["pypi.org"] })).toThrow(
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

  test("the workspace: managed network, no public access, images built on the cluster", () => {
    const { json } = privateWorkspace();
    expect(resourceAt(json, "azurerm_machine_learning_workspace", "ml/workspace")).toMatchObject({
      public_network_access_enabled: false,
      managed_network: { isolation_mode: "AllowOnlyApprovedOutbound" },
      image_build_compute_name: "cpu-cluster",
    });
    // Provisioning on creation is a ForceNew argument; the explicit action provisions instead.
    expect(resourceAt(json, "azurerm_machine_learning_workspace", "ml/workspace").managed_network.provision_on_creation_enabled).toBeUndefined();
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
      private_link_access: [{ endpoint_resource_id: expect.stringMatching(ref("azurerm_machine_learning_workspace", "ml_workspace")), endpoint_tenant_id: workspaceProps.tenantId }],
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
        ["amlworkspace", "azurerm_machine_learning_workspace.ml_workspace", ["z-api", "z-nb"], SUBNET_ID, "pe-mlw-test-amlworkspace"],
        ["blob", "azurerm_storage_account.ml_storage", ["z-blob"], SUBNET_ID, "pe-sttest-blob"],
        ["file", "azurerm_storage_account.ml_storage", ["z-file"], SUBNET_ID, "pe-sttest-file"],
        ["registry", "azurerm_container_registry.ml_registry", ["z-acr"], SUBNET_ID, "pe-crtest-registry"],
        ["vault", "azurerm_key_vault.ml_key-vault", ["z-kv"], SUBNET_ID, "pe-kvtest-vault"],
      ].sort(),
    );
  });

  test("data-plane writes wait for the firewall and the blob endpoint; compute waits for the managed network", () => {
    const { ml } = privateWorkspace();
    expect(ml.dataPlaneReady).toEqual([ml.datastoreAuth, ml.storageNetworkRules, ml.privateEndpoints.blob.endpoint]);
    expect(ml.networkReady).toEqual([ml.managedNetwork!.provisioned]);
    const keyed = privateWorkspace({ storageSharedKeyAccess: true }).ml;
    expect(keyed.dataPlaneReady).toEqual([keyed.storageNetworkRules, keyed.privateEndpoints.blob.endpoint]);
  });

  test("the FQDN rules and provisioning are on this workspace", () => {
    const { json } = privateWorkspace();
    expect(resourceAt(json, "azurerm_machine_learning_workspace_network_outbound_rule_fqdn", "ml/managed-network/fqdn-pypi-org")).toMatchObject({
      workspace_id: expect.stringMatching(ref("azurerm_machine_learning_workspace", "ml_workspace")),
      destination_fqdn: "pypi.org",
    });
    expect(resourceAt(json, "azapi_resource_action", "ml/managed-network/provision").resource_id).toMatch(ref("azurerm_machine_learning_workspace", "ml_workspace"));
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
    for (const type of ["azurerm_private_endpoint", "azurerm_storage_account_network_rules", "azapi_resource_action", "azurerm_machine_learning_workspace_network_outbound_rule_fqdn"]) {
      expect(json.resource[type]).toBeUndefined();
    }
    const ws = resourceAt(json, "azurerm_machine_learning_workspace", "ml/workspace");
    expect(ws.managed_network).toBeUndefined();
    expect(ws.image_build_compute_name).toBeUndefined();
    expect(resourceAt(json, "azurerm_key_vault", "ml/key-vault").network_acls).toBeUndefined();
    const registry = resourceAt(json, "azurerm_container_registry", "ml/registry");
    expect(registry.sku).toBe("Standard");
    expect(registry.public_network_access_enabled).toBeUndefined();
    expect(ml.networkReady).toEqual([]);
    expect(ml.dataPlaneReady).toEqual([ml.datastoreAuth]);
  });
});

describe("ComputeCluster in a managed network", () => {
  test("no public IPs on nodes, created after the network is provisioned", () => {
    const stack = newStack();
    const mn = new ManagedNetwork(stack, "mn", { workspaceId: WORKSPACE_ID, isolationMode: "AllowOnlyApprovedOutbound" });
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

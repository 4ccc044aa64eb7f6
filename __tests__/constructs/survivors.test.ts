import { join } from "node:path";
import { PrivateDnsZoneVirtualNetworkLink } from "@cdktf/provider-azurerm/lib/private-dns-zone-virtual-network-link";
import { TerraformOutput } from "cdktf";
import { AzapiProvider } from "../../lib/azapi";
import {
  BatchEndpoint,
  type BatchDeploymentProps,
} from "../../lib/constructs/batch-endpoint";
import { ClientNetwork } from "../../lib/constructs/client-network";
import { outboundRuleName } from "../../lib/constructs/managed-network";
import {
  MlWorkspace,
  type MlWorkspaceNetworkProps,
} from "../../lib/constructs/ml-workspace";
import {
  ModelAssets,
  type LocalFiles,
} from "../../lib/constructs/model-assets";
import { OnlineDeployment } from "../../lib/constructs/online-deployment";
import { OnlineEndpoint } from "../../lib/constructs/online-endpoint";
import { PrivateEndpoint } from "../../lib/constructs/private-endpoint";
import { tempFolder } from "../helpers/config-dir";
import {
  azapiBesidesWorkspace,
  newComputeCluster,
  newStack,
  newWorkspace,
  resourceAt,
  synthJson,
  workspaceProps,
} from "../helpers/stacks";

/*
 * Behaviour that mutation testing found unpinned in lib/constructs: exact error messages, boundaries, name
 * sanitising, dependency lists and defaults. Every input is built inside its test (see docs/testing.md).
 */

const SUBNET_ID =
  "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-net/providers/Microsoft.Network/virtualNetworks/vnet-hub/subnets/snet-ml";
const WS_REF = "${azapi_resource.ml_workspace_46391A20.id}";
const DATASTORES_READY = [expect.stringMatching(/^time_sleep\.ml_datastore-access_wait_[0-9A-F]{8}$/)];

describe("BatchEndpoint props", () => {
  function batchDeployment(name: string): BatchDeploymentProps {
    return {
      name,
      modelId:
        "/subscriptions/s/resourceGroups/rg/providers/Microsoft.MachineLearningServices/workspaces/w/models/m/versions/1",
    };
  }

  function newBatch(
    deployments: BatchDeploymentProps[],
    defaultDeployment?: string,
    storageSharedKeyAccess?: boolean
  ) {
    const stack = newStack();
    new AzapiProvider(stack, "azapi");
    const workspace = new MlWorkspace(stack, "ml", {
      ...workspaceProps,
      storageSharedKeyAccess,
    });
    const compute = newComputeCluster(stack, workspace);
    new BatchEndpoint(stack, "batch", {
      name: "scoring",
      location: "westeurope",
      workspace,
      compute,
      deployments,
      defaultDeployment,
    });
    return stack;
  }

  test("no deployments: one problem only, not also an unknown default", () => {
    expect(() => newBatch([])).toThrow(
      /^BatchEndpoint: deployments: must list at least one deployment \(got \[\]\)$/
    );
  });

  test("a default that names no deployment is refused, listing the deployments comma-separated", () => {
    expect(() =>
      newBatch([batchDeployment("blue"), batchDeployment("red")], "green")
    ).toThrow(
      /^BatchEndpoint: defaultDeployment: must name one of the deployments \(blue, red\) \(got "green"\)$/
    );
  });

  test("the endpoint waits for the identity datastore mode", () => {
    const json = synthJson(newBatch([batchDeployment("blue")]));
    expect(
      resourceAt(json, "azapi_resource", "batch/endpoint").depends_on
    ).toEqual(DATASTORES_READY);
  });

  test("with shared keys the endpoint has nothing to wait for", () => {
    const json = synthJson(
      newBatch([batchDeployment("blue")], undefined, true)
    );
    expect(
      resourceAt(json, "azapi_resource", "batch/endpoint")
    ).not.toHaveProperty("depends_on");
  });
});

describe("ClientNetwork with an existing subnet", () => {
  function withSubnet(subnetId: string) {
    return new ClientNetwork(newStack(), "net", {
      resourceGroupName: "rg",
      location: "westeurope",
      virtualNetworkName: "unused",
      subnet: { subnetId },
    });
  }

  test.each([
    ["text before the id", `x${SUBNET_ID}`],
    ["a segment after the subnet", `${SUBNET_ID}/extra`],
  ])("an id with %s is refused", (_what, subnetId) => {
    expect(() => withSubnet(subnetId)).toThrow(
      /^ClientNetwork: subnet\.subnetId: must be a literal subnet id/
    );
  });

  test("links each of the six zones to the subnet's network, and nothing else", () => {
    const network = withSubnet(SUBNET_ID);
    expect(network.dnsZoneLinks).toHaveLength(6);
    for (const link of network.dnsZoneLinks)
      expect(link).toBeInstanceOf(PrivateDnsZoneVirtualNetworkLink);
  });
});

describe("outboundRuleName", () => {
  test.each([
    // A wildcard is spelled "any" only at the start.
    ["x.*.example.com", "fqdn-x-example-com"],
    // A run of separators becomes one dash.
    ["a..b--c.org", "fqdn-a-b-c-org"],
    // Leading and trailing separators (an absolute name's final dot) leave nothing behind.
    ["pypi.org.", "fqdn-pypi-org"],
    [".pypi.org", "fqdn-pypi-org"],
    // Exactly 33 characters is still allowed as it is.
    ["abcdefghijklmnopqrstuvwx.com", "fqdn-abcdefghijklmnopqrstuvwx-com"],
  ])("%s is named %s", (fqdn, name) => {
    expect(outboundRuleName(fqdn)).toBe(name);
  });

  test("a shortened name drops a dash its cut ends on", () => {
    // The slug's first 19 characters are "abcdefghijklmnopqr-".
    expect(
      outboundRuleName("abcdefghijklmnopqr.example-corporation.com")
    ).toMatch(/^fqdn-abcdefghijklmnopqr-[0-9a-f]{8}$/);
  });
});

describe("MlWorkspace with network", () => {
  function network(): MlWorkspaceNetworkProps {
    return {
      isolationMode: "AllowInternetOutbound",
      privateEndpoints: {
        subnetId: SUBNET_ID,
        dnsZoneIds: {
          workspaceApi: "z-api",
          workspaceNotebooks: "z-nb",
          blob: "z-blob",
          file: "z-file",
          vault: "z-kv",
          registry: "z-acr",
        },
      },
    };
  }

  test("public network access is refused, showing the value given", () => {
    expect(
      () =>
        new MlWorkspace(newStack(), "ml", {
          ...workspaceProps,
          network: network(),
          publicNetworkAccess: true,
        })
    ).toThrow(
      /^MlWorkspace: publicNetworkAccess: must not be true with network: a private workspace takes no public traffic \(got true\)$/
    );
  });

  test("an explicit Premium registry is accepted", () => {
    const stack = newStack();
    new MlWorkspace(stack, "ml", {
      ...workspaceProps,
      network: network(),
      registrySku: "Premium",
    });
    expect(
      resourceAt(synthJson(stack), "azurerm_container_registry", "ml/registry")
        .sku
    ).toBe("Premium");
  });

  test("without deployer ranges the storage firewall has no IP rules", () => {
    const stack = newStack();
    new MlWorkspace(stack, "ml", { ...workspaceProps, network: network() });
    expect(
      resourceAt(
        synthJson(stack),
        "azurerm_storage_account_network_rules",
        "ml/storage-network-rules"
      ).ip_rules
    ).toEqual([]);
  });
});

describe("ModelAssets", () => {
  const DEPLOYER = { principalId: "22222222-2222-2222-2222-222222222222" };
  const HASH = "0123456789abcdef0123456789abcdef";

  function assetsIn(stack = newStack(), storageSharedKeyAccess?: boolean) {
    const workspace = new MlWorkspace(stack, "ml", {
      ...workspaceProps,
      storageSharedKeyAccess,
    });
    return {
      stack,
      assets: new ModelAssets(stack, "assets", {
        workspace,
        uploaders: [DEPLOYER],
      }),
    };
  }

  /** A build context folder named "context" holding a Dockerfile, in a fresh temporary parent. */
  function buildContext(contentHash = HASH): LocalFiles {
    const parent = tempFolder(
      { "context/Dockerfile": "FROM scratch\n" },
      "env-"
    );
    return {
      path: join(parent, "context"),
      files: ["Dockerfile"],
      contentHash,
    };
  }

  test("a model from a URI waits for the datastore mode and nothing else", () => {
    const { stack, assets } = assetsIn();
    assets.model({
      name: "churn",
      version: "3",
      path: "https://example.blob.core.windows.net/models/churn/",
      type: "custom_model",
    });
    const model = resourceAt(
      synthJson(stack),
      "azapi_resource",
      "assets/model-churn-3"
    );
    expect(model.depends_on).toEqual(DATASTORES_READY);
    // Not a short datastore URI: sent as written.
    expect(model.body.properties.modelUri).toBe(
      "https://example.blob.core.windows.net/models/churn/"
    );
  });

  test("with shared keys and nothing uploaded, a version depends on nothing", () => {
    const { stack, assets } = assetsIn(newStack(), true);
    assets.model({
      name: "churn",
      version: "3",
      path: "https://example.blob.core.windows.net/models/churn/",
      type: "custom_model",
    });
    assets.environment({
      name: "plain",
      version: "2",
      image: "mcr.microsoft.com/azureml/base:latest",
    });
    const json = synthJson(stack);
    expect(
      resourceAt(json, "azapi_resource", "assets/model-churn-3")
    ).not.toHaveProperty("depends_on");
    expect(
      resourceAt(json, "azapi_resource", "assets/environment-plain-2")
    ).not.toHaveProperty("depends_on");
  });

  test.each([
    ["text before it", "xazureml://datastores/ds/paths/p"],
    ["a line after it", "azureml://datastores/ds/paths/p\nsecond"],
  ])("a short datastore URI with %s is sent as written", (_what, path) => {
    const { stack, assets } = assetsIn();
    assets.model({ name: "churn", version: "3", path, type: "custom_model" });
    expect(
      resourceAt(synthJson(stack), "azapi_resource", "assets/model-churn-3")
        .body.properties.modelUri
    ).toBe(path);
  });

  test("an environment built from a context: Dockerfile by default, registered under environments/<name>", () => {
    const { stack, assets } = assetsIn();
    assets.environment({
      name: "custom",
      version: "1",
      build: { files: buildContext() },
    });
    const json = synthJson(stack);
    const env = resourceAt(
      json,
      "azapi_resource",
      "assets/environment-custom-1"
    );
    expect(env.parent_id).toBe(`${WS_REF}/environments/custom`);
    expect(env.body.properties.build).toEqual({
      contextUri:
        "${azurerm_storage_account.ml_storage_3B97082E.primary_blob_endpoint}${azurerm_storage_container.assets_upload-container_BDF8BD75.name}/environments/custom/0123456789abcdef0123456789abcdef/context/",
      dockerfilePath: "Dockerfile",
    });
    // The upload's address: kind and name joined by dashes, then the hash's first 12 characters.
    expect(Object.keys(json.resource.azurerm_storage_blob)).toEqual([
      expect.stringMatching(
        /^assets_upload-environments-custom-0123456789ab-file-Dockerfile_[0-9A-F]{8}$/
      ),
    ]);
  });

  test("the deployer is granted blob write before the first upload", () => {
    const { stack, assets } = assetsIn();
    assets.environment({
      name: "custom",
      version: "1",
      build: { files: buildContext() },
    });
    const grants = Object.values(
      synthJson(stack).resource.azurerm_role_assignment
    ) as any[];
    expect(grants).toEqual([
      expect.objectContaining({
        principal_id: DEPLOYER.principalId,
        role_definition_name: "Storage Blob Data Contributor",
      }),
    ]);
  });

  test("one environment version with two build contexts is refused", () => {
    const { assets } = assetsIn();
    assets.environment({
      name: "custom",
      version: "1",
      build: { files: buildContext() },
    });
    expect(() =>
      assets.environment({
        name: "custom",
        version: "1",
        build: { files: buildContext("fedcba9876543210fedcba9876543210") },
      })
    ).toThrow(
      /^ModelAssets: environment-custom-1: must be defined the same way wherever it is used/
    );
  });

  test("one environment version with the same context from two places on disk is one asset", () => {
    const { stack, assets } = assetsIn();
    assets.environment({
      name: "custom",
      version: "1",
      build: { files: buildContext() },
    });
    assets.environment({
      name: "custom",
      version: "1",
      build: { files: buildContext() },
    });
    expect(Object.keys(azapiBesidesWorkspace(synthJson(stack)))).toHaveLength(
      1
    );
  });

  test("a folder is a folder whether isFile is left out or false", () => {
    const { stack, assets } = assetsIn();
    const files = buildContext();
    assets.model({ name: "churn", type: "custom_model", files });
    assets.model({
      name: "churn",
      type: "custom_model",
      files: { ...files, isFile: false },
    });
    // Registered once, at the default version: the hash's first 12 characters.
    const json = synthJson(stack);
    expect(Object.keys(azapiBesidesWorkspace(json))).toHaveLength(1);
    expect(
      resourceAt(json, "azapi_resource", "assets/model-churn-0123456789ab").name
    ).toBe("0123456789ab");
  });
});

describe("OnlineDeployment data collection", () => {
  function deploymentWith(dataCollector?: { samplingRate: number }) {
    const stack = newStack();
    const endpoint = new OnlineEndpoint(stack, "endpoint", {
      name: "churn-dev",
      location: "westeurope",
      resourceGroupName: "rg-test",
      workspace: newWorkspace(stack),
    });
    new OnlineDeployment(stack, "deployment", {
      endpoint,
      name: "blue",
      location: "westeurope",
      modelId: "azureml://registries/azureml/models/churn/versions/3",
      instanceType: "Standard_DS3_v2",
      dataCollector: dataCollector && { collections: { model_inputs: { enabled: true, dataId: "data-id" } }, ...dataCollector },
    });
    return stack;
  }

  test("a sampling rate of 0 is accepted", () => {
    const body = resourceAt(
      synthJson(deploymentWith({ samplingRate: 0 })),
      "azapi_resource",
      "deployment/deployment"
    ).body;
    expect(
      body.properties.dataCollector.collections.model_inputs.samplingRate
    ).toBe(0);
  });

  test("a negative sampling rate is refused", () => {
    expect(() => deploymentWith({ samplingRate: -0.5 })).toThrow(
      /^OnlineDeployment: dataCollector\.samplingRate: must be from 0 to 1 \(got -0\.5\)$/
    );
  });
});

describe("PrivateEndpoint", () => {
  function props(privateDnsZoneIds: string[]) {
    return {
      name: "pe-st-blob",
      resourceGroupName: "rg",
      location: "westeurope",
      subnetId: SUBNET_ID,
      targetId:
        "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Storage/storageAccounts/st",
      subresource: "blob" as const,
      privateDnsZoneIds,
      tags: { project: "churn" },
    };
  }

  test("without a zone the error shows the empty list", () => {
    expect(() => new PrivateEndpoint(newStack(), "pe", props([]))).toThrow(
      /^PrivateEndpoint: privateDnsZoneIds: must name at least one zone: without DNS, callers resolve the public address \(got \[\]\)$/
    );
  });

  test("tags reach the endpoint, and its id is the endpoint resource's", () => {
    const stack = newStack();
    const pe = new PrivateEndpoint(stack, "pe", props(["zone-blob"]));
    new TerraformOutput(stack, "pe-id", { value: pe.id });
    const json = synthJson(stack);
    expect(
      resourceAt(json, "azurerm_private_endpoint", "pe/endpoint").tags
    ).toEqual({ project: "churn" });
    expect(json.output["pe-id"].value).toMatch(
      /^\$\{azurerm_private_endpoint\.pe_endpoint_[0-9A-F]{8}\.id\}$/
    );
  });
});

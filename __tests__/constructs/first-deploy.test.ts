import type { TerraformStack } from "cdktf";
import { ComputeCluster } from "../../lib/constructs/compute-cluster";
import { ImageBuilder } from "../../lib/constructs/image-builder";
import { MlWorkspace, type MlWorkspaceNetworkProps } from "../../lib/constructs/ml-workspace";
import { ModelAssets } from "../../lib/constructs/model-assets";
import { OnlineDeployment } from "../../lib/constructs/online-deployment";
import { OnlineEndpoint } from "../../lib/constructs/online-endpoint";
import { RolePropagation } from "../../lib/constructs/role-propagation";
import { join } from "node:path";
import { readCodeBundle } from "../../lib/config/code-bundle";
import { tempFolder } from "../helpers/config-dir";
import { newStack, resourceAt, synthJson, workspaceProps } from "../helpers/stacks";

/**
 * The constructs a first deploy on a fresh subscription leans on (issue 20), from props: the image builder, the
 * wait after roles Azure grants itself, upload roles per container, and deployments in a managed network.
 */

const network: MlWorkspaceNetworkProps = {
  isolationMode: "AllowOnlyApprovedOutbound",
  privateEndpoints: {
    subnetId: "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/virtualNetworks/v/subnets/s",
    dnsZoneIds: { workspaceApi: "a", workspaceNotebooks: "n", blob: "b", file: "f", vault: "v", registry: "r" },
  },
  imageBuildComputeName: "gpu-builder",
};

function privateStack(clusterName = "gpu-builder"): { stack: TerraformStack; ml: MlWorkspace; cluster: ComputeCluster } {
  const stack = newStack();
  const ml = new MlWorkspace(stack, "ml", { ...workspaceProps, network });
  const cluster = new ComputeCluster(stack, "compute", {
    workspaceId: ml.workspace.id,
    resourceGroupName: "rg-test",
    location: "westeurope",
    name: clusterName,
    vmSize: "STANDARD_D4S_V3",
    maxNodes: 3,
  });
  return { stack, ml, cluster };
}

describe("ImageBuilder", () => {
  test("the cluster's identity may push images and read the default datastore's container; then a delay", () => {
    const { stack, ml, cluster } = privateStack();
    const builder = new ImageBuilder(stack, "image-builder", { workspace: ml, cluster, rolePropagationDelaySeconds: 90 });
    const json = synthJson(stack);
    const identity = /^\$\{azurerm_user_assigned_identity\.compute_identity_[0-9A-F]{8}\.principal_id\}$/;
    expect(resourceAt(json, "azurerm_role_assignment", "image-builder/registry-push")).toEqual({
      role_definition_name: "AcrPush",
      scope: expect.stringMatching(/^\$\{azurerm_container_registry\.ml_registry_[0-9A-F]{8}\.id\}$/),
      principal_id: expect.stringMatching(identity),
      principal_type: "ServicePrincipal",
    });
    expect(resourceAt(json, "azurerm_role_assignment", "image-builder/context-read")).toEqual({
      role_definition_name: "Storage Blob Data Reader",
      scope: expect.stringMatching(
        /^\$\{azurerm_storage_account\.ml_storage_[0-9A-F]{8}\.id\}\/blobServices\/default\/containers\/azureml-blobstore-\$\{azapi_resource\.ml_workspace_[0-9A-F]{8}\.output\.properties\.workspaceId\}$/,
      ),
      principal_id: expect.stringMatching(identity),
      principal_type: "ServicePrincipal",
    });
    expect(resourceAt(json, "time_sleep", "image-builder/propagation/wait").create_duration).toBe("90s");
    expect(builder.ready).toEqual([cluster.cluster, (builder.node.findChild("propagation") as RolePropagation).wait]);
    expect(builder.principal.principalType).toBe("ServicePrincipal");
  });

  test("a cluster other than the workspace's image build compute is refused", () => {
    const { stack, ml, cluster } = privateStack("cpu-cluster");
    expect(() => new ImageBuilder(stack, "image-builder", { workspace: ml, cluster })).toThrow(
      `ImageBuilder: cluster: must be the workspace's image build compute (gpu-builder) (got "cpu-cluster")`,
    );
  });
});

describe("RolePropagation after roles Azure grants itself", () => {
  test("waits after the granting resources and starts again when one is replaced", () => {
    const { stack, ml } = privateStack();
    new RolePropagation(stack, "after-workspace", { roleAssignments: [], grantedBy: [ml.workspace, ml.keyVault] });
    const wait = resourceAt(synthJson(stack), "time_sleep", "after-workspace/wait");
    expect(wait.depends_on).toEqual([
      expect.stringMatching(/^azapi_resource\.ml_workspace_[0-9A-F]{8}$/),
      expect.stringMatching(/^azurerm_key_vault\.ml_key-vault_[0-9A-F]{8}$/),
    ]);
    expect(wait.triggers).toEqual({
      granted_by_0: expect.stringMatching(/^\$\{azapi_resource\.ml_workspace_[0-9A-F]{8}\.id\}$/),
      granted_by_1: expect.stringMatching(/^\$\{azurerm_key_vault\.ml_key-vault_[0-9A-F]{8}\.id\}$/),
    });
  });
});

function codeSpec(dir: string) {
  const bundle = readCodeBundle(dir, join(dir, ".."));
  return { name: "src", path: bundle.path, files: bundle.files, contentHash: bundle.contentHash };
}

describe("ModelAssets upload roles", () => {
  test("each uploader writes and each reader reads the upload container only, keyed by its object id; the blobs wait for them", () => {
    const { stack, ml, cluster } = privateStack();
    const assets = new ModelAssets(stack, "assets", {
      workspace: ml,
      uploaders: [{ principalId: "AAAAAAAA-1111-1111-1111-111111111111" }, { principalId: "bbbbbbbb-2222-2222-2222-222222222222" }],
      readers: [{ principalId: cluster.principalId, principalType: "ServicePrincipal" }],
    });
    assets.code(codeSpec(tempFolder({ "score.py": "print(1)" }, "code-")));
    const json = synthJson(stack);
    const scope = /^\$\{azurerm_storage_account\.ml_storage_[0-9A-F]{8}\.id\}\/blobServices\/default\/containers\/\$\{azurerm_storage_container\.assets_code-container_[0-9A-F]{8}\.name\}$/;
    const writerA = resourceAt(json, "azurerm_role_assignment", "assets/code-container-access/write-aaaaaaaa-1111-1111-1111-111111111111");
    const writerB = resourceAt(json, "azurerm_role_assignment", "assets/code-container-access/write-bbbbbbbb-2222-2222-2222-222222222222");
    const reader = resourceAt(json, "azurerm_role_assignment", "assets/code-container-access/read-reader");
    expect([writerA.role_definition_name, writerB.role_definition_name, reader.role_definition_name]).toEqual([
      "Storage Blob Data Contributor",
      "Storage Blob Data Contributor",
      "Storage Blob Data Reader",
    ]);
    for (const r of [writerA, writerB, reader]) expect(r.scope).toMatch(scope);
    expect(writerA.principal_id).toBe("AAAAAAAA-1111-1111-1111-111111111111");
    const [blob] = Object.values<any>(json.resource.azurerm_storage_blob);
    expect(blob.depends_on).toContainEqual(expect.stringMatching(/^time_sleep\.assets_code-container-access_propagation_wait_[0-9A-F]{8}$/));
    const assignments = Object.keys(json.resource.azurerm_role_assignment).filter((k) => k.startsWith("assets_code-container-access_"));
    expect(assignments).toHaveLength(3);
    expect([...resourceAt(json, "time_sleep", "assets/code-container-access/propagation/wait").depends_on].sort()).toEqual(
      assignments.map((k) => `azurerm_role_assignment.${k}`).sort(),
    );
  });

  test("nobody to upload is refused", () => {
    const { stack, ml } = privateStack();
    expect(() => new ModelAssets(stack, "assets", { workspace: ml, uploaders: [] })).toThrow("ModelAssets: uploaders: must name at least one identity (got [])");
  });
});

describe("OnlineDeployment in a managed network", () => {
  function deployment(ml: MlWorkspace, stack: TerraformStack, extra: object = {}) {
    const endpoint = new OnlineEndpoint(stack, "endpoint", { name: "churn-prod", location: "westeurope", resourceGroupName: "rg-test", workspace: ml });
    return new OnlineDeployment(stack, "deployment-blue", {
      endpoint,
      name: "blue",
      location: "westeurope",
      modelId: "azureml://registries/azureml/models/churn/versions/3",
      instanceType: "Standard_DS3_v2",
      egressPublicNetworkAccess: false,
      ...extra,
    });
  }

  test("sends no egress flag, which no longer applies there and could not be changed later", () => {
    const { stack, ml } = privateStack();
    deployment(ml, stack);
    expect(resourceAt(synthJson(stack), "azapi_resource", "deployment-blue/deployment").body.properties).not.toHaveProperty("egressPublicNetworkAccess");
  });

  test("in a public workspace the flag is sent as written", () => {
    const stack = newStack();
    deployment(new MlWorkspace(stack, "ml", workspaceProps), stack);
    expect(resourceAt(synthJson(stack), "azapi_resource", "deployment-blue/deployment").body.properties.egressPublicNetworkAccess).toBe("Disabled");
  });

  test("waits for what the image build needs", () => {
    const { stack, ml, cluster } = privateStack();
    const builder = new ImageBuilder(stack, "image-builder", { workspace: ml, cluster });
    deployment(ml, stack, { buildReady: builder.ready });
    expect(resourceAt(synthJson(stack), "azapi_resource", "deployment-blue/deployment").depends_on).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^azurerm_machine_learning_compute_cluster\.compute_cluster_[0-9A-F]{8}$/),
        expect.stringMatching(/^time_sleep\.image-builder_propagation_wait_[0-9A-F]{8}$/),
      ]),
    );
  });
});

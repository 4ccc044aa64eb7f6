import { RoleAssignment } from "@cdktf/provider-azurerm/lib/role-assignment";
import { TerraformOutput, type TerraformStack } from "cdktf";
import { AzapiProvider, AzapiResource, AzapiUpdateResource } from "../../lib/azapi";
import { BatchEndpoint, type BatchDeploymentProps, type BatchEndpointProps } from "../../lib/constructs/batch-endpoint";
import type { ComputeCluster } from "../../lib/constructs/compute-cluster";
import type { MlWorkspace } from "../../lib/constructs/ml-workspace";
import { validateSynthesizedAzapiBodies } from "../helpers/azapi-schema";
import { newComputeCluster, newStack, newWorkspace, resourceAt, synthJson } from "../helpers/stacks";

const WS = "/subscriptions/s/resourceGroups/rg-ml/providers/Microsoft.MachineLearningServices/workspaces/mlw-fraud-prod";
const MODEL_ID = `${WS}/models/fraud/versions/3`;
const ENVIRONMENT_ID = `${WS}/environments/sklearn/versions/1`;
const CODE_ID = `${WS}/codes/score/versions/0123456789ab`;

const DEPLOYMENT: BatchDeploymentProps = {
  name: "nightly",
  modelId: MODEL_ID,
  environmentId: ENVIRONMENT_ID,
  code: { codeId: CODE_ID, scoringScript: "batch_score.py" },
  instanceCount: 2,
  maxConcurrencyPerInstance: 4,
  miniBatchSize: 20,
  retry: { maxRetries: 5, timeoutSeconds: 600 },
  errorThreshold: 10,
  outputAction: "append_row",
  outputFileName: "scores.csv",
  loggingLevel: "debug",
  environmentVariables: { LOG_FORMAT: "json" },
  description: "Nightly rescoring",
};

interface Fixture {
  readonly stack: TerraformStack;
  readonly workspace: MlWorkspace;
  readonly compute: ComputeCluster;
}

/** A fresh stack with a workspace and a cluster, the way ServingStack builds them. */
function fixture(): Fixture {
  const stack = newStack();
  new AzapiProvider(stack, "azapi");
  const workspace = newWorkspace(stack);
  const compute = newComputeCluster(stack, workspace);
  return { stack, workspace, compute };
}

function props(f: Fixture, overrides: Partial<BatchEndpointProps> = {}, deployment: Partial<BatchDeploymentProps> = {}): BatchEndpointProps {
  return {
    name: "fraud-batch",
    location: "westeurope",
    workspace: f.workspace,
    compute: f.compute,
    description: "Offline fraud scoring",
    tags: { project: "fraud" },
    ...overrides,
    deployments: [{ ...DEPLOYMENT, ...deployment }],
  };
}

/** Synthesizes a fresh stack with one BatchEndpoint and returns the parsed cdk.tf.json. */
function synth(overrides: Partial<BatchEndpointProps> = {}, deployment: Partial<BatchDeploymentProps> = {}): any {
  const f = fixture();
  new BatchEndpoint(f.stack, "batch-fraud", props(f, overrides, deployment));
  return synthJson(f.stack);
}

const endpointOf = (json: any) => resourceAt(json, "azapi_resource", "batch-fraud/endpoint");
const deploymentOf = (json: any) => resourceAt(json, "azapi_resource", "batch-fraud/deployment-nightly");
const defaultsOf = (json: any) => resourceAt(json, "azapi_update_resource", "batch-fraud/defaults");

/** The logical id (resource key) of the one resource of `type` whose key starts with `prefix`. */
function keyOf(json: any, type: string, prefix: string): string {
  const keys = Object.keys(json.resource[type]).filter((key) => key.startsWith(prefix));
  expect(keys).toHaveLength(1);
  return keys[0];
}

describe("BatchEndpoint endpoint", () => {
  test("is a batch endpoint in the workspace with Entra ID auth and no identity", () => {
    const endpoint = endpointOf(synth());
    expect(endpoint).toEqual(
      expect.objectContaining({
        type: "Microsoft.MachineLearningServices/workspaces/batchEndpoints@2025-12-01",
        name: "fraud-batch",
        parent_id: expect.stringMatching(/^\$\{azapi_resource\.ml_workspace_\w+\.id\}$/),
        location: "westeurope",
        body: { properties: { authMode: "AADToken", description: "Offline fraud scoring" } },
        tags: { project: "fraud" },
      }),
    );
    expect(endpoint.identity).toBeUndefined();
  });
});

describe("BatchEndpoint outputs", () => {
  test("id, endpoint and deployment names are what `az ml batch-endpoint invoke` needs", () => {
    const f = fixture();
    const batch = new BatchEndpoint(f.stack, "batch-fraud", props(f));
    expect(batch.endpointName).toBe("fraud-batch");
    expect(batch.deploymentName).toBe("nightly");
    new TerraformOutput(f.stack, "batch_id", { value: batch.id });
    expect(synthJson(f.stack).output.batch_id.value).toMatch(/^\$\{azapi_resource\.batch-fraud_endpoint_\w+\.id\}$/);
  });
});

describe("BatchEndpoint deployment", () => {
  test("maps every setting to the batch deployment body", () => {
    const deployment = deploymentOf(synth());
    expect(deployment).toEqual(
      expect.objectContaining({
        type: "Microsoft.MachineLearningServices/workspaces/batchEndpoints/deployments@2025-12-01",
        name: "nightly",
        parent_id: expect.stringMatching(/^\$\{azapi_resource\.batch-fraud_endpoint_\w+\.id\}$/),
        location: "westeurope",
        tags: { project: "fraud" },
      }),
    );
    expect(deployment.body).toEqual({
      properties: {
        compute: expect.stringMatching(/^\$\{azurerm_machine_learning_compute_cluster\.compute_cluster_\w+\.id\}$/),
        model: { referenceType: "Id", assetId: MODEL_ID },
        environmentId: ENVIRONMENT_ID,
        codeConfiguration: { codeId: CODE_ID, scoringScript: "batch_score.py" },
        resources: { instanceCount: 2 },
        maxConcurrencyPerInstance: 4,
        miniBatchSize: 20,
        retrySettings: { maxRetries: 5, timeout: "PT10M" },
        errorThreshold: 10,
        outputAction: "AppendRow",
        outputFileName: "scores.csv",
        loggingLevel: "Debug",
        environmentVariables: { LOG_FORMAT: "json" },
        description: "Nightly rescoring",
      },
    });
  });

  test("defaults: one node, one mini-batch at a time, 10 per mini-batch, 3 retries of 300 s, failures ignored", () => {
    const json = synth(
      {},
      {
        instanceCount: undefined,
        maxConcurrencyPerInstance: undefined,
        miniBatchSize: undefined,
        retry: undefined,
        errorThreshold: undefined,
        outputAction: undefined,
        outputFileName: undefined,
        loggingLevel: undefined,
        environmentVariables: undefined,
        description: undefined,
      },
    );
    const body = deploymentOf(json).body.properties;
    expect(body).toEqual(
      expect.objectContaining({
        resources: { instanceCount: 1 },
        maxConcurrencyPerInstance: 1,
        miniBatchSize: 10,
        retrySettings: { maxRetries: 3, timeout: "PT5M" },
        errorThreshold: -1,
        outputAction: "AppendRow",
        outputFileName: "predictions.csv",
        loggingLevel: "Info",
      }),
    );
    expect(body.environmentVariables).toBeUndefined();
    expect(body.description).toBeUndefined();
  });

  test.each([
    ["info", "Info"],
    ["warning", "Warning"],
    ["debug", "Debug"],
  ] as const)("logging level %s is %s", (level, expected) => {
    const body = deploymentOf(synth({}, { loggingLevel: level })).body.properties;
    expect(body.loggingLevel).toBe(expected);
  });

  test("summary_only writes no predictions file, so the file name is left out", () => {
    const body = deploymentOf(synth({}, { outputAction: "summary_only" })).body.properties;
    expect(body.outputAction).toBe("SummaryOnly");
    expect(body.outputFileName).toBeUndefined();
  });

  test("an MLflow model goes without environment and code", () => {
    const body = deploymentOf(synth({}, { environmentId: undefined, code: undefined })).body.properties;
    expect(body.environmentId).toBeUndefined();
    expect(body.codeConfiguration).toBeUndefined();
  });

  test("locks the endpoint and waits for the cluster identity's grants to propagate and for identity datastore mode", () => {
    const json = synth();
    const deployment = deploymentOf(json);
    expect(deployment.locks).toEqual([expect.stringMatching(/^\$\{azapi_resource\.batch-fraud_endpoint_\w+\.id\}$/)]);
    const grants = Object.keys(json.resource.azurerm_role_assignment).map((key) => `azurerm_role_assignment.${key}`);
    expect(grants).toHaveLength(4);
    const [sleep] = Object.keys(json.resource.time_sleep);
    expect(sleep).toMatch(/^compute_batch-access_propagation_wait_/);
    expect([...json.resource.time_sleep[sleep].depends_on].sort()).toEqual([...grants].sort());
    expect(deployment.depends_on).toEqual([
      `time_sleep.${sleep}`,
      expect.stringMatching(/^time_sleep\.ml_datastore-access_wait_\w+$/),
    ]);
  });
});

describe("BatchEndpoint cluster access", () => {
  test.each(["Storage Blob Data Contributor", "Storage Queue Data Contributor", "Storage Table Data Contributor"])(
    "grants the cluster identity %s on the workspace storage, as Parallel Run on keyless storage needs",
    (role) => {
      expect(JSON.stringify(synth())).toHaveResourceWithProperties(RoleAssignment, {
        role_definition_name: role,
        scope: expect.stringMatching(/^\$\{azurerm_storage_account\.ml_storage_\w+\.id\}$/),
        principal_id: expect.stringMatching(/^\$\{azurerm_user_assigned_identity\.compute_identity_\w+\.principal_id\}$/),
        principal_type: "ServicePrincipal",
      });
    },
  );

  test("grants the cluster identity AcrPull on the workspace registry", () => {
    const json = JSON.stringify(synth());
    const principal = expect.stringMatching(/^\$\{azurerm_user_assigned_identity\.compute_identity_\w+\.principal_id\}$/);
    expect(json).toHaveResourceWithProperties(RoleAssignment, {
      role_definition_name: "AcrPull",
      scope: expect.stringMatching(/^\$\{azurerm_container_registry\.ml_registry_\w+\.id\}$/),
      principal_id: principal,
      principal_type: "ServicePrincipal",
    });
  });

  test("grants once per cluster, however many endpoints use it", () => {
    const f = fixture();
    const first = new BatchEndpoint(f.stack, "batch-a", props(f, { name: "batch-a" }));
    const second = new BatchEndpoint(f.stack, "batch-b", props(f, { name: "batch-b" }));
    const json = synthJson(f.stack);
    expect(Object.keys(json.resource.azurerm_role_assignment)).toHaveLength(4);
    expect(Object.keys(json.resource.time_sleep).filter((k) => k.startsWith("compute_"))).toHaveLength(1);
    expect(second.roleAssignments).toEqual(first.roleAssignments);
    expect(f.compute.node.findChild("batch-access").node.children.map((c) => c.node.id)).toEqual([
      "blob-write",
      "queue-write",
      "table-write",
      "registry-pull",
      "propagation",
    ]);
    expect(validateSynthesizedAzapiBodies(json)).toEqual([]);
  });
});

describe("BatchEndpoint default deployment", () => {
  test("is set by an update of the endpoint once the deployment exists", () => {
    const json = synth();
    const defaults = defaultsOf(json);
    const endpointKey = keyOf(json, "azapi_resource", "batch-fraud_endpoint_");
    const deploymentKey = keyOf(json, "azapi_resource", "batch-fraud_deployment-nightly_");
    expect(defaults).toEqual(
      expect.objectContaining({
        type: "Microsoft.MachineLearningServices/workspaces/batchEndpoints@2025-12-01",
        resource_id: `\${azapi_resource.${endpointKey}.id}`,
        body: { properties: { defaults: { deploymentName: "nightly" }, description: "Offline fraud scoring" }, tags: { project: "fraud" } },
        locks: [`\${azapi_resource.${endpointKey}.id}`],
        depends_on: [`azapi_resource.${deploymentKey}`],
      }),
    );
    // Re-applied whenever the endpoint is replaced or updated, whose PUT carries no defaults.
    expect(defaults.lifecycle).toEqual({ replace_triggered_by: [`azapi_resource.${endpointKey}`] });
  });

  test("construct ids are stable and readable", () => {
    const f = fixture();
    const batch = new BatchEndpoint(f.stack, "batch-fraud", props(f));
    expect(batch.node.children.map((c) => c.node.id)).toEqual(["endpoint", "deployment-nightly", "defaults"]);
    expect(batch.node.findChild("defaults")).toBeInstanceOf(AzapiUpdateResource);
    expect(batch.node.findChild("endpoint")).toBeInstanceOf(AzapiResource);
    expect(batch.endpointName).toBe("fraud-batch");
    expect(batch.deploymentName).toBe("nightly");
  });
});

describe("BatchEndpoint schema", () => {
  test.each<[string, Partial<BatchDeploymentProps>]>([
    ["every setting", {}],
    ["only defaults", { instanceCount: undefined, retry: undefined, errorThreshold: undefined, loggingLevel: undefined }],
    ["summary only", { outputAction: "summary_only" }],
    ["an MLflow model", { environmentId: undefined, code: undefined }],
  ])("every azapi body validates against the 2025-12-01 schema: %s", (_, deployment) => {
    expect(validateSynthesizedAzapiBodies(synth({}, deployment))).toEqual([]);
  });
});

describe("BatchEndpoint invariants", () => {
  test.each<[string, Partial<BatchDeploymentProps>, string]>([
    ["no nodes", { instanceCount: 0 }, "BatchEndpoint: deployment.instanceCount: must be a whole number >= 1 (got 0)"],
    ["a fractional node count", { instanceCount: 1.5 }, "BatchEndpoint: deployment.instanceCount: must be a whole number >= 1 (got 1.5)"],
    ["empty mini-batches", { miniBatchSize: 0 }, "BatchEndpoint: deployment.miniBatchSize: must be a whole number >= 1 (got 0)"],
    ["no concurrency", { maxConcurrencyPerInstance: 0 }, "BatchEndpoint: deployment.maxConcurrencyPerInstance: must be a whole number >= 1 (got 0)"],
    ["an error threshold under -1", { errorThreshold: -2 }, "BatchEndpoint: deployment.errorThreshold: must be a whole number >= -1 (got -2)"],
    ["negative retries", { retry: { maxRetries: -1 } }, "BatchEndpoint: deployment.retry.maxRetries: must be a whole number >= 0 (got -1)"],
    ["a zero timeout", { retry: { timeoutSeconds: 0 } }, "BatchEndpoint: deployment.retry.timeoutSeconds: must be a whole number >= 1 (got 0)"],
    ["code without an environment", { environmentId: undefined }, "BatchEndpoint: deployment.environmentId: is required when code is given"],
  ])("rejects %s", (_, deployment, message) => {
    expect(() => synth({}, deployment)).toThrow(message);
  });
});

/**
 * Small per-construct snapshots: a review aid that shows in a pull request what a change does to each construct's
 * Terraform. They guard nothing on their own: every setting that matters has its own assertion in
 * __tests__/constructs, and mutation testing leaves this folder out (jest.stryker.config.js).
 * After an intended change, re-record with `npm run test:update`.
 */
import { Testing } from "cdktf";
import { AzapiProvider } from "../../lib/azapi";
import { BatchEndpoint } from "../../lib/constructs/batch-endpoint";
import { ComputeCluster } from "../../lib/constructs/compute-cluster";
import { DeploymentAutoscale } from "../../lib/constructs/deployment-autoscale";
import { EndpointTraffic } from "../../lib/constructs/endpoint-traffic";
import { ModelAssets } from "../../lib/constructs/model-assets";
import { Monitoring } from "../../lib/constructs/monitoring";
import { OnlineDeployment } from "../../lib/constructs/online-deployment";
import { OnlineEndpoint } from "../../lib/constructs/online-endpoint";
import { StateStorage } from "../../lib/constructs/state-storage";
import { perFile } from "../helpers/shared";
import { newStack, newWorkspace, synthJson } from "../helpers/stacks";

/** Every serving construct once, with default props where it has them, in one stack synthesized once. */
function servingJson(): any {
  const stack = newStack();
  new AzapiProvider(stack, "azapi");
  const ml = newWorkspace(stack);
  const compute = new ComputeCluster(stack, "compute", {
    workspaceId: ml.workspace.id,
    location: "westeurope",
    resourceGroupName: "rg-test",
    name: "cpu",
    vmSize: "STANDARD_D2_V2",
    maxNodes: 4,
  });
  const assets = new ModelAssets(stack, "assets", { workspace: ml, uploaders: [{ principalId: "22222222-2222-2222-2222-222222222222" }] });
  const modelId = assets.model({ name: "churn", version: "3", path: "azureml://datastores/workspaceblobstore/paths/models/churn/3/", type: "custom_model" });
  const environmentId = assets.environment({ name: "churn-env", version: "1", image: "mcr.microsoft.com/azureml/openmpi4.1.0-ubuntu22.04:latest" });
  const endpoint = new OnlineEndpoint(stack, "endpoint", { name: "churn", location: "westeurope", resourceGroupName: "rg-test", workspace: ml });
  const deployment = new OnlineDeployment(stack, "deployment", {
    endpoint,
    name: "blue",
    location: "westeurope",
    modelId,
    environmentId,
    instanceType: "Standard_DS3_v2",
    autoscaled: true,
  });
  new EndpointTraffic(stack, "traffic", { endpoint, deployments: [deployment], traffic: { blue: 100 } });
  const autoscale = new DeploymentAutoscale(stack, "autoscale", {
    deployment,
    name: "autoscale-blue",
    resourceGroupName: "rg-test",
    location: "westeurope",
    minInstances: 1,
    maxInstances: 4,
  });
  new BatchEndpoint(stack, "batch", { name: "churn-batch", location: "westeurope", workspace: ml, compute, deployments: [{ name: "nightly", modelId }] });
  new Monitoring(stack, "monitoring", {
    name: "churn",
    resourceGroupName: "rg-test",
    logAnalyticsWorkspaceId: ml.logAnalytics.id,
    workspaceId: ml.workspace.id,
    onlineEndpointId: endpoint.id,
    deployments: [{ name: "blue", id: deployment.id, autoscale: { settingId: autoscale.setting.id, maxInstances: 4 } }],
    alertEmails: ["oncall@example.com"],
    actionGroupName: "ag-churn",
  });
  return synthJson(stack);
}

/** The resources whose construct path starts with `id` (cdktf's logical ids begin with the path). */
function resourcesOf(json: any, id: string): Record<string, Record<string, unknown>> {
  const out: Record<string, Record<string, unknown>> = {};
  for (const [type, byId] of Object.entries<Record<string, unknown>>(json.resource)) {
    for (const [logicalId, block] of Object.entries(byId)) {
      if (logicalId === id || logicalId.startsWith(`${id}_`)) (out[type] ??= {})[logicalId] = block;
    }
  }
  return out;
}

describe("construct snapshots (review aid)", () => {
  const shared = perFile(servingJson);
  let json: any;
  beforeEach(() => {
    json = shared();
  });

  test.each(["ml", "compute", "assets", "endpoint", "deployment", "traffic", "autoscale", "batch", "monitoring"])("%s", (id) => {
    const resources = resourcesOf(json, id);
    expect(Object.keys(resources).length).toBeGreaterThan(0);
    expect(resources).toMatchSnapshot();
  });

  test("state", () => {
    const stack = newStack();
    new StateStorage(stack, "state", { resourceGroupName: "rg-tfstate", location: "westeurope", storageAccountName: "sttfstate", containerName: "tfstate" });
    expect(JSON.parse(Testing.synth(stack)).resource).toMatchSnapshot();
  });
});

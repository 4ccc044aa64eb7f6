import { MonitorAutoscaleSetting } from "@cdktf/provider-azurerm/lib/monitor-autoscale-setting";
import { UserAssignedIdentity } from "@cdktf/provider-azurerm/lib/user-assigned-identity";
import { TerraformOutput, Testing, type TerraformStack } from "cdktf";
import {
  AUTOSCALE_METRIC_SOURCES,
  DeploymentAutoscale,
  type AutoscaleMetric,
  type AutoscaleScheduleProps,
  type DeploymentAutoscaleProps,
} from "../../lib/constructs/deployment-autoscale";
import { EndpointTraffic } from "../../lib/constructs/endpoint-traffic";
import { OnlineDeployment, type OnlineDeploymentProps } from "../../lib/constructs/online-deployment";
import { OnlineEndpoint, type OnlineEndpointProps } from "../../lib/constructs/online-endpoint";
import { validateSynthesizedAzapiBodies } from "../helpers/azapi-schema";
import { newStack, newWorkspace, resourceAt, synthJson } from "../helpers/stacks";

const MODEL = "azureml://registries/azureml/models/churn/versions/3";

function endpointIn(stack: TerraformStack, props: Partial<OnlineEndpointProps> = {}): OnlineEndpoint {
  return new OnlineEndpoint(stack, "endpoint", {
    name: "churn-dev",
    location: "westeurope",
    resourceGroupName: "rg-test",
    workspace: newWorkspace(stack),
    ...props,
  });
}

function deploymentIn(stack: TerraformStack, endpoint: OnlineEndpoint, props: Partial<OnlineDeploymentProps> = {}): OnlineDeployment {
  return new OnlineDeployment(stack, `deployment-${props.name ?? "blue"}`, {
    endpoint,
    name: "blue",
    location: "westeurope",
    modelId: MODEL,
    instanceType: "Standard_DS3_v2",
    ...props,
  });
}

describe("OnlineEndpoint", () => {
  test("defaults: AML token auth, public access, a user-assigned identity, no traffic in the body", () => {
    const stack = newStack();
    endpointIn(stack);
    const json = synthJson(stack);
    const endpoint = resourceAt(json, "azapi_resource", "endpoint/endpoint");
    expect(endpoint).toMatchObject({
      type: "Microsoft.MachineLearningServices/workspaces/onlineEndpoints@2025-12-01",
      name: "churn-dev",
      location: "westeurope",
      parent_id: expect.stringMatching(/^\$\{azapi_resource\.ml_workspace_\w+\.id\}$/),
      identity: [{ type: "UserAssigned", identity_ids: [expect.stringMatching(/^\$\{azurerm_user_assigned_identity\.endpoint_identity_\w+\.id\}$/)] }],
      body: { properties: { authMode: "AMLToken", publicNetworkAccess: "Enabled" } },
      response_export_values: ["properties.scoringUri", "properties.swaggerUri"],
    });
    expect(endpoint.body.properties).not.toHaveProperty("traffic");
    expect(endpoint.body.properties).not.toHaveProperty("mirrorTraffic");
    expect(Testing.synth(stack)).toHaveResourceWithProperties(UserAssignedIdentity, { name: "id-churn-dev" });
    expect(validateSynthesizedAzapiBodies(json)).toEqual([]);
  });

  test.each([
    ["key", "Key"],
    ["aml_token", "AMLToken"],
    ["aad_token", "AADToken"],
  ] as const)("auth mode %s becomes %s", (mode, expected) => {
    const stack = newStack();
    endpointIn(stack, { authMode: mode, publicNetworkAccess: false });
    const endpoint = resourceAt(synthJson(stack), "azapi_resource", "endpoint/endpoint");
    expect(endpoint.body.properties).toEqual({ authMode: expected, publicNetworkAccess: "Disabled" });
  });

  test("the identity gets AcrPull, Storage Blob Data Reader and Metrics Writer before the endpoint exists", () => {
    const stack = newStack();
    endpointIn(stack);
    const json = synthJson(stack);
    const roles = Object.entries(json.resource.azurerm_role_assignment).map(([key, r]: [string, any]) => [
      key.replace(/_[0-9A-F]{8}$/, ""),
      r.role_definition_name,
      r.principal_id,
    ]);
    const principal = expect.stringMatching(/^\$\{azurerm_user_assigned_identity\.endpoint_identity_\w+\.principal_id\}$/);
    expect(roles).toEqual(
      expect.arrayContaining([
        ["endpoint_registry-pull", "AcrPull", principal],
        ["endpoint_blob-read", "Storage Blob Data Reader", principal],
        ["endpoint_metrics-write", "AzureML Metrics Writer (preview)", principal],
      ]),
    );
    const scopes = Object.fromEntries(Object.values<any>(json.resource.azurerm_role_assignment).map((r) => [r.role_definition_name, r.scope]));
    expect(scopes).toEqual({
      AcrPull: expect.stringMatching(/^\$\{azurerm_container_registry\.ml_registry_\w+\.id\}$/),
      "Storage Blob Data Reader": expect.stringMatching(/^\$\{azurerm_storage_account\.ml_storage_\w+\.id\}$/),
      "AzureML Metrics Writer (preview)": expect.stringMatching(/^\$\{azapi_resource\.ml_workspace_\w+\.id\}$/),
    });
    // Every assignment is to a managed identity created in the same apply: the type avoids PrincipalNotFound.
    for (const r of Object.values(json.resource.azurerm_role_assignment) as any[]) expect(r.principal_type).toBe("ServicePrincipal");
    // The endpoint waits for a delay after all three, since RBAC takes minutes to take effect.
    const endpoint = resourceAt(json, "azapi_resource", "endpoint/endpoint");
    const sleep = resourceAt(json, "time_sleep", "endpoint/roles-ready/wait");
    expect(endpoint.depends_on).toEqual([expect.stringMatching(/^time_sleep\.endpoint_roles-ready_wait_\w+$/)]);
    expect(sleep.create_duration).toBe("120s");
    expect([...sleep.depends_on].sort()).toEqual(
      Object.keys(json.resource.azurerm_role_assignment)
        .map((k) => `azurerm_role_assignment.${k}`)
        .sort(),
    );
  });

  test("the endpoint is create-only: an azapi_resource update would PUT a body without traffic", () => {
    const stack = newStack();
    endpointIn(stack);
    expect(resourceAt(synthJson(stack), "azapi_resource", "endpoint/endpoint").lifecycle).toEqual({ ignore_changes: ["body", "tags"] });
  });

  test("mutable settings and tags go through a merging update, which keeps the live traffic split", () => {
    const stack = newStack();
    endpointIn(stack, { authMode: "aad_token", publicNetworkAccess: false, description: "churn scoring", tags: { team: "ml" } });
    const json = synthJson(stack);
    const settings = resourceAt(json, "azapi_update_resource", "endpoint/settings");
    const endpointRef = expect.stringMatching(/^\$\{azapi_resource\.endpoint_\w+\.id\}$/);
    expect(settings).toEqual({
      type: "Microsoft.MachineLearningServices/workspaces/onlineEndpoints@2025-12-01",
      resource_id: endpointRef,
      body: {
        properties: { authMode: "AADToken", publicNetworkAccess: "Disabled", description: "churn scoring" },
        tags: { team: "ml" },
      },
      locks: [endpointRef],
      ignore_casing: true,
      // Applied again after anything that PUTs the endpoint's creation body.
      lifecycle: { replace_triggered_by: [expect.stringMatching(/^azapi_resource\.endpoint_\w+$/)] },
    });
    // Never traffic: that belongs to the traffic update, once deployments exist.
    expect(settings.body.properties).not.toHaveProperty("traffic");
    expect(validateSynthesizedAzapiBodies(json)).toEqual([]);
  });

  test("tags go on the endpoint and its identity; the identity name can be set", () => {
    const stack = newStack();
    endpointIn(stack, { tags: { team: "ml" }, identityName: "id-custom" });
    const json = synthJson(stack);
    expect(resourceAt(json, "azapi_resource", "endpoint/endpoint").tags).toEqual({ team: "ml" });
    expect(resourceAt(json, "azurerm_user_assigned_identity", "endpoint/identity")).toMatchObject({
      name: "id-custom",
      tags: { team: "ml" },
      resource_group_name: "rg-test",
      location: "westeurope",
    });
  });

  test("outputs reference the exported scoring and swagger URIs", () => {
    const stack = newStack();
    const endpoint = endpointIn(stack);
    new TerraformOutput(stack, "scoring_uri", { value: endpoint.scoringUri });
    new TerraformOutput(stack, "swagger_uri", { value: endpoint.swaggerUri });
    const outputs = synthJson(stack).output;
    expect(outputs.scoring_uri.value).toMatch(/^\$\{azapi_resource\.endpoint_\w+\.output\.properties\.scoringUri\}$/);
    expect(outputs.swagger_uri.value).toMatch(/^\$\{azapi_resource\.endpoint_\w+\.output\.properties\.swaggerUri\}$/);
  });
});

describe("OnlineDeployment", () => {
  test("defaults: managed compute, sku Default with capacity 1, 5 s timeout, app insights on", () => {
    const stack = newStack();
    deploymentIn(stack, endpointIn(stack));
    const json = synthJson(stack);
    const deployment = resourceAt(json, "azapi_resource", "deployment-blue/deployment");
    expect(deployment).toMatchObject({
      type: "Microsoft.MachineLearningServices/workspaces/onlineEndpoints/deployments@2025-12-01",
      name: "blue",
      location: "westeurope",
      parent_id: expect.stringMatching(/^\$\{azapi_resource\.endpoint_\w+\.id\}$/),
      locks: [expect.stringMatching(/^\$\{azapi_resource\.endpoint_\w+\.id\}$/)],
    });
    expect(deployment.body).toEqual({
      properties: {
        endpointComputeType: "Managed",
        model: MODEL,
        instanceType: "Standard_DS3_v2",
        scaleSettings: { scaleType: "Default" },
        requestSettings: { requestTimeout: "PT5S", maxConcurrentRequestsPerInstance: 1 },
        appInsightsEnabled: true,
        egressPublicNetworkAccess: "Enabled",
      },
      sku: { name: "Default", capacity: 1 },
    });
    expect(deployment.lifecycle).toBeUndefined();
    expect(validateSynthesizedAzapiBodies(json)).toEqual([]);
  });

  test("every setting maps into the body", () => {
    const stack = newStack();
    deploymentIn(stack, endpointIn(stack), {
      environmentId: "${azapi_resource.env.id}",
      code: { codeId: "${azapi_resource.code.id}", scoringScript: "score.py" },
      instanceCount: 3,
      requestTimeoutMs: 60000,
      maxConcurrentRequestsPerInstance: 4,
      livenessProbe: { initialDelaySeconds: 30, periodSeconds: 15, timeoutSeconds: 3, failureThreshold: 5, successThreshold: 1 },
      readinessProbe: {},
      environmentVariables: { WORKERS: "2" },
      appInsightsEnabled: false,
      egressPublicNetworkAccess: false,
      description: "v3",
    });
    const json = synthJson(stack);
    const body = resourceAt(json, "azapi_resource", "deployment-blue/deployment").body;
    expect(body.properties).toMatchObject({
      environmentId: "${azapi_resource.env.id}",
      codeConfiguration: { codeId: "${azapi_resource.code.id}", scoringScript: "score.py" },
      livenessProbe: { initialDelay: "PT30S", period: "PT15S", timeout: "PT3S", failureThreshold: 5, successThreshold: 1 },
      readinessProbe: { initialDelay: "PT10S", period: "PT10S", timeout: "PT2S", failureThreshold: 30, successThreshold: 1 },
      environmentVariables: { WORKERS: "2" },
      appInsightsEnabled: false,
      egressPublicNetworkAccess: "Disabled",
      description: "v3",
    });
    // No maxQueueWait: deprecated, and ignored by managed endpoints.
    expect(body.properties.requestSettings).toEqual({ requestTimeout: "PT1M", maxConcurrentRequestsPerInstance: 4 });
    expect(body.sku).toEqual({ name: "Default", capacity: 3 });
    expect(validateSynthesizedAzapiBodies(json)).toEqual([]);
  });

  test("tags, and timeouts long enough for a cold image build", () => {
    const stack = newStack();
    deploymentIn(stack, endpointIn(stack), { tags: { team: "ml" } });
    const deployment = resourceAt(synthJson(stack), "azapi_resource", "deployment-blue/deployment");
    expect(deployment.tags).toEqual({ team: "ml" });
    expect(deployment.timeouts).toEqual({ create: "60m", update: "60m", delete: "30m" });
  });

  test("an autoscaled deployment leaves sku.capacity to autoscale", () => {
    const stack = newStack();
    deploymentIn(stack, endpointIn(stack), { autoscaled: true });
    const deployment = resourceAt(synthJson(stack), "azapi_resource", "deployment-blue/deployment");
    expect(deployment.lifecycle).toEqual({ ignore_changes: ["body.sku.capacity"] });
  });

  test.each([
    [{ instanceCount: 0 }, "OnlineDeployment: instanceCount: must be a whole number from 1 to 50 (got 0)"],
    [{ instanceCount: 51 }, "OnlineDeployment: instanceCount: must be a whole number from 1 to 50 (got 51)"],
    [{ requestTimeoutMs: 180001 }, "OnlineDeployment: requestTimeoutMs: must be a whole number from 1 to 180000 (got 180001)"],
    [{ code: { codeId: "c", scoringScript: "s.py" } }, "OnlineDeployment: environmentId: is required when code is given"],
    [{ maxConcurrentRequestsPerInstance: 0 }, "OnlineDeployment: maxConcurrentRequestsPerInstance: must be a whole number from 1 to 1000 (got 0)"],
    [{ livenessProbe: { periodSeconds: 0 } }, "OnlineDeployment: livenessProbe.periodSeconds: must be a whole number from 1 to 3600 (got 0)"],
    [{ livenessProbe: { initialDelaySeconds: -1 } }, "OnlineDeployment: livenessProbe.initialDelaySeconds: must be a whole number from 0 to 3600 (got -1)"],
    [{ readinessProbe: { timeoutSeconds: 0 } }, "OnlineDeployment: readinessProbe.timeoutSeconds: must be a whole number from 1 to 3600 (got 0)"],
    [{ readinessProbe: { failureThreshold: 0 } }, "OnlineDeployment: readinessProbe.failureThreshold: must be a whole number from 1 to 1000 (got 0)"],
    [{ readinessProbe: { successThreshold: 1001 } }, "OnlineDeployment: readinessProbe.successThreshold: must be a whole number from 1 to 1000 (got 1001)"],
  ])("invariant %p", (props, message) => {
    const stack = newStack();
    expect(() => deploymentIn(stack, endpointIn(stack), props)).toThrow(message);
  });

  test("the bounds are accepted: 1 and 50 instances, 1 and 180000 ms, a probe without initial delay", () => {
    const stack = newStack();
    const endpoint = endpointIn(stack);
    expect(() => deploymentIn(stack, endpoint, { name: "a", instanceCount: 1, requestTimeoutMs: 1 })).not.toThrow();
    expect(() =>
      deploymentIn(stack, endpoint, {
        name: "b",
        instanceCount: 50,
        requestTimeoutMs: 180000,
        maxConcurrentRequestsPerInstance: 1000,
        livenessProbe: { initialDelaySeconds: 0, periodSeconds: 3600, timeoutSeconds: 3600, failureThreshold: 1000, successThreshold: 1000 },
      }),
    ).not.toThrow();
  });

  test("every invalid prop is reported in one error", () => {
    const stack = newStack();
    expect(() =>
      deploymentIn(stack, endpointIn(stack), {
        instanceCount: 0,
        requestTimeoutMs: -5,
        code: { codeId: "c", scoringScript: "s.py" },
        readinessProbe: { periodSeconds: -10 },
      }),
    ).toThrow(
      [
        "OnlineDeployment: instanceCount: must be a whole number from 1 to 50 (got 0)",
        "OnlineDeployment: requestTimeoutMs: must be a whole number from 1 to 180000 (got -5)",
        "OnlineDeployment: environmentId: is required when code is given",
        "OnlineDeployment: readinessProbe.periodSeconds: must be a whole number from 1 to 3600 (got -10)",
      ].join("\n"),
    );
  });
});

describe("EndpointTraffic", () => {
  function trafficJson(traffic: Record<string, number>, mirror?: Record<string, number>) {
    const stack = newStack();
    const endpoint = endpointIn(stack);
    const blue = deploymentIn(stack, endpoint, { name: "blue" });
    const green = deploymentIn(stack, endpoint, { name: "green" });
    new EndpointTraffic(stack, "traffic", { endpoint, deployments: [blue, green], traffic, mirrorTraffic: mirror });
    return synthJson(stack);
  }

  test("sets traffic and mirror traffic on the endpoint after every deployment exists and after the endpoint's settings update", () => {
    const json = trafficJson({ blue: 90, green: 10 });
    const update = resourceAt(json, "azapi_update_resource", "traffic/traffic");
    expect(update).toMatchObject({
      type: "Microsoft.MachineLearningServices/workspaces/onlineEndpoints@2025-12-01",
      resource_id: expect.stringMatching(/^\$\{azapi_resource\.endpoint_\w+\.id\}$/),
      body: { properties: { traffic: { blue: 90, green: 10 }, mirrorTraffic: { blue: 0, green: 0 } } },
    });
    expect(update.depends_on).toEqual([
      expect.stringMatching(/^azapi_resource\.deployment-blue_deployment_\w+$/),
      expect.stringMatching(/^azapi_resource\.deployment-green_deployment_\w+$/),
      expect.stringMatching(/^azapi_update_resource\.endpoint_settings_\w+$/),
    ]);
    expect(validateSynthesizedAzapiBodies(json)).toEqual([]);
  });

  test("takes the endpoint as a lock, like the deployments", () => {
    const update = resourceAt(trafficJson({ blue: 100 }), "azapi_update_resource", "traffic/traffic");
    expect(update.locks).toEqual([expect.stringMatching(/^\$\{azapi_resource\.endpoint_\w+\.id\}$/)]);
  });

  test("is re-applied when the endpoint changes, with a bare address Terraform's JSON syntax accepts", () => {
    const update = resourceAt(trafficJson({ blue: 100 }), "azapi_update_resource", "traffic/traffic");
    expect(update.lifecycle.replace_triggered_by).toEqual([expect.stringMatching(/^azapi_resource\.endpoint_[0-9A-F]{8}$/)]);
  });

  test("lists every deployment with an explicit share, because azapi merges into the current maps", () => {
    const update = resourceAt(trafficJson({ blue: 100 }, { green: 10 }), "azapi_update_resource", "traffic/traffic");
    expect(update.body.properties).toEqual({ traffic: { blue: 100, green: 0 }, mirrorTraffic: { blue: 0, green: 10 } });
  });

  test("refuses shares that do not add up, and unknown deployments", () => {
    expect(() => trafficJson({ blue: 50, green: 10 })).toThrow(
      'EndpointTraffic: traffic: must add up to 100, or be 0 for every deployment (got {"blue":50,"green":10})',
    );
    expect(() => trafficJson({ red: 100 })).toThrow("EndpointTraffic: traffic.red: must name one of the deployments (blue, green) (got 100)");
  });

  test("all shares 0 is accepted: the endpoint takes no live traffic", () => {
    const update = resourceAt(trafficJson({ blue: 0, green: 0 }), "azapi_update_resource", "traffic/traffic");
    expect(update.body.properties.traffic).toEqual({ blue: 0, green: 0 });
  });

  test("refuses negative or fractional shares, and mirroring over 50 %; 50 % is the most", () => {
    expect(() => trafficJson({ blue: 110, green: -10 })).toThrow(
      [
        "EndpointTraffic: traffic.blue: must be a whole number from 0 to 100 (got 110)",
        "EndpointTraffic: traffic.green: must be a whole number from 0 to 100 (got -10)",
      ].join("\n"),
    );
    expect(() => trafficJson({ blue: 99.5, green: 0.5 })).toThrow("EndpointTraffic: traffic.blue: must be a whole number from 0 to 100 (got 99.5)");
    expect(() => trafficJson({ blue: 100 }, { green: 51 })).toThrow("EndpointTraffic: mirrorTraffic.green: must be a whole number from 0 to 50 (got 51)");
    expect(() => trafficJson({ blue: 100 }, { green: 50 })).not.toThrow();
  });

  test("every invalid share is reported in one error", () => {
    expect(() => trafficJson({ blue: 60, red: 10 }, { purple: 5 })).toThrow(
      [
        "EndpointTraffic: traffic.red: must name one of the deployments (blue, green) (got 10)",
        "EndpointTraffic: mirrorTraffic.purple: must name one of the deployments (blue, green) (got 5)",
        'EndpointTraffic: traffic: must add up to 100, or be 0 for every deployment (got {"blue":60,"red":10})',
      ].join("\n"),
    );
  });
});

describe("DeploymentAutoscale", () => {
  function autoscaleSynth(
    props: { min?: number; max?: number; out?: number; within?: number; count?: number; window?: number; cooldown?: number } = {},
  ) {
    const stack = newStack();
    const deployment = deploymentIn(stack, endpointIn(stack), { instanceCount: props.count ?? 2, autoscaled: true });
    new DeploymentAutoscale(stack, "autoscale-blue", {
      deployment,
      name: "autoscale-churn-dev-blue",
      resourceGroupName: "rg-test",
      location: "westeurope",
      minInstances: props.min ?? 1,
      maxInstances: props.max ?? 4,
      scaleOutCpuPercent: props.out,
      scaleInCpuPercent: props.within,
      windowMinutes: props.window,
      cooldownMinutes: props.cooldown,
      tags: { team: "ml" },
    });
    return Testing.synth(stack);
  }

  const settingOf = (synthesized: string): any => Object.values(JSON.parse(synthesized).resource.azurerm_monitor_autoscale_setting)[0];

  test("targets the deployment and scales on average CPU with cooldowns sized for a slow scale-out", () => {
    const deploymentId = expect.stringMatching(/^\$\{azapi_resource\.deployment-blue_deployment_\w+\.id\}$/);
    const trigger = (operator: string, threshold: number) =>
      expect.objectContaining({
        metric_name: "CpuUtilizationPercentage",
        metric_namespace: "Microsoft.MachineLearningServices/workspaces/onlineEndpoints/deployments",
        metric_resource_id: deploymentId,
        statistic: "Average",
        time_aggregation: "Average",
        time_window: "PT5M",
        operator,
        threshold,
      });
    expect(autoscaleSynth()).toHaveResourceWithProperties(MonitorAutoscaleSetting, {
      name: "autoscale-churn-dev-blue",
      target_resource_id: deploymentId,
      profile: [
        expect.objectContaining({
          capacity: { default: 2, minimum: 1, maximum: 4 },
          rule: [
            expect.objectContaining({
              metric_trigger: trigger("GreaterThan", 70),
              // 20 minutes out, 30 in: a new instance takes 12 to 18 minutes to serve.
              scale_action: { direction: "Increase", type: "ChangeCount", value: 1, cooldown: "PT20M" },
            }),
            expect.objectContaining({
              metric_trigger: trigger("LessThan", 30),
              scale_action: { direction: "Decrease", type: "ChangeCount", value: 1, cooldown: "PT30M" },
            }),
          ],
        }),
      ],
    });
  });

  test("thresholds come from props", () => {
    const json = JSON.parse(autoscaleSynth({ out: 80, within: 40, min: 2, max: 10 }));
    const setting: any = Object.values(json.resource.azurerm_monitor_autoscale_setting)[0];
    expect(setting.profile[0].capacity).toEqual({ default: 2, minimum: 2, maximum: 10 });
    expect(setting.profile[0].rule.map((r: any) => r.metric_trigger.threshold)).toEqual([80, 40]);
  });

  test("window, cooldown and tags come from props", () => {
    const setting = settingOf(autoscaleSynth({ window: 10, cooldown: 15 }));
    expect(setting.enabled).toBe(true);
    expect(setting.tags).toEqual({ team: "ml" });
    expect(setting.profile[0].name).toBe("cpu");
    for (const rule of setting.profile[0].rule) {
      expect(rule.metric_trigger).toMatchObject({ time_window: "PT10M", time_grain: "PT1M" });
      expect(rule.scale_action.cooldown).toBe("PT15M");
    }
    expect(setting.profile[0].rule).toHaveLength(2);
  });

  test.each([
    [1, 2],
    [2, 2],
    [3, 3],
    [4, 4],
    [9, 4],
  ])("the starting capacity is the deployment's instance count %p clamped into 2..4: %p", (count, expected) => {
    expect(settingOf(autoscaleSynth({ count, min: 2, max: 4 })).profile[0].capacity).toEqual({ default: expected, minimum: 2, maximum: 4 });
  });

  test("scale-in may sit exactly 10 points under scale-out, not 9", () => {
    expect(settingOf(autoscaleSynth({ out: 70, within: 60 })).profile[0].rule.map((r: any) => r.metric_trigger.threshold)).toEqual([70, 60]);
    expect(() => autoscaleSynth({ out: 70, within: 61 })).toThrow(
      "DeploymentAutoscale: scaleInCpuPercent: must be at least 10 points below scaleOutCpuPercent (70) (got 61)",
    );
  });

  test("minInstances equal to maxInstances is accepted", () => {
    expect(settingOf(autoscaleSynth({ min: 4, max: 4 })).profile[0].capacity).toEqual({ default: 4, minimum: 4, maximum: 4 });
  });

  test.each([
    [{ min: 5, max: 4 }, "DeploymentAutoscale: maxInstances: must be a whole number from 5 to 50 (got 4)"],
    [{ max: 51 }, "DeploymentAutoscale: maxInstances: must be a whole number from 1 to 50 (got 51)"],
    [{ min: 0 }, "DeploymentAutoscale: minInstances: must be a whole number from 1 to 50 (got 0)"],
    [{ out: 0, within: -10 }, "DeploymentAutoscale: scaleOutCpuPercent: must be a whole number from 1 to 100 (got 0)"],
    [{ out: 101 }, "DeploymentAutoscale: scaleOutCpuPercent: must be a whole number from 1 to 100 (got 101)"],
    [{ out: 30, within: -40 }, "DeploymentAutoscale: scaleInCpuPercent: must be a whole number from 0 to 99 (got -40)"],
    [{ window: 4 }, "DeploymentAutoscale: windowMinutes: must be a whole number from 5 to 720 (got 4)"],
    [{ window: -5 }, "DeploymentAutoscale: windowMinutes: must be a whole number from 5 to 720 (got -5)"],
    [{ window: 721 }, "DeploymentAutoscale: windowMinutes: must be a whole number from 5 to 720 (got 721)"],
    [{ cooldown: 0 }, "DeploymentAutoscale: cooldownMinutes: must be a whole number from 1 to 10080 (got 0)"],
    [{ cooldown: 10081 }, "DeploymentAutoscale: cooldownMinutes: must be a whole number from 1 to 10080 (got 10081)"],
  ])("refuses %p", (props, message) => {
    expect(() => autoscaleSynth(props)).toThrow(message);
  });

  test("the bounds are accepted: 0 % scale-in, 100 % scale-out, 5 to 720 minute windows, 1 to 10080 minute cooldowns", () => {
    expect(() => autoscaleSynth({ out: 100, within: 0, window: 5, cooldown: 1 })).not.toThrow();
    expect(() => autoscaleSynth({ window: 720, cooldown: 10080, max: 50 })).not.toThrow();
  });

  test("every invalid prop is reported in one error: no negative threshold or duration reaches Azure", () => {
    expect(() => autoscaleSynth({ out: 30, within: -40, window: -5, cooldown: 0 })).toThrow(
      [
        "DeploymentAutoscale: scaleInCpuPercent: must be a whole number from 0 to 99 (got -40)",
        "DeploymentAutoscale: windowMinutes: must be a whole number from 5 to 720 (got -5)",
        "DeploymentAutoscale: cooldownMinutes: must be a whole number from 1 to 10080 (got 0)",
      ].join("\n"),
    );
  });
});

describe("DeploymentAutoscale rules and schedules", () => {
  function build(props: Partial<DeploymentAutoscaleProps>) {
    const stack = newStack();
    const deployment = deploymentIn(stack, endpointIn(stack), { instanceCount: 3, autoscaled: true });
    new DeploymentAutoscale(stack, "autoscale-blue", {
      deployment,
      name: "autoscale-churn-dev-blue",
      resourceGroupName: "rg-test",
      location: "westeurope",
      minInstances: 2,
      maxInstances: 9,
      ...props,
    });
    return Object.values<any>(synthJson(stack).resource.azurerm_monitor_autoscale_setting)[0];
  }
  const schedule = (name: string, start: string, end: string): AutoscaleScheduleProps => ({
    name, days: ["Saturday"], start, end, timeZone: "Tokyo Standard Time", minInstances: 3, maxInstances: 6,
  });

  test("each metric reads Azure's metric of that name, from the deployment or from the endpoint", () => {
    const metrics = Object.keys(AUTOSCALE_METRIC_SOURCES) as AutoscaleMetric[];
    const setting = build({ rules: metrics.slice(0, 10).map((metric) => ({ metric, scaleOutAbove: 60 })) });
    expect(setting.profile[0].rule.map((r: any) => [r.metric_trigger.metric_name, r.metric_trigger.metric_namespace.split("/").pop()])).toEqual([
      ["CpuUtilizationPercentage", "deployments"],
      ["CpuMemoryUtilizationPercentage", "deployments"],
      ["DiskUtilization", "deployments"],
      ["GpuUtilizationPercentage", "deployments"],
      ["GpuMemoryUtilizationPercentage", "deployments"],
      ["RequestsPerMinute", "onlineEndpoints"],
      ["RequestLatency", "onlineEndpoints"],
      ["RequestLatency_P50", "onlineEndpoints"],
      ["RequestLatency_P90", "onlineEndpoints"],
      ["RequestLatency_P95", "onlineEndpoints"],
    ]);
    const last = build({ rules: [{ metric: "latencyP99Ms", scaleOutAbove: 2000 }, { metric: "activeConnections", scaleOutAbove: 30, scaleInBelow: 5 }] });
    const [p99, connections] = last.profile[0].rule.map((r: any) => r.metric_trigger);
    expect(p99.metric_name).toBe("RequestLatency_P99");
    // ConnectionsActive has no deployment dimension: no filter, per instance.
    expect(connections).toMatchObject({ metric_name: "ConnectionsActive", metric_namespace: "Microsoft.MachineLearningServices/workspaces/onlineEndpoints", divide_by_instance_count: true });
    expect(connections.dimensions).toBeUndefined();
  });

  test("an overnight schedule ends the next morning in its own time zone", () => {
    const setting = build({ rules: [{ metric: "cpuPercent", scaleOutAbove: 60, scaleInBelow: 20 }], schedules: [schedule("late", "22:15", "04:45")] });
    expect(setting.profile[0].name).toBe("cpu");
    expect(setting.profile.slice(1).map((p: any) => [p.name, p.recurrence])).toEqual([
      ["late", { timezone: "Tokyo Standard Time", days: ["Saturday"], hours: [22], minutes: [15] }],
      ["cpu-after-late", { timezone: "Tokyo Standard Time", days: ["Sunday"], hours: [4], minutes: [45] }],
    ]);
  });

  test.each<[Partial<DeploymentAutoscaleProps>, string]>([
    [{ rules: [] }, "DeploymentAutoscale: rules: must hold at least one rule (got 0)"],
    [
      { rules: Array.from({ length: 6 }, () => ({ metric: "diskPercent" as const, scaleOutAbove: 90, scaleInBelow: 10 })) },
      "DeploymentAutoscale: rules: must make at most 10 Azure rules (a scale-out and a scale-in per rule) (got 12)",
    ],
    [{ rules: [{ metric: "memoryPercent", scaleOutAbove: 101 }] }, "DeploymentAutoscale: rules[0].scaleOutAbove: must be above 0 and at most 100 (got 101)"],
    [{ rules: [{ metric: "latencyMs", scaleOutAbove: 300, scaleInBelow: 300 }] }, "DeploymentAutoscale: rules[0].scaleInBelow: must be at least 0 and below scaleOutAbove (300) (got 300)"],
    [{ rules: [{ metric: "latencyMs", scaleOutAbove: 300, windowMinutes: 721 }] }, "DeploymentAutoscale: rules[0].windowMinutes: must be a whole number from 5 to 720 (got 721)"],
    [{ scaleOutCooldownMinutes: 0 }, "DeploymentAutoscale: scaleOutCooldownMinutes: must be a whole number from 1 to 10080 (got 0)"],
    [{ scaleInCooldownMinutes: 10081 }, "DeploymentAutoscale: scaleInCooldownMinutes: must be a whole number from 1 to 10080 (got 10081)"],
    [{ schedules: [schedule("noon", "12:60", "12:00")] }, 'DeploymentAutoscale: schedules[0].start: must be a 24-hour time "HH:MM" (got "12:60")'],
    [
      { schedules: Array.from({ length: 10 }, (_, i) => ({ ...schedule(`s${i}`, `0${i}:00`, `0${i}:30`) })) },
      "DeploymentAutoscale: schedules: must make at most 20 profiles with the default one (each schedule is a start and an end profile) (got 21)",
    ],
  ])("refuses %p", (props, message) => {
    expect(() => build(props)).toThrow(message);
  });
});

import { Fn, TerraformOutput, TerraformStack, Testing, Token } from "cdktf";
import {
  AzapiProvider,
  AzapiResource,
  AzapiUpdateResource,
  DataAzapiResource,
  MlResourceType,
  ML_API_VERSION,
  ManagedOnlineDeploymentProperties,
  OnlineDeploymentBody,
  OnlineEndpointBody,
} from "../../lib/azapi";
import { validateSynthesizedAzapiBodies } from "../helpers/azapi-schema";

const RG_ID = "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-ml";
const WORKSPACE_ID = `${RG_ID}/providers/Microsoft.MachineLearningServices/workspaces/mlw-prod`;

function newStack(): TerraformStack {
  return new TerraformStack(Testing.app(), "test");
}

function synth(stack: TerraformStack): any {
  return JSON.parse(Testing.synth(stack));
}

describe("AzapiProvider", () => {
  test("declares the provider and its required_providers entry", () => {
    const stack = newStack();
    new AzapiProvider(stack, "azapi", {
      subscriptionId: "00000000-0000-0000-0000-000000000000",
      tenantId: "11111111-1111-1111-1111-111111111111",
      useOidc: true,
      useCli: false,
      useMsi: false,
      defaultLocation: "westeurope",
      defaultTags: { CostCenter: "ml", "owner-team": "platform" },
      disableDefaultOutput: true,
      enablePreflight: false,
    });
    const json = synth(stack);
    // Bounded below 3.0: a major release may change how bodies are handled.
    expect(json.terraform.required_providers.azapi).toEqual({ source: "Azure/azapi", version: "~> 2.9" });
    expect(json.provider.azapi).toEqual([
      {
        subscription_id: "00000000-0000-0000-0000-000000000000",
        tenant_id: "11111111-1111-1111-1111-111111111111",
        use_oidc: true,
        use_cli: false,
        use_msi: false,
        default_location: "westeurope",
        // cdktf would snake_case these keys if the binding did not shield them.
        default_tags: { CostCenter: "ml", "owner-team": "platform" },
        disable_default_output: true,
        enable_preflight: false,
      },
    ]);
  });

  test("omits unset attributes and emits the alias", () => {
    const stack = newStack();
    new AzapiProvider(stack, "default");
    const aliased = new AzapiProvider(stack, "other", { alias: "other" });
    expect(aliased.alias).toBe("other");
    expect(synth(stack).provider.azapi).toEqual([{}, { alias: "other" }]);
  });

  test("an alias set after construction is the one synthesized", () => {
    const stack = newStack();
    const provider = new AzapiProvider(stack, "late");
    provider.alias = "secondary";
    expect(provider.alias).toBe("secondary");
    expect(synth(stack).provider.azapi).toEqual([{ alias: "secondary" }]);
  });
});

describe("AzapiResource", () => {
  test("synthesizes snake_case attributes and passes the body through unchanged", () => {
    const stack = newStack();
    new AzapiProvider(stack, "azapi");
    new AzapiResource(stack, "endpoint", {
      type: MlResourceType.onlineEndpoint,
      name: "fraud-scoring",
      parentId: WORKSPACE_ID,
      location: "westeurope",
      body: {
        properties: {
          authMode: "Key",
          list: ["a", "b"],
          objects: [{ name: "x", values: [1, 2] }],
          emptyMap: {},
          camelCaseKey: { innerCamelCase: true },
        },
      },
      identity: { type: "SystemAssigned, UserAssigned", identityIds: ["/subscriptions/s/uai"] },
      tags: { CostCenter: "ml" },
      responseExportValues: ["properties.scoringUri", "properties.swaggerUri"],
      schemaValidationEnabled: true,
      ignoreMissingProperty: true,
      ignoreCasing: false,
      replaceTriggersExternalValues: ["v1", { sku: "Standard" }],
      replaceTriggersRefs: ["body.properties.authMode"],
      locks: [WORKSPACE_ID],
      retry: { errorMessageRegex: ["Conflict", "RetryableError"], intervalSeconds: 5, maxIntervalSeconds: 60 },
      timeouts: { create: "60m", update: "60m", delete: "30m", read: "5m" },
    });
    const resource = synth(stack).resource.azapi_resource.endpoint;
    expect(resource).toEqual({
      type: "Microsoft.MachineLearningServices/workspaces/onlineEndpoints@2025-12-01",
      name: "fraud-scoring",
      parent_id: WORKSPACE_ID,
      location: "westeurope",
      body: {
        properties: {
          authMode: "Key",
          list: ["a", "b"],
          objects: [{ name: "x", values: [1, 2] }],
          emptyMap: {},
          camelCaseKey: { innerCamelCase: true },
        },
      },
      identity: [{ type: "SystemAssigned, UserAssigned", identity_ids: ["/subscriptions/s/uai"] }],
      tags: { CostCenter: "ml" },
      response_export_values: ["properties.scoringUri", "properties.swaggerUri"],
      schema_validation_enabled: true,
      ignore_missing_property: true,
      ignore_casing: false,
      replace_triggers_external_values: ["v1", { sku: "Standard" }],
      replace_triggers_refs: ["body.properties.authMode"],
      locks: [WORKSPACE_ID],
      retry: { error_message_regex: ["Conflict", "RetryableError"], interval_seconds: 5, max_interval_seconds: 60 },
      timeouts: { create: "60m", update: "60m", delete: "30m", read: "5m" },
    });
    // Lists must stay JSON arrays at every depth; cdktf's hashMapper, used by generated bindings for dynamic
    // attributes, turns a top-level list into {"0": ..., "1": ...}.
    expect(Array.isArray(resource.body.properties.list)).toBe(true);
    expect(Array.isArray(resource.body.properties.objects[0].values)).toBe(true);
    expect(Array.isArray(resource.replace_triggers_external_values)).toBe(true);
    expect(Array.isArray(resource.response_export_values)).toBe(true);
  });

  test("omits every unset optional attribute", () => {
    const stack = newStack();
    new AzapiResource(stack, "code", {
      type: MlResourceType.codeVersion,
      name: "1",
      parentId: `${WORKSPACE_ID}/codes/scoring`,
    });
    expect(synth(stack).resource.azapi_resource.code).toEqual({
      type: MlResourceType.codeVersion,
      name: "1",
      parent_id: `${WORKSPACE_ID}/codes/scoring`,
    });
  });

  test("response_export_values may be a map of JMESPath queries", () => {
    const stack = newStack();
    new AzapiResource(stack, "endpoint", {
      type: MlResourceType.onlineEndpoint,
      name: "e",
      parentId: WORKSPACE_ID,
      responseExportValues: { scoring_uri: "properties.scoringUri" },
    });
    expect(synth(stack).resource.azapi_resource.endpoint.response_export_values).toEqual({
      scoring_uri: "properties.scoringUri",
    });
  });

  test("tokens anywhere in the body resolve to Terraform references", () => {
    const stack = newStack();
    const model = new AzapiResource(stack, "model", {
      type: MlResourceType.modelVersion,
      name: "3",
      parentId: `${WORKSPACE_ID}/models/fraud`,
      body: { properties: { modelUri: "azureml://datastores/workspaceblobstore/paths/fraud/3" } },
    });
    const endpoint = new AzapiResource(stack, "endpoint", {
      type: MlResourceType.onlineEndpoint,
      name: "fraud",
      parentId: WORKSPACE_ID,
      location: "westeurope",
      body: { properties: { authMode: "Key" } },
    });
    new AzapiResource(stack, "blue", {
      type: MlResourceType.onlineDeployment,
      name: "blue",
      parentId: endpoint.id,
      location: "westeurope",
      body: {
        sku: { name: "Default", capacity: Token.asNumber(Fn.lookupNested(model.output, ["capacity"])) },
        properties: {
          endpointComputeType: "Managed",
          model: model.id,
          instanceType: "Standard_DS3_v2",
          environmentVariables: { MODEL_NAME: model.name },
          properties: { ids: Fn.join(",", [model.id, endpoint.id]) },
        },
      },
    });
    const blue = synth(stack).resource.azapi_resource.blue;
    expect(blue.parent_id).toBe("${azapi_resource.endpoint.id}");
    expect(blue.body.properties.model).toBe("${azapi_resource.model.id}");
    expect(blue.body.properties.environmentVariables).toEqual({ MODEL_NAME: "${azapi_resource.model.name}" });
    expect(blue.body.properties.properties.ids).toBe('${join(",", [azapi_resource.model.id, azapi_resource.endpoint.id])}');
    expect(blue.body.sku.capacity).toBe("${azapi_resource.model.output.capacity}");
  });

  test("passes depends_on, lifecycle, count and provider meta-arguments through", () => {
    const stack = newStack();
    const eu = new AzapiProvider(stack, "eu", { alias: "eu" });
    const endpoint = new AzapiResource(stack, "endpoint", {
      type: MlResourceType.onlineEndpoint,
      name: "e",
      parentId: WORKSPACE_ID,
      body: { properties: { authMode: "Key", traffic: {} } },
    });
    new AzapiResource(stack, "deployment", {
      type: MlResourceType.onlineDeployment,
      name: "blue",
      parentId: endpoint.id,
      dependsOn: [endpoint],
      provider: eu,
      lifecycle: { ignoreChanges: ["body.properties.traffic"], createBeforeDestroy: true },
    });
    const deployment = synth(stack).resource.azapi_resource.deployment;
    expect(deployment.depends_on).toEqual(["azapi_resource.endpoint"]);
    expect(deployment.lifecycle).toEqual({ ignore_changes: ["body.properties.traffic"], create_before_destroy: true });
    expect(deployment.provider).toBe("azapi.eu");
  });

  test("attribute getters produce references usable in outputs", () => {
    const stack = newStack();
    const endpoint = new AzapiResource(stack, "endpoint", {
      type: MlResourceType.onlineEndpoint,
      name: "e",
      parentId: WORKSPACE_ID,
      identity: { type: "SystemAssigned" },
      responseExportValues: ["properties.scoringUri"],
    });
    new TerraformOutput(stack, "id", { value: endpoint.id });
    new TerraformOutput(stack, "name", { value: endpoint.name });
    new TerraformOutput(stack, "output", { value: endpoint.output });
    new TerraformOutput(stack, "scoring_uri", { value: endpoint.outputValue(["properties", "scoringUri"]) });
    new TerraformOutput(stack, "lookup", { value: Fn.lookupNested(endpoint.output, ["properties", "scoringUri"]) });
    new TerraformOutput(stack, "principal", { value: endpoint.identityPrincipalId });
    const outputs = synth(stack).output;
    expect(outputs.id.value).toBe("${azapi_resource.endpoint.id}");
    expect(outputs.name.value).toBe("${azapi_resource.endpoint.name}");
    expect(outputs.output.value).toBe("${azapi_resource.endpoint.output}");
    expect(outputs.scoring_uri.value).toBe("${azapi_resource.endpoint.output.properties.scoringUri}");
    expect(outputs.lookup.value).toBe("${azapi_resource.endpoint.output.properties.scoringUri}");
    expect(outputs.principal.value).toBe("${azapi_resource.endpoint.identity[0].principal_id}");
  });

  test("typed bodies from ./bodies are accepted as the body", () => {
    const stack = newStack();
    const endpointBody: OnlineEndpointBody = { properties: { authMode: "AMLToken", publicNetworkAccess: "Disabled" } };
    new AzapiResource(stack, "endpoint", {
      type: MlResourceType.onlineEndpoint,
      name: "e",
      parentId: WORKSPACE_ID,
      location: "westeurope",
      body: endpointBody,
    });
    expect(synth(stack).resource.azapi_resource.endpoint.body).toEqual({
      properties: { authMode: "AMLToken", publicNetworkAccess: "Disabled" },
    });
  });
});

describe("MlResourceType", () => {
  // Literal strings, not built from ML_API_VERSION: a changed API version or resource path must fail here.
  test.each([
    ["workspace", "Microsoft.MachineLearningServices/workspaces@2025-12-01"],
    ["onlineEndpoint", "Microsoft.MachineLearningServices/workspaces/onlineEndpoints@2025-12-01"],
    ["onlineDeployment", "Microsoft.MachineLearningServices/workspaces/onlineEndpoints/deployments@2025-12-01"],
    ["modelVersion", "Microsoft.MachineLearningServices/workspaces/models/versions@2025-12-01"],
    ["environmentVersion", "Microsoft.MachineLearningServices/workspaces/environments/versions@2025-12-01"],
    ["codeVersion", "Microsoft.MachineLearningServices/workspaces/codes/versions@2025-12-01"],
    ["dataVersion", "Microsoft.MachineLearningServices/workspaces/data/versions@2025-12-01"],
    ["batchEndpoint", "Microsoft.MachineLearningServices/workspaces/batchEndpoints@2025-12-01"],
    ["batchDeployment", "Microsoft.MachineLearningServices/workspaces/batchEndpoints/deployments@2025-12-01"],
  ] as const)("%s is %s", (key, type) => {
    expect(MlResourceType[key]).toBe(type);
  });

  test("lists exactly those types, at the API version the vendored schema describes", () => {
    expect(Object.keys(MlResourceType).sort()).toEqual(
      ["batchDeployment", "batchEndpoint", "codeVersion", "dataVersion", "environmentVersion", "modelVersion", "onlineDeployment", "onlineEndpoint", "workspace"],
    );
    expect(ML_API_VERSION).toBe("2025-12-01");
  });
});

describe("AzapiUpdateResource", () => {
  test("synthesizes the update attributes with resource_id", () => {
    const stack = newStack();
    const endpoint = new AzapiResource(stack, "endpoint", {
      type: MlResourceType.onlineEndpoint,
      name: "e",
      parentId: WORKSPACE_ID,
    });
    new AzapiUpdateResource(stack, "traffic", {
      type: MlResourceType.onlineEndpoint,
      resourceId: endpoint.id,
      body: { properties: { traffic: { blue: 90, green: 10 } } },
      responseExportValues: ["properties.traffic"],
      ignoreCasing: true,
      ignoreMissingProperty: false,
      locks: [WORKSPACE_ID],
      retry: { errorMessageRegex: ["Conflict"] },
      timeouts: { update: "20m" },
      dependsOn: [endpoint],
    });
    expect(synth(stack).resource.azapi_update_resource.traffic).toEqual({
      type: MlResourceType.onlineEndpoint,
      resource_id: "${azapi_resource.endpoint.id}",
      body: { properties: { traffic: { blue: 90, green: 10 } } },
      response_export_values: ["properties.traffic"],
      ignore_casing: true,
      ignore_missing_property: false,
      locks: [WORKSPACE_ID],
      retry: { error_message_regex: ["Conflict"] },
      timeouts: { update: "20m" },
      depends_on: ["azapi_resource.endpoint"],
    });
  });

  test("can address the target by name and parent_id, and exposes output", () => {
    const stack = newStack();
    const update = new AzapiUpdateResource(stack, "traffic", {
      type: MlResourceType.onlineEndpoint,
      name: "e",
      parentId: WORKSPACE_ID,
    });
    new TerraformOutput(stack, "traffic_out", { value: update.outputValue(["properties", "traffic"]) });
    const json = synth(stack);
    expect(json.resource.azapi_update_resource.traffic).toEqual({
      type: MlResourceType.onlineEndpoint,
      name: "e",
      parent_id: WORKSPACE_ID,
    });
    expect(json.output.traffic_out.value).toBe("${azapi_update_resource.traffic.output.properties.traffic}");
  });

  test("rejects ambiguous or missing addressing", () => {
    const stack = newStack();
    expect(
      () =>
        new AzapiUpdateResource(stack, "both", {
          type: MlResourceType.onlineEndpoint,
          resourceId: "/x",
          name: "e",
          parentId: WORKSPACE_ID,
        }),
    ).toThrow('AzapiUpdateResource "both": set either resourceId, or name and parentId, not both');
    expect(() => new AzapiUpdateResource(stack, "neither", { type: MlResourceType.onlineEndpoint, name: "e" })).toThrow(
      'AzapiUpdateResource "neither": set resourceId, or both name and parentId',
    );
  });
});

describe("DataAzapiResource", () => {
  test("reads an existing resource and exposes its output", () => {
    const stack = newStack();
    const workspace = new DataAzapiResource(stack, "workspace", {
      type: MlResourceType.workspace,
      resourceId: WORKSPACE_ID,
      responseExportValues: ["properties.discoveryUrl"],
    });
    new TerraformOutput(stack, "discovery", { value: workspace.outputValue(["properties", "discoveryUrl"]) });
    const json = synth(stack);
    expect(json.data.azapi_resource.workspace).toEqual({
      type: MlResourceType.workspace,
      resource_id: WORKSPACE_ID,
      response_export_values: ["properties.discoveryUrl"],
    });
    expect(json.output.discovery.value).toBe("${data.azapi_resource.workspace.output.properties.discoveryUrl}");
  });
});

describe("HCL synthesis", () => {
  test("renders the provider, body object and nested blocks", () => {
    const stack = newStack();
    new AzapiProvider(stack, "azapi", { defaultLocation: "westeurope", defaultTags: { CostCenter: "ml" } });
    new AzapiResource(stack, "endpoint", {
      type: MlResourceType.onlineEndpoint,
      name: "e",
      parentId: WORKSPACE_ID,
      body: { properties: { authMode: "Key", list: ["a", "b"] } },
      identity: { type: "SystemAssigned" },
      timeouts: { create: "60m" },
    });
    const hcl = Testing.synthHcl(stack);
    expect(hcl).toContain('provider "azapi" {');
    expect(hcl).toContain('default_location = "westeurope"');
    expect(hcl).toMatch(/default_tags = \{\s*CostCenter = "ml"\s*\}/);
    expect(hcl).toContain('resource "azapi_resource" "endpoint" {');
    expect(hcl).toMatch(/body = \{\s*properties = \{\s*authMode = "Key"\s*list = \[\s*"a",\s*"b",\s*\]\s*\}\s*\}/);
    expect(hcl).toMatch(/identity \{\s*type = "SystemAssigned"\s*\}/);
    expect(hcl).toMatch(/timeouts \{\s*create = "60m"\s*\}/);
  });
});

describe("a serving stack validates against the vendored 2025-12-01 schema", () => {
  function servingStack(authMode: string): TerraformStack {
    const stack = newStack();
    new AzapiProvider(stack, "azapi", { defaultLocation: "westeurope", disableDefaultOutput: true });
    const code = new AzapiResource(stack, "code", {
      type: MlResourceType.codeVersion,
      name: "1",
      parentId: `${WORKSPACE_ID}/codes/scoring`,
      body: { properties: { codeUri: "https://st.blob.core.windows.net/code/scoring", description: "scoring code" } },
    });
    const env = new AzapiResource(stack, "environment", {
      type: MlResourceType.environmentVersion,
      name: "1",
      parentId: `${WORKSPACE_ID}/environments/sklearn`,
      body: {
        properties: {
          image: "mcr.microsoft.com/azureml/openmpi4.1.0-ubuntu22.04:latest",
          condaFile: "name: env\ndependencies: [python=3.11]\n",
          osType: "Linux",
        },
      },
    });
    const model = new AzapiResource(stack, "model", {
      type: MlResourceType.modelVersion,
      name: "3",
      parentId: `${WORKSPACE_ID}/models/fraud`,
      body: { properties: { modelUri: "azureml://datastores/workspaceblobstore/paths/fraud/3", modelType: "custom_model" } },
    });
    const endpoint = new AzapiResource(stack, "endpoint", {
      type: MlResourceType.onlineEndpoint,
      name: "fraud",
      parentId: WORKSPACE_ID,
      identity: { type: "SystemAssigned" },
      body: { properties: { authMode, publicNetworkAccess: "Enabled" } },
      responseExportValues: ["properties.scoringUri"],
    });
    const managed: ManagedOnlineDeploymentProperties = {
      endpointComputeType: "Managed",
      model: model.id,
      environmentId: env.id,
      codeConfiguration: { codeId: code.id, scoringScript: "score.py" },
      instanceType: "Standard_DS3_v2",
      requestSettings: { requestTimeout: "PT10S", maxConcurrentRequestsPerInstance: 4 },
      livenessProbe: { initialDelay: "PT30S", period: "PT10S", timeout: "PT2S", failureThreshold: 30, successThreshold: 1 },
      readinessProbe: { initialDelay: "PT10S", period: "PT10S", timeout: "PT2S", failureThreshold: 3, successThreshold: 1 },
      scaleSettings: { scaleType: "Default" },
      appInsightsEnabled: true,
      egressPublicNetworkAccess: "Disabled",
    };
    const deploymentBody: OnlineDeploymentBody = { sku: { name: "Default", capacity: 2 }, properties: managed };
    const blue = new AzapiResource(stack, "blue", {
      type: MlResourceType.onlineDeployment,
      name: "blue",
      parentId: endpoint.id,
      body: deploymentBody,
    });
    new AzapiUpdateResource(stack, "traffic", {
      type: MlResourceType.onlineEndpoint,
      resourceId: endpoint.id,
      body: { properties: { traffic: { blue: 100 } } },
      dependsOn: [blue],
    });
    const batchEndpoint = new AzapiResource(stack, "batch_endpoint", {
      type: MlResourceType.batchEndpoint,
      name: "fraud-batch",
      parentId: WORKSPACE_ID,
      body: { properties: { authMode: "AADToken" } },
    });
    new AzapiResource(stack, "batch_deployment", {
      type: MlResourceType.batchDeployment,
      name: "nightly",
      parentId: batchEndpoint.id,
      body: {
        properties: {
          compute: `${WORKSPACE_ID}/computes/cpu-cluster`,
          model: { referenceType: "Id", assetId: model.id },
          codeConfiguration: { codeId: code.id, scoringScript: "batch_score.py" },
          environmentId: env.id,
          resources: { instanceCount: 2 },
          maxConcurrencyPerInstance: 2,
          miniBatchSize: 10,
          retrySettings: { maxRetries: 3, timeout: "PT30S" },
          errorThreshold: -1,
          loggingLevel: "Info",
          outputAction: "AppendRow",
          outputFileName: "predictions.csv",
        },
      },
    });
    return stack;
  }

  test("every azapi body is valid", () => {
    expect(validateSynthesizedAzapiBodies(Testing.synth(servingStack("Key")))).toEqual([]);
  });

  test("a wrongly cased authMode is caught at synth", () => {
    expect(validateSynthesizedAzapiBodies(Testing.synth(servingStack("key")))).toEqual([
      expect.stringMatching(/^azapi_resource\.endpoint: properties\.authMode: "key" is not one of .*did you mean "Key"/),
    ]);
  });
});

describe("attribute getters", () => {
  // One output per getter: a getter that read another attribute (name for parent_id, principal for tenant) would
  // still resolve, to the wrong value, so each reference is compared in full.
  test("each reads its own attribute of its own resource type", () => {
    const stack = newStack();
    const endpoint = new AzapiResource(stack, "endpoint", {
      type: MlResourceType.onlineEndpoint,
      name: "e",
      parentId: WORKSPACE_ID,
      identity: { type: "SystemAssigned" },
    });
    const workspace = new DataAzapiResource(stack, "workspace", { type: MlResourceType.workspace, resourceId: WORKSPACE_ID });
    const traffic = new AzapiUpdateResource(stack, "traffic", { type: MlResourceType.onlineEndpoint, resourceId: endpoint.id });
    const values: Record<string, string | object> = {
      parent: endpoint.parentId,
      location: endpoint.location,
      tenant: endpoint.identityTenantId,
      data_id: workspace.id,
      data_location: workspace.location,
      data_output: workspace.output,
      update_id: traffic.id,
      update_output: traffic.output,
    };
    for (const [name, value] of Object.entries(values)) new TerraformOutput(stack, name, { value });
    const outputs = synth(stack).output;
    expect(Object.fromEntries(Object.entries(outputs).map(([name, o]) => [name, (o as { value: string }).value]))).toEqual({
      parent: "${azapi_resource.endpoint.parent_id}",
      location: "${azapi_resource.endpoint.location}",
      tenant: "${azapi_resource.endpoint.identity[0].tenant_id}",
      data_id: "${data.azapi_resource.workspace.id}",
      data_location: "${data.azapi_resource.workspace.location}",
      data_output: "${data.azapi_resource.workspace.output}",
      update_id: "${azapi_update_resource.traffic.id}",
      update_output: "${azapi_update_resource.traffic.output}",
    });
  });
});

describe("DataAzapiResource addressing", () => {
  test("by name and parent_id synthesizes those two, not resource_id", () => {
    const stack = newStack();
    new DataAzapiResource(stack, "workspace", { type: MlResourceType.workspace, name: "mlw-prod", parentId: RG_ID });
    expect(synth(stack).data.azapi_resource.workspace).toEqual({
      type: MlResourceType.workspace,
      name: "mlw-prod",
      parent_id: RG_ID,
    });
  });

  test.each([
    [{ resourceId: WORKSPACE_ID, name: "mlw-prod" }, 'DataAzapiResource "ws": set either resourceId, or name and parentId, not both'],
    [{ resourceId: WORKSPACE_ID, parentId: RG_ID }, 'DataAzapiResource "ws": set either resourceId, or name and parentId, not both'],
    [{ parentId: RG_ID }, 'DataAzapiResource "ws": set resourceId, or both name and parentId'],
    [{}, 'DataAzapiResource "ws": set resourceId, or both name and parentId'],
  ])("refuses %p", (addressing, message) => {
    expect(() => new DataAzapiResource(newStack(), "ws", { type: MlResourceType.workspace, ...addressing })).toThrow(message);
  });
});

describe("list arguments", () => {
  test("a list that is a Terraform expression passes through as the expression", () => {
    const stack = newStack();
    const locks = Token.asList(Fn.split(",", "a,b"));
    const exportsList = Token.asList(Fn.split(",", "properties.a,properties.b"));
    new AzapiResource(stack, "r", { type: "T@1", name: "n", parentId: RG_ID, locks, responseExportValues: exportsList });
    const r = synth(stack).resource.azapi_resource.r;
    expect(r.locks).toBe('${split(",", "a,b")}');
    expect(r.response_export_values).toBe('${split(",", "properties.a,properties.b")}');
  });
});

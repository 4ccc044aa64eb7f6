import { MlResourceType } from "../../lib/azapi";
import { knownAzapiResourceTypes, validateAzapiBody, validateSynthesizedAzapiBodies } from "../helpers/azapi-schema";

/** A complete, valid online endpoint request (body with location/tags/identity merged, as azapi validates it). */
function endpointRequest(): any {
  return {
    location: "westeurope",
    tags: { team: "ml" },
    identity: { type: "SystemAssigned" },
    sku: { name: "Default", tier: "Standard", capacity: 1 },
    properties: {
      authMode: "Key",
      publicNetworkAccess: "Disabled",
      description: "fraud scoring",
      traffic: { blue: 90, green: 10 },
      mirrorTraffic: { shadow: 5 },
      properties: { owner: "ml-platform" },
    },
  };
}

function managedDeploymentRequest(): any {
  return {
    location: "westeurope",
    sku: { name: "Default", capacity: 3 },
    properties: {
      endpointComputeType: "Managed",
      instanceType: "Standard_DS3_v2",
      model: "/subscriptions/s/resourceGroups/rg/providers/Microsoft.MachineLearningServices/workspaces/w/models/m/versions/1",
      environmentId: "azureml://registries/azureml/environments/sklearn-1.5/versions/1",
      codeConfiguration: { codeId: "/subscriptions/s/.../codes/c/versions/1", scoringScript: "score.py" },
      requestSettings: { requestTimeout: "PT5S", maxConcurrentRequestsPerInstance: 2, maxQueueWait: "PT0.5S" },
      livenessProbe: { initialDelay: "PT30S", period: "PT10S", timeout: "PT2S", failureThreshold: 30, successThreshold: 1 },
      readinessProbe: { initialDelay: "PT10S", period: "PT10S", timeout: "PT2S", failureThreshold: 3, successThreshold: 1 },
      environmentVariables: { WORKERS: "2", "OMP.NUM_THREADS": "1" },
      appInsightsEnabled: true,
      scaleSettings: { scaleType: "Default" },
      egressPublicNetworkAccess: "Disabled",
      description: "blue",
    },
  };
}

describe("validateAzapiBody", () => {
  test("the vendored schema holds exactly the eight resource types we deploy", () => {
    expect(knownAzapiResourceTypes().sort()).toEqual(Object.values(MlResourceType).sort());
  });

  test("a complete online endpoint request is valid", () => {
    expect(validateAzapiBody(MlResourceType.onlineEndpoint, endpointRequest())).toEqual([]);
  });

  test("a missing required property is reported with its path", () => {
    const body = endpointRequest();
    delete body.properties.authMode;
    delete body.location;
    expect(validateAzapiBody(MlResourceType.onlineEndpoint, body)).toEqual([
      "properties.authMode: required property is missing",
      "location: required property is missing",
    ]);
  });

  test("the top-level name is not required in the body, as in azapi", () => {
    const problems = validateAzapiBody(MlResourceType.onlineEndpoint, endpointRequest());
    expect(problems.filter((p) => p.startsWith("name:"))).toEqual([]);
  });

  test("a value outside a closed enum is rejected", () => {
    const body = endpointRequest();
    body.sku.tier = "Gold";
    expect(validateAzapiBody(MlResourceType.onlineEndpoint, body)).toEqual([
      'sku.tier: "Gold" is not one of "Free" | "Basic" | "Standard" | "Premium"',
    ]);
  });

  test("enums are case-sensitive: a wrongly cased extensible-enum value is reported, with a hint", () => {
    const body = endpointRequest();
    body.properties.authMode = "key";
    const problems = validateAzapiBody(MlResourceType.onlineEndpoint, body);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(
      /^properties\.authMode: "key" is not one of "AMLToken" \| "Key" \| "AADToken" \(did you mean "Key"\?\)/,
    );
  });

  test("strictEnums: false accepts any string for an extensible enum, like azapi, but not for a closed one", () => {
    const body = endpointRequest();
    body.properties.authMode = "key";
    expect(validateAzapiBody(MlResourceType.onlineEndpoint, body, { strictEnums: false })).toEqual([]);
    body.sku.tier = "standard";
    expect(validateAzapiBody(MlResourceType.onlineEndpoint, body, { strictEnums: false })).toEqual([
      'sku.tier: "standard" is not one of "Free" | "Basic" | "Standard" | "Premium"',
    ]);
  });

  test("read-only properties must not be set", () => {
    const body = endpointRequest();
    body.properties.scoringUri = "https://x.westeurope.inference.ml.azure.com/score";
    body.properties.provisioningState = "Succeeded";
    body.id = "/subscriptions/s/whatever";
    expect(validateAzapiBody(MlResourceType.onlineEndpoint, body)).toEqual([
      "properties.scoringUri: read-only property must not be set",
      "properties.provisioningState: read-only property must not be set",
      "id: read-only property must not be set",
    ]);
  });

  test("unknown properties are rejected, listing the writable ones", () => {
    const body = endpointRequest();
    body.properties.autMode = "Key";
    expect(validateAzapiBody(MlResourceType.onlineEndpoint, body)).toEqual([
      "properties.autMode: unknown property; OnlineEndpointProperties allows " +
        "compute, mirrorTraffic, publicNetworkAccess, traffic, authMode, description, keys, properties",
    ]);
  });

  test("additionalProperties values are validated, with non-identifier keys bracket-quoted", () => {
    const body = managedDeploymentRequest();
    body.properties.environmentVariables = { "MY.VAR": 1, OK: "yes" };
    const endpoint = endpointRequest();
    endpoint.properties.traffic = { blue: "100", green: 1.5 };
    expect(validateAzapiBody(MlResourceType.onlineDeployment, body)).toEqual([
      'properties.environmentVariables["MY.VAR"]: expected string, got integer',
    ]);
    expect(validateAzapiBody(MlResourceType.onlineEndpoint, endpoint)).toEqual([
      "properties.traffic.blue: expected integer, got string",
      "properties.traffic.green: expected integer, got number",
    ]);
  });

  test("object, boolean and array types are checked", () => {
    const deployment = managedDeploymentRequest();
    deployment.properties.appInsightsEnabled = "true";
    deployment.properties.requestSettings = "PT5S";
    const model = { properties: { modelUri: "azureml://x", datasets: { name: "d" } } };
    // Problems come in the order of the body's keys.
    expect(validateAzapiBody(MlResourceType.onlineDeployment, deployment)).toEqual([
      "properties.requestSettings: expected object (OnlineRequestSettings), got string",
      "properties.appInsightsEnabled: expected boolean, got string",
    ]);
    expect(validateAzapiBody(MlResourceType.modelVersion, model)).toEqual([
      "properties.datasets: expected array, got object",
    ]);
  });

  test("array items are validated with their index in the path", () => {
    const model = { properties: { datasets: [{ name: "train", id: "/d/1" }, { name: "test", ids: "/d/2" }] } };
    expect(validateAzapiBody(MlResourceType.modelVersion, model)).toEqual([
      "properties.datasets[1].ids: unknown property; DatasetReference allows name, id",
    ]);
  });

  test("string patterns are checked", () => {
    const deployment = managedDeploymentRequest();
    deployment.properties.codeConfiguration.scoringScript = "./-";
    expect(validateAzapiBody(MlResourceType.onlineDeployment, deployment)).toEqual([
      'properties.codeConfiguration.scoringScript: "./-" does not match pattern /[a-zA-Z0-9_]/',
    ]);
  });

  describe("discriminated objects", () => {
    test('a deployment with endpointComputeType "Managed" accepts the managed properties', () => {
      expect(validateAzapiBody(MlResourceType.onlineDeployment, managedDeploymentRequest())).toEqual([]);
    });

    test("an unknown discriminator value is rejected, listing the variants", () => {
      const body = managedDeploymentRequest();
      body.properties.endpointComputeType = "Serverless";
      expect(validateAzapiBody(MlResourceType.onlineDeployment, body)).toEqual([
        'properties.endpointComputeType: "Serverless" is not one of "Kubernetes" | "Managed"',
      ]);
    });

    test("discriminator values are case-sensitive", () => {
      const body = managedDeploymentRequest();
      body.properties.endpointComputeType = "managed";
      expect(validateAzapiBody(MlResourceType.onlineDeployment, body)).toEqual([
        'properties.endpointComputeType: "managed" is not one of "Kubernetes" | "Managed"',
      ]);
    });

    test("a missing discriminator is reported", () => {
      const body = managedDeploymentRequest();
      delete body.properties.endpointComputeType;
      expect(validateAzapiBody(MlResourceType.onlineDeployment, body)).toEqual([
        'properties.endpointComputeType: required property is missing (one of "Kubernetes" | "Managed")',
      ]);
    });

    test("a property of another variant is unknown in the chosen one", () => {
      const body = managedDeploymentRequest();
      body.properties.containerResourceRequirements = { containerResourceLimits: { cpu: "1" } };
      body.properties.scaleSettings = { scaleType: "Default", minInstances: 1 };
      expect(validateAzapiBody(MlResourceType.onlineDeployment, body)).toEqual([
        "properties.scaleSettings.minInstances: unknown property; DefaultScaleSettings allows scaleType",
        "properties.containerResourceRequirements: unknown property; ManagedOnlineDeployment allows endpointComputeType",
      ]);
    });

    test("batch deployment model references are discriminated by referenceType", () => {
      const batch = {
        location: "westeurope",
        properties: {
          compute: "/subscriptions/s/.../computes/cpu-cluster",
          model: { referenceType: "Id", assetId: "/subscriptions/s/.../models/m/versions/1" },
          codeConfiguration: { codeId: "/subscriptions/s/.../codes/c/versions/1", scoringScript: "batch.py" },
          environmentId: "/subscriptions/s/.../environments/e/versions/1",
          resources: { instanceCount: 2 },
          maxConcurrencyPerInstance: 2,
          miniBatchSize: 10,
          retrySettings: { maxRetries: 3, timeout: "PT30S" },
          errorThreshold: -1,
          loggingLevel: "Info",
          outputAction: "AppendRow",
          outputFileName: "predictions.csv",
          environmentVariables: { A: "b" },
        },
      };
      expect(validateAzapiBody(MlResourceType.batchDeployment, batch)).toEqual([]);
      batch.properties.model = { referenceType: "Id" } as any;
      expect(validateAzapiBody(MlResourceType.batchDeployment, batch)).toEqual([
        "properties.model.assetId: required property is missing",
      ]);
      batch.properties.model = { referenceType: "id", assetId: "x" };
      expect(validateAzapiBody(MlResourceType.batchDeployment, batch)).toEqual([
        'properties.model.referenceType: "id" is not one of "DataPath" | "Id" | "OutputPath"',
      ]);
    });
  });

  test("Terraform expressions (${...}) are unknown at plan time and accepted for any type", () => {
    const body = managedDeploymentRequest();
    body.sku.capacity = "${var.instance_count}";
    body.properties.appInsightsEnabled = "${var.app_insights}";
    body.properties.requestSettings = "${local.request_settings}";
    body.properties.model = "${azapi_resource.model.id}";
    body.properties.environmentVariables = { WORKERS: "${var.workers}" };
    expect(validateAzapiBody(MlResourceType.onlineDeployment, body)).toEqual([]);

    // An unknown discriminator cannot pick a variant: properties of any variant are accepted, others are not.
    body.properties.endpointComputeType = "${var.compute_type}";
    expect(validateAzapiBody(MlResourceType.onlineDeployment, body)).toEqual([]);
    body.properties.bogus = 1;
    expect(validateAzapiBody(MlResourceType.onlineDeployment, body)).toEqual([
      "properties.bogus: unknown property in every variant of OnlineDeploymentProperties",
    ]);
  });

  test("partial mode skips required checks but still rejects unknown, read-only and mistyped values", () => {
    const trafficUpdate = { properties: { traffic: { blue: 0, green: 100 } } };
    expect(validateAzapiBody(MlResourceType.onlineEndpoint, trafficUpdate, { partial: true })).toEqual([]);
    expect(validateAzapiBody(MlResourceType.onlineEndpoint, trafficUpdate)).toEqual([
      "properties.authMode: required property is missing",
      "location: required property is missing",
    ]);
    const bad = { properties: { traffic: { blue: "all" }, scoringUri: "x", trafic: {} } };
    expect(validateAzapiBody(MlResourceType.onlineEndpoint, bad, { partial: true })).toEqual([
      "properties.traffic.blue: expected integer, got string",
      "properties.scoringUri: read-only property must not be set",
      expect.stringMatching(/^properties\.trafic: unknown property; /),
    ]);
  });

  test("an unknown resource type is an error, with a hint when only the casing differs", () => {
    expect(validateAzapiBody("Microsoft.MachineLearningServices/workspaces/onlineEndpoints@2024-04-01", {})).toEqual([
      expect.stringMatching(
        /^type: unknown resource type "Microsoft\.MachineLearningServices\/workspaces\/onlineEndpoints@2024-04-01"; known types: /,
      ),
    ]);
    expect(validateAzapiBody("Microsoft.MachineLearningServices/workspaces/onlineendpoints@2025-12-01", {})).toEqual([
      'type: unknown resource type "Microsoft.MachineLearningServices/workspaces/onlineendpoints@2025-12-01"; ' +
        'did you mean "Microsoft.MachineLearningServices/workspaces/onlineEndpoints@2025-12-01"?',
    ]);
  });
});

describe("validateSynthesizedAzapiBodies", () => {
  const parentId = "/subscriptions/s/resourceGroups/rg/providers/Microsoft.MachineLearningServices/workspaces/w";

  function stack(resources: Record<string, unknown>, updates: Record<string, unknown> = {}, provider: unknown[] = [{}]) {
    return { provider: { azapi: provider }, resource: { azapi_resource: resources, azapi_update_resource: updates } };
  }

  test("merges location, tags and identity arguments into the body before validating", () => {
    const json = stack({
      endpoint: {
        type: MlResourceType.onlineEndpoint,
        name: "fraud",
        parent_id: parentId,
        location: "westeurope",
        tags: { team: "ml" },
        identity: [{ type: "SystemAssigned, UserAssigned", identity_ids: ["/subscriptions/s/.../uai"] }],
        body: { properties: { authMode: "AMLToken" } },
      },
    });
    expect(validateSynthesizedAzapiBodies(json)).toEqual([]);
    expect(validateSynthesizedAzapiBodies(JSON.stringify(json))).toEqual([]);
  });

  test("prefixes problems with the resource address", () => {
    const json = stack({
      endpoint_a1b2: { type: MlResourceType.onlineEndpoint, name: "e", parent_id: parentId, body: { properties: {} } },
    });
    expect(validateSynthesizedAzapiBodies(json)).toEqual([
      "azapi_resource.endpoint_a1b2: properties.authMode: required property is missing",
      "azapi_resource.endpoint_a1b2: location: required property is missing",
    ]);
  });

  test("falls back to the provider's default_location, honouring provider aliases", () => {
    const endpoint = { type: MlResourceType.onlineEndpoint, name: "e", parent_id: parentId, body: { properties: { authMode: "Key" } } };
    const providers = [{}, { alias: "eu", default_location: "westeurope" }];
    expect(validateSynthesizedAzapiBodies(stack({ e: { ...endpoint, provider: "azapi.eu" } }, {}, providers))).toEqual([]);
    expect(validateSynthesizedAzapiBodies(stack({ e: endpoint }, {}, providers))).toEqual([
      "azapi_resource.e: location: required property is missing",
    ]);
  });

  test("rejects location, tags or identity set both as arguments and in body", () => {
    const json = stack({
      e: {
        type: MlResourceType.onlineEndpoint,
        name: "e",
        parent_id: parentId,
        location: "westeurope",
        body: { location: "westeurope", properties: { authMode: "Key" } },
      },
    });
    expect(validateSynthesizedAzapiBodies(json)).toEqual([
      "azapi_resource.e: location: set both as an argument and in body; azapi rejects that, keep only the argument",
    ]);
  });

  test("checks the identity block type against azapi's spelling", () => {
    const json = stack({
      e: {
        type: MlResourceType.onlineEndpoint,
        name: "e",
        parent_id: parentId,
        location: "westeurope",
        identity: [{ type: "systemAssigned" }],
        body: { properties: { authMode: "Key" } },
      },
    });
    expect(validateSynthesizedAzapiBodies(json)).toEqual([
      'azapi_resource.e: identity.type: "systemAssigned" is not one of "SystemAssigned" | "UserAssigned" | "SystemAssigned, UserAssigned" | "None"',
    ]);
  });

  test("validates a literal name against the schema's name constraints", () => {
    const json = stack({
      ws: { type: MlResourceType.workspace, name: "x", parent_id: "/subscriptions/s/resourceGroups/rg", location: "westeurope", body: { properties: {} } },
      ws_token: { type: MlResourceType.workspace, name: "${var.ws}", parent_id: "/subscriptions/s/resourceGroups/rg", location: "westeurope", body: { properties: {} } },
    });
    expect(validateSynthesizedAzapiBodies(json)).toEqual([
      'azapi_resource.ws: name: "x" does not match pattern /^[a-zA-Z0-9][a-zA-Z0-9_-]{2,32}$/',
    ]);
  });

  test("skips resources azapi would not validate", () => {
    const json = stack({
      disabled: { type: MlResourceType.onlineEndpoint, name: "e", parent_id: parentId, schema_validation_enabled: false, body: { bogus: 1 } },
      token_type: { type: "${var.type}", name: "e", parent_id: parentId, body: { bogus: 1 } },
      token_body: { type: MlResourceType.onlineEndpoint, name: "e", parent_id: parentId, location: "x", body: "${local.body}" },
    });
    expect(validateSynthesizedAzapiBodies(json)).toEqual([]);
  });

  test("rejects a JSON-string body, which azapi 2.x does not accept", () => {
    const json = stack({
      e: { type: MlResourceType.onlineEndpoint, name: "e", parent_id: parentId, location: "x", body: '{"properties":{}}' },
    });
    expect(validateSynthesizedAzapiBodies(json)).toEqual([
      "azapi_resource.e: body: must be an object (azapi 2.x takes an HCL object, not a JSON string), got string",
    ]);
  });

  test("validates azapi_update_resource bodies as partial and checks how the target is addressed", () => {
    const json = stack(
      {},
      {
        traffic: { type: MlResourceType.onlineEndpoint, resource_id: `${parentId}/onlineEndpoints/e`, body: { properties: { traffic: { blue: 100 } } } },
        by_name: { type: MlResourceType.onlineEndpoint, name: "e", parent_id: parentId, body: { properties: { traffic: { blue: "x" } } } },
        nowhere: { type: MlResourceType.onlineEndpoint, body: {} },
      },
    );
    expect(validateSynthesizedAzapiBodies(json)).toEqual([
      "azapi_update_resource.by_name: properties.traffic.blue: expected integer, got string",
      "azapi_update_resource.nowhere: resource_id: set either resource_id, or name and parent_id",
    ]);
  });
});

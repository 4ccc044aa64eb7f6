import { AzurermProvider } from "@cdktf/provider-azurerm/lib/provider";
import { App, TerraformResource, TerraformStack, Testing } from "cdktf";
import { Construct } from "constructs";

/**
 * Minimal stand-ins for azapi resources: they synthesize `azapi_resource` / `azapi_update_resource` with the
 * attributes the guardrails read (type, name, parent_id, resource_id, body, identity), and nothing else.
 * The rules inspect synthesized attributes, so any binding that produces these blocks is covered.
 */
export interface FakeAzapiProps {
  readonly type: string;
  readonly name?: string;
  readonly parentId?: string;
  readonly resourceId?: string;
  readonly body?: object;
  readonly identity?: { readonly type: string };
}

export class FakeAzapiResource extends TerraformResource {
  constructor(
    scope: Construct,
    id: string,
    private readonly props: FakeAzapiProps,
  ) {
    super(scope, id, { terraformResourceType: "azapi_resource" });
  }

  get id(): string {
    return this.getStringAttribute("id");
  }

  protected override synthesizeAttributes(): Record<string, unknown> {
    return {
      type: this.props.type,
      name: this.props.name,
      parent_id: this.props.parentId,
      body: this.props.body,
      identity: this.props.identity ? [{ type: this.props.identity.type }] : undefined,
    };
  }
}

export class FakeAzapiUpdateResource extends TerraformResource {
  constructor(
    scope: Construct,
    id: string,
    private readonly props: FakeAzapiProps,
  ) {
    super(scope, id, { terraformResourceType: "azapi_update_resource" });
  }

  protected override synthesizeAttributes(): Record<string, unknown> {
    return {
      type: this.props.type,
      name: this.props.name,
      parent_id: this.props.parentId,
      resource_id: this.props.resourceId,
      body: this.props.body,
    };
  }
}

export const ML = "Microsoft.MachineLearningServices/workspaces";
export const ENDPOINT_TYPE = `${ML}/onlineEndpoints@2025-12-01`;
export const DEPLOYMENT_TYPE = `${ML}/onlineEndpoints/deployments@2025-12-01`;
export const BATCH_ENDPOINT_TYPE = `${ML}/batchEndpoints@2025-12-01`;
export const WORKSPACE_TYPE = `${ML}@2025-12-01`;
export const WORKSPACE_ID = "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg/providers/Microsoft.MachineLearningServices/workspaces/ws";

/** A fresh app and stack with an azurerm provider, so that `Testing.fullSynth` validations pass. */
export function newStack(name = "serving-dev", app: App = Testing.app()): TerraformStack {
  const stack = new TerraformStack(app, name);
  new AzurermProvider(stack, "azurerm", { features: [{}] });
  return stack;
}

/** An online endpoint that passes every endpoint rule unless `overrides` change it. */
export function compliantEndpoint(
  scope: Construct,
  id = "endpoint",
  overrides: { properties?: Record<string, unknown>; identity?: { type: string } | null; name?: string } = {},
): FakeAzapiResource {
  return new FakeAzapiResource(scope, id, {
    type: ENDPOINT_TYPE,
    name: overrides.name ?? "churn-dev",
    parentId: WORKSPACE_ID,
    identity: overrides.identity === null ? undefined : (overrides.identity ?? { type: "SystemAssigned" }),
    body: { properties: { authMode: "AMLToken", publicNetworkAccess: "Disabled", ...overrides.properties } },
  });
}

/** An online deployment under `endpoint` that passes every deployment rule unless `overrides` change it. */
export function compliantDeployment(
  scope: Construct,
  id: string,
  endpoint: FakeAzapiResource,
  overrides: { name?: string; capacity?: unknown; properties?: Record<string, unknown> } = {},
): FakeAzapiResource {
  return new FakeAzapiResource(scope, id, {
    type: DEPLOYMENT_TYPE,
    name: overrides.name ?? "blue",
    parentId: endpoint.id,
    body: {
      sku: { name: "Default", capacity: "capacity" in overrides ? overrides.capacity : 3 },
      properties: { endpointComputeType: "Managed", egressPublicNetworkAccess: "Disabled", ...overrides.properties },
    },
  });
}

/** Routes traffic the way the serving stack does: an azapi_update_resource on the endpoint. */
export function routeTraffic(scope: Construct, id: string, endpoint: FakeAzapiResource, traffic: unknown): FakeAzapiUpdateResource {
  return new FakeAzapiUpdateResource(scope, id, {
    type: ENDPOINT_TYPE,
    resourceId: endpoint.id,
    body: { properties: { traffic } },
  });
}

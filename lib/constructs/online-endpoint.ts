import type { RoleAssignment } from "@cdktf/provider-azurerm/lib/role-assignment";
import { UserAssignedIdentity } from "@cdktf/provider-azurerm/lib/user-assigned-identity";
import { Construct } from "constructs";
import { AzapiResource, MlResourceType, type EndpointAuthMode, type OnlineEndpointBody } from "../azapi";
import type { MlWorkspace } from "./ml-workspace";

/** How clients authenticate to the scoring URI. */
export type AuthMode = "key" | "aml_token" | "aad_token";

const AUTH_MODES: Record<AuthMode, EndpointAuthMode> = { key: "Key", aml_token: "AMLToken", aad_token: "AADToken" };

/** Properties of {@link OnlineEndpoint}. */
export interface OnlineEndpointProps {
  /** Endpoint name; part of the scoring URI `https://<name>.<region>.inference.ml.azure.com/score`. */
  readonly name: string;
  readonly location: string;
  /** Resource group of the endpoint's user-assigned identity. */
  readonly resourceGroupName: string;
  /** The workspace the endpoint lives in; its registry and storage are granted to the endpoint identity. */
  readonly workspace: MlWorkspace;
  /**
   * How clients authenticate: Azure ML tokens, Entra ID tokens, or long-lived keys.
   * @default "aml_token"
   */
  readonly authMode?: AuthMode;
  /**
   * Whether the scoring URI is reachable from public networks.
   * @default true
   */
  readonly publicNetworkAccess?: boolean;
  /**
   * Free-text description.
   * @default no description
   */
  readonly description?: string;
  /**
   * Name of the endpoint's user-assigned identity.
   * @default "id-<name>"
   */
  readonly identityName?: string;
  /**
   * Tags on the endpoint and its identity.
   * @default {}
   */
  readonly tags?: Readonly<Record<string, string>>;
}

/**
 * A managed online endpoint: a stable scoring URI in front of one or more deployments.
 *
 * The endpoint runs as a user-assigned identity that Terraform creates and grants AcrPull on the workspace
 * registry, Storage Blob Data Reader on the workspace storage and AzureML Metrics Writer on the workspace, all
 * before the endpoint exists. The endpoint body carries no traffic: {@link EndpointTraffic} sets it once the
 * deployments exist, because Azure only accepts traffic to deployments that exist.
 * @see https://learn.microsoft.com/azure/machine-learning/concept-endpoints-online
 */
export class OnlineEndpoint extends Construct {
  readonly endpoint: AzapiResource;
  readonly identity: UserAssignedIdentity;
  readonly roleAssignments: readonly RoleAssignment[];
  /** Endpoint name as configured. */
  readonly endpointName: string;

  constructor(scope: Construct, id: string, props: OnlineEndpointProps) {
    super(scope, id);
    this.endpointName = props.name;
    const tags = { ...props.tags };
    this.identity = new UserAssignedIdentity(this, "identity", {
      name: props.identityName ?? `id-${props.name}`,
      resourceGroupName: props.resourceGroupName,
      location: props.location,
      tags,
    });
    const principalId = this.identity.principalId;
    this.roleAssignments = [
      props.workspace.grantRegistryPull(this, principalId),
      props.workspace.grantBlobRead(this, principalId),
      props.workspace.grantMetricsWrite(this, principalId),
    ];

    const body: OnlineEndpointBody = {
      properties: {
        authMode: AUTH_MODES[props.authMode ?? "aml_token"],
        publicNetworkAccess: (props.publicNetworkAccess ?? true) ? "Enabled" : "Disabled",
        description: props.description,
      },
    };
    this.endpoint = new AzapiResource(this, "endpoint", {
      type: MlResourceType.onlineEndpoint,
      name: props.name,
      parentId: props.workspace.workspace.id,
      location: props.location,
      identity: { type: "UserAssigned", identityIds: [this.identity.id] },
      body,
      tags,
      responseExportValues: ["properties.scoringUri", "properties.swaggerUri"],
      // Azure ML checks the identity's access while it creates the endpoint.
      dependsOn: [...this.roleAssignments],
    });
  }

  /** Resource id of the endpoint. */
  get id(): string {
    return this.endpoint.id;
  }

  /** The URI clients POST scoring requests to. */
  get scoringUri(): string {
    return this.endpoint.outputValue(["properties", "scoringUri"]);
  }

  /** The URI of the endpoint's OpenAPI (swagger) document. */
  get swaggerUri(): string {
    return this.endpoint.outputValue(["properties", "swaggerUri"]);
  }
}

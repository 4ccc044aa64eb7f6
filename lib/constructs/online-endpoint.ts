import type { RoleAssignment } from "@cdktf/provider-azurerm/lib/role-assignment";
import { UserAssignedIdentity } from "@cdktf/provider-azurerm/lib/user-assigned-identity";
import { Construct } from "constructs";
import { AzapiResource, AzapiUpdateResource, MlResourceType, type EndpointAuthMode, type OnlineEndpointBody } from "../azapi";
import type { ServingWorkspace } from "./serving-workspace";
import { managedIdentity } from "./principal";
import { RolePropagation } from "./role-propagation";
import { resourceAddress } from "./terraform-address";

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
  readonly workspace: ServingWorkspace;
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
   * Seconds to wait after the identity's role assignments before the endpoint and its deployments are created.
   * @default 120
   */
  readonly rolePropagationDelaySeconds?: number;
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
 * registry, Storage Blob Data Reader on the workspace storage and AzureML Metrics Writer on the workspace. The
 * endpoint, and so every deployment, waits for those roles to propagate ({@link OnlineEndpoint.rolesReady}).
 *
 * Traffic is never lost to an endpoint update. The endpoint resource is created once with its settings and then
 * ignores changes to its body and tags: an `azapi_resource` update PUTs the whole body it holds, which carries no
 * traffic, so Azure would reset the split. Changes to the auth mode, public network access, description and tags
 * go through {@link OnlineEndpoint.settings} instead, an `azapi_update_resource` that reads the endpoint and
 * merges them into it, traffic included. {@link EndpointTraffic} sets the split once the deployments exist,
 * because Azure only accepts traffic to deployments that exist.
 * @see https://learn.microsoft.com/azure/machine-learning/concept-endpoints-online
 */
export class OnlineEndpoint extends Construct {
  readonly endpoint: AzapiResource;
  readonly identity: UserAssignedIdentity;
  readonly roleAssignments: readonly RoleAssignment[];
  /** The wait after {@link roleAssignments}; the endpoint and its deployments are created after it. */
  readonly rolesReady: RolePropagation;
  /** Applies the endpoint's mutable settings by merging them into the live endpoint, so its traffic stays. */
  readonly settings: AzapiUpdateResource;
  /** The workspace the endpoint lives in. */
  readonly workspace: ServingWorkspace;
  /** Endpoint name as configured. */
  readonly endpointName: string;

  private readonly rolePropagationDelaySeconds?: number;
  private collectionAccess?: RolePropagation;

  constructor(scope: Construct, id: string, props: OnlineEndpointProps) {
    super(scope, id);
    this.rolePropagationDelaySeconds = props.rolePropagationDelaySeconds;
    this.endpointName = props.name;
    this.workspace = props.workspace;
    const tags = { ...props.tags };
    this.identity = new UserAssignedIdentity(this, "identity", {
      name: props.identityName ?? `id-${props.name}`,
      resourceGroupName: props.resourceGroupName,
      location: props.location,
      tags,
    });
    const principal = managedIdentity(this.identity.principalId);
    this.roleAssignments = [
      props.workspace.grantRegistryPull(this, principal),
      props.workspace.grantBlobRead(this, principal),
      props.workspace.grantMetricsWrite(this, principal),
    ];
    this.rolesReady = new RolePropagation(this, "roles-ready", {
      roleAssignments: this.roleAssignments,
      delaySeconds: props.rolePropagationDelaySeconds,
    });

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
      parentId: props.workspace.workspaceId,
      location: props.location,
      identity: { type: "UserAssigned", identityIds: [this.identity.id] },
      body,
      tags,
      responseExportValues: ["properties.scoringUri", "properties.swaggerUri"],
      // The body carries Azure ML enums (Enabled/Disabled, AADToken, AppendRow, Info...). The service treats them
      // case-insensitively and does not promise to echo the casing it was sent; a re-cased echo must not read as a
      // change on every plan.
      ignoreCasing: true,
      // Azure ML checks the identity's access while it creates the endpoint, so the roles must be in force.
      dependsOn: [this.rolesReady.wait],
      // Create-only: later changes go through `settings`, which keeps the traffic (see the class comment).
      lifecycle: { ignoreChanges: ["body", "tags"] },
    });

    const settingsBody: Pick<OnlineEndpointBody, "properties"> & { readonly tags: Record<string, string> } = {
      properties: body.properties,
      tags,
    };
    this.settings = new AzapiUpdateResource(this, "settings", {
      type: MlResourceType.onlineEndpoint,
      resourceId: this.endpoint.id,
      body: settingsBody,
      locks: [this.endpoint.id],
      // Enums again (authMode, publicNetworkAccess): see the endpoint above.
      ignoreCasing: true,
      // Replacing the endpoint, or updating it in place (a new identity), PUTs its creation body; apply these again.
      lifecycle: { replaceTriggeredBy: [resourceAddress(this.endpoint)] },
    });
  }

  /**
   * Lets the endpoint's identity write collected data: role Storage Blob Data Contributor, scope the container of the
   * workspace's default datastore (where data collection lands, `modelDataCollector/...`), not the whole storage
   * account, then a propagation delay; created on first call, the same on later ones.
   *
   * A deployment with a data collector waits for the returned {@link RolePropagation.wait}: Azure ML's data
   * collector writes the requests, responses and custom logs to that container as the endpoint's user-assigned
   * identity, and the storage refuses shared keys. The assignment's construct id is `default-container-write`.
   * @see https://learn.microsoft.com/azure/machine-learning/how-to-collect-production-data
   */
  dataCollectionAccess(): RolePropagation {
    this.collectionAccess ??= new RolePropagation(this, "data-collection-ready", {
      roleAssignments: [this.workspace.grantDefaultContainerWrite(this, managedIdentity(this.identity.principalId))],
      delaySeconds: this.rolePropagationDelaySeconds,
    });
    return this.collectionAccess;
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

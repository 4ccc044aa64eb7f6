import { Construct } from "constructs";
import {
  Fn,
  TerraformDataSource,
  TerraformMetaArguments,
  TerraformResource,
  Token,
  booleanToTerraform,
  stringToTerraform,
} from "cdktf";
import {
  azapiResourceConfig,
  assertResourceAddressing,
  hclAny,
  hclAttributes,
  hclBlock,
  hclMap,
  hclString,
  hclBoolean,
  hclStringList,
  identityToTerraform,
  operationTailToHcl,
  operationTailToTerraform,
} from "./synth-util";

/**
 * Managed identity types accepted by the azapi `identity` block.
 *
 * Note the space in "SystemAssigned, UserAssigned": that is azapi's spelling, not ARM's.
 */
export type AzapiIdentityType = "SystemAssigned" | "UserAssigned" | "SystemAssigned, UserAssigned" | "None";

/**
 * The `identity` block of an azapi resource; azapi turns it into the body's `identity` object.
 *
 * @see https://registry.terraform.io/providers/Azure/azapi/latest/docs/resources/resource#identity
 */
export interface AzapiIdentity {
  /** Kind of managed identity. */
  readonly type: AzapiIdentityType;
  /**
   * Resource IDs of user-assigned identities, required when `type` includes UserAssigned.
   *
   * @default - no user-assigned identities
   */
  readonly identityIds?: string[];
}

/**
 * Retry policy for transient ARM errors (an object attribute, not a block).
 *
 * @see https://registry.terraform.io/providers/Azure/azapi/latest/docs/resources/resource#retry
 */
export interface AzapiRetry {
  /** Regular expressions (Go syntax) matched against error messages; a match triggers a retry. */
  readonly errorMessageRegex: string[];
  /**
   * Base wait between retries, in seconds (1-120).
   *
   * @default 10
   */
  readonly intervalSeconds?: number;
  /**
   * Maximum wait between retries, in seconds (1-300).
   *
   * @default 180
   */
  readonly maxIntervalSeconds?: number;
  /**
   * Multiplier applied to the interval after each retry (deprecated by azapi).
   *
   * @default 1.5
   */
  readonly multiplier?: number;
  /**
   * Randomization factor applied to the interval (deprecated by azapi).
   *
   * @default 0.5
   */
  readonly randomizationFactor?: number;
}

/**
 * Operation timeouts as Go durations ("30m", "1h30m").
 *
 * @see https://registry.terraform.io/providers/Azure/azapi/latest/docs/resources/resource#timeouts
 */
export interface AzapiTimeouts {
  /**
   * Timeout of create.
   *
   * @default "30m"
   */
  readonly create?: string;
  /**
   * Timeout of update.
   *
   * @default "30m"
   */
  readonly update?: string;
  /**
   * Timeout of delete.
   *
   * @default "30m"
   */
  readonly delete?: string;
  /**
   * Timeout of read.
   *
   * @default "5m"
   */
  readonly read?: string;
}

/**
 * What to export from the ARM response into `output`: a list of dotted paths (`["*"]` for everything) or a map
 * of output names to JMESPath queries.
 */
export type AzapiResponseExportValues = string[] | Record<string, string>;

/**
 * Arguments that `azapi_resource` and `azapi_update_resource` share: what to export, how to diff, locking and
 * retries, plus the Terraform meta-arguments.
 */
export interface AzapiOperationProps extends TerraformMetaArguments {
  /**
   * Response properties to export into `output`.
   *
   * @default - provider default: read-only properties unless the provider sets disable_default_output
   */
  readonly responseExportValues?: AzapiResponseExportValues;
  /**
   * Whether properties missing from the response (secrets, for instance) are ignored when diffing.
   *
   * @default true
   */
  readonly ignoreMissingProperty?: boolean;
  /**
   * Whether a value that Azure returns in another casing than the body sent ("enabled" for "Enabled") is taken as
   * unchanged, instead of showing a diff on every plan (azapi: "ignore incorrect casing returned in body").
   *
   * @default false
   */
  readonly ignoreCasing?: boolean;
  /**
   * ARM resource IDs to lock while this resource is created, updated or deleted (an update resource: while it runs).
   *
   * @default - no locks
   */
  readonly locks?: string[];
  /**
   * Retry policy for transient errors.
   *
   * @default - provider default retry behaviour
   */
  readonly retry?: AzapiRetry;
  /**
   * Operation timeouts.
   *
   * @default - azapi defaults
   */
  readonly timeouts?: AzapiTimeouts;
}

/**
 * Arguments of `azapi_resource`.
 *
 * @see https://registry.terraform.io/providers/Azure/azapi/latest/docs/resources/resource
 */
export interface AzapiResourceProps extends AzapiOperationProps {
  /** Resource type and API version, e.g. "Microsoft.MachineLearningServices/workspaces/onlineEndpoints@2025-12-01". */
  readonly type: string;
  /** Name of the Azure resource; changing it replaces the resource. */
  readonly name: string;
  /** ID of the parent: the resource group for top-level types, the parent resource for child types. */
  readonly parentId: string;
  /**
   * Azure location; azapi merges it into the request body, so do not also put it in `body`.
   *
   * @default - the provider's default_location for types that have a location; none otherwise
   */
  readonly location?: string;
  /**
   * Request body without location, tags and identity (typed bodies live in ./bodies).
   *
   * Emitted unchanged, lists included, so tokens anywhere inside resolve to Terraform references.
   *
   * @default {} (azapi's default)
   */
  readonly body?: object;
  /**
   * Managed identity; azapi merges it into the request body, so do not also put it in `body`.
   *
   * @default - no identity block
   */
  readonly identity?: AzapiIdentity;
  /**
   * Resource tags; azapi merges them into the request body, so do not also put them in `body`.
   *
   * @default - the provider's default_tags for types that have tags; none otherwise
   */
  readonly tags?: Record<string, string>;
  /**
   * Whether azapi checks `type` and `body` against its embedded schema at plan time.
   *
   * @default true
   */
  readonly schemaValidationEnabled?: boolean;
  /**
   * Any value whose change forces replacement of the resource.
   *
   * @default - no external replace triggers
   */
  readonly replaceTriggersExternalValues?: unknown;
  /**
   * Paths into this resource's configuration whose change forces replacement.
   *
   * @default - no replace trigger paths
   */
  readonly replaceTriggersRefs?: string[];
}

/**
 * An `azapi_resource`: any ARM resource, managed through its REST API with a typed `type@apiVersion`.
 *
 * @see https://registry.terraform.io/providers/Azure/azapi/latest/docs/resources/resource
 */
export class AzapiResource extends TerraformResource {
  /** Terraform resource type. */
  public static readonly tfResourceType = "azapi_resource";

  /** The configured arguments, as passed to the constructor. */
  public readonly props: AzapiResourceProps;

  /**
   * Declares an azapi_resource.
   *
   * @param scope construct scope
   * @param id construct id, unique among siblings
   * @param props resource arguments and meta-arguments
   */
  public constructor(scope: Construct, id: string, props: AzapiResourceProps) {
    super(scope, id, azapiResourceConfig(AzapiResource.tfResourceType, props));
    this.props = props;
  }

  /** Resource ID (`id`). */
  public get id(): string {
    return this.getStringAttribute("id");
  }

  /** Resource name (`name`). */
  public get name(): string {
    return this.getStringAttribute("name");
  }

  /** Parent ID (`parent_id`). */
  public get parentId(): string {
    return this.getStringAttribute("parent_id");
  }

  /** Location (`location`), as azapi read it back. */
  public get location(): string {
    return this.getStringAttribute("location");
  }

  /** The exported response (`output`); see `responseExportValues`. */
  public get output(): { [key: string]: any } {
    return this.getAnyMapAttribute("output");
  }

  /** Principal ID of the system-assigned identity (`identity[0].principal_id`); needs an `identity` block. */
  public get identityPrincipalId(): string {
    return this.getStringAttribute("identity[0].principal_id");
  }

  /** Tenant ID of the system-assigned identity (`identity[0].tenant_id`); needs an `identity` block. */
  public get identityTenantId(): string {
    return this.getStringAttribute("identity[0].tenant_id");
  }

  /**
   * A string token for one exported response value, e.g. `outputValue(["properties", "scoringUri"])`.
   *
   * The path must be exported by `responseExportValues` (or by the provider's default output).
   */
  public outputValue(path: string[]): string {
    return Token.asString(Fn.lookupNested(this.output, path));
  }

  protected override synthesizeAttributes(): { [name: string]: any } {
    const p = this.props;
    return {
      type: stringToTerraform(p.type),
      name: stringToTerraform(p.name),
      parent_id: stringToTerraform(p.parentId),
      location: stringToTerraform(p.location),
      body: p.body,
      identity: identityToTerraform(p.identity),
      tags: p.tags,
      response_export_values: p.responseExportValues,
      schema_validation_enabled: booleanToTerraform(p.schemaValidationEnabled),
      ignore_missing_property: booleanToTerraform(p.ignoreMissingProperty),
      ignore_casing: booleanToTerraform(p.ignoreCasing),
      replace_triggers_external_values: p.replaceTriggersExternalValues,
      replace_triggers_refs: p.replaceTriggersRefs,
      ...operationTailToTerraform(p),
    };
  }

  protected override synthesizeHclAttributes(): { [name: string]: any } {
    const p = this.props;
    return hclAttributes({
      type: hclString(p.type),
      name: hclString(p.name),
      parent_id: hclString(p.parentId),
      location: hclString(p.location),
      body: hclAny(p.body),
      identity: hclBlock(identityToTerraform(p.identity), "list"),
      tags: hclMap(p.tags),
      response_export_values: hclAny(p.responseExportValues),
      schema_validation_enabled: hclBoolean(p.schemaValidationEnabled),
      ignore_missing_property: hclBoolean(p.ignoreMissingProperty),
      ignore_casing: hclBoolean(p.ignoreCasing),
      replace_triggers_external_values: hclAny(p.replaceTriggersExternalValues),
      replace_triggers_refs: hclStringList(p.replaceTriggersRefs),
      ...operationTailToHcl(p),
    });
  }
}

/**
 * How an existing resource is addressed: by `resourceId`, or by `name` with `parentId`, with its type.
 */
export interface AzapiExistingResourceProps extends TerraformMetaArguments {
  /** Resource type and API version, e.g. "Microsoft.MachineLearningServices/workspaces/onlineEndpoints@2025-12-01". */
  readonly type: string;
  /**
   * ID of the existing resource.
   *
   * @default - built from `name` and `parentId`
   */
  readonly resourceId?: string;
  /**
   * Name of the existing resource (with `parentId`).
   *
   * @default - none; `resourceId` must be set
   */
  readonly name?: string;
  /**
   * Parent ID of the existing resource (with `name`).
   *
   * @default - none; `resourceId` must be set
   */
  readonly parentId?: string;
}

/**
 * Arguments of the `azapi_resource` data source: either `resourceId`, or `name` with `parentId`.
 *
 * @see https://registry.terraform.io/providers/Azure/azapi/latest/docs/data-sources/resource
 */
export interface DataAzapiResourceProps extends AzapiExistingResourceProps {
  /**
   * Response properties to export into `output`.
   *
   * @default - provider default output
   */
  readonly responseExportValues?: AzapiResponseExportValues;
}

/**
 * The `azapi_resource` data source: reads an existing ARM resource.
 *
 * @see https://registry.terraform.io/providers/Azure/azapi/latest/docs/data-sources/resource
 */
export class DataAzapiResource extends TerraformDataSource {
  /** Terraform data source type. */
  public static readonly tfResourceType = "azapi_resource";

  /** The configured arguments, as passed to the constructor. */
  public readonly props: DataAzapiResourceProps;

  /**
   * Declares an azapi_resource data source.
   *
   * @param scope construct scope
   * @param id construct id, unique among siblings
   * @param props data source arguments and meta-arguments
   */
  public constructor(scope: Construct, id: string, props: DataAzapiResourceProps) {
    assertResourceAddressing("DataAzapiResource", id, props);
    super(scope, id, azapiResourceConfig(DataAzapiResource.tfResourceType, props));
    this.props = props;
  }

  /** Resource ID (`id`). */
  public get id(): string {
    return this.getStringAttribute("id");
  }

  /** Location (`location`). */
  public get location(): string {
    return this.getStringAttribute("location");
  }

  /** The exported response (`output`). */
  public get output(): { [key: string]: any } {
    return this.getAnyMapAttribute("output");
  }

  /** A string token for one exported response value. */
  public outputValue(path: string[]): string {
    return Token.asString(Fn.lookupNested(this.output, path));
  }

  protected override synthesizeAttributes(): { [name: string]: any } {
    const p = this.props;
    return {
      type: stringToTerraform(p.type),
      resource_id: stringToTerraform(p.resourceId),
      name: stringToTerraform(p.name),
      parent_id: stringToTerraform(p.parentId),
      response_export_values: p.responseExportValues,
    };
  }

  protected override synthesizeHclAttributes(): { [name: string]: any } {
    const p = this.props;
    return hclAttributes({
      type: hclString(p.type),
      resource_id: hclString(p.resourceId),
      name: hclString(p.name),
      parent_id: hclString(p.parentId),
      response_export_values: hclAny(p.responseExportValues),
    });
  }
}

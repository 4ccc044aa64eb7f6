import { Construct } from "constructs";
import { TerraformProvider, Token, booleanToTerraform, stringToTerraform } from "cdktf";
import { hclAttributes, hclBoolean, hclMap, hclString } from "./synth-util";

/** Registry source of the azapi provider, as written into `terraform.required_providers.azapi.source`. */
export const AZAPI_PROVIDER_SOURCE = "Azure/azapi";

/** Provider version constraint: 2.9 or any later 2.x. 2.9 is the oldest release whose schema and attributes these bindings target, and 3.x may change how bodies are handled. */
export const AZAPI_PROVIDER_VERSION_CONSTRAINT = "~> 2.9";

/**
 * Configuration of the azapi provider block.
 *
 * @see https://registry.terraform.io/providers/Azure/azapi/latest/docs
 */
export interface AzapiProviderProps {
  /**
   * Alias of this provider configuration, for stacks that talk to several subscriptions.
   *
   * @default - the default (unaliased) azapi provider configuration
   */
  readonly alias?: string;
  /**
   * Subscription ID that resources are managed in.
   *
   * @default - taken from `ARM_SUBSCRIPTION_ID` or the Azure CLI context
   */
  readonly subscriptionId?: string;
  /**
   * Microsoft Entra tenant ID to authenticate against.
   *
   * @default - taken from `ARM_TENANT_ID` or the Azure CLI context
   */
  readonly tenantId?: string;
  /**
   * Allow OpenID Connect (workload identity federation) authentication.
   *
   * @default - provider default (false; `ARM_USE_OIDC`)
   */
  readonly useOidc?: boolean;
  /**
   * Allow Azure CLI authentication.
   *
   * @default - provider default (true; `ARM_USE_CLI`)
   */
  readonly useCli?: boolean;
  /**
   * Allow managed identity authentication.
   *
   * @default - provider default (false; `ARM_USE_MSI`)
   */
  readonly useMsi?: boolean;
  /**
   * Location used for resources that support one but set no `location` themselves.
   *
   * @default - none: such resources must set `location`
   */
  readonly defaultLocation?: string;
  /**
   * Tags applied to resources that support tags but set no `tags` themselves.
   *
   * @default - no default tags
   */
  readonly defaultTags?: Record<string, string>;
  /**
   * Stop exporting read-only response properties into `output` when `response_export_values` is unset.
   *
   * @default - provider default (false; `ARM_DISABLE_DEFAULT_OUTPUT`)
   */
  readonly disableDefaultOutput?: boolean;
  /**
   * Validate new resources with the ARM preflight API during plan.
   *
   * @default - provider default (false; `ARM_ENABLE_PREFLIGHT`)
   */
  readonly enablePreflight?: boolean;
}

/**
 * The azapi Terraform provider (`Azure/azapi`), hand-written because no provider schema can be downloaded here.
 *
 * @see https://registry.terraform.io/providers/Azure/azapi/latest/docs
 */
export class AzapiProvider extends TerraformProvider {
  /** Terraform name of the provider. */
  public static readonly tfResourceType = "azapi";

  private _alias?: string;
  /** Subscription ID, if set. */
  public readonly subscriptionId?: string;
  /** Tenant ID, if set. */
  public readonly tenantId?: string;
  /** Whether OIDC authentication is allowed, if set. */
  public readonly useOidc?: boolean;
  /** Whether Azure CLI authentication is allowed, if set. */
  public readonly useCli?: boolean;
  /** Whether managed identity authentication is allowed, if set. */
  public readonly useMsi?: boolean;
  /** Default location, if set. */
  public readonly defaultLocation?: string;
  /** Default tags, if set. */
  public readonly defaultTags?: Record<string, string>;
  /** Whether default output is disabled, if set. */
  public readonly disableDefaultOutput?: boolean;
  /** Whether preflight validation is enabled, if set. */
  public readonly enablePreflight?: boolean;

  /**
   * Declares the azapi provider in the stack.
   *
   * @param scope the stack (or a construct inside it)
   * @param id construct id, unique among siblings
   * @param props provider configuration
   */
  public constructor(scope: Construct, id: string, props: AzapiProviderProps = {}) {
    super(scope, id, {
      terraformResourceType: AzapiProvider.tfResourceType,
      terraformGeneratorMetadata: {
        providerName: "azapi",
        providerVersionConstraint: AZAPI_PROVIDER_VERSION_CONSTRAINT,
      },
      terraformProviderSource: AZAPI_PROVIDER_SOURCE,
    });
    this._alias = props.alias;
    this.subscriptionId = props.subscriptionId;
    this.tenantId = props.tenantId;
    this.useOidc = props.useOidc;
    this.useCli = props.useCli;
    this.useMsi = props.useMsi;
    this.defaultLocation = props.defaultLocation;
    this.defaultTags = props.defaultTags;
    this.disableDefaultOutput = props.disableDefaultOutput;
    this.enablePreflight = props.enablePreflight;
  }

  /** Alias of this provider configuration, if any. */
  public override get alias(): string | undefined {
    return this._alias;
  }

  public override set alias(value: string | undefined) {
    this._alias = value;
  }

  protected override synthesizeAttributes(): { [name: string]: any } {
    // Unset (undefined) attributes are left out of the JSON, as in cdktf's generated bindings.
    return {
      subscription_id: stringToTerraform(this.subscriptionId),
      tenant_id: stringToTerraform(this.tenantId),
      use_oidc: booleanToTerraform(this.useOidc),
      use_cli: booleanToTerraform(this.useCli),
      use_msi: booleanToTerraform(this.useMsi),
      default_location: stringToTerraform(this.defaultLocation),
      default_tags: protectMapKeys(this.defaultTags),
      disable_default_output: booleanToTerraform(this.disableDefaultOutput),
      enable_preflight: booleanToTerraform(this.enablePreflight),
    };
  }

  protected override synthesizeHclAttributes(): { [name: string]: any } {
    return hclAttributes({
      subscription_id: hclString(this.subscriptionId),
      tenant_id: hclString(this.tenantId),
      use_oidc: hclBoolean(this.useOidc),
      use_cli: hclBoolean(this.useCli),
      use_msi: hclBoolean(this.useMsi),
      default_location: hclString(this.defaultLocation),
      default_tags: hclMap(protectMapKeys(this.defaultTags)),
      disable_default_output: hclBoolean(this.disableDefaultOutput),
      enable_preflight: hclBoolean(this.enablePreflight),
    });
  }
}

/**
 * cdktf snake_cases every key of a provider's attributes, nested map keys included, so a tag named
 * `CostCenter` would be emitted as `cost_center`; wrapping the map in a token makes cdktf leave it alone.
 */
function protectMapKeys(map: Record<string, string> | undefined): any {
  return map === undefined ? undefined : Token.asAny({ ...map });
}

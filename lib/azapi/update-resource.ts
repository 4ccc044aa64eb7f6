import { Construct } from "constructs";
import { Fn, TerraformResource, Token, booleanToTerraform, stringToTerraform } from "cdktf";
import type { AzapiExistingResourceProps, AzapiOperationProps } from "./resource";
import {
  azapiResourceConfig,
  assertResourceAddressing,
  hclAny,
  hclAttributes,
  hclString,
  hclBoolean,
  operationTailToHcl,
  operationTailToTerraform,
} from "./synth-util";

/**
 * Arguments of `azapi_update_resource`: address the target either by `resourceId` or by `name` with `parentId`.
 *
 * @see https://registry.terraform.io/providers/Azure/azapi/latest/docs/resources/update_resource
 */
export interface AzapiUpdateResourceProps extends AzapiOperationProps, AzapiExistingResourceProps {
  /**
   * Partial request body: only the properties to set; emitted unchanged, lists included.
   *
   * @default {} (azapi's default)
   */
  readonly body?: object;
}

/**
 * An `azapi_update_resource`: patches properties of a resource managed elsewhere; destroying it changes nothing in Azure.
 *
 * @see https://registry.terraform.io/providers/Azure/azapi/latest/docs/resources/update_resource
 */
export class AzapiUpdateResource extends TerraformResource {
  /** Terraform resource type. */
  public static readonly tfResourceType = "azapi_update_resource";

  /** The configured arguments, as passed to the constructor. */
  public readonly props: AzapiUpdateResourceProps;

  /**
   * Declares an azapi_update_resource.
   *
   * @param scope construct scope
   * @param id construct id, unique among siblings
   * @param props resource arguments and meta-arguments
   * @throws if neither or both of `resourceId` and `name`+`parentId` are given
   */
  public constructor(scope: Construct, id: string, props: AzapiUpdateResourceProps) {
    assertResourceAddressing("AzapiUpdateResource", id, props);
    super(scope, id, azapiResourceConfig(AzapiUpdateResource.tfResourceType, props));
    this.props = props;
  }

  /** ID of the updated resource (`id`). */
  public get id(): string {
    return this.getStringAttribute("id");
  }

  /** The exported response (`output`); see `responseExportValues`. */
  public get output(): { [key: string]: any } {
    return this.getAnyMapAttribute("output");
  }

  /** A string token for one exported response value, e.g. `outputValue(["properties", "traffic"])`. */
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
      body: p.body,
      response_export_values: p.responseExportValues,
      ignore_casing: booleanToTerraform(p.ignoreCasing),
      ignore_missing_property: booleanToTerraform(p.ignoreMissingProperty),
      ...operationTailToTerraform(p),
    };
  }

  protected override synthesizeHclAttributes(): { [name: string]: any } {
    const p = this.props;
    return hclAttributes({
      type: hclString(p.type),
      resource_id: hclString(p.resourceId),
      name: hclString(p.name),
      parent_id: hclString(p.parentId),
      body: hclAny(p.body),
      response_export_values: hclAny(p.responseExportValues),
      ignore_casing: hclBoolean(p.ignoreCasing),
      ignore_missing_property: hclBoolean(p.ignoreMissingProperty),
      ...operationTailToHcl(p),
    });
  }
}

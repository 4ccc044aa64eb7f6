import { Construct } from "constructs";
import { TerraformResource, stringToTerraform } from "cdktf";
import type { AzapiOperationProps } from "./resource";
import {
  azapiResourceConfig,
  hclAny,
  hclAttributes,
  hclString,
  operationTailToHcl,
  operationTailToTerraform,
} from "./synth-util";

/** HTTP methods `azapi_resource_action` accepts. */
export type AzapiActionMethod = "POST" | "PATCH" | "PUT" | "DELETE" | "GET" | "HEAD";

/**
 * Arguments of `azapi_resource_action`: an action (a POST to `<resourceId>/<action>`, by default) on an existing
 * resource. Casing and missing-property options do not apply: an action's response is not diffed. Nothing here reads
 * the response, so the binding leaves out `response_export_values` and `output`; add them when something needs them.
 *
 * @see https://registry.terraform.io/providers/Azure/azapi/latest/docs/resources/resource_action
 */
export interface AzapiResourceActionProps
  extends Omit<AzapiOperationProps, "ignoreCasing" | "ignoreMissingProperty" | "responseExportValues"> {
  /** Type and API version of the resource the action belongs to, e.g. "Microsoft.MachineLearningServices/workspaces@2025-12-01". */
  readonly type: string;
  /** ID of the existing resource; changing it replaces this resource, so the action runs again. */
  readonly resourceId: string;
  /**
   * Name of the action, the last segment of the request path; changing it replaces this resource.
   *
   * @default - none: the request goes to the resource ID itself
   */
  readonly action?: string;
  /**
   * HTTP method.
   *
   * @default "POST"
   */
  readonly method?: AzapiActionMethod;
  /**
   * Request body (typed bodies live in ./bodies); emitted unchanged. A change to it runs the action again.
   *
   * @default - no body
   */
  readonly body?: object;
  /**
   * When the action runs: on apply (create, and whenever the body changes), or on destroy.
   *
   * @default "apply"
   */
  readonly when?: "apply" | "destroy";
}

/**
 * An `azapi_resource_action`: performs an action on an existing resource, such as provisioning a workspace's managed
 * network. Terraform keeps no Azure object for it; destroying it does nothing unless `when` is "destroy".
 *
 * @see https://registry.terraform.io/providers/Azure/azapi/latest/docs/resources/resource_action
 */
export class AzapiResourceAction extends TerraformResource {
  /** Terraform resource type. */
  public static readonly tfResourceType = "azapi_resource_action";

  /** The configured arguments, as passed to the constructor. */
  public readonly props: AzapiResourceActionProps;

  /**
   * Declares an azapi_resource_action.
   *
   * @param scope construct scope
   * @param id construct id, unique among siblings
   * @param props resource arguments and meta-arguments
   */
  public constructor(scope: Construct, id: string, props: AzapiResourceActionProps) {
    super(scope, id, azapiResourceConfig(AzapiResourceAction.tfResourceType, props));
    this.props = props;
  }

  /** `<resourceId>/<action>` once the action has run (`id`). */
  public get id(): string {
    return this.getStringAttribute("id");
  }

  protected override synthesizeAttributes(): { [name: string]: any } {
    const p = this.props;
    return {
      type: stringToTerraform(p.type),
      resource_id: stringToTerraform(p.resourceId),
      action: stringToTerraform(p.action),
      method: stringToTerraform(p.method),
      body: p.body,
      when: stringToTerraform(p.when),
      ...operationTailToTerraform(p),
    };
  }

  protected override synthesizeHclAttributes(): { [name: string]: any } {
    const p = this.props;
    return hclAttributes({
      type: hclString(p.type),
      resource_id: hclString(p.resourceId),
      action: hclString(p.action),
      method: hclString(p.method),
      body: hclAny(p.body),
      when: hclString(p.when),
      ...operationTailToHcl(p),
    });
  }
}

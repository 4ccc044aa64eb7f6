import { Lazy, type TerraformResource } from "cdktf";

/**
 * The bare address of a resource (`azapi_resource.endpoint_F9556B44`) for `lifecycle.replace_triggered_by`.
 *
 * cdktf renders a resource passed there as `"${azapi_resource.x}"`, which Terraform's JSON syntax rejects
 * ("Expected the start of an expression"); a plain address string is what it accepts. Lazy, so that a logical id
 * overridden after construction is still honoured.
 */
export function resourceAddress(resource: TerraformResource): string {
  return Lazy.stringValue({ produce: () => `${resource.terraformResourceType}.${resource.friendlyUniqueId}` });
}

/**
 * Helpers shared by the azapi bindings for building synthesized attributes.
 *
 * Internal to lib/azapi: index.ts does not re-export this module.
 */
import type { TerraformMetaArguments, TerraformResourceConfig } from "cdktf";
import type {
  AzapiExistingResourceProps,
  AzapiIdentity,
  AzapiOperationProps,
  AzapiRetry,
  AzapiTimeouts,
} from "./resource";

/** Provider metadata for resources and data sources; mirrors the provider's own required_providers entry. */
export const AZAPI_GENERATOR_METADATA = { providerName: "azapi", providerVersionConstraint: ">= 2.9" };

/**
 * An attribute description in the shape cdktf's HCL renderer expects.
 *
 * The renderer reads `storageClassType` only for simple values (to quote strings) and for lists (to render a list of
 * strings rather than of blocks); maps, objects and blocks are rendered from their values alone.
 */
export interface HclAttribute {
  readonly value: unknown;
  readonly isBlock: boolean;
  readonly type: "simple" | "list" | "map" | "struct" | "any";
  readonly storageClassType?: "string" | "boolean" | "stringList";
}

/** Drops attributes whose value is undefined, as the generated cdktf bindings do. */
export function hclAttributes(attrs: Record<string, HclAttribute>): Record<string, HclAttribute> {
  return Object.fromEntries(Object.entries(attrs).filter(([, attr]) => attr.value !== undefined));
}

/** A string attribute, rendered quoted. */
export function hclString(value: string | undefined): HclAttribute {
  return { value, isBlock: false, type: "simple", storageClassType: "string" };
}

/** A boolean attribute, rendered bare. */
export function hclBoolean(value: boolean | undefined): HclAttribute {
  return { value, isBlock: false, type: "simple", storageClassType: "boolean" };
}

/** A map(string) attribute. */
export function hclMap(value: unknown): HclAttribute {
  return { value, isBlock: false, type: "map" };
}

/** A list(string) attribute. */
export function hclStringList(value: unknown): HclAttribute {
  return { value, isBlock: false, type: "list", storageClassType: "stringList" };
}

/** A dynamic or object-typed attribute, rendered as an HCL object/tuple expression. */
export function hclAny(value: unknown): HclAttribute {
  return { value, isBlock: false, type: "any" };
}

/** A nested block: `list` for list-nested blocks, `struct` for single-nested ones. */
export function hclBlock(value: unknown, type: "list" | "struct"): HclAttribute {
  return { value, isBlock: true, type };
}

/**
 * Drops undefined values from a flat object: needed inside object attributes and blocks, which the HCL renderer would
 * otherwise print as `key = undefined` (the JSON writer drops them on its own).
 */
export function compact<T extends Record<string, unknown>>(obj: T): Partial<T> {
  return Object.fromEntries(Object.entries(obj).filter(([, value]) => value !== undefined)) as Partial<T>;
}

/**
 * Throws unless exactly one addressing mode is used: `resourceId`, or `name` together with `parentId`.
 *
 * Checked at construction so that a misconfigured stack fails at synth rather than at plan.
 */
export function assertResourceAddressing(
  kind: string,
  id: string,
  props: Pick<AzapiExistingResourceProps, "resourceId" | "name" | "parentId">,
): void {
  const byId = props.resourceId !== undefined;
  const byName = props.name !== undefined || props.parentId !== undefined;
  if (byId && byName) {
    throw new Error(`${kind} "${id}": set either resourceId, or name and parentId, not both`);
  }
  if (!byId && (props.name === undefined || props.parentId === undefined)) {
    throw new Error(`${kind} "${id}": set resourceId, or both name and parentId`);
  }
}

/** JSON form of the identity block: a list holding one block, as for any list-nested block. */
export function identityToTerraform(identity: AzapiIdentity | undefined): Array<Record<string, unknown>> | undefined {
  if (identity === undefined) return undefined;
  return [compact({ type: identity.type, identity_ids: identity.identityIds })];
}

/** JSON form of the retry object attribute. */
export function retryToTerraform(retry: AzapiRetry | undefined): Record<string, unknown> | undefined {
  if (retry === undefined) return undefined;
  return compact({
    error_message_regex: retry.errorMessageRegex,
    interval_seconds: retry.intervalSeconds,
    max_interval_seconds: retry.maxIntervalSeconds,
    multiplier: retry.multiplier,
    randomization_factor: retry.randomizationFactor,
  });
}

/** JSON form of the single-nested timeouts block; omitted entirely when no timeout is set. */
export function timeoutsToTerraform(timeouts: AzapiTimeouts | undefined): Record<string, unknown> | undefined {
  if (timeouts === undefined) return undefined;
  const out = compact({ create: timeouts.create, update: timeouts.update, delete: timeouts.delete, read: timeouts.read });
  return Object.keys(out).length === 0 ? undefined : out;
}

/** The arguments every azapi resource type ends with: locks, retry and timeouts, in that order. */
type OperationTail = Pick<AzapiOperationProps, "locks" | "retry" | "timeouts">;

/** JSON form of {@link OperationTail}; spread it last into the attributes (undefined ones are left out of the JSON). */
export function operationTailToTerraform(p: OperationTail): Record<string, unknown> {
  return { locks: p.locks, retry: retryToTerraform(p.retry), timeouts: timeoutsToTerraform(p.timeouts) };
}

/** HCL form of {@link OperationTail}; spread it last into `hclAttributes({...})`. */
export function operationTailToHcl(p: OperationTail): Record<string, HclAttribute> {
  return {
    locks: hclStringList(p.locks),
    retry: hclAny(retryToTerraform(p.retry)),
    timeouts: hclBlock(timeoutsToTerraform(p.timeouts), "struct"),
  };
}

/** The base-class config of an azapi resource: its type plus the Terraform meta-arguments, passed through as given. */
export function azapiResourceConfig(terraformResourceType: string, props: TerraformMetaArguments & Pick<TerraformResourceConfig, "provisioners" | "connection">): TerraformResourceConfig {
  return {
    terraformResourceType,
    terraformGeneratorMetadata: AZAPI_GENERATOR_METADATA,
    dependsOn: props.dependsOn,
    count: props.count,
    provider: props.provider,
    lifecycle: props.lifecycle,
    forEach: props.forEach,
    provisioners: props.provisioners,
    connection: props.connection,
  };
}

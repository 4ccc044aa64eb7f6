import { DefaultTokenResolver, StringConcat, TerraformResource, TerraformStack, Tokenization } from "cdktf";
import type { IConstruct } from "constructs";

/**
 * A read-only view of a stack's resources as Terraform will see them, for rules that inspect attributes.
 *
 * Rules read synthesized attributes (snake_case, references as `${type.name.attr}` strings) rather than construct
 * classes, so they cover any construct that produces the resource type, hand-written azapi bindings included.
 */

/** A value that is only known at apply time (a reference, variable or function call). Rules never flag on it. */
export const UNKNOWN: unique symbol = Symbol("unknown");
export type Unknown = typeof UNKNOWN;

/** One managed resource of the stack. */
export interface ResourceView {
  /** The construct, for annotations. */
  readonly construct: TerraformResource;
  /** Construct path, e.g. "serving-dev/ml/workspace". */
  readonly path: string;
  /** Terraform resource type, e.g. "azurerm_storage_account". */
  readonly type: string;
  /** Terraform address, e.g. "azurerm_storage_account.ml_storage_1A2B3C4D". */
  readonly address: string;
  /** Synthesized attributes with tokens resolved to Terraform expressions. */
  readonly attrs: Readonly<Record<string, unknown>>;
}

// Resolving without `preparing` has no side effects: cross-stack references are not registered here.
const RESOLVER = new DefaultTokenResolver(new StringConcat());

/** The managed resources directly in `stack` (nested stacks excluded), in construct-tree order. */
export function resourcesOf(stack: TerraformStack): ResourceView[] {
  const views: ResourceView[] = [];
  const visit = (node: IConstruct): void => {
    if (node !== stack && TerraformStack.isStack(node)) return;
    if (TerraformResource.isTerraformResource(node)) {
      const view = viewOf(stack, node);
      if (view) views.push(view);
    }
    for (const child of node.node.children) visit(child);
  };
  visit(stack);
  return views;
}

function viewOf(stack: TerraformStack, resource: TerraformResource): ResourceView | undefined {
  const synthesized = Tokenization.resolve(resource.toTerraform(), { scope: stack, resolver: RESOLVER });
  const block = synthesized?.resource?.[resource.terraformResourceType]?.[resource.friendlyUniqueId];
  // A resource moved to another address synthesizes no block.
  if (!isRecord(block)) return undefined;
  const { "//": _metadata, ...attrs } = block;
  return {
    construct: resource,
    // Without the "Default" segment, which cdktf leaves out of addresses too (an endpoint of the one-endpoint form
    // sits under one), so that the path reads as the address does.
    path: resource.node.path.replace(/\/Default(?=\/|$)/g, ""),
    type: resource.terraformResourceType,
    address: `${resource.terraformResourceType}.${resource.friendlyUniqueId}`,
    attrs,
  };
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** True for a string that Terraform evaluates at plan or apply time. */
export function isExpression(value: unknown): boolean {
  return typeof value === "string" && value.includes("${");
}

/**
 * The value at `path`, `undefined` when a step is absent, or UNKNOWN when a step is an expression.
 *
 * Single nested blocks may be synthesized as an object or as a one-element list; both are read as the object.
 * A JSON string body (azapi 1.x style) is parsed.
 */
export function lookup(root: unknown, path: readonly string[]): unknown {
  let current: unknown = root;
  for (const key of path) {
    current = unwrapBlock(current);
    if (isExpression(current)) return UNKNOWN;
    if (typeof current === "string") current = parseJsonObject(current);
    if (!isRecord(current)) return undefined;
    current = current[key];
  }
  return isExpression(current) ? UNKNOWN : current;
}

function unwrapBlock(value: unknown): unknown {
  return Array.isArray(value) && value.length === 1 && isRecord(value[0]) ? value[0] : value;
}

function parseJsonObject(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

/** A boolean attribute: true, false, absent (undefined) or UNKNOWN. Accepts Terraform's "true"/"false" strings. */
export function booleanAt(root: unknown, path: readonly string[]): boolean | undefined | Unknown {
  const value = lookup(root, path);
  if (value === UNKNOWN || value === undefined || typeof value === "boolean") return value;
  if (value === "true") return true;
  if (value === "false") return false;
  return UNKNOWN;
}

/** A string attribute: the string, absent (undefined) or UNKNOWN (also for a non-string value). */
export function stringAt(root: unknown, path: readonly string[]): string | undefined | Unknown {
  const value = lookup(root, path);
  if (value === UNKNOWN || value === undefined || typeof value === "string") return value;
  return UNKNOWN;
}

/** A number attribute: the number, absent (undefined) or UNKNOWN. Accepts numeric strings. */
export function numberAt(root: unknown, path: readonly string[]): number | undefined | Unknown {
  const value = lookup(root, path);
  if (value === UNKNOWN || value === undefined || typeof value === "number") return value;
  if (typeof value === "string" && /^-?\d+(\.\d+)?$/.test(value)) return Number(value);
  return UNKNOWN;
}

/** Whether an attribute value (a Terraform expression) refers to the resource at `address`. */
export function refersTo(value: unknown, address: string): boolean {
  if (typeof value !== "string" || !isExpression(value)) return false;
  const escaped = address.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  return new RegExp(`(?<![\\w.-])${escaped}(?![\\w-])`).test(value);
}

/** The ARM resource type of an azapi resource without its API version, e.g. "Microsoft.Storage/storageAccounts". */
export function armTypeOf(view: ResourceView): string | undefined {
  const type = view.attrs["type"];
  if (typeof type !== "string" || isExpression(type)) return undefined;
  return type.split("@")[0].toLowerCase();
}

/** ARM types the rules look at, lower case as `armTypeOf` returns them. */
export const ArmType = {
  workspace: "microsoft.machinelearningservices/workspaces",
  onlineEndpoint: "microsoft.machinelearningservices/workspaces/onlineendpoints",
  onlineDeployment: "microsoft.machinelearningservices/workspaces/onlineendpoints/deployments",
  batchEndpoint: "microsoft.machinelearningservices/workspaces/batchendpoints",
  diagnosticSetting: "microsoft.insights/diagnosticsettings",
} as const;

/** azapi resources (not update resources or data sources) of one ARM type. */
export function azapiOfType(resources: readonly ResourceView[], armType: string): ResourceView[] {
  return resources.filter((r) => r.type === "azapi_resource" && armTypeOf(r) === armType);
}

/** Case-insensitive string equality that is false for UNKNOWN and absent values. */
export function sameText(value: string | undefined | Unknown, expected: string): boolean {
  return typeof value === "string" && value.toLowerCase() === expected.toLowerCase();
}

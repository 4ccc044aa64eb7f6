/** Parsing and classification of `terraform show -json <planfile>` output (format_version 1.x). */

import * as path from "node:path";
import { z } from "zod";
import { AttributeChange, deepEqual, diffValues, PathStep } from "./diff";
import { collectSensitiveStrings, isPlainObject, Masked, maskAt, redact, SecretSet, SENSITIVE_VALUE } from "./sensitive";
import { StatefulKind, statefulKind } from "./stateful";

/** A problem with an input file or argument; the CLI prints it as one line and exits 2. */
export class ReviewInputError extends Error {
  constructor(
    readonly source: string,
    problem: string,
  ) {
    super(problem);
    this.name = "ReviewInputError";
  }
}

const pathStep = z.union([z.string(), z.number()]);

const changeSchema = z
  .object({
    actions: z.array(z.string()).min(1),
    before: z.unknown().optional(),
    after: z.unknown().optional(),
    after_unknown: z.unknown().optional(),
    before_sensitive: z.unknown().optional(),
    after_sensitive: z.unknown().optional(),
    replace_paths: z.array(z.array(pathStep)).optional(),
    importing: z.object({ id: z.string().optional() }).loose().nullish(),
  })
  .loose();

const resourceChangeSchema = z
  .object({
    address: z.string(),
    previous_address: z.string().optional(),
    module_address: z.string().optional(),
    mode: z.string(),
    type: z.string(),
    name: z.string(),
    index: z.unknown().optional(),
    deposed: z.string().optional(),
    change: changeSchema,
    action_reason: z.string().optional(),
  })
  .loose();

const planSchema = z
  .object({
    format_version: z.string(),
    terraform_version: z.string().optional(),
    resource_changes: z.array(resourceChangeSchema).optional(),
    resource_drift: z.array(resourceChangeSchema).optional(),
    output_changes: z.record(z.string(), changeSchema).optional(),
    errored: z.boolean().optional(),
    complete: z.boolean().optional(),
    applyable: z.boolean().optional(),
  })
  .loose();

/** The subset of Terraform's plan JSON the review reads (unknown keys are kept). */
export type RawPlan = z.infer<typeof planSchema>;
/** One entry of `resource_changes` / `resource_drift`. */
export type RawResourceChange = z.infer<typeof resourceChangeSchema>;
/** The `change` object of a resource or output. */
export type RawChange = z.infer<typeof changeSchema>;

/** What a change does, after folding Terraform's action lists. */
export type ChangeKind = "create" | "update" | "delete" | "replace" | "forget" | "no-op" | "read" | "unrecognised";

/** Folds a Terraform action list into a kind and a human label. */
export function classifyActions(actions: readonly string[]): { kind: ChangeKind; label: string } {
  switch (actions.join(",")) {
    case "create":
      return { kind: "create", label: "create" };
    case "update":
      return { kind: "update", label: "update in place" };
    case "delete":
      return { kind: "delete", label: "destroy" };
    case "delete,create":
      return { kind: "replace", label: "replace (destroy, then create)" };
    case "create,delete":
      return { kind: "replace", label: "replace (create, then destroy)" };
    case "forget":
      return { kind: "forget", label: "forget (removed from state, not destroyed)" };
    case "create,forget":
      return { kind: "forget", label: "create a replacement, then forget the old object" };
    case "no-op":
      return { kind: "no-op", label: "no change" };
    case "read":
      return { kind: "read", label: "read" };
    default:
      // A future action may well be destructive: it goes to the warning block, not to "no change".
      return { kind: "unrecognised", label: `unrecognised actions [${actions.join(", ")}]` };
  }
}

/** Counts in Terraform's summary line. */
export interface PlanCounts {
  readonly import: number;
  readonly add: number;
  readonly change: number;
  readonly destroy: number;
  readonly forget: number;
}

/**
 * Terraform's counting: a replacement is one add and one destroy; data source
 * reads and no-ops count nothing; an import counts even when nothing else changes.
 */
export function countActions(changes: readonly { readonly mode: string; readonly actions: readonly string[]; readonly importing: boolean }[]): PlanCounts {
  let imports = 0;
  let add = 0;
  let change = 0;
  let destroy = 0;
  let forget = 0;
  for (const c of changes) {
    if (c.mode !== "managed") continue;
    if (c.importing) imports++;
    if (c.actions.includes("create")) add++;
    if (c.actions.includes("update")) change++;
    if (c.actions.includes("delete")) destroy++;
    if (c.actions.includes("forget")) forget++;
  }
  return { import: imports, add, change, destroy, forget };
}

/** The summary line exactly as Terraform words it (the forget count as Terraform 1.12+ adds it). */
export function summaryLine(counts: PlanCounts): string {
  const head = counts.import > 0 ? `Plan: ${counts.import} to import, ` : "Plan: ";
  const tail = counts.forget > 0 ? `, ${counts.forget} to forget.` : ".";
  return `${head}${counts.add} to add, ${counts.change} to change, ${counts.destroy} to destroy${tail}`;
}

/** One resource instance in the review, with values already masked. */
export interface ResourceEntry {
  readonly address: string;
  readonly previousAddress?: string;
  readonly moduleAddress?: string;
  readonly mode: string;
  readonly type: string;
  readonly name: string;
  readonly deposed?: string;
  readonly actions: readonly string[];
  readonly kind: ChangeKind;
  readonly label: string;
  readonly actionReason?: string;
  readonly replacePaths: readonly (readonly PathStep[])[];
  readonly importing: boolean;
  readonly importId?: string;
  /** For azapi resources: the ARM `type` attribute, e.g. "Microsoft.Storage/storageAccounts@2023-05-01". */
  readonly azapiType?: string;
  readonly stateful?: StatefulKind;
  /** Changed attributes (updates, replacements and drift only). */
  readonly attributes: readonly AttributeChange[];
}

/** One root module output change, with values already masked. */
export interface OutputEntry {
  readonly name: string;
  readonly actions: readonly string[];
  readonly kind: ChangeKind;
  readonly before: unknown;
  readonly after: unknown;
  readonly attributes: readonly AttributeChange[];
}

/** A classified plan for one stack. */
export interface StackPlan {
  readonly stack: string;
  readonly source: string;
  readonly formatVersion: string;
  readonly terraformVersion?: string;
  readonly errored: boolean;
  readonly complete?: boolean;
  readonly applyable?: boolean;
  readonly resources: readonly ResourceEntry[];
  readonly drift: readonly ResourceEntry[];
  readonly outputs: readonly OutputEntry[];
  readonly counts: PlanCounts;
}

const TEXT_PLAN_HINTS = [
  /Terraform will perform the following actions/,
  /Terraform used the selected providers/,
  /^\s*Plan: \d+ to (add|import)/m,
  /No changes\. (Your infrastructure|Infrastructure is up-to-date)/,
  /^\s*# \S+ (will be|must be|has moved|is tainted)/m,
  /Refreshing state\.\.\./,
  /\u001b\[\d/,
];

const SUPPORTED_FORMAT = /^1\.\d+$/;

/**
 * Parses the text of a plan JSON file.
 * @param source the file name, used in error messages.
 * @throws ReviewInputError for anything that is not plan JSON format 1.x.
 */
export function parsePlanJson(text: string, source: string): RawPlan {
  if (text.startsWith("PK\u0003\u0004")) {
    throw new ReviewInputError(source, "this is a binary plan file; convert it with `terraform show -json <planfile> > plan.json`");
  }
  if (text.trim() === "") throw new ReviewInputError(source, "file is empty; expected the output of `terraform show -json <planfile>`");
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    const firstLine = text.trimStart().split("\n", 1)[0] ?? "";
    if (/^\{.*"@message"/.test(firstLine)) {
      throw new ReviewInputError(source, "this is the `terraform plan -json` event log, not a plan; use `terraform show -json <planfile>`");
    }
    if (TEXT_PLAN_HINTS.some((hint) => hint.test(text))) {
      throw new ReviewInputError(source, "this is a text plan, not JSON; use `terraform show -json <planfile>`");
    }
    throw new ReviewInputError(source, `not valid JSON (${(error as Error).message})`);
  }
  if (!isPlainObject(data)) throw new ReviewInputError(source, "not a Terraform plan: the JSON is not an object");
  const formatVersion = data["format_version"];
  if (typeof formatVersion !== "string") {
    throw new ReviewInputError(source, "not a Terraform plan: no format_version; expected the output of `terraform show -json <planfile>`");
  }
  if (!SUPPORTED_FORMAT.test(formatVersion)) {
    throw new ReviewInputError(source, `unsupported format_version "${formatVersion}"; plan-review reads format 1.x`);
  }
  if (!("planned_values" in data) && !("resource_changes" in data) && !("output_changes" in data) && "values" in data) {
    throw new ReviewInputError(source, "this is Terraform state, not a plan; use `terraform show -json <planfile>`");
  }
  const parsed = planSchema.safeParse(data);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new ReviewInputError(source, `not a valid plan: ${formatIssuePath(issue.path)}: ${issue.message}`);
  }
  return parsed.data;
}

function formatIssuePath(issuePath: readonly PropertyKey[]): string {
  let text = "";
  for (const step of issuePath) text += typeof step === "number" ? `[${step}]` : text === "" ? String(step) : `.${String(step)}`;
  return text === "" ? "(root)" : text;
}

/**
 * Every string Terraform marks sensitive anywhere in a plan: in changes, drift,
 * outputs, prior state, planned values and sensitive root variables.
 */
export function sensitiveStringsOf(plan: RawPlan): Set<string> {
  const secrets = new Set<string>();
  const fromChange = (change: RawChange | undefined): void => {
    if (!change) return;
    collectSensitiveStrings(change.before, change.before_sensitive, secrets);
    collectSensitiveStrings(change.after, change.after_sensitive, secrets);
  };
  for (const rc of plan.resource_changes ?? []) fromChange(rc.change);
  for (const rc of plan.resource_drift ?? []) fromChange(rc.change);
  for (const oc of Object.values(plan.output_changes ?? {})) fromChange(oc);
  for (const key of ["prior_state", "planned_values"]) {
    const values = (plan as Record<string, unknown>)[key];
    const tree = isPlainObject(values) && isPlainObject(values["values"]) ? values["values"] : values;
    if (isPlainObject(tree)) collectFromValues(tree, secrets);
  }
  const variables = (plan as Record<string, unknown>)["variables"];
  const configuration = (plan as Record<string, unknown>)["configuration"];
  const rootModule = isPlainObject(configuration) ? configuration["root_module"] : undefined;
  const declared = isPlainObject(rootModule) ? rootModule["variables"] : undefined;
  if (isPlainObject(variables) && isPlainObject(declared)) {
    for (const [name, declaration] of Object.entries(declared)) {
      const variable = variables[name];
      if (isPlainObject(declaration) && declaration["sensitive"] === true && isPlainObject(variable)) {
        collectSensitiveStrings(variable["value"], true, secrets);
      }
    }
  }
  return secrets;
}

/** Walks a `values` representation (outputs + root_module with child_modules). */
function collectFromValues(values: Record<string, unknown>, secrets: Set<string>): void {
  const outputs = values["outputs"];
  if (isPlainObject(outputs)) {
    for (const output of Object.values(outputs)) {
      if (isPlainObject(output) && output["sensitive"] === true) collectSensitiveStrings(output["value"], true, secrets);
    }
  }
  const walkModule = (module: unknown): void => {
    if (!isPlainObject(module)) return;
    const resources = module["resources"];
    if (Array.isArray(resources)) {
      for (const r of resources) if (isPlainObject(r)) collectSensitiveStrings(r["values"], r["sensitive_values"], secrets);
    }
    const children = module["child_modules"];
    if (Array.isArray(children)) children.forEach(walkModule);
  };
  walkModule(values["root_module"]);
}

/**
 * Turns a parsed plan into the review model. All values are masked here, so the
 * renderer never sees a sensitive value.
 * @param secrets secret strings to mask by value; defaults to this plan's own.
 */
export function classifyPlan(plan: RawPlan, stack: string, source: string, secrets?: SecretSet): StackPlan {
  const known = secrets ?? new SecretSet(sensitiveStringsOf(plan));
  const resources = (plan.resource_changes ?? []).map((rc) => toEntry(rc, known)).sort(byAddress);
  const drift = (plan.resource_drift ?? []).map((rc) => toEntry(rc, known)).sort(byAddress);
  const outputs = Object.entries(plan.output_changes ?? {})
    .sort(([a], [b]) => compareText(a, b))
    .map(([name, change]) => toOutput(name, change, known));
  return {
    stack,
    source,
    formatVersion: plan.format_version,
    ...(plan.terraform_version !== undefined ? { terraformVersion: plan.terraform_version } : {}),
    errored: plan.errored === true,
    ...(plan.complete !== undefined ? { complete: plan.complete } : {}),
    ...(plan.applyable !== undefined ? { applyable: plan.applyable } : {}),
    resources,
    drift,
    outputs,
    counts: countActions(resources),
  };
}

function toEntry(rc: RawResourceChange, secrets: SecretSet): ResourceEntry {
  const change = rc.change;
  const { kind, label } = classifyActions(change.actions);
  const azapiType = azapiTypeOf(rc.type, change);
  const stateful = statefulKind(rc.type, azapiType);
  const showAttributes = kind === "update" || kind === "replace" || kind === "unrecognised" || (kind === "no-op" && change.importing != null);
  const attributes = showAttributes
    ? maskChanges(
        diffValues(change.before, change.after, {
          beforeSensitive: change.before_sensitive,
          afterSensitive: change.after_sensitive,
          afterUnknown: change.after_unknown,
        }),
        secrets,
      )
    : [];
  const importId = change.importing?.id;
  return {
    address: rc.address,
    ...(rc.previous_address !== undefined ? { previousAddress: rc.previous_address } : {}),
    ...(rc.module_address !== undefined ? { moduleAddress: rc.module_address } : {}),
    mode: rc.mode,
    type: rc.type,
    name: rc.name,
    ...(rc.deposed !== undefined ? { deposed: rc.deposed } : {}),
    actions: [...change.actions],
    kind,
    label,
    ...(rc.action_reason !== undefined ? { actionReason: rc.action_reason } : {}),
    replacePaths: (change.replace_paths ?? []).map((p) => [...p]),
    importing: change.importing != null,
    ...(typeof importId === "string" ? { importId: maskText(importId, secrets) } : {}),
    ...(azapiType !== undefined ? { azapiType } : {}),
    ...(stateful !== undefined ? { stateful } : {}),
    attributes,
  };
}

/** The azapi `type` attribute, if present and not itself sensitive or unknown. */
function azapiTypeOf(resourceType: string, change: RawChange): string | undefined {
  if (!resourceType.startsWith("azapi_")) return undefined;
  for (const [value, sensitive] of [
    [change.after, change.after_sensitive],
    [change.before, change.before_sensitive],
  ] as const) {
    const masked = redact(value, sensitive);
    if (isPlainObject(masked) && typeof masked["type"] === "string") return masked["type"];
  }
  return undefined;
}

function toOutput(name: string, change: RawChange, secrets: SecretSet): OutputEntry {
  const { kind } = classifyActions(change.actions);
  const before = secrets.mask(redact(change.before, change.before_sensitive));
  const after = secrets.mask(redact(change.after, change.after_sensitive, change.after_unknown));
  const attributes =
    kind === "update"
      ? maskChanges(
          diffValues(change.before, change.after, {
            beforeSensitive: change.before_sensitive,
            afterSensitive: change.after_sensitive,
            afterUnknown: change.after_unknown,
          }),
          secrets,
        )
      : [];
  return { name, actions: [...change.actions], kind, before, after, attributes };
}

function maskChanges(changes: readonly AttributeChange[], secrets: SecretSet): AttributeChange[] {
  return changes.map((c) => ({ path: c.path, before: secrets.mask(c.before), after: secrets.mask(c.after) }));
}

function maskText(text: string, secrets: SecretSet): string {
  const masked = secrets.mask(text);
  return typeof masked === "string" ? masked : String(masked);
}

/** Code-point order, so output does not depend on the machine's locale. */
export function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function byAddress(a: ResourceEntry, b: ResourceEntry): number {
  return compareText(a.address, b.address) || compareText(a.deposed ?? "", b.deposed ?? "");
}

const GENERIC_PLAN_NAMES = new Set(["plan", "tfplan", "plan.out", "terraform"]);

/**
 * The stack a plan file belongs to, from its name: `plans/serving-dev.json` and
 * `cdktf.out/stacks/serving-dev/plan.json` both give "serving-dev".
 */
export function stackNameFromPath(file: string): string {
  const base = path.basename(file).replace(/\.json$/i, "").replace(/\.(tf)?plan$/i, "");
  if (base === "" || GENERIC_PLAN_NAMES.has(base.toLowerCase())) {
    const parent = path.basename(path.dirname(path.resolve(file)));
    return parent === "" ? base || "plan" : parent;
  }
  return base;
}

/**
 * A copy of a plan that is safe to store as a CI artifact: sensitive values
 * replaced by "(sensitive value)", secret strings scrubbed everywhere, and the
 * parts the review does not read (prior state, variables, configuration) dropped.
 */
export function redactPlan(plan: RawPlan): Record<string, unknown> {
  const secrets = new SecretSet(sensitiveStringsOf(plan));
  const clean = (value: unknown, sensitive: unknown): unknown => toJsonValue(secrets.mask(redact(value, sensitive)));
  // Placeholders differ where the secret changed, so the review still says "changed".
  const pair = (before: unknown, after: unknown, bs: unknown, as: unknown): [unknown, unknown] => {
    if (bs === true || as === true) {
      const changed = !deepEqual(before, after);
      return [
        bs === true ? SENSITIVE_VALUE.label : clean(before, bs),
        as === true ? (changed ? CHANGED_SECRET : SENSITIVE_VALUE.label) : clean(after, as),
      ];
    }
    if (isPlainObject(before) && isPlainObject(after)) {
      const b: Record<string, unknown> = {};
      const a: Record<string, unknown> = {};
      for (const key of new Set([...Object.keys(before), ...Object.keys(after)])) {
        const [x, y] = pair(before[key], after[key], maskAt(bs, key), maskAt(as, key));
        if (key in before) b[key] = x;
        if (key in after) a[key] = y;
      }
      return [b, a];
    }
    if (Array.isArray(before) && Array.isArray(after)) {
      const b: unknown[] = [];
      const a: unknown[] = [];
      for (let i = 0; i < Math.max(before.length, after.length); i++) {
        const [x, y] = pair(before[i], after[i], maskAt(bs, i), maskAt(as, i));
        if (i < before.length) b.push(x);
        if (i < after.length) a.push(y);
      }
      return [b, a];
    }
    return [clean(before, bs), clean(after, as)];
  };
  const redactChange = (change: RawChange): RawChange => {
    const [before, after] = pair(change.before, change.after, change.before_sensitive, change.after_sensitive);
    return {
      ...change,
      before,
      ...(change.after !== undefined ? { after } : {}),
      ...(change.importing ? { importing: toJsonValue(secrets.mask(change.importing)) as RawChange["importing"] } : {}),
      ...("generated_config" in change ? { generated_config: secrets.scrub(String(change["generated_config"])) } : {}),
    };
  };
  const redactResource = (rc: RawResourceChange): RawResourceChange => ({ ...rc, change: redactChange(rc.change) });
  const out: Record<string, unknown> = { format_version: plan.format_version };
  if (plan.terraform_version !== undefined) out["terraform_version"] = plan.terraform_version;
  if (plan.resource_changes) out["resource_changes"] = plan.resource_changes.map(redactResource);
  if (plan.resource_drift) out["resource_drift"] = plan.resource_drift.map(redactResource);
  if (plan.output_changes) {
    out["output_changes"] = Object.fromEntries(Object.entries(plan.output_changes).map(([name, change]) => [name, redactChange(change)]));
  }
  for (const key of ["errored", "complete", "applyable"] as const) if (plan[key] !== undefined) out[key] = plan[key];
  return out;
}

const CHANGED_SECRET = "(sensitive value, changed)";

function toJsonValue(value: unknown): unknown {
  if (value instanceof Masked) return value.label;
  if (Array.isArray(value)) return value.map(toJsonValue);
  if (isPlainObject(value)) return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, toJsonValue(v)]));
  return value;
}

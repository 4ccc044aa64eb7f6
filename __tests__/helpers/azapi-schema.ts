/**
 * Validates azapi request bodies against the vendored bicep-types schema (schemas/*.subset.json), the way the
 * azapi provider does at plan time when `schema_validation_enabled` is on, so tests catch bodies that
 * `terraform plan` would reject without needing the provider.
 *
 * Mirrors azapi's rules (internal/azure/types/*.go): required (flag 1) and read-only (flag 2) properties,
 * unknown properties unless the object has additionalProperties, string/integer/boolean/array/object types with
 * their length, range and pattern limits, enums, and discriminated objects. Differences, all deliberate:
 * - extensible enums (a union of literals plus `string`, as almost every enum in this API is) accept any string
 *   in azapi; here a value that is not one of the known literals is reported unless `strictEnums` is false,
 *   because in our own code such a value is nearly always a typo or wrong casing ("key" for "Key");
 * - strings containing `${` are Terraform expressions, unknown at plan time, and accepted for any type
 *   (azapi skips unknown values too);
 * - `partial` (for azapi_update_resource bodies) skips required-property checks.
 */
import * as fs from "fs";
import * as path from "path";

/** Default location of the vendored schema subset. */
export const AZAPI_SCHEMA_PATH = path.resolve(
  __dirname,
  "../../schemas/machinelearningservices-2025-12-01.subset.json",
);

/**
 * Extensible-enum values sent on purpose in another spelling than the schema's literals, by property path: the
 * spelling az ml sends and the service returns. `systemDatastoresAuthMode: identity` is what `az ml workspace create`
 * and the azure-ai-ml SDK send (the schema lists "Identity"; azapi accepts any string).
 */
export const AZ_ML_SPELLINGS: { readonly [path: string]: readonly string[] } = {
  "properties.systemDatastoresAuthMode": ["identity", "accessKey"],
};

/** Options of validateAzapiBody. */
export interface ValidateAzapiBodyOptions {
  /**
   * Skip required-property checks, for partial bodies such as those of azapi_update_resource.
   *
   * @default false
   */
  readonly partial?: boolean;
  /**
   * Report strings that are not one of the known values of an extensible enum (azapi itself accepts them).
   *
   * @default true
   */
  readonly strictEnums?: boolean;
}

/** Options of validateSynthesizedAzapiBodies. */
export interface ValidateSynthesizedOptions {
  /**
   * As in validateAzapiBody.
   *
   * @default true
   */
  readonly strictEnums?: boolean;
}

interface TypeRef {
  readonly $ref: string;
}

interface PropertyDef {
  readonly type: TypeRef;
  readonly flags?: number;
  readonly description?: string;
}

type SchemaEntry =
  | { readonly $type: "StringType"; readonly minLength?: number; readonly maxLength?: number; readonly pattern?: string }
  | { readonly $type: "IntegerType"; readonly minValue?: number; readonly maxValue?: number }
  | { readonly $type: "BooleanType" }
  | { readonly $type: "AnyType" }
  | { readonly $type: "StringLiteralType"; readonly value: string }
  | { readonly $type: "UnionType"; readonly elements: TypeRef[] }
  | { readonly $type: "ArrayType"; readonly itemType: TypeRef; readonly minLength?: number; readonly maxLength?: number }
  | {
      readonly $type: "ObjectType";
      readonly name: string;
      readonly properties?: Record<string, PropertyDef>;
      readonly additionalProperties?: TypeRef;
    }
  | {
      readonly $type: "DiscriminatedObjectType";
      readonly name: string;
      readonly discriminator: string;
      readonly baseProperties?: Record<string, PropertyDef>;
      readonly elements: Record<string, TypeRef>;
    }
  | { readonly $type: "ResourceType"; readonly name: string; readonly body: TypeRef }
  | ResourceFunctionEntry
  | { readonly $type: string };

type ObjectEntry = Extract<SchemaEntry, { $type: "ObjectType" }>;

/** An action of a resource type: POST <id>/<name> with `input` as its body. */
interface ResourceFunctionEntry {
  readonly $type: "ResourceFunctionType";
  readonly name: string;
  readonly resourceType: string;
  readonly apiVersion: string;
  readonly input?: TypeRef;
  readonly output?: TypeRef;
}

const FLAG_REQUIRED = 1;
const FLAG_READ_ONLY = 2;

/** The identity types azapi's `identity` block accepts (with azapi's spelling, space included). */
const AZAPI_IDENTITY_TYPES = ["SystemAssigned", "UserAssigned", "SystemAssigned, UserAssigned", "None"];

const schemaCache = new Map<string, SchemaEntry[]>();

function loadSchema(file: string = AZAPI_SCHEMA_PATH): SchemaEntry[] {
  let types = schemaCache.get(file);
  if (types === undefined) {
    types = JSON.parse(fs.readFileSync(file, "utf8")) as SchemaEntry[];
    schemaCache.set(file, types);
  }
  return types;
}

/** All `Type@apiVersion` names the vendored schema can validate. */
export function knownAzapiResourceTypes(): string[] {
  return loadSchema()
    .filter((t): t is Extract<SchemaEntry, { $type: "ResourceType" }> => t.$type === "ResourceType")
    .map((t) => t.name);
}

/**
 * Validates an azapi request body against the schema of `resourceType` ("Type@2025-12-01").
 *
 * `body` is the request azapi validates: the `body` attribute with the resource's `location`, `tags` and
 * `identity` merged in (validateSynthesizedAzapiBodies does that merge for synthesized stacks). As in azapi, the
 * top-level `name` is never required in the body. Returns human-readable problems, each starting with the JSON
 * path of the offending value, e.g. `properties.authMode: "key" is not one of "AMLToken" | "Key" | "AADToken" ...`;
 * an empty array means the body is valid.
 */
export function validateAzapiBody(resourceType: string, body: unknown, opts: ValidateAzapiBodyOptions = {}): string[] {
  const types = loadSchema();
  const resource = types.find((t) => t.$type === "ResourceType" && (t as { name: string }).name === resourceType) as
    | Extract<SchemaEntry, { $type: "ResourceType" }>
    | undefined;
  if (resource === undefined) {
    const sameIgnoringCase = knownAzapiResourceTypes().find((n) => n.toLowerCase() === resourceType.toLowerCase());
    const hint = sameIgnoringCase
      ? `; did you mean "${sameIgnoringCase}"?`
      : `; known types: ${knownAzapiResourceTypes().join(", ")}`;
    return [`type: unknown resource type "${resourceType}"${hint}`];
  }
  const validator = new Validator(types, { partial: opts.partial ?? false, strictEnums: opts.strictEnums ?? true });
  validator.validate(body, resource.body, "", true);
  return validator.problems;
}

/**
 * Validates every azapi_resource and azapi_update_resource in a synthesized stack (the cdk.tf.json object, or
 * the string `Testing.synth` returns) against the vendored schema.
 *
 * For azapi_resource it merges `location`, `tags` and `identity` into `body` the way azapi does (falling back to
 * the provider's default_location and default_tags), reports those set both as arguments and in `body`, checks a
 * literal `name` against the schema's name constraints, and validates the result. azapi_update_resource bodies are
 * validated as partial bodies. Resources whose `type` is not literal, or that set
 * `schema_validation_enabled = false`, are skipped as azapi skips them. Each problem is prefixed with the
 * resource address, e.g. `azapi_resource.endpoint: properties.authMode: required property is missing`.
 */
export function validateSynthesizedAzapiBodies(stackJson: unknown, opts: ValidateSynthesizedOptions = {}): string[] {
  const stack = (typeof stackJson === "string" ? JSON.parse(stackJson) : stackJson) as SynthesizedStack;
  const problems: string[] = [];
  const strictEnums = opts.strictEnums ?? true;

  for (const [key, res] of Object.entries(stack?.resource?.azapi_resource ?? {})) {
    const address = `azapi_resource.${key}`;
    const found = checkAzapiResource(stack, res, strictEnums);
    problems.push(...found.map((p) => `${address}: ${p}`));
  }
  for (const [key, res] of Object.entries(stack?.resource?.azapi_update_resource ?? {})) {
    const address = `azapi_update_resource.${key}`;
    const found = checkAzapiUpdateResource(res, strictEnums);
    problems.push(...found.map((p) => `${address}: ${p}`));
  }
  for (const [key, res] of Object.entries(stack?.resource?.azapi_resource_action ?? {})) {
    const address = `azapi_resource_action.${key}`;
    const found = checkAzapiResourceAction(res, strictEnums);
    problems.push(...found.map((p) => `${address}: ${p}`));
  }
  return problems;
}

/**
 * Validates the body of an action (`azapi_resource_action`) against the `input` of the schema's
 * ResourceFunctionType named `action` for `resourceType` ("Type@2025-12-01"). An action without an input type
 * takes no body. Returns problems as validateAzapiBody does.
 */
export function validateAzapiActionBody(resourceType: string, action: string, body: unknown, opts: ValidateAzapiBodyOptions = {}): string[] {
  const [type, apiVersion] = resourceType.split("@");
  const fn = loadSchema().find(
    (t) => t.$type === "ResourceFunctionType" && (t as ResourceFunctionEntry).name === action && (t as ResourceFunctionEntry).resourceType === type && (t as ResourceFunctionEntry).apiVersion === apiVersion,
  ) as ResourceFunctionEntry | undefined;
  if (fn === undefined) return [`action: unknown action "${action}" of "${resourceType}" (add it to RESOURCE_FUNCTIONS in scripts/vendor-schema.js)`];
  if (fn.input === undefined) return body === undefined || body === null ? [] : ["body: this action takes no body"];
  const validator = new Validator(loadSchema(), { partial: opts.partial ?? false, strictEnums: opts.strictEnums ?? true });
  validator.validate(body ?? {}, fn.input, "");
  return validator.problems;
}

// ---------------------------------------------------------------------------------------------------------------
// Synthesized stacks
// ---------------------------------------------------------------------------------------------------------------

interface SynthesizedStack {
  readonly provider?: { readonly azapi?: Array<Record<string, unknown>> };
  readonly resource?: {
    readonly azapi_resource?: Record<string, Record<string, unknown>>;
    readonly azapi_update_resource?: Record<string, Record<string, unknown>>;
    readonly azapi_resource_action?: Record<string, Record<string, unknown>>;
  };
}

function checkAzapiResource(stack: SynthesizedStack, res: Record<string, unknown>, strictEnums: boolean): string[] {
  const type = res.type;
  if (typeof type !== "string") return ["type: missing"];
  if (isUnknown(type) || res.schema_validation_enabled === false) return [];

  const problems: string[] = [];
  const body = res.body ?? {};
  if (isUnknown(body)) return [];
  if (!isPlainObject(body)) {
    return [`body: must be an object (azapi 2.x takes an HCL object, not a JSON string), got ${describe(body)}`];
  }

  for (const prop of ["location", "tags", "identity"]) {
    if (res[prop] !== undefined && body[prop] !== undefined) {
      problems.push(`${prop}: set both as an argument and in body; azapi rejects that, keep only the argument`);
    }
  }

  const provider = providerConfigFor(stack, res.provider);
  const merged: Record<string, unknown> = { ...body };
  const bodyType = resourceBodyObject(type);
  if (res.tags !== undefined) {
    merged.tags = res.tags;
  } else if (merged.tags === undefined && provider?.default_tags !== undefined && bodyType?.properties?.tags) {
    merged.tags = provider.default_tags;
  }
  if (res.location !== undefined) {
    merged.location = res.location;
  } else if (merged.location === undefined && provider?.default_location !== undefined && bodyType?.properties?.location) {
    merged.location = provider.default_location;
  }
  if (res.identity !== undefined) {
    const identity = expandIdentity(res.identity, problems);
    if (identity !== undefined) merged.identity = identity;
  }

  if (typeof res.name === "string" && !isUnknown(res.name) && bodyType?.properties?.name) {
    const validator = new Validator(loadSchema(), { partial: false, strictEnums });
    validator.validate(res.name, bodyType.properties.name.type, "name", false);
    problems.push(...validator.problems);
  }

  problems.push(...validateAzapiBody(type, merged, { strictEnums }));
  return problems;
}

function checkAzapiUpdateResource(res: Record<string, unknown>, strictEnums: boolean): string[] {
  const problems: string[] = [];
  const byId = res.resource_id !== undefined;
  const byName = res.name !== undefined && res.parent_id !== undefined;
  if (byId === byName) problems.push("resource_id: set either resource_id, or name and parent_id");

  const type = res.type;
  if (typeof type !== "string") return [...problems, "type: missing"];
  if (isUnknown(type)) return problems;
  const body = res.body ?? {};
  if (isUnknown(body)) return problems;
  if (!isPlainObject(body)) {
    return [...problems, `body: must be an object (azapi 2.x takes an HCL object, not a JSON string), got ${describe(body)}`];
  }
  return [...problems, ...validateAzapiBody(type, body, { partial: true, strictEnums })];
}

function checkAzapiResourceAction(res: Record<string, unknown>, strictEnums: boolean): string[] {
  const problems: string[] = [];
  if (typeof res.resource_id !== "string") problems.push("resource_id: required");
  const type = res.type;
  const action = res.action;
  if (typeof type !== "string") return [...problems, "type: missing"];
  // Without an action the request goes to the resource itself, whose body schema is the resource's.
  if (typeof action !== "string") return [...problems, "action: missing (requests to the resource itself are not validated here)"];
  if (isUnknown(type) || isUnknown(action)) return problems;
  const body = res.body;
  if (isUnknown(body)) return problems;
  if (body !== undefined && !isPlainObject(body)) {
    return [...problems, `body: must be an object (azapi 2.x takes an HCL object, not a JSON string), got ${describe(body)}`];
  }
  return [...problems, ...validateAzapiActionBody(type, action, body, { strictEnums })];
}

/** The azapi provider block a resource uses: the one whose alias its `provider` names, else the default one. */
function providerConfigFor(stack: SynthesizedStack, providerRef: unknown): Record<string, unknown> | undefined {
  const configs = stack?.provider?.azapi ?? [];
  const alias = typeof providerRef === "string" && providerRef.startsWith("azapi.") ? providerRef.slice(6) : undefined;
  return configs.find((c) => c.alias === alias);
}

/** Turns the azapi identity block into the ARM identity object azapi sends. */
function expandIdentity(block: unknown, problems: string[]): unknown {
  const first = Array.isArray(block) ? block[0] : block;
  if (isUnknown(first)) return first;
  if (!isPlainObject(first)) {
    problems.push(`identity: must be a block with type and identity_ids, got ${describe(first)}`);
    return undefined;
  }
  const type = first.type;
  if (typeof type !== "string") {
    problems.push("identity.type: required property is missing");
    return undefined;
  }
  if (!isUnknown(type) && !AZAPI_IDENTITY_TYPES.includes(type)) {
    problems.push(`identity.type: ${JSON.stringify(type)} is not one of ${AZAPI_IDENTITY_TYPES.map(q).join(" | ")}`);
    // Already reported in azapi's terms; validating it again against ARM's enum would only repeat the problem.
    return undefined;
  }
  const ids = first.identity_ids;
  const identity: Record<string, unknown> = { type: isUnknown(type) ? type : type.replace(/\s+/g, "") };
  if (Array.isArray(ids) && ids.length > 0) {
    identity.userAssignedIdentities = Object.fromEntries(ids.map((id) => [String(id), {}]));
  } else if (isUnknown(ids)) {
    identity.userAssignedIdentities = ids;
  }
  return identity;
}

function resourceBodyObject(resourceType: string): ObjectEntry | undefined {
  const types = loadSchema();
  const resource = types.find((t) => t.$type === "ResourceType" && (t as { name: string }).name === resourceType) as
    | Extract<SchemaEntry, { $type: "ResourceType" }>
    | undefined;
  if (resource === undefined) return undefined;
  const body = types[refIndex(resource.body)];
  return body?.$type === "ObjectType" ? (body as ObjectEntry) : undefined;
}

// ---------------------------------------------------------------------------------------------------------------
// The validator
// ---------------------------------------------------------------------------------------------------------------

class Validator {
  public readonly problems: string[] = [];

  public constructor(
    private readonly types: SchemaEntry[],
    private readonly opts: { readonly partial: boolean; readonly strictEnums: boolean },
  ) {}

  /** Validates `value` against the type `ref` points at; `isRoot` exempts the top-level `name` from required. */
  public validate(value: unknown, ref: TypeRef, at: string, isRoot = false): void {
    // null means "not set", in JSON bodies as in azapi.
    if (value === null || value === undefined || isUnknown(value)) return;
    const type = this.resolve(ref);
    switch (type.$type) {
      case "StringType":
        return this.validateString(value, type as Extract<SchemaEntry, { $type: "StringType" }>, at);
      case "IntegerType":
        return this.validateInteger(value, type as Extract<SchemaEntry, { $type: "IntegerType" }>, at);
      case "BooleanType":
        if (typeof value !== "boolean") this.report(at, `expected boolean, got ${describe(value)}`);
        return;
      case "AnyType":
        return;
      case "StringLiteralType": {
        const literal = (type as { value: string }).value;
        if (value !== literal) this.report(at, `${JSON.stringify(value)} is not ${q(literal)}`);
        return;
      }
      case "UnionType":
        return this.validateUnion(value, type as Extract<SchemaEntry, { $type: "UnionType" }>, at);
      case "ArrayType":
        return this.validateArray(value, type as Extract<SchemaEntry, { $type: "ArrayType" }>, at);
      case "ObjectType":
        return this.validateObject(value, type as ObjectEntry, at, isRoot);
      case "DiscriminatedObjectType":
        return this.validateDiscriminated(value, type as Extract<SchemaEntry, { $type: "DiscriminatedObjectType" }>, at);
      case "ResourceType":
        return this.validate(value, (type as { body: TypeRef }).body, at, true);
      default:
        this.report(at, `schema type ${type.$type} is not supported by this validator`);
    }
  }

  private resolve(ref: TypeRef): SchemaEntry {
    const entry = this.types[refIndex(ref)];
    if (entry === undefined) throw new Error(`schema: dangling $ref ${ref.$ref}`);
    return entry;
  }

  private report(at: string, message: string): void {
    this.problems.push(`${at === "" ? "(body)" : at}: ${message}`);
  }

  private validateString(value: unknown, type: Extract<SchemaEntry, { $type: "StringType" }>, at: string): void {
    if (typeof value !== "string") {
      this.report(at, `expected string, got ${describe(value)}`);
      return;
    }
    // azapi skips the constraints of empty strings (its stand-in for unknown values); do the same.
    if (value === "") return;
    if (type.minLength !== undefined && value.length < type.minLength) {
      this.report(at, `${JSON.stringify(value)} is shorter than ${type.minLength} characters`);
    }
    if (type.maxLength !== undefined && value.length > type.maxLength) {
      this.report(at, `${JSON.stringify(value)} is longer than ${type.maxLength} characters`);
    }
    if (type.pattern !== undefined) {
      const re = compilePattern(type.pattern);
      if (re !== undefined && !re.test(value)) {
        this.report(at, `${JSON.stringify(value)} does not match pattern /${type.pattern}/`);
      }
    }
  }

  private validateInteger(value: unknown, type: Extract<SchemaEntry, { $type: "IntegerType" }>, at: string): void {
    if (typeof value !== "number" || !Number.isInteger(value)) {
      this.report(at, `expected integer, got ${describe(value)}`);
      return;
    }
    if (type.minValue !== undefined && value < type.minValue) {
      this.report(at, `${value} is less than the minimum ${type.minValue}`);
    }
    if (type.maxValue !== undefined && value > type.maxValue) {
      this.report(at, `${value} is greater than the maximum ${type.maxValue}`);
    }
  }

  private validateUnion(value: unknown, type: Extract<SchemaEntry, { $type: "UnionType" }>, at: string): void {
    const elements = type.elements.map((r) => ({ ref: r, entry: this.resolve(r) }));
    const literals = elements
      .filter((e) => e.entry.$type === "StringLiteralType")
      .map((e) => (e.entry as { value: string }).value);
    if (typeof value === "string" && literals.includes(value)) return;

    const others = elements.filter((e) => e.entry.$type !== "StringLiteralType");
    const isExtensibleEnum =
      literals.length > 0 &&
      others.length > 0 &&
      others.every((e) => e.entry.$type === "StringType" && Object.keys(e.entry).length === 1);
    if (isExtensibleEnum && typeof value === "string") {
      if (this.opts.strictEnums && !(AZ_ML_SPELLINGS[at] ?? []).includes(value)) {
        const sameIgnoringCase = literals.find((l) => l.toLowerCase() === value.toLowerCase());
        this.report(
          at,
          `${JSON.stringify(value)} is not one of ${literals.map(q).join(" | ")}` +
            (sameIgnoringCase ? ` (did you mean ${q(sameIgnoringCase)}?)` : "") +
            " (extensible enum: azapi accepts any string, but the 2025-12-01 schema knows only these values)",
        );
      }
      return;
    }

    for (const element of others) {
      const probe = new Validator(this.types, this.opts);
      probe.validate(value, element.ref, at);
      if (probe.problems.length === 0) return;
    }
    if (literals.length > 0 && others.length === 0) {
      this.report(at, `${JSON.stringify(value)} is not one of ${literals.map(q).join(" | ")}`);
    } else {
      this.report(at, `${describe(value)} ${JSON.stringify(value)} matches none of the allowed types`);
    }
  }

  private validateArray(value: unknown, type: Extract<SchemaEntry, { $type: "ArrayType" }>, at: string): void {
    if (!Array.isArray(value)) {
      this.report(at, `expected array, got ${describe(value)}`);
      return;
    }
    if (type.minLength !== undefined && value.length < type.minLength) {
      this.report(at, `has ${value.length} items, fewer than the minimum ${type.minLength}`);
    }
    if (type.maxLength !== undefined && value.length > type.maxLength) {
      this.report(at, `has ${value.length} items, more than the maximum ${type.maxLength}`);
    }
    value.forEach((item, i) => this.validate(item, type.itemType, `${at}[${i}]`));
  }

  private validateObject(value: unknown, type: ObjectEntry, at: string, isRoot: boolean): void {
    if (!isPlainObject(value)) {
      this.report(at, `expected object (${type.name}), got ${describe(value)}`);
      return;
    }
    const props = type.properties ?? {};
    for (const [key, v] of Object.entries(value)) {
      const def = props[key];
      if (def !== undefined) {
        this.validateProperty(key, v, def, at);
      } else if (type.additionalProperties !== undefined) {
        this.validate(v, type.additionalProperties, join(at, key));
      } else {
        this.report(join(at, key), `unknown property; ${type.name} allows ${writableNames(props)}`);
      }
    }
    if (!this.opts.partial) {
      for (const [key, def] of Object.entries(props)) {
        if ((def.flags ?? 0) & FLAG_REQUIRED && isMissing(value[key]) && !(isRoot && key === "name")) {
          this.report(join(at, key), "required property is missing");
        }
      }
    }
  }

  private validateProperty(key: string, value: unknown, def: PropertyDef, at: string): void {
    if ((def.flags ?? 0) & FLAG_READ_ONLY) {
      this.report(join(at, key), "read-only property must not be set");
      return;
    }
    this.validate(value, def.type, join(at, key));
  }

  private validateDiscriminated(
    value: unknown,
    type: Extract<SchemaEntry, { $type: "DiscriminatedObjectType" }>,
    at: string,
  ): void {
    if (!isPlainObject(value)) {
      this.report(at, `expected object (${type.name}), got ${describe(value)}`);
      return;
    }
    const base = type.baseProperties ?? {};
    const others: Record<string, unknown> = {};
    for (const [key, v] of Object.entries(value)) {
      if (base[key] !== undefined) this.validateProperty(key, v, base[key], at);
      else others[key] = v;
    }
    if (!this.opts.partial) {
      for (const [key, def] of Object.entries(base)) {
        if ((def.flags ?? 0) & FLAG_REQUIRED && isMissing(value[key])) {
          this.report(join(at, key), "required property is missing");
        }
      }
    }

    const choices = Object.keys(type.elements);
    const discriminator = others[type.discriminator];
    if (isMissing(discriminator) || isUnknown(discriminator)) {
      if (isMissing(discriminator) && !this.opts.partial) {
        this.report(join(at, type.discriminator), `required property is missing (one of ${choices.map(q).join(" | ")})`);
        return;
      }
      // Which variant applies is unknown: accept a property if any variant defines it.
      this.validateAgainstAnyVariant(others, type, at);
      return;
    }
    if (typeof discriminator !== "string") {
      this.report(join(at, type.discriminator), `expected string, got ${describe(discriminator)}`);
      return;
    }
    const element = type.elements[discriminator];
    if (element === undefined) {
      this.report(join(at, type.discriminator), `${JSON.stringify(discriminator)} is not one of ${choices.map(q).join(" | ")}`);
      return;
    }
    this.validate(others, element, at);
  }

  private validateAgainstAnyVariant(
    others: Record<string, unknown>,
    type: Extract<SchemaEntry, { $type: "DiscriminatedObjectType" }>,
    at: string,
  ): void {
    const variants = Object.values(type.elements).map((r) => this.resolve(r) as ObjectEntry);
    for (const [key, v] of Object.entries(others)) {
      if (key === type.discriminator) continue;
      const def = variants.map((variant) => variant.properties?.[key]).find((d) => d !== undefined);
      if (def === undefined) {
        this.report(join(at, key), `unknown property in every variant of ${type.name}`);
      } else {
        this.validateProperty(key, v, def, at);
      }
    }
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Small helpers
// ---------------------------------------------------------------------------------------------------------------

function refIndex(ref: TypeRef): number {
  const m = /^#\/(\d+)$/.exec(ref.$ref);
  if (!m) throw new Error(`schema: unsupported $ref ${ref.$ref}`);
  return Number(m[1]);
}

/** A Terraform expression: its value is unknown until apply, so azapi cannot (and does not) validate it. */
function isUnknown(value: unknown): boolean {
  return typeof value === "string" && value.includes("${");
}

function isMissing(value: unknown): boolean {
  return value === undefined || value === null;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function describe(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "array";
  if (typeof value === "number") return Number.isInteger(value) ? "integer" : "number";
  return typeof value;
}

function q(s: string): string {
  return JSON.stringify(s);
}

/** Appends a property to a JSON path, bracket-quoting keys that are not identifiers (resource IDs, dotted names). */
function join(at: string, key: string): string {
  if (!/^[A-Za-z_$][\w$-]*$/.test(key)) return `${at}[${JSON.stringify(key)}]`;
  return at === "" ? key : `${at}.${key}`;
}

function writableNames(props: Record<string, PropertyDef>): string {
  const names = Object.entries(props)
    .filter(([, def]) => !((def.flags ?? 0) & FLAG_READ_ONLY))
    .map(([name]) => name);
  return names.length === 0 ? "no properties" : names.join(", ");
}

const patternCache = new Map<string, RegExp | undefined>();

/** Compiles a schema pattern; like azapi (which logs and accepts), a pattern this engine cannot compile is skipped. */
function compilePattern(pattern: string): RegExp | undefined {
  if (!patternCache.has(pattern)) {
    let re: RegExp | undefined;
    try {
      re = new RegExp(pattern);
    } catch {
      re = undefined;
    }
    patternCache.set(pattern, re);
  }
  return patternCache.get(pattern);
}

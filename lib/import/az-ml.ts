import { createHash } from "node:crypto";
import { existsSync, readFileSync, statSync } from "node:fs";
import { basename, dirname, isAbsolute, relative, resolve, sep } from "node:path";
import { isMap, isScalar, isSeq, LineCounter, parseDocument, Scalar, YAMLMap, YAMLSeq, type Document, type Pair } from "yaml";
import { ConfigError, fieldPath, formatProblem, formatWarning, type ConfigProblem } from "../config/errors";
import { loadEnvironments, locate } from "../config/load";
import { STORAGE_URI } from "../config/schema";

/**
 * `az ml` endpoint and deployment YAML files → this project's config: reads them, maps every field that has a
 * counterpart here, refuses what has none, and adds the result to an environment file as an edit of its YAML document
 * (comments and key order kept). Nothing is written unless the whole file then passes the config loader.
 */

/** Refused input: every problem, `file:line: field: rule (got value)`; `usage` when the command line is at fault. */
export class ImportError extends Error {
  constructor(
    readonly problems: readonly ConfigProblem[],
    readonly usage = false,
  ) {
    super(problems.map(formatProblem).join("\n"));
    this.name = "ImportError";
  }
}

export interface ImportOptions {
  /** The environment file to add to (absolute, or relative to `cwd`). */
  readonly into: string;
  /** The az ml files (absolute, or relative to `cwd`). */
  readonly files: readonly string[];
  /** The traffic split, by deployment name or `<endpoint>/<deployment>`, for endpoints with several deployments. */
  readonly traffic?: Readonly<Record<string, number>>;
  /** Values for template placeholders, `{{NAME}}` → value. */
  readonly set?: Readonly<Record<string, string>>;
  /** @default process.cwd() */
  readonly cwd?: string;
}

export interface ImportResult {
  /** The environment file, absolute. */
  readonly path: string;
  /** Its new content (the CLI writes it; this module writes nothing). */
  readonly text: string;
  /** One line per added block: where it is in the new file and what it holds. */
  readonly added: readonly string[];
  /** Names chosen for anonymous assets, what the guardrails will refuse, the loader's warnings. */
  readonly notes: readonly string[];
}

type Kind = "online-endpoint" | "online-deployment" | "batch-endpoint" | "batch-deployment";
type Json = Record<string, unknown>;

/** One az ml file, parsed, with the lines of its fields. */
interface AzFile {
  readonly file: string;
  readonly dir: string;
  readonly data: Json;
  readonly kind: Kind;
  readonly lineOf: (at: readonly PropertyKey[]) => number | undefined;
}

const PLACEHOLDER = /\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}/g;

function isRecord(value: unknown): value is Json {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Collects problems; a run with any writes nothing. */
class Problems {
  readonly list: ConfigProblem[] = [];
  add(f: Pick<AzFile, "file" | "lineOf">, at: readonly PropertyKey[], rule: string, ...value: [unknown?]): void {
    this.list.push({ file: f.file, line: f.lineOf(at), field: fieldPath(at), rule, value: value[0], hasValue: value.length > 0 });
  }
}



// ---------------------------------------------------------------------------------------------------------------------
// Reading and classifying az ml files

function readAzFile(path: string, shown: string, set: Readonly<Record<string, string>>, problems: Problems): AzFile | undefined {
  const noLines = { file: shown, lineOf: () => undefined };
  if (!existsSync(path) || !statSync(path).isFile()) {
    problems.add(noLines, [], "must be an existing az ml YAML file");
    return undefined;
  }
  let text = readFileSync(path, "utf8");
  // Placeholders first: `{{X}}` is YAML of its own (a flow mapping), so the file would mean something else.
  let unfilled = false;
  text.split("\n").forEach((line, i) => {
    for (const m of line.matchAll(PLACEHOLDER)) {
      if (Object.hasOwn(set, m[1])) continue;
      unfilled = true;
      const key = /^\s*-?\s*([\w$.-]+)\s*:/.exec(line)?.[1] ?? "";
      problems.list.push({
        file: shown,
        line: i + 1,
        field: key,
        rule: `must not hold a template placeholder: ${m[0]} is filled in by a script before az ml reads the file; write the value, or pass --set ${m[1]}=<value>`,
        value: line.trim(),
        hasValue: true,
      });
    }
  });
  if (unfilled) return undefined;
  text = text.replace(PLACEHOLDER, (_, name: string) => set[name]);

  const lc = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lc, prettyErrors: false });
  if (doc.errors.length > 0) {
    for (const e of doc.errors) problems.list.push({ file: shown, line: lc.linePos(e.pos[0]).line, field: "", rule: `is not valid YAML: ${e.message.split("\n")[0]}` });
    return undefined;
  }
  const data = doc.toJS() as unknown;
  const lineOf = (at: readonly PropertyKey[]) => locate(doc, lc, at);
  if (!isRecord(data)) {
    problems.add({ file: shown, lineOf }, [], "must be a mapping: an az ml endpoint or deployment file");
    return undefined;
  }
  const f = { file: shown, dir: dirname(path), data, lineOf };
  const kind = classify(f, problems);
  return kind === undefined ? undefined : { ...f, kind };
}

/** Which file this is, by `$schema` or by its keys; refuses Kubernetes, pipeline and unknown files. */
function classify(f: Omit<AzFile, "kind">, problems: Problems): Kind | undefined {
  const d = f.data;
  const schema = typeof d.$schema === "string" ? d.$schema : "";
  const type = typeof d.type === "string" ? d.type.toLowerCase() : undefined;
  const kubernetes = "must not be a Kubernetes endpoint or deployment: only managed online endpoints are supported yet";
  if (/kubernetesOnline/i.test(schema)) return void problems.add(f, ["$schema"], kubernetes, schema);
  if (type === "kubernetes") return void problems.add(f, ["type"], kubernetes, d.type);
  const pipeline = "must not be a pipeline component batch deployment: only model batch deployments have a counterpart here";
  if (/pipelineComponentBatchDeployment/i.test(schema)) return void problems.add(f, ["$schema"], pipeline, schema);
  if (type === "pipeline" || d.component !== undefined || d.job_definition !== undefined) {
    return void problems.add(f, [type === "pipeline" ? "type" : d.component !== undefined ? "component" : "job_definition"], pipeline);
  }
  if (/managedOnlineEndpoint/i.test(schema)) return "online-endpoint";
  if (/managedOnlineDeployment/i.test(schema)) return "online-deployment";
  if (/batchEndpoint/i.test(schema)) return "batch-endpoint";
  if (/(model)?BatchDeployment/i.test(schema)) return "batch-deployment";
  if (schema !== "") {
    return void problems.add(f, ["$schema"], "must be an az ml managed online or batch endpoint or deployment file ($schema managedOnlineEndpoint, managedOnlineDeployment, batchEndpoint or modelBatchDeployment)", schema);
  }
  const batchKeys = ["compute", "resources", "settings", "mini_batch_size", "max_concurrency_per_instance", "output_action", "retry_settings", "error_threshold"];
  if (d.endpoint_name !== undefined) {
    return type === "model" || batchKeys.some((k) => d[k] !== undefined) ? "batch-deployment" : "online-deployment";
  }
  if (d.compute !== undefined) return void problems.add(f, ["compute"], kubernetes, d.compute);
  if (d.defaults !== undefined) return "batch-endpoint";
  if (d.name !== undefined && d.model === undefined) return "online-endpoint";
  return void problems.add(f, [], "must be an az ml endpoint or deployment file: give it a $schema, or endpoint_name for a deployment");
}

// ---------------------------------------------------------------------------------------------------------------------
// Mapping

interface MapContext {
  readonly f: AzFile;
  readonly problems: Problems;
  /** The environment file's folder: paths are rewritten relative to it. */
  readonly envDir: string;
  readonly notes: string[];
}

/** Refuses keys with no counterpart here; `$schema` is dropped wherever it is. */
function checkKeys(ctx: MapContext, value: Json, at: readonly PropertyKey[], allowed: readonly string[], hints: Readonly<Record<string, string>> = {}): void {
  for (const key of Object.keys(value)) {
    if (key === "$schema" || allowed.includes(key)) continue;
    ctx.problems.add(ctx.f, [...at, key], `has no counterpart here${hints[key] ? `: ${hints[key]}` : `, so it cannot be imported: remove it from the az ml file, or import without it and configure the equivalent by hand (see README "Coming from az ml")`}`);
  }
}

function localPath(ctx: MapContext, path: string): string {
  const rel = relative(ctx.envDir, resolve(ctx.f.dir, path)).split(sep).join("/");
  const trailing = /[/\\]$/.test(path) && rel !== "" ? "/" : "";
  return rel === "" ? "." : `${rel}${trailing}`;
}

function isLocal(path: string): boolean {
  return !STORAGE_URI.test(path) && !/^[a-z][a-z0-9+.-]*:\/\//i.test(path);
}

/** A floating reference (`azureml:<name>@latest`) in a string, refused. */
function checkPinned(ctx: MapContext, value: string, at: readonly PropertyKey[]): boolean {
  if (/\/labels\/[^/]+$/i.test(value)) {
    ctx.problems.add(ctx.f, at, "must pin a version: an id ending in /labels/<label> is resolved when az ml deploys; end it in /versions/<version>", value);
    return false;
  }
  const label = /^azureml:([^:@/]+)@(.*)$/.exec(value);
  if (!label) return true;
  ctx.problems.add(
    ctx.f,
    at,
    `must pin a version: az ml resolves @${label[2]} when it deploys, so two synths of the same config could deploy different versions; write azureml:${label[1]}:<version>`,
    value,
  );
  return false;
}

function anonymousName(endpoint: string, deployment: string, kind: "model" | "env"): string {
  return `${endpoint}-${deployment}-${kind}`;
}

function mapModel(ctx: MapContext, value: unknown, at: PropertyKey[], owner: { endpoint: string; deployment: string }): unknown {
  if (typeof value === "string") return checkPinned(ctx, value, at) ? value : undefined;
  if (!isRecord(value)) return value;
  checkKeys(ctx, value, at, ["name", "version", "path", "type", "description"]);
  const out: Json = {};
  let name = value.name;
  if (name === undefined && value.id === undefined && typeof value.path === "string" && isLocal(value.path)) {
    name = anonymousName(owner.endpoint, owner.deployment, "model");
    ctx.notes.push(`${ctx.f.file}:${ctx.f.lineOf([...at, "path"])}: model ${value.path} has no name: named ${name}, versioned by the hash of its content (as az ml registers an anonymous model)`);
  }
  if (name !== undefined) out.name = name;
  if (value.version !== undefined) out.version = value.version;
  if (typeof value.path === "string") out.path = isLocal(value.path) ? localPath(ctx, value.path) : value.path;
  else if (value.path !== undefined) out.path = value.path;
  if (value.type !== undefined) out.type = value.type;
  if (value.description !== undefined) out.description = value.description;
  return out;
}

function mapEnvironment(ctx: MapContext, value: unknown, at: PropertyKey[], owner: { endpoint: string; deployment: string }): unknown {
  if (typeof value === "string") return checkPinned(ctx, value, at) ? value : undefined;
  if (!isRecord(value)) return value;
  checkKeys(ctx, value, at, ["name", "version", "image", "conda_file", "build", "inference_config", "description", "os_type"], {
    tags: "environments registered here carry no tags of their own",
  });
  if (value.os_type !== undefined && String(value.os_type).toLowerCase() !== "linux") {
    ctx.problems.add(ctx.f, [...at, "os_type"], "must be linux: managed online and batch deployments run Linux containers", value.os_type);
  }
  const out: Json = {};
  const build = isRecord(value.build) ? value.build : undefined;
  if (build) checkKeys(ctx, build, [...at, "build"], ["path", "dockerfile_path"]);
  const conda = typeof value.conda_file === "string" ? value.conda_file : undefined;
  if (value.conda_file !== undefined && conda === undefined) {
    ctx.problems.add(ctx.f, [...at, "conda_file"], "must be a path to a conda file: an inline conda specification has no counterpart here", value.conda_file);
  }
  let name = value.name;
  let version = value.version;
  if (name === undefined) {
    name = anonymousName(owner.endpoint, owner.deployment, "env");
  }
  if (version === undefined && build === undefined) {
    // As az ml versions an anonymous environment: by the hash of what defines it.
    const condaText = conda !== undefined && existsSync(resolve(ctx.f.dir, conda)) ? readFileSync(resolve(ctx.f.dir, conda), "utf8") : conda ?? "";
    version = createHash("sha256").update(JSON.stringify([value.image ?? null, condaText, value.inference_config ?? null])).digest("hex").slice(0, 12);
  }
  if (value.name === undefined || value.version === undefined) {
    const versionText = version === undefined ? "versioned by the hash of its build context" : `version ${String(version)} (the hash of its image, conda file and routes)`;
    ctx.notes.push(`${ctx.f.file}:${ctx.f.lineOf(at)}: environment ${value.name === undefined ? "has no name" : "has no version"}: ${value.name === undefined ? `named ${String(name)}, ` : ""}${versionText}, as az ml registers an anonymous environment`);
  }
  out.name = name;
  if (version !== undefined) out.version = version;
  if (value.image !== undefined) out.image = value.image;
  if (conda !== undefined) out.conda_file = localPath(ctx, conda);
  if (build) {
    out.build = {
      path: typeof build.path === "string" && isLocal(build.path) ? localPath(ctx, build.path) : build.path,
      ...(build.dockerfile_path !== undefined ? { dockerfile_path: build.dockerfile_path } : {}),
    };
    if (typeof build.path === "string" && !isLocal(build.path)) {
      ctx.problems.add(ctx.f, [...at, "build", "path"], "must be a local folder: a build context from a URL has no counterpart here", build.path);
    }
  }
  if (isRecord(value.inference_config)) {
    checkKeys(ctx, value.inference_config, [...at, "inference_config"], ["liveness_route", "readiness_route", "scoring_route"]);
    out.inference_config = value.inference_config;
  } else if (value.inference_config !== undefined) {
    out.inference_config = value.inference_config;
  }
  if (value.description !== undefined) out.description = value.description;
  return out;
}

function mapCode(ctx: MapContext, value: unknown, at: PropertyKey[]): Json | undefined {
  if (!isRecord(value)) {
    ctx.problems.add(ctx.f, at, "must be a mapping of code and scoring_script", value);
    return undefined;
  }
  checkKeys(ctx, value, at, ["code", "scoring_script"]);
  const code = value.code;
  if (typeof code !== "string" || !isLocal(code) || code.startsWith("azureml:")) {
    ctx.problems.add(ctx.f, [...at, "code"], "must be a local folder: registered code (azureml:...) has no counterpart here, where code is uploaded from the repository", code);
    return undefined;
  }
  return { path: localPath(ctx, code), scoring_script: value.scoring_script };
}

function mapProbe(ctx: MapContext, value: unknown, at: PropertyKey[]): unknown {
  if (!isRecord(value)) return value;
  checkKeys(ctx, value, at, ["initial_delay", "period", "timeout", "failure_threshold", "success_threshold"]);
  const names: [string, string][] = [["initial_delay", "initial_delay_s"], ["period", "period_s"], ["timeout", "timeout_s"], ["failure_threshold", "failure_threshold"], ["success_threshold", "success_threshold"]];
  return Object.fromEntries(names.filter(([az]) => value[az] !== undefined).map(([az, here]) => [here, value[az]]));
}

function mapDataCollector(ctx: MapContext, value: unknown, at: PropertyKey[]): unknown {
  if (!isRecord(value)) return value;
  checkKeys(ctx, value, at, ["collections", "sampling_rate", "rolling_rate", "request_logging"], {
    destination: "collections land in the workspace's default blob datastore here",
  });
  if (isRecord(value.collections)) {
    for (const [name, c] of Object.entries(value.collections)) {
      if (!isRecord(c)) continue;
      checkKeys(ctx, c, [...at, "collections", name], ["enabled", "data", "sampling_rate"], { client_id: "the endpoint's own identity writes the collected data here" });
      if (isRecord(c.data)) checkKeys(ctx, c.data, [...at, "collections", name, "data"], ["name", "version", "path"]);
    }
  }
  if (isRecord(value.request_logging)) checkKeys(ctx, value.request_logging, [...at, "request_logging"], ["capture_headers"]);
  return value;
}

/** az ml's `enabled` / `disabled` → true / false. */
function flag(ctx: MapContext, value: unknown, at: PropertyKey[]): unknown {
  if (typeof value === "string" && /^(enabled|disabled)$/i.test(value)) return value.toLowerCase() === "enabled";
  if (typeof value === "boolean") return value;
  ctx.problems.add(ctx.f, at, "must be enabled or disabled", value);
  return undefined;
}

/** Copies the keys that are set, in the order given. */
function defined(entries: [string, unknown][]): Json {
  return Object.fromEntries(entries.filter(([, v]) => v !== undefined));
}

function mapOnlineDeployment(ctx: MapContext, endpoint: string): Json {
  const d = ctx.f.data;
  checkKeys(
    ctx,
    d,
    [],
    ["name", "endpoint_name", "type", "description", "tags", "model", "code_configuration", "environment", "environment_variables", "instance_type", "instance_count", "app_insights_enabled", "egress_public_network_access", "request_settings", "liveness_probe", "readiness_probe", "data_collector", "model_mount_path", "scale_settings"],
    {
      properties: "deployment properties are set by this project",
      private_network_connection: "write egress_public_network_access: disabled, or network.isolation: private in the environment file",
      with_package: "model packages are not built here",
      resources: "managed deployments size by instance_type",
    },
  );
  if (d.type !== undefined && String(d.type).toLowerCase() !== "managed") ctx.problems.add(ctx.f, ["type"], "must be managed", d.type);
  if (isRecord(d.scale_settings) && String(d.scale_settings.type ?? "default").toLowerCase() !== "default") {
    ctx.problems.add(ctx.f, ["scale_settings", "type"], "has no counterpart here: target-utilization scaling is written as autoscale: { min_instances, max_instances, rules } in the environment file", d.scale_settings.type);
  }
  const owner = { endpoint, deployment: String(d.name) };
  let requestSettings: unknown = d.request_settings;
  if (isRecord(requestSettings)) {
    checkKeys(ctx, requestSettings, ["request_settings"], ["request_timeout_ms", "max_concurrent_requests_per_instance"], {
      max_queue_wait_ms: "it is deprecated and managed online endpoints ignore it; remove it, and raise request_timeout_ms to cover a request's wait in the queue",
    });
    requestSettings = defined([
      ["request_timeout_ms", requestSettings.request_timeout_ms],
      ["max_concurrent_requests_per_instance", requestSettings.max_concurrent_requests_per_instance],
    ]);
  }
  return defined([
    ["name", d.name],
    ["model", d.model === undefined ? undefined : mapModel(ctx, d.model, ["model"], owner)],
    ["environment", d.environment === undefined ? undefined : mapEnvironment(ctx, d.environment, ["environment"], owner)],
    ["code", d.code_configuration === undefined ? undefined : mapCode(ctx, d.code_configuration, ["code_configuration"])],
    ["instance_type", d.instance_type],
    ["instance_count", d.instance_count],
    ["request_settings", requestSettings],
    ["liveness_probe", d.liveness_probe === undefined ? undefined : mapProbe(ctx, d.liveness_probe, ["liveness_probe"])],
    ["readiness_probe", d.readiness_probe === undefined ? undefined : mapProbe(ctx, d.readiness_probe, ["readiness_probe"])],
    ["environment_variables", d.environment_variables],
    ["app_insights", d.app_insights_enabled],
    ["egress_public_network_access", d.egress_public_network_access === undefined ? undefined : flag(ctx, d.egress_public_network_access, ["egress_public_network_access"])],
    ["model_mount_path", d.model_mount_path],
    ["data_collector", d.data_collector === undefined ? undefined : mapDataCollector(ctx, d.data_collector, ["data_collector"])],
    ["description", d.description],
    ["tags", d.tags],
  ]);
}

function mapOnlineEndpoint(ctx: MapContext): Json {
  const e = ctx.f.data;
  checkKeys(ctx, e, [], ["name", "auth_mode", "description", "tags", "public_network_access", "traffic", "mirror_traffic"], {
    identity: "each endpoint gets a system-assigned identity here, granted what its deployments need",
    properties: "endpoint properties are set by this project",
    kind: "endpoints here are managed online endpoints",
  });
  const auth = typeof e.auth_mode === "string" ? ({ amltoken: "aml_token", aadtoken: "aad_token" } as Json)[e.auth_mode.toLowerCase().replace(/_/g, "")] ?? e.auth_mode.toLowerCase() : e.auth_mode;
  return defined([
    ["name", e.name],
    ["auth_mode", auth],
    ["public_network_access", e.public_network_access === undefined ? undefined : flag(ctx, e.public_network_access, ["public_network_access"])],
    ["description", e.description],
    ["tags", e.tags],
  ]);
}

function mapBatchEndpoint(ctx: MapContext): Json {
  const e = ctx.f.data;
  checkKeys(ctx, e, [], ["name", "description", "tags", "auth_mode", "defaults"], { properties: "endpoint properties are set by this project" });
  if (e.auth_mode !== undefined && String(e.auth_mode).toLowerCase().replace(/_/g, "") !== "aadtoken") {
    ctx.problems.add(ctx.f, ["auth_mode"], "must be aad_token: batch endpoints take Entra ID tokens only", e.auth_mode);
  }
  if (isRecord(e.defaults)) checkKeys(ctx, e.defaults, ["defaults"], ["deployment_name"]);
  return defined([
    ["name", e.name],
    ["description", e.description],
    ["tags", e.tags],
    ["default_deployment", isRecord(e.defaults) ? e.defaults.deployment_name : undefined],
  ]);
}

function mapBatchDeployment(ctx: MapContext, endpoint: string, clusterName: string | undefined): Json {
  const d = ctx.f.data;
  const settingKeys = ["mini_batch_size", "max_concurrency_per_instance", "output_action", "output_file_name", "retry_settings", "error_threshold", "logging_level", "environment_variables"];
  checkKeys(ctx, d, [], ["name", "endpoint_name", "type", "description", "tags", "model", "code_configuration", "environment", "compute", "resources", "settings", ...settingKeys], {
    properties: "deployment properties are set by this project",
  });
  if (d.type !== undefined && String(d.type).toLowerCase() !== "model") ctx.problems.add(ctx.f, ["type"], "must be model", d.type);
  if (d.compute !== undefined) {
    const name = String(d.compute).replace(/^azureml:/, "");
    if (clusterName === undefined || name !== clusterName) {
      ctx.problems.add(
        ctx.f,
        ["compute"],
        `must be the environment's cluster (azureml:${clusterName ?? "<compute.name>"}): batch deployments here run on compute.name; change compute in the az ml file or compute.name in the environment file`,
        d.compute,
      );
    }
  }
  if (isRecord(d.resources)) checkKeys(ctx, d.resources, ["resources"], ["instance_count"]);
  const settings = isRecord(d.settings) ? d.settings : {};
  if (isRecord(d.settings)) checkKeys(ctx, d.settings, ["settings"], settingKeys);
  const setting = (key: string): [unknown, PropertyKey[]] => (settings[key] !== undefined ? [settings[key], ["settings", key]] : [d[key], [key]]);
  const [retry, retryAt] = setting("retry_settings");
  if (isRecord(retry)) checkKeys(ctx, retry, retryAt, ["max_retries", "timeout"]);
  const owner = { endpoint, deployment: String(d.name) };
  return defined([
    ["name", d.name],
    ["model", d.model === undefined ? undefined : mapModel(ctx, d.model, ["model"], owner)],
    ["environment", d.environment === undefined ? undefined : mapEnvironment(ctx, d.environment, ["environment"], owner)],
    ["code", d.code_configuration === undefined ? undefined : mapCode(ctx, d.code_configuration, ["code_configuration"])],
    ["instance_count", isRecord(d.resources) ? d.resources.instance_count : undefined],
    ["max_concurrency_per_instance", setting("max_concurrency_per_instance")[0]],
    ["mini_batch_size", setting("mini_batch_size")[0]],
    ["retry", isRecord(retry) ? defined([["max_retries", retry.max_retries], ["timeout_s", retry.timeout]]) : retry],
    ["error_threshold", setting("error_threshold")[0]],
    ["output_action", setting("output_action")[0]],
    ["output_file_name", setting("output_file_name")[0]],
    ["logging_level", setting("logging_level")[0]],
    ["environment_variables", setting("environment_variables")[0]],
    ["description", d.description],
    ["tags", d.tags],
  ]);
}

// ---------------------------------------------------------------------------------------------------------------------
// The import

interface Endpoint {
  readonly f: AzFile;
  readonly config: Json;
  readonly deployments: { f: AzFile; config: Json }[];
}

const GUARDRAIL_KEY_AUTH = "endpoint-key-auth";

/**
 * Maps the az ml files and adds them to the environment file's YAML document; returns the new text, checked by the
 * config loader. Writes nothing.
 * @throws ImportError when anything is refused (nothing should then be written)
 */
export function importAzMl(options: ImportOptions): ImportResult {
  const cwd = options.cwd ?? process.cwd();
  const shown = (p: string) => {
    const rel = relative(cwd, p);
    return rel !== "" && !rel.startsWith("..") && !isAbsolute(rel) ? rel : p;
  };
  const envPath = resolve(cwd, options.into);
  const envFile = shown(envPath);
  const usage = (rule: string, file = envFile) => new ImportError([{ file, field: "", rule }], true);
  if (!existsSync(envPath) || !statSync(envPath).isFile()) throw usage("must be an existing environment file (--into config/<env>.yaml)");
  if (options.files.length === 0) throw usage("needs at least one az ml file to import");

  const original = readFileSync(envPath, "utf8");
  const envLc = new LineCounter();
  const doc = parseDocument(original, { lineCounter: envLc, prettyErrors: false });
  const env = doc.errors.length === 0 ? (doc.toJS() as unknown) : undefined;
  const missing = ["project", "location", "state", "compute"].filter((k) => !isRecord(env) || env[k] === undefined);
  if (!isRecord(env) || !isMap(doc.contents) || missing.length > 0) {
    throw new ImportError([{ file: envFile, field: "", rule: `must hold at least project, location, state and compute before an import (missing ${missing.join(", ") || "a valid YAML mapping"})` }]);
  }
  const clusterName = isRecord(env.compute) && typeof env.compute.name === "string" ? env.compute.name : undefined;

  const problems = new Problems();
  const notes: string[] = [];
  const files = options.files.map((f) => readAzFile(resolve(cwd, f), shown(resolve(cwd, f)), options.set ?? {}, problems)).filter((f): f is AzFile => f !== undefined);
  if (problems.list.length > 0) throw new ImportError(problems.list);

  const envDir = dirname(envPath);
  const context = (f: AzFile): MapContext => ({ f, problems, envDir, notes });
  const online = new Map<string, Endpoint>();
  const batch = new Map<string, Endpoint>();
  const existing = existingEndpointNames(doc, envLc);
  for (const f of files.filter((x) => x.kind === "online-endpoint" || x.kind === "batch-endpoint")) {
    const name = String(f.data.name ?? "");
    const key = name.toLowerCase();
    if (f.data.name === undefined) {
      problems.add(f, ["name"], "is required");
      continue;
    }
    const line = existing.get(key);
    if (line !== undefined || online.has(key) || batch.has(key)) {
      problems.add(f, ["name"], line !== undefined ? `must not be an endpoint already in ${envFile} (line ${line}): import into a file without it, or rename it` : "must not repeat an endpoint imported from another file", name);
      continue;
    }
    const config = f.kind === "online-endpoint" ? mapOnlineEndpoint(context(f)) : mapBatchEndpoint(context(f));
    (f.kind === "online-endpoint" ? online : batch).set(key, { f, config, deployments: [] });
  }
  for (const f of files.filter((x) => x.kind === "online-deployment" || x.kind === "batch-deployment")) {
    const endpointName = f.data.endpoint_name;
    const target = typeof endpointName === "string" ? (f.kind === "online-deployment" ? online : batch).get(endpointName.toLowerCase()) : undefined;
    if (!target) {
      problems.add(
        f,
        ["endpoint_name"],
        typeof endpointName === "string"
          ? `must name ${f.kind === "online-deployment" ? "an online" : "a batch"} endpoint imported with it: pass that endpoint's file too`
          : "is required: the deployment attaches to its endpoint by it",
        endpointName,
      );
      // Still mapped, so that every problem of the file is reported in one go.
      const ctx = context(f);
      if (f.kind === "online-deployment") mapOnlineDeployment(ctx, String(endpointName ?? "endpoint"));
      else mapBatchDeployment(ctx, String(endpointName ?? "endpoint"), clusterName);
      continue;
    }
    const name = String(target.config.name);
    const config = f.kind === "online-deployment" ? mapOnlineDeployment(context(f), name) : mapBatchDeployment(context(f), name, clusterName);
    target.deployments.push({ f, config });
  }
  for (const e of [...online.values(), ...batch.values()]) {
    if (e.deployments.length === 0) problems.add(e.f, ["name"], "has no deployment among the imported files: pass its deployment files too", e.config.name);
  }
  if (problems.list.length > 0) throw new ImportError(problems.list);

  // Traffic: from the endpoint file, else --traffic, else 100 for a single deployment.
  const usedTraffic = new Set<string>();
  const trafficProblems: ConfigProblem[] = [];
  for (const e of online.values()) {
    const name = String(e.config.name);
    const fromFile = isRecord(e.f.data.traffic) ? e.f.data.traffic : undefined;
    const mirror = isRecord(e.f.data.mirror_traffic) ? e.f.data.mirror_traffic : {};
    for (const [dep, share] of Object.entries({ ...(fromFile ?? {}), ...mirror })) {
      if (!e.deployments.some((d) => String(d.config.name).toLowerCase() === dep.toLowerCase())) {
        problems.add(e.f, [fromFile && dep in fromFile ? "traffic" : "mirror_traffic", dep], "must name a deployment imported with the endpoint", share);
      }
    }
    for (const d of e.deployments) {
      const dep = String(d.config.name);
      const fromOption = options.traffic?.[`${name}/${dep}`] ?? options.traffic?.[dep];
      for (const key of [`${name}/${dep}`, dep]) if (options.traffic?.[key] !== undefined) usedTraffic.add(key);
      const share = fromOption ?? (fromFile ? fromFile[dep] ?? 0 : e.deployments.length === 1 ? 100 : undefined);
      if (share === undefined) {
        trafficProblems.push({
          file: e.f.file,
          field: "traffic",
          rule: `must be given for endpoint ${name}, which has ${e.deployments.length} deployments (${e.deployments.map((x) => x.config.name).join(", ")}): az ml sets it with a separate command; pass --traffic ${e.deployments.map((x, i) => `${String(x.config.name)}=${i === 0 ? 100 : 0}`).join(",")}`,
        });
        break;
      }
      d.config = insertAfter(d.config, "instance_count", { traffic: share, ...(mirror[dep] !== undefined ? { mirror_traffic: mirror[dep] } : {}) });
    }
  }
  if (problems.list.length > 0) throw new ImportError(problems.list);
  if (trafficProblems.length > 0) throw new ImportError(trafficProblems, true);
  const unused = Object.keys(options.traffic ?? {}).filter((k) => !usedTraffic.has(k));
  if (unused.length > 0) throw usage(`--traffic names no imported online deployment: ${unused.join(", ")}`, "--traffic");

  // Batch endpoints with several deployments: the first one created becomes the default in Azure ML, as here.
  for (const e of batch.values()) {
    if (e.config.default_deployment === undefined && e.deployments.length > 1) {
      e.config.default_deployment = e.deployments[0].config.name;
      notes.push(`${e.f.file}: batch endpoint ${String(e.config.name)}: default_deployment ${String(e.config.default_deployment)}, the first deployment given (as Azure ML makes the first deployment created the default)`);
    }
  }

  // Guardrails that will refuse a value written as given.
  for (const e of online.values()) {
    if (String(e.config.auth_mode ?? "").toLowerCase() === "key") {
      notes.push(
        `${e.f.file}:${e.f.lineOf(["auth_mode"])}: auth_mode: key is written as given, and the guardrail ${GUARDRAIL_KEY_AUTH} (error) will stop npm run synth on it: ` +
          `change endpoint ${String(e.config.name)}'s auth_mode to aml_token or aad_token in ${envFile}, or waive it there: waivers: [{ rule: ${GUARDRAIL_KEY_AUTH}, reason: "<why key auth is fine here>" }]`,
      );
    }
  }

  const onlineNodes = [...online.values()].map((e) => ({ ...e.config, deployments: e.deployments.map((d) => d.config) }));
  const batchNodes = [...batch.values()].map((e) => {
    const { default_deployment, ...rest } = e.config;
    return { ...rest, deployments: e.deployments.map((d) => d.config), ...(default_deployment !== undefined ? { default_deployment } : {}) };
  });
  const { paths, converted } = addToDocument(doc, onlineNodes, batchNodes);
  const text = doc.toString({ lineWidth: 0 });

  // The file must load as it will be written.
  let warnings: string[] = [];
  try {
    const loaded = loadEnvironments({ configDir: envDir, projectRoot: cwd, contents: new Map([[envPath, text]]) });
    warnings = (loaded.find((l) => resolve(cwd, l.file) === envPath)?.warnings ?? []).map(formatWarning);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    throw new ImportError(
      error.problems.map((p) => (p.file === envFile ? { ...p, rule: `${p.rule} [in ${basename(envPath)} as the import would write it; nothing was written]` } : p)),
    );
  }

  const newLc = new LineCounter();
  const written = parseDocument(text, { lineCounter: newLc });
  const added = paths.map(({ at, what }) => {
    const [from, to] = lineRange(written, newLc, at);
    return `${envFile}:${from}-${to}: added ${what}`;
  });
  if (converted) {
    added.unshift(`${envFile}:${locate(written, newLc, ["endpoints"])}: endpoint: became endpoints:, the existing endpoint first with moved_from_endpoint: true (it keeps its Terraform addresses)`);
  }
  return { path: envPath, text, added, notes: [...notes, ...warnings] };
}

/** Names of the endpoints (online and batch) in the environment file, lower case, with their lines. */
function existingEndpointNames(doc: Document, lc: LineCounter): Map<string, number | undefined> {
  const names = new Map<string, number | undefined>();
  const js = doc.toJS() as Json;
  const add = (value: unknown, at: PropertyKey[]) => {
    if (isRecord(value) && typeof value.name === "string") names.set(value.name.toLowerCase(), locate(doc, lc, [...at, "name"]));
  };
  add(js.endpoint, ["endpoint"]);
  for (const [key, list] of [["endpoints", js.endpoints], ["batch", js.batch]] as const) {
    if (Array.isArray(list)) list.forEach((v, i) => add(v, [key, i]));
  }
  return names;
}

function insertAfter(record: Json, key: string, extra: Json): Json {
  const entries = Object.entries(record);
  const at = entries.findIndex(([k]) => k === key);
  const index = at < 0 ? entries.findIndex(([k]) => k === "instance_type") : at;
  entries.splice(index < 0 ? entries.length : index + 1, 0, ...Object.entries(extra));
  return Object.fromEntries(entries);
}

/**
 * Adds endpoints and batch endpoints to the document: `endpoint:` for one into a file with none, `endpoints:` for
 * several, an existing `endpoint:` turned into the first item of `endpoints:` (moved_from_endpoint: true).
 * Returns where each added block is, and the line of a conversion.
 */
function addToDocument(doc: Document, online: Json[], batch: Json[]): { paths: { at: PropertyKey[]; what: string }[]; converted: boolean } {
  const root = doc.contents as YAMLMap;
  const paths: { at: PropertyKey[]; what: string }[] = [];
  const describe = (e: Json, kind: string) =>
    `${kind} ${String(e.name)} (deployments ${(e.deployments as Json[]).map((d) => (d.traffic !== undefined ? `${String(d.name)} ${String(d.traffic)}%` : String(d.name))).join(", ")})`;
  const indexOf = (key: string) => root.items.findIndex((p) => isScalar(p.key) && p.key.value === key);
  const insertPair = (key: string, value: unknown, after: string[]) => {
    const anchors = after.map(indexOf).filter((i) => i >= 0);
    const at = anchors.length > 0 ? Math.max(...anchors) + 1 : root.items.length;
    root.items.splice(at, 0, doc.createPair(key, value) as Pair);
  };
  let converted = false;
  if (online.length > 0) {
    const single = indexOf("endpoint");
    const listed = indexOf("endpoints");
    if (listed >= 0 && isSeq(root.items[listed].value)) {
      const seq = root.items[listed].value as YAMLSeq;
      seq.flow = false;
      const start = seq.items.length;
      online.forEach((e, i) => {
        seq.items.push(doc.createNode(e));
        paths.push({ at: ["endpoints", start + i], what: describe(e, "endpoint") });
      });
    } else if (single >= 0) {
      const pair = root.items[single];
      const old = pair.value as YAMLMap;
      const nameAt = old.items.findIndex((p) => isScalar(p.key) && p.key.value === "name");
      old.items.splice(nameAt + 1, 0, doc.createPair("moved_from_endpoint", true) as Pair);
      (pair.key as Scalar).value = "endpoints";
      const seq = new YAMLSeq();
      seq.items.push(old, ...online.map((e) => doc.createNode(e)));
      pair.value = seq;
      online.forEach((e, i) => paths.push({ at: ["endpoints", i + 1], what: describe(e, "endpoint") }));
      converted = true;
    } else if (online.length === 1) {
      insertPair("endpoint", online[0], ["project", "location", "subscription_id", "tags", "state", "workspace", "compute"]);
      paths.push({ at: ["endpoint"], what: describe(online[0], "endpoint") });
    } else {
      insertPair("endpoints", online, ["project", "location", "subscription_id", "tags", "state", "workspace", "compute"]);
      online.forEach((e, i) => paths.push({ at: ["endpoints", i], what: describe(e, "endpoint") }));
    }
  }
  if (batch.length > 0) {
    const at = indexOf("batch");
    if (at >= 0 && isSeq(root.items[at].value)) {
      const seq = root.items[at].value as YAMLSeq;
      seq.flow = false;
      const start = seq.items.length;
      batch.forEach((b, i) => {
        seq.items.push(doc.createNode(b));
        paths.push({ at: ["batch", start + i], what: describe(b, "batch endpoint") });
      });
    } else {
      insertPair("batch", batch, ["project", "location", "subscription_id", "tags", "state", "workspace", "compute", "endpoint", "endpoints"]);
      batch.forEach((b, i) => paths.push({ at: ["batch", i], what: describe(b, "batch endpoint") }));
    }
  }
  return { paths, converted };
}

/** First and last line of the node at `at` (for a top-level key, from the key's line). */
function lineRange(doc: Document, lc: LineCounter, at: readonly PropertyKey[]): [number, number] {
  let node: unknown = doc.contents;
  let start: number | undefined;
  for (const part of at) {
    if (isMap(node)) {
      const pair = node.items.find((p) => isScalar(p.key) && p.key.value === part);
      start = (pair?.key as Scalar | undefined)?.range?.[0];
      node = pair?.value;
    } else if (isSeq(node)) {
      node = node.items[part as number];
      start = (node as { range?: [number] } | undefined)?.range?.[0];
    }
  }
  const range = (node as { range?: [number, number, number] } | undefined)?.range;
  const end = range ? Math.max(range[0], range[1] - 1) : start ?? 0;
  return [lc.linePos(start ?? 0).line, lc.linePos(end).line];
}

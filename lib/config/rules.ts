import { existsSync, readFileSync, statSync } from "node:fs";
import { basename, isAbsolute, relative, resolve } from "node:path";
import { CODE_LIMITS, MODEL_FILES_WARN_ABOVE, type LocalContent } from "./code-bundle";
import { condaSources, hostAllowed } from "./conda-hosts";
import { collectionDataAsset, isPayloadCollection } from "./data-collection";
import { fieldPath } from "./errors";
import { checkDeploymentScaling, checkExpectedLoad, checkQuotaNames } from "./scaling-rules";
import type { ConfigWarningId } from "../guardrails/rule-ids";
import {
  STORAGE_URI,
  type BatchEndpointConfig,
  type CodeConfig,
  type EndpointConfig,
  type EnvironmentAssetConfig,
  type ModelConfig,
  type OnlineDeploymentConfig,
  type ServingConfig,
} from "./schema";

/** Reports one problem at a field path; `value` is what the file says there. */
export type Report = (path: readonly PropertyKey[], rule: string, value?: unknown) => void;

/** Reports one warning at a field path: the config synthesizes, but probably will not deploy or behave as meant. */
export type Warn = (id: ConfigWarningId, path: readonly PropertyKey[], rule: string, value?: unknown) => void;

/** What the cross-field rules need besides the config itself. */
export interface RuleContext {
  /** Absolute folder of the config file: relative paths resolve from here. */
  readonly dir: string;
  readonly report: Report;
  /**
   * Reports a warning; it never stops the synth.
   * @default warnings are dropped
   */
  readonly warn?: Warn;
  /**
   * Whether the environment deploys into a workspace that exists already (`workspace.existing_id`).
   * @default false
   */
  readonly existingWorkspace?: boolean;
  /** Lists and hashes a local file or folder (code, model, build context) once per run, however many use it. */
  readonly localContent: (absolutePath: string) => LocalContent;
}

/** The rules that span fields of one file: bounds between fields, traffic, assets and local files. */
export function checkEnvironment(config: ServingConfig, ctx: RuleContext): void {
  const { report } = ctx;
  const compute = config.compute;
  const outbound: Outbound = {
    allowed: config.network.outbound === "approved_only" ? config.network.allowed_fqdns : undefined,
    condaChecked: new Set(),
  };

  // Endpoint names become DNS labels in the region, so they are unique in the file across both kinds of endpoint.
  const hostNames = new Map<string, string>();
  const claimHost = (name: string, at: PropertyKey[]) => {
    const first = hostNames.get(name.toLowerCase());
    if (first !== undefined) {
      report([...at, "name"], `must be unique in the environment: ${first} has it too, and both would be <name>.${config.location}.inference.ml.azure.com`, name);
    } else {
      hostNames.set(name.toLowerCase(), fieldPath(at));
    }
  };
  for (const endpoint of config.endpoints) {
    claimHost(endpoint.name, endpoint.at);
    const base = [...endpoint.at, "deployments"];
    checkTraffic(endpoint, report);
    const deployments = endpoint.deployments;
    deployments.forEach((d, i) => {
      const at = (...rest: PropertyKey[]) => [...base, i, ...rest];
      checkDeploymentScaling(d, at, endpoint, ctx);
      if (config.network.isolation === "public" && d.egress_public_network_access === false) {
        ctx.warn?.(
          "egress-legacy-isolation",
          at("egress_public_network_access"),
          "is legacy network isolation in a public environment: Azure ML then creates private endpoints for this deployment alone, " +
            "and Microsoft recommends the workspace managed virtual network instead; set network.isolation: private " +
            "(whose deployments have no public egress), or remove this line",
          false,
        );
      }
      checkAssets(d, at, ctx, "online", outbound);
      checkCustomLogging(d, at, ctx);
    });
    checkCollectionDataAssets(endpoint, ctx);
    checkExpectedLoad(endpoint, ctx);
  }

  config.batch.forEach((b, i) => {
    claimHost(b.name, ["batch", i]);
    checkUniqueNames(b.deployments, ["batch", i, "deployments"], report);
    b.deployments.forEach((d, j) => {
      const at = (...rest: PropertyKey[]) => ["batch", i, "deployments", j, ...rest];
      // An existing cluster's size is not known here; Azure refuses a batch deployment larger than the cluster.
      if (compute && !compute.existing && d.instance_count > compute.max_nodes) {
        report(at("instance_count"), `must be <= compute.max_nodes (${compute.max_nodes}): batch jobs run on that cluster`, d.instance_count);
      }
      checkAssets(d, at, ctx, "batch", outbound);
    });
  });

  checkAssetConsistency(config, ctx);
  checkQuotaNames(config, ctx);

  const emails = new Map<string, number>();
  config.monitoring.alert_emails.forEach((email, i) => {
    const first = emails.get(email.toLowerCase());
    if (first !== undefined) {
      report(["monitoring", "alert_emails", i], `must not repeat monitoring.alert_emails[${first}]`, email);
    } else {
      emails.set(email.toLowerCase(), i);
    }
  });

  const waived = new Map<string, number>();
  config.waivers.forEach((w, i) => {
    const first = waived.get(w.rule);
    if (first !== undefined) {
      report(["waivers", i, "rule"], `must not repeat a rule already waived at waivers[${first}]`, w.rule);
    } else {
      waived.set(w.rule, i);
    }
  });
}

/** What the rules within one online endpoint read: its place in the file and its deployments. */
interface OnlineSection {
  readonly at: readonly PropertyKey[];
  readonly deployments: readonly (Deployable & { readonly name: string; readonly traffic: number; readonly mirror_traffic: number })[];
}

/** The rules within one online endpoint: unique deployment names, the traffic sum and the mirror. */
function checkTraffic(endpoint: OnlineSection, report: Report): void {
  const base = [...endpoint.at, "deployments"];
  checkUniqueNames(endpoint.deployments, [...base], report);
  const deployments = endpoint.deployments;
  const total = deployments.reduce((sum, d) => sum + d.traffic, 0);
  if (total !== 100 && total !== 0) {
    report(
      base,
      `traffic must add up to 100 across deployments, or be 0 for all (got ${deployments
        .map((d) => `${d.name}=${d.traffic}`)
        .join(", ")}, total ${total})`,
    );
  }
  const mirrored = deployments.filter((d) => d.mirror_traffic > 0);
  if (mirrored.length > 1) {
    report(base, `mirror_traffic may be set on at most one deployment (got ${mirrored.map((d) => d.name).join(", ")})`);
  }
  deployments.forEach((d, i) => {
    if (d.mirror_traffic > 0 && d.traffic > 0) {
      report([...base, i, "mirror_traffic"], `must be 0 on a deployment that takes live traffic (traffic is ${d.traffic})`, d.mirror_traffic);
    }
    if (d.mirror_traffic > 0 && total === 0) {
      report([...base, i, "mirror_traffic"], "must be 0 while no deployment takes live traffic: a mirror copies live requests", d.mirror_traffic);
    }
  });
}

/**
 * The rules of one section that parsed on its own while another section of the file did not: so that a file's
 * problems come in one pass. Only rules that read nothing outside the section run here; the rest wait for a file that
 * parses, so that a problem elsewhere never shows up here as a false one. Warnings wait too.
 */
export function checkSection(
  section: { readonly kind: "online"; readonly endpoint: OnlineSection } | { readonly kind: "batch"; readonly at: PropertyKey[]; readonly endpoint: BatchEndpointConfig },
  ctx: RuleContext,
): void {
  // Conda hosts are only warned about, and warnings wait for a file that parses.
  const outbound: Outbound = { allowed: undefined, condaChecked: new Set() };
  if (section.kind === "online") {
    checkTraffic(section.endpoint, ctx.report);
    section.endpoint.deployments.forEach((d, i) => checkAssets(d, (...rest) => [...section.endpoint.at, "deployments", i, ...rest], ctx, "online", outbound));
  } else {
    checkUniqueNames(section.endpoint.deployments, [...section.at, "deployments"], ctx.report);
    section.endpoint.deployments.forEach((d, j) => checkAssets(d, (...rest) => [...section.at, "deployments", j, ...rest], ctx, "batch", outbound));
  }
}

/** What the managed network lets environment builds reach, for the conda file check. */
interface Outbound {
  /** `network.allowed_fqdns` under `outbound: approved_only`; undefined when outbound traffic is not restricted. */
  readonly allowed?: readonly string[];
  /** Conda files already checked (absolute paths): one file used by several deployments is one problem. */
  readonly condaChecked: Set<string>;
}

interface Deployable {
  readonly model: ModelConfig;
  readonly environment?: EnvironmentAssetConfig;
  readonly code?: CodeConfig;
}

/** The short datastore form, which names a datastore of the workspace this stack creates. */
const WORKSPACE_DATASTORE = /^azureml:\/\/datastores\//;

/** Whether a model path names local files (uploaded here) rather than storage. */
export function isLocalPath(path: string): boolean {
  return !STORAGE_URI.test(path);
}

function checkAssets(d: Deployable, at: (...rest: PropertyKey[]) => PropertyKey[], ctx: RuleContext, kind: "online" | "batch", outbound: Outbound): void {
  const { report } = ctx;
  checkModel(d.model, at, ctx);
  const environment = d.environment;
  if (environment) checkEnvironmentAsset(environment, at, ctx, outbound);

  const type = d.model.type ?? "custom_model";
  // A custom container serves requests itself, so it needs no scoring script; an environment referenced by id or
  // name may be one, which only Azure knows.
  const customContainer =
    kind === "online" && environment !== undefined && (environment.inference_config !== undefined || environment.id !== undefined || environment.registered !== undefined);
  if (d.model.id === undefined && d.model.registered === undefined && (type === "custom_model" || type === "triton_model")) {
    if (!environment) report(at("environment"), `is required for a ${type}: only mlflow_model deploys without one`);
    if (!d.code && !customContainer) {
      report(
        at("code"),
        `is required for a ${type}: only mlflow_model deploys without a scoring script${kind === "online" ? ", and custom containers (environment.inference_config)" : ""}`,
      );
    }
  }
  if (d.code && !environment) {
    report(at("environment"), "is required when code is given: the scoring script runs in it");
  }

  if (d.code) {
    const folder = resolve(ctx.dir, d.code.path);
    if (!isFolder(folder)) {
      report(at("code", "path"), `must name an existing folder (looked for ${folder})`, d.code.path);
      return;
    }
    const script = resolve(folder, d.code.scoring_script);
    if (!isInside(folder, script)) {
      report(at("code", "scoring_script"), "must be a path inside code.path", d.code.scoring_script);
    } else if (!isFile(script)) {
      report(at("code", "scoring_script"), `must name an existing file inside code.path (looked for ${script})`, d.code.scoring_script);
    }
    const bundle = ctx.localContent(folder);
    reportBrokenLinks(bundle, at("code", "path"), d.code.path, ctx.report);
    if (bundle.files.length > CODE_LIMITS.files) {
      report(at("code", "path"), `must hold at most ${CODE_LIMITS.files} files, Azure ML's snapshot limit (has ${bundle.files.length})`, d.code.path);
    }
    if (bundle.sizeBytes > CODE_LIMITS.sizeBytes) {
      report(at("code", "path"), `must hold at most 300 MB, Azure ML's snapshot limit (has ${Math.ceil(bundle.sizeBytes / 1048576)} MB)`, d.code.path);
    }
  }
}

/** An id, `azureml:<name>:<version>`, a storage URI with name and version, or local files with at least a path. */
function checkModel(model: ModelConfig, at: (...rest: PropertyKey[]) => PropertyKey[], ctx: RuleContext): void {
  if (model.registered !== undefined) return;
  // In an existing workspace the datastore is there before the apply, and may well hold the model.
  if (!ctx.existingWorkspace && model.id === undefined && model.path !== undefined && WORKSPACE_DATASTORE.test(model.path)) {
    ctx.warn?.(
      "model-path-not-yet-there",
      at("model", "path"),
      "points into a datastore of the workspace this stack creates, so nothing is there on a first deploy and the deployment fails; " +
        "use a local path (uploaded by this stack), a registry model (azureml://registries/<registry>/models/<name>/versions/<version>), " +
        "azureml:<name>:<version> registered beforehand, or storage that exists before the apply (https://, wasbs:// or abfss://)",
      model.path,
    );
  }
  const local = model.path !== undefined && isLocalPath(model.path);
  // Local files get a name from their path and a version from their content.
  checkEitherIdOrFields(model, ["name", "version", "path", "type"], local ? ["path"] : ["name", "version", "path"], at("model"), ctx.report);
  if (model.id === undefined && local) {
    const full = resolve(ctx.dir, model.path!);
    if (!existsSync(full)) {
      ctx.report(at("model", "path"), `must name an existing local file or folder (looked for ${full}), or be a storage URI (azureml://, https://, wasbs:// or abfss://)`, model.path);
      return;
    }
    const content = ctx.localContent(full);
    reportBrokenLinks(content, at("model", "path"), model.path!, ctx.report);
    if (!content.isFile && content.files.length > MODEL_FILES_WARN_ABOVE) {
      ctx.warn?.(
        "model-many-files",
        at("model", "path"),
        `holds ${content.files.length} files, more than ${MODEL_FILES_WARN_ABOVE}: each is uploaded as its own Terraform resource, ` +
          "so synth slows down and every plan refreshes each blob; pack the folder into one archive that the scoring script unpacks, " +
          "or upload it once (az ml model create) and reference it as azureml:<name>:<version>",
        model.path,
      );
    }
    if ((model.type ?? "custom_model") === "mlflow_model" && !content.isFile && !content.files.includes("MLmodel")) {
      ctx.report(at("model", "path"), `must hold an MLmodel file at its top for an mlflow_model (looked in ${full}): Azure ML reads the flavor and signature from it`, model.path);
    } else if ((model.type ?? "custom_model") === "mlflow_model" && content.isFile) {
      ctx.report(at("model", "path"), "must be a folder for an mlflow_model: an MLflow model is a folder with an MLmodel file at its top", model.path);
    }
  }
}

/** An id, `azureml:<name>:<version>`, or exactly one of an image and a build context. */
function checkEnvironmentAsset(environment: EnvironmentAssetConfig, at: (...rest: PropertyKey[]) => PropertyKey[], ctx: RuleContext, outbound: Outbound): void {
  const { report } = ctx;
  if (environment.registered !== undefined) return;
  const build = environment.build;
  if (environment.id !== undefined) {
    checkEitherIdOrFields(environment, ["name", "version", "image", "build", "conda_file", "inference_config"], [], at("environment"), report);
    return;
  }
  // Both an image and a build, or a conda file with a build, are refused by the schema.
  if (environment.image === undefined && build === undefined) {
    report(at("environment", "image"), "is required unless environment.build gives a Docker build context or environment.id names an existing asset");
  }
  // A build context names its environment after its folder and versions it by its content.
  for (const field of build ? [] : (["name", "version"] as const)) {
    if (environment[field] === undefined) report(at("environment", field), "is required unless environment.build gives a Docker build context or environment.id names an existing asset");
  }
  const conda = environment.conda_file;
  if (conda !== undefined && !isFile(resolve(ctx.dir, conda))) {
    report(at("environment", "conda_file"), `must name an existing file (looked for ${resolve(ctx.dir, conda)})`, conda);
  } else if (conda !== undefined) {
    checkCondaHosts(conda, at("environment", "conda_file"), ctx, outbound);
  }
  if (build !== undefined) {
    const context = resolve(ctx.dir, build.path);
    if (!isFolder(context)) {
      report(at("environment", "build", "path"), `must name an existing folder, the Docker build context (looked for ${context})`, build.path);
      return;
    }
    reportBrokenLinks(ctx.localContent(context), at("environment", "build", "path"), build.path, report);
    const dockerfile = resolve(context, build.dockerfile_path);
    if (!isInside(context, dockerfile)) {
      report(at("environment", "build", "dockerfile_path"), "must be a path inside build.path", build.dockerfile_path);
    } else if (!isFile(dockerfile)) {
      report(at("environment", "build", "dockerfile_path"), `must name an existing file inside build.path: Azure ML builds the image from it (looked for ${dockerfile})`, build.dockerfile_path);
    }
  }
}

/**
 * Under `outbound: approved_only`, the environment image is built inside the managed network, which reaches only
 * `network.allowed_fqdns`: every channel and pip index of the conda file must be among them, or the build fails
 * when it downloads. Warned once per conda file, at the first deployment that names it.
 */
function checkCondaHosts(conda: string, at: PropertyKey[], ctx: RuleContext, outbound: Outbound): void {
  const full = resolve(ctx.dir, conda);
  if (outbound.allowed === undefined || outbound.condaChecked.has(full)) return;
  outbound.condaChecked.add(full);
  for (const source of condaSources(readFileSync(full, "utf8"))) {
    const missing = source.hosts.filter((host) => !hostAllowed(host, outbound.allowed!));
    if (missing.length === 0) continue;
    const hosts = missing.join(" and ");
    ctx.warn?.(
      "conda-host-not-allowed",
      at,
      `names ${source.what} at ${conda}:${source.line}, which downloads from ${hosts}, not in network.allowed_fqdns: ` +
        `under network.outbound approved_only the environment's image build cannot reach ${missing.length === 1 ? "it" : "them"}; ` +
        `add ${missing.map(withWildcard).join(" and ")} to network.allowed_fqdns`,
      conda,
    );
  }
}

/** `conda.anaconda.org (or *.anaconda.org)`: the host, and the wildcard rule that covers its siblings too. */
function withWildcard(host: string): string {
  const labels = host.split(".");
  // `*.pypi.org` would not cover pypi.org itself.
  return labels.length > 2 ? `${host} (or *.${labels.slice(1).join(".")})` : host;
}

/** The files (by their report function) already told about each folder's broken links: once per folder and file. */
const brokenLinksReported = new WeakMap<LocalContent, WeakSet<Report>>();

/**
 * A folder to upload with a link that points at nothing: the upload would fail on it, so the file says so first, at
 * the first field that names the folder (an online and a batch deployment often share one code folder).
 */
function reportBrokenLinks(content: LocalContent, at: PropertyKey[], value: string, report: Report): void {
  const links = content.brokenLinks ?? [];
  if (links.length === 0) return;
  const reported = brokenLinksReported.get(content) ?? new WeakSet<Report>();
  brokenLinksReported.set(content, reported);
  if (reported.has(report)) return;
  reported.add(report);
  report(at, `must not hold links that point at nothing (${links.join(", ")}): they cannot be uploaded; remove them or point them at a file`, value);
}

function isFile(path: string): boolean {
  return existsSync(path) && statSync(path).isFile();
}

function isFolder(path: string): boolean {
  return existsSync(path) && statSync(path).isDirectory();
}

function isInside(folder: string, path: string): boolean {
  const inside = relative(folder, path);
  return inside !== "" && !inside.startsWith("..") && !isAbsolute(inside);
}

function checkEitherIdOrFields(
  asset: object,
  fields: readonly string[],
  required: readonly string[],
  at: readonly PropertyKey[],
  report: Report,
): void {
  const values = asset as Record<string, unknown>;
  if (values.id !== undefined) {
    const extra = fields.filter((f) => values[f] !== undefined);
    if (extra.length > 0) {
      report([...at, extra[0]], `must not be set together with ${fieldName(at)}.id: give either an id or ${fields.join(", ")}`, values[extra[0]]);
    }
    return;
  }
  for (const f of required) {
    if (values[f] === undefined) {
      report([...at, f], `is required unless ${fieldName(at)}.id names an existing asset`);
    }
  }
}

function fieldName(path: readonly PropertyKey[]): string {
  return String(path[path.length - 1]);
}

function checkUniqueNames(items: readonly { readonly name: string }[], at: PropertyKey[], report: Report): void {
  const seen = new Map<string, number>();
  items.forEach((item, i) => {
    const key = item.name.toLowerCase();
    const first = seen.get(key);
    if (first !== undefined) {
      report([...at, i, "name"], `must be unique: ${at.join(".")}[${first}] has the same name`, item.name);
    } else {
      seen.set(key, i);
    }
  });
}

/**
 * The same asset name and version must mean the same thing everywhere in a file: versions are immutable in Azure ML.
 *
 * A local model or build context counts by its content (and folder name, which is part of the mount path), with the
 * name and version it gets when the config leaves them out.
 */
function checkAssetConsistency(config: ServingConfig, ctx: RuleContext): void {
  const uses: { path: PropertyKey[]; d: Deployable }[] = [
    ...config.endpoints.flatMap((e) => e.deployments.map((d, i) => ({ path: [...e.at, "deployments", i] as PropertyKey[], d: d as Deployable }))),
    ...config.batch.flatMap((b, i) => b.deployments.map((d, j) => ({ path: ["batch", i, "deployments", j] as PropertyKey[], d: d as Deployable }))),
  ];
  /** Name, version and content of a local file or folder, when it exists. */
  const local = (path: string | undefined, name: string | undefined, version: string | undefined) => {
    const full = path === undefined ? undefined : resolve(ctx.dir, path);
    if (full === undefined || !existsSync(full)) return undefined;
    const content = ctx.localContent(full);
    return { name: name ?? content.name, version: version ?? content.contentHash.slice(0, 12), content: [content.contentHash, basename(full), content.isFile] };
  };
  const models = new Map<string, { path: PropertyKey[]; sig: string }>();
  const envs = new Map<string, { path: PropertyKey[]; sig: string }>();
  const check = (
    seen: Map<string, { path: PropertyKey[]; sig: string }>,
    kind: "model" | "environment",
    path: PropertyKey[],
    name: string | undefined,
    version: string | undefined,
    sig: string,
    hashed: boolean,
  ) => {
    if (name === undefined || version === undefined) return;
    const key = `${name.toLowerCase()}@${version}`;
    const first = seen.get(key);
    const where = [...(first?.path ?? []), kind].map(String).join(".");
    if (first === undefined) {
      seen.set(key, { path, sig });
    } else if (first.sig !== sig && hashed) {
      // The version is not in the file: it is the content hash, which both share.
      ctx.report([...path, kind], `must be defined the same way as at ${where}: both are ${name} version ${version} (the hash of the same content); give one of them another name or a version`);
    } else if (first.sig !== sig) {
      ctx.report([...path, kind, "version"], `must change when the ${kind} changes: ${name} version ${version} is defined differently at ${where}`, version);
    }
  };
  for (const { path, d } of uses) {
    const m = d.model;
    const uploaded = m.id === undefined && m.path !== undefined && isLocalPath(m.path) ? local(m.path, m.name, m.version) : undefined;
    // A local path that names nothing is reported by checkModel already; comparing it would add a false difference
    // (most often a typo of the sibling's path) as a second problem.
    const modelMissing = m.id === undefined && m.path !== undefined && isLocalPath(m.path) && uploaded === undefined;
    const modelSig = JSON.stringify([uploaded?.content ?? m.path, m.type ?? "custom_model", m.description]);
    if (!modelMissing) check(models, "model", path, uploaded?.name ?? m.name, uploaded?.version ?? m.version, modelSig, m.version === undefined);
    const e = d.environment;
    if (!e || e.id !== undefined || e.registered !== undefined) continue;
    // A conda file or build context that is not there is reported by checkEnvironmentAsset already, for the same reason.
    if ((e.conda_file !== undefined && !isFile(resolve(ctx.dir, e.conda_file))) || (e.build !== undefined && !isFolder(resolve(ctx.dir, e.build.path)))) continue;
    const built = e.build && local(e.build.path, e.name, e.version);
    const envSig = JSON.stringify([e.image, e.conda_file, built?.content, e.build?.dockerfile_path, e.inference_config, e.description]);
    check(envs, "environment", path, built?.name ?? e.name, built?.version ?? e.version, envSig, e.version === undefined);
  }
}

/**
 * Custom-logging collections (any name but request and response) are filled only by an `azureml-ai-monitoring`
 * `Collector` of that name in a scoring script. A deployment without code whose environment is given serves requests
 * with its own container (a custom container; an environment referenced by id may be one), so it has no score.py to
 * fill them: the data assets are registered and stay empty. Payload logging works there; it is done by the server.
 * An MLflow model deployed without an environment and code gets a scoring script from Azure ML, so it is left alone.
 */
function checkCustomLogging(d: OnlineDeploymentConfig, at: (...rest: PropertyKey[]) => PropertyKey[], ctx: RuleContext): void {
  if (!ctx.warn || !d.data_collector || d.code !== undefined || d.environment === undefined) return;
  for (const [name, collection] of Object.entries(d.data_collector.collections)) {
    if (!collection.enabled || isPayloadCollection(name)) continue;
    ctx.warn(
      "collector-without-scoring-script",
      at("data_collector", "collections", name),
      `collects nothing here: custom logging is filled by Collector(name="${name}") from azureml-ai-monitoring in a scoring script, ` +
        "and this deployment runs a container without one (code is not set); collect request and response for payload logging",
    );
  }
}

/**
 * A collection is registered as a data asset version, which is immutable in Azure ML and one Terraform resource:
 * collections that resolve to the same name and version (as az ml names them, or as `data` says) must point at the
 * same folder.
 */
function checkCollectionDataAssets(endpoint: EndpointConfig, ctx: RuleContext): void {
  const seen = new Map<string, { where: string; path: string }>();
  endpoint.deployments.forEach((d, i) => {
    for (const [name, collection] of Object.entries(d.data_collector?.collections ?? {})) {
      const asset = collectionDataAsset(endpoint.name, d.name, name, collection.data);
      const at = [...endpoint.at, "deployments", i, "data_collector", "collections", name];
      const key = `${asset.name.toLowerCase()}@${asset.version}`;
      const first = seen.get(key);
      if (first === undefined) {
        seen.set(key, { where: fieldPath(at), path: asset.path });
      } else if (first.path !== asset.path) {
        ctx.report(
          [...at, "data"],
          `must name another data asset version than ${first.where}: both register ${asset.name} version ${asset.version}, ` +
            `at ${first.path} and ${asset.path}, and a version cannot change; give one of them another data.name or data.version`,
        );
      }
    }
  });
}

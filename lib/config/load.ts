import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { basename, isAbsolute, join, relative, resolve } from "node:path";
import { isMap, isScalar, isSeq, LineCounter, parseDocument, visit, type Document } from "yaml";
import { readLocalContent, type CodeBundle, type LocalContent } from "./code-bundle";
import { checkDeployOrder } from "./deploy-order";
import { ConfigError, fieldPath, type ConfigProblem, type ConfigWarning } from "./errors";
import { azMlKeyHint, azMlValueHint } from "./az-ml-spellings";
import { allowedKeys, closestKey, ruleOf, unionBranchIssues } from "./issues";
import type * as z from "zod";
import { checkEnvironment, checkSection, isLocalPath, type Report, type RuleContext, type Warn } from "./rules";
import { batchEndpointSchema, configSchema, endpointSchema, ENV_NAME_PATTERN, listedEndpointSchema, type ServingConfig } from "./schema";

/** One environment, validated: defaults applied and local paths made absolute. */
export interface LoadedEnvironment {
  /** The environment name: the file name without `.yaml`. */
  readonly name: string;
  /** The file, as shown in messages. */
  readonly file: string;
  readonly config: ServingConfig;
  /** Code folders this environment uploads, by absolute path, listed and hashed once. */
  readonly codeBundles: ReadonlyMap<string, CodeBundle>;
  /** Local model files and folders and Docker build contexts this environment uploads, by absolute path. */
  readonly uploads: ReadonlyMap<string, LocalContent>;
  /** What synthesizes but likely will not deploy or behave as meant, in line order; waived ones say why. */
  readonly warnings: readonly ConfigWarning[];
  /** The line of each `deploy.after` entry, for the checks across files (which know no YAML). */
  readonly deployAfterLines?: readonly (number | undefined)[];
  /**
   * The 1-based line of a field in the file, for messages raised after loading (a guardrail naming the quota it
   * compares with, or the field it is about): the line of its deepest part the file writes, or undefined when the
   * file does not write its top-level section at all.
   * @default lines unknown
   */
  readonly lineOf?: (path: readonly PropertyKey[]) => number | undefined;
}

/** Where to read config from. */
export interface LoadOptions {
  /**
   * The config folder, absolute or relative to `projectRoot`.
   * @default "config"
   */
  readonly configDir?: string;
  /**
   * The folder relative config paths start from.
   * @default process.cwd()
   */
  readonly projectRoot?: string;
  /**
   * Text to read instead of a file's content, by absolute path: how `npm run import` checks a file before writing it.
   * @default every file read from disk
   */
  readonly contents?: ReadonlyMap<string, string>;
}

/**
 * The folder named by `SERVING_CONFIG_DIR`, or `config/`, resolved against the project root.
 *
 * An empty name counts as unset: `SERVING_CONFIG_DIR= npm run synth` would otherwise read the project root itself.
 */
export function resolveConfigDir(options: LoadOptions = {}): string {
  const root = options.projectRoot ?? process.cwd();
  return resolve(root, options.configDir || "config");
}

/**
 * Reads and validates every `*.yaml` file in the config folder.
 *
 * All files are checked before anything is returned, and every problem in every file is reported together.
 * @throws ConfigError listing each problem as `file:line: field: rule (got value)`
 */
export function loadEnvironments(options: LoadOptions = {}): LoadedEnvironment[] {
  const dir = resolveConfigDir(options);
  const shown = (path: string) => displayPath(path, options.projectRoot ?? process.cwd());
  if (!existsSync(dir) || !statSync(dir).isDirectory()) {
    throw new ConfigError([{ file: shown(dir), field: "", rule: "must be a folder of <env>.yaml files (set SERVING_CONFIG_DIR or create config/)" }]);
  }
  const problems: ConfigProblem[] = [];
  const names = readdirSync(dir).sort();
  for (const name of names.filter((n) => n.endsWith(".yml"))) {
    problems.push({ file: shown(join(dir, name)), field: "", rule: "must be renamed to end in .yaml: only *.yaml files are read" });
  }
  const yamlFiles = names.filter((n) => n.endsWith(".yaml"));
  if (yamlFiles.length === 0 && problems.length === 0) {
    problems.push({ file: shown(dir), field: "", rule: "must contain at least one <env>.yaml file" });
  }

  // Local code, models and build contexts are listed and hashed once per run, however many deployments share them.
  const contents = new Map<string, LocalContent>();
  const localContent = (path: string): LocalContent => {
    let content = contents.get(path);
    if (!content) {
      content = readLocalContent(path, dir);
      contents.set(path, content);
    }
    return content;
  };

  const loaded: LoadedEnvironment[] = [];
  for (const fileName of yamlFiles) {
    const path = join(dir, fileName);
    const result = loadFile(path, shown(path), localContent, options.contents?.get(path));
    problems.push(...result.problems);
    if (result.environment) loaded.push(result.environment);
  }
  if (problems.length === 0) problems.push(...checkAcrossFiles(loaded));
  if (problems.length > 0) throw new ConfigError(sortProblems(problems));
  return loaded;
}

interface FileResult {
  readonly problems: ConfigProblem[];
  readonly environment?: LoadedEnvironment;
}

function loadFile(path: string, file: string, localContent: (path: string) => LocalContent, text?: string): FileResult {
  const problems: ConfigProblem[] = [];
  const env = basename(path, ".yaml");
  if (!ENV_NAME_PATTERN.test(env)) {
    problems.push({
      file,
      field: "",
      rule: "file name must be <env>.yaml with <env> 2-10 lowercase letters or digits, starting with a letter",
      value: env,
      hasValue: true,
    });
  }

  const lineCounter = new LineCounter();
  const source = text ?? readFileSync(path, "utf8");
  const doc = parseDocument(source, { lineCounter, prettyErrors: false, uniqueKeys: true });
  const tabs = doc.errors.filter((error) => error.code === "TAB_AS_INDENT");
  if (tabs.length > 0) {
    // A tab breaks the structure of everything after it: the parser's other errors follow from it. The root problem
    // once, with every line a tab indents, so that one edit fixes them all.
    const lines = source.split(/\r?\n/).flatMap((l, i) => (/^[ ]*\t/.test(l) ? [i + 1] : []));
    const first = lineCounter.linePos(tabs[0].pos[0]).line;
    const others = lines.filter((l) => l !== first);
    problems.push({
      file,
      line: first,
      field: "",
      rule: `is not valid YAML: a tab indents this line; YAML indents with spaces only${others.length > 0 ? ` (tabs also indent line${others.length === 1 ? "" : "s"} ${others.join(", ")})` : ""}`,
    });
    return { problems };
  }
  if (doc.errors.length > 0) {
    for (const error of doc.errors) {
      const line = lineCounter.linePos(error.pos[0]).line;
      problems.push({ file, line, field: "", rule: `is not valid YAML: ${firstLine(error.message)}` });
    }
    return { problems };
  }
  let data: unknown;
  try {
    data = doc.toJS();
  } catch (error) {
    // The parser accepts an alias whose anchor comes later or never (`project: *x`); only conversion refuses it.
    const line = firstUnresolvedAlias(doc, lineCounter);
    problems.push({ file, line, field: "", rule: `is not valid YAML: ${firstLine((error as Error).message)}` });
    return { problems };
  }
  if (data === null || data === undefined) {
    problems.push({ file, field: "", rule: "is empty: it must be a mapping with at least project, location, state and compute" });
    return { problems };
  }

  const lineOf = (at: readonly PropertyKey[]) => locate(doc, lineCounter, at);
  const report: Report = (at, rule, ...value) => {
    problems.push({ file, line: lineOf(at), field: fieldPath(at), rule, value: value[0], hasValue: value.length > 0 });
  };

  const parsed = configSchema.safeParse(data, { reportInput: true });
  if (!parsed.success) {
    for (const issue of parsed.error.issues.flatMap(unionBranchIssues)) {
      if (issue.code === "unrecognized_keys") {
        const allowed = allowedKeys(configSchema, issue.path);
        for (const key of issue.keys) {
          const azMl = azMlKeyHint(key, issue.path);
          const hint = closestKey(key, allowed);
          report(
            [...issue.path, key],
            azMl !== undefined
              ? `is not a known key; ${azMl}`
              : `is not a known key${hint ? `; did you mean ${hint}?` : allowed.length > 0 ? ` (allowed: ${allowed.join(", ")})` : ""}`,
          );
        }
      } else if (
        (issue.input === undefined && (issue.code === "invalid_type" || issue.code === "custom" || issue.code === "invalid_union")) ||
        (issue.code === "custom" && issue.params?.missing === true)
      ) {
        // A missing field, or a rule about a field that names no value (see checkNetwork and the model rules).
        const rule = ruleOf(issue);
        const needs = rule === "is required" ? requiredInside(data, issue.path) : [];
        report(issue.path, needs.length > 0 ? `${rule}: a mapping with at least ${listed(needs)}` : rule);
      } else {
        const azMl = azMlValueHint(issue.path, issue.input);
        report(issue.path, azMl ?? ruleOf(issue), issue.input);
      }
    }
    checkCleanSections(data, parsed.error.issues.flatMap(unionBranchIssues), { dir: resolve(path, ".."), report, localContent });
    return { problems };
  }

  const dir = resolve(path, "..");
  const warnings: ConfigWarning[] = [];
  const warn: Warn = (id, at, rule, ...value) => {
    const waiver = parsed.data.waivers.find((w) => w.rule === id);
    warnings.push({
      id,
      file,
      line: lineOf(at),
      field: fieldPath(at),
      rule,
      value: value[0],
      hasValue: value.length > 0,
      ...(waiver ? { waivedBecause: waiver.reason } : {}),
    });
  };
  checkEnvironment(parsed.data, { dir, report, warn, localContent, existingWorkspace: parsed.data.workspace.existing_id !== undefined });
  if (problems.length > 0) return { problems };

  const config = withAbsolutePaths(parsed.data, dir);
  const codeBundles = new Map<string, CodeBundle>();
  const uploads = new Map<string, LocalContent>();
  for (const d of [...config.endpoints.flatMap((e) => e.deployments), ...config.batch.flatMap((b) => b.deployments)]) {
    if (d.code) codeBundles.set(d.code.path, localContent(d.code.path));
    for (const upload of [d.model.id === undefined ? localModelPath(d.model.path) : undefined, d.environment?.build?.path]) {
      if (upload !== undefined) uploads.set(upload, localContent(upload));
    }
  }
  const deployAfterLines = config.deploy.after.map((_, i) => lineOf(["deploy", "after", i]));
  // After loading, a field of a section the file does not write (a default) has no line: the document's first line
  // would point at something unrelated.
  const sections = isRecordValue(data) ? new Set(Object.keys(data)) : new Set<string>();
  const writtenLineOf = (at: readonly PropertyKey[]) => (at.length === 0 || sections.has(String(at[0])) ? lineOf(at) : undefined);
  return {
    problems,
    environment: { name: env, file, config, codeBundles, uploads, warnings: sortProblems(warnings), deployAfterLines, lineOf: writtenLineOf },
  };
}

/**
 * Runs the rules within an endpoint (traffic, mirror, unique names, local files) on each endpoint and batch endpoint
 * that parses on its own and has no problem of its own, while another part of the file has shape errors: so that a
 * user fixes the file in one pass. Sections with a problem are left alone, so nothing is reported twice, and rules that
 * read other sections wait for the whole file to parse.
 */
function checkCleanSections(data: unknown, issues: readonly z.core.$ZodIssue[], ctx: RuleContext): void {
  if (!isRecordValue(data)) return;
  // An issue at the root or at a section's key (a missing section, `endpoint` with `endpoints`) touches every item.
  const touched = (at: readonly PropertyKey[]) =>
    issues.some((issue) => issue.path.length === 0 || at.every((part, i) => i >= issue.path.length || String(issue.path[i]) === String(part)));
  const sections: { at: PropertyKey[]; value: unknown; schema: "endpoint" | "listed" | "batch" }[] = [
    ...(data.endpoint !== undefined ? [{ at: ["endpoint"] as PropertyKey[], value: data.endpoint, schema: "endpoint" as const }] : []),
    ...(Array.isArray(data.endpoints) ? data.endpoints.map((value, i) => ({ at: ["endpoints", i] as PropertyKey[], value, schema: "listed" as const })) : []),
    ...(Array.isArray(data.batch) ? data.batch.map((value, i) => ({ at: ["batch", i] as PropertyKey[], value, schema: "batch" as const })) : []),
  ];
  for (const { at, value, schema } of sections) {
    if (touched(at)) continue;
    if (schema === "batch") {
      const parsed = batchEndpointSchema.safeParse(value);
      if (parsed.success) checkSection({ kind: "batch", at, endpoint: parsed.data }, ctx);
    } else {
      const parsed = (schema === "endpoint" ? endpointSchema : listedEndpointSchema).safeParse(value);
      if (parsed.success) checkSection({ kind: "online", endpoint: { at, deployments: parsed.data.deployments } }, ctx);
    }
  }
}

/**
 * The keys a missing mapping must have, as the schema says: the file parsed again with an empty mapping in its place.
 * Empty when the missing field is not a mapping. So `state: is required` says what state needs.
 */
function requiredInside(data: unknown, path: readonly PropertyKey[]): string[] {
  if (path.length === 0 || allowedKeys(configSchema, path).length === 0) return [];
  const copy = structuredClone(data);
  let parent: unknown = copy;
  for (const part of path.slice(0, -1)) parent = isRecordValue(parent) || Array.isArray(parent) ? (parent as Record<PropertyKey, unknown>)[part as string] : undefined;
  if (!isRecordValue(parent)) return [];
  parent[String(path[path.length - 1])] = {};
  const parsed = configSchema.safeParse(copy, { reportInput: true });
  if (parsed.success) return [];
  const inside = (p: readonly PropertyKey[]) => p.length === path.length + 1 && path.every((part, i) => String(p[i]) === String(part));
  const keys = parsed.error.issues
    .flatMap(unionBranchIssues)
    .filter((i) => inside(i.path) && i.input === undefined && (i.code === "invalid_type" || i.code === "custom" || i.code === "invalid_union"))
    .map((i) => String(i.path[path.length]));
  return [...new Set(keys)];
}

/** `a`, `a and b`, `a, b and c`. */
function listed(items: readonly string[]): string {
  return items.length === 1 ? items[0] : `${items.slice(0, -1).join(", ")} and ${items[items.length - 1]}`;
}

function isRecordValue(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Rules between files: one state account is one bootstrap stack, and endpoint host names are regional. */
function checkAcrossFiles(environments: readonly LoadedEnvironment[]): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  const stateGroups = new Map<string, LoadedEnvironment>();
  const hosts = new Map<string, LoadedEnvironment>();
  for (const e of environments) {
    const state = e.config.state;
    const first = stateGroups.get(state.storage_account);
    if (!first) {
      stateGroups.set(state.storage_account, e);
    } else {
      const shared = [
        ["state.resource_group", first.config.state.resource_group, state.resource_group],
        ["state.container", first.config.state.container, state.container],
        // An unset subscription is taken from ARM_SUBSCRIPTION_ID; two different explicit ones cannot share an account.
        ["subscription_id", first.config.subscription_id ?? e.config.subscription_id, e.config.subscription_id ?? first.config.subscription_id],
      ] as const;
      for (const [field, expected, actual] of shared) {
        if (expected !== actual) {
          problems.push({
            file: e.file,
            field,
            rule: `must match ${first.file} (${expected}), which uses the same state.storage_account`,
            value: actual,
            hasValue: true,
          });
        }
      }
    }
    const endpointNames = [
      ...e.config.endpoints.map((endpoint) => [fieldPath([...endpoint.at, "name"]), endpoint.name] as const),
      ...e.config.batch.map((b, i) => [`batch[${i}].name`, b.name] as const),
    ];
    for (const [field, name] of endpointNames) {
      const key = `${name.toLowerCase()}.${e.config.location}`;
      const owner = hosts.get(key);
      if (owner && owner !== e) {
        problems.push({
          file: e.file,
          field,
          rule: `must be unique in ${e.config.location}: ${owner.file} uses it too, and endpoint names are regional DNS names`,
          value: name,
          hasValue: true,
        });
      } else {
        hosts.set(key, e);
      }
    }
  }
  problems.push(...checkDeployOrder(environments.map((e) => ({ name: e.name, file: e.file, after: e.config.deploy.after, afterLines: e.deployAfterLines }))));
  return problems;
}

/** The path of a model's local files, or undefined when the model is not uploaded from here. */
function localModelPath(path: string | undefined): string | undefined {
  return path !== undefined && isLocalPath(path) ? path : undefined;
}

function withAbsolutePaths(config: ServingConfig, dir: string): ServingConfig {
  const fix = <T extends Pick<ServingConfig["batch"][number]["deployments"][number], "model" | "environment" | "code">>(d: T): T => ({
    ...d,
    model: { ...d.model, path: localModelPath(d.model.path) === undefined ? d.model.path : resolve(dir, d.model.path!) },
    environment: d.environment && {
      ...d.environment,
      conda_file: d.environment.conda_file === undefined ? undefined : resolve(dir, d.environment.conda_file),
      build: d.environment.build && { ...d.environment.build, path: resolve(dir, d.environment.build.path) },
    },
    code: d.code && { ...d.code, path: resolve(dir, d.code.path) },
  });
  return {
    ...config,
    endpoints: config.endpoints.map((e) => ({ ...e, deployments: e.deployments.map(fix) })),
    batch: config.batch.map((b) => ({ ...b, deployments: b.deployments.map(fix) })),
  };
}

/** The line of the first alias with no anchor before it, which is what makes a parsed document fail to convert. */
function firstUnresolvedAlias(doc: Document, lineCounter: LineCounter): number | undefined {
  let line: number | undefined;
  visit(doc, {
    Alias(_, node) {
      if (node.resolve(doc) !== undefined) return undefined;
      if (node.range) line = lineCounter.linePos(node.range[0]).line;
      return visit.BREAK;
    },
  });
  return line;
}

/** The 1-based line of the deepest node of `path` that exists in the document. */
export function locate(doc: Document, lineCounter: LineCounter, path: readonly PropertyKey[]): number | undefined {
  let node: unknown = doc.contents;
  let offset: number | undefined = (doc.contents as { range?: [number] } | null)?.range?.[0];
  for (const part of path) {
    if (isMap(node)) {
      const pair = node.items.find((item) => isScalar(item.key) && String(item.key.value) === String(part));
      if (!pair) break;
      offset = (pair.key as { range?: [number] }).range?.[0] ?? offset;
      node = pair.value;
    } else if (isSeq(node) && typeof part === "number") {
      const item = node.items[part] as { range?: [number] } | undefined;
      if (!item) break;
      offset = item.range?.[0] ?? offset;
      node = item;
    } else {
      break;
    }
  }
  return offset === undefined ? undefined : lineCounter.linePos(offset).line;
}

function firstLine(message: string): string {
  return message.split("\n")[0].replace(/ at line \d+, column \d+:?$/, "");
}

function displayPath(path: string, root: string): string {
  const rel = relative(root, path);
  return rel !== "" && !rel.startsWith("..") && !isAbsolute(rel) ? rel : path;
}

/** Files in name order, and within a file in line order, so the list reads top to bottom. */
function sortProblems<T extends ConfigProblem>(problems: T[]): T[] {
  return problems
    .map((problem, index) => ({ problem, index }))
    .sort((a, b) =>
      a.problem.file !== b.problem.file
        ? a.problem.file < b.problem.file ? -1 : 1
        : (a.problem.line ?? 0) - (b.problem.line ?? 0) || a.index - b.index,
    )
    .map(({ problem }) => problem);
}

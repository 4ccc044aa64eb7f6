import { existsSync, statSync } from "node:fs";
import { isAbsolute, relative, resolve } from "node:path";
import { CODE_LIMITS, type CodeBundle } from "./code-bundle";
import type {
  CodeConfig,
  EnvironmentAssetConfig,
  ModelConfig,
  ServingConfig,
} from "./schema";

/** Reports one problem at a field path; `value` is what the file says there. */
export type Report = (path: readonly PropertyKey[], rule: string, value?: unknown) => void;

/** What the cross-field rules need besides the config itself. */
export interface RuleContext {
  /** Absolute folder of the config file: relative paths resolve from here. */
  readonly dir: string;
  readonly report: Report;
  /** Reads a code folder once per run, however many deployments share it. */
  readonly codeBundle: (absolutePath: string) => CodeBundle;
}

/** The rules that span fields of one file: bounds between fields, traffic, assets and local files. */
export function checkEnvironment(config: ServingConfig, ctx: RuleContext): void {
  const { report } = ctx;
  const compute = config.compute;

  const endpoint = config.endpoint;
  if (endpoint) {
    const base = ["endpoint", "deployments"] as const;
    checkUniqueNames(endpoint.deployments, [...base], report);
    const deployments = endpoint.deployments;
    const total = deployments.reduce((sum, d) => sum + d.traffic, 0);
    if (total !== 100 && total !== 0) {
      report(
        ["endpoint", "deployments"],
        `traffic must add up to 100 across deployments, or be 0 for all (got ${deployments
          .map((d) => `${d.name}=${d.traffic}`)
          .join(", ")}, total ${total})`,
      );
    }
    const mirrored = deployments.filter((d) => d.mirror_traffic > 0);
    if (mirrored.length > 1) {
      report(
        ["endpoint", "deployments"],
        `mirror_traffic may be set on at most one deployment (got ${mirrored.map((d) => d.name).join(", ")})`,
      );
    }
    deployments.forEach((d, i) => {
      const at = (...rest: PropertyKey[]) => [...base, i, ...rest];
      if (d.mirror_traffic > 0 && d.traffic > 0) {
        report(at("mirror_traffic"), `must be 0 on a deployment that takes live traffic (traffic is ${d.traffic})`, d.mirror_traffic);
      }
      if (d.mirror_traffic > 0 && total === 0) {
        report(at("mirror_traffic"), "must be 0 while no deployment takes live traffic: a mirror copies live requests", d.mirror_traffic);
      }
      const autoscale = d.autoscale;
      if (autoscale) {
        if (autoscale.min_instances > d.instance_count) {
          report(at("autoscale", "min_instances"), `must be <= instance_count (${d.instance_count})`, autoscale.min_instances);
        }
        if (autoscale.max_instances < d.instance_count) {
          report(at("autoscale", "max_instances"), `must be >= instance_count (${d.instance_count})`, autoscale.max_instances);
        }
        if (autoscale.scale_in_cpu_percent > autoscale.scale_out_cpu_percent - 10) {
          report(
            at("autoscale", "scale_in_cpu_percent"),
            `must be at least 10 points below scale_out_cpu_percent (${autoscale.scale_out_cpu_percent}) so that scaling does not flap`,
            autoscale.scale_in_cpu_percent,
          );
        }
      }
      checkAssets(d, at, ctx);
    });
  }

  checkUniqueNames(config.batch, ["batch"], report);
  config.batch.forEach((b, i) => {
    const at = (...rest: PropertyKey[]) => ["batch", i, "deployment", ...rest];
    if (endpoint && b.name.toLowerCase() === endpoint.name.toLowerCase()) {
      report(["batch", i, "name"], `must differ from endpoint.name: both become <name>.${config.location}.inference.ml.azure.com`, b.name);
    }
    if (b.deployment.instance_count > compute.max_nodes) {
      report(at("instance_count"), `must be <= compute.max_nodes (${compute.max_nodes}): batch jobs run on that cluster`, b.deployment.instance_count);
    }
    checkAssets(b.deployment, at, ctx);
  });

  checkAssetConsistency(config, report);

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

interface Deployable {
  readonly model: ModelConfig;
  readonly environment?: EnvironmentAssetConfig;
  readonly code?: CodeConfig;
}

function checkAssets(d: Deployable, at: (...rest: PropertyKey[]) => PropertyKey[], ctx: RuleContext): void {
  const { report } = ctx;
  checkEitherIdOrFields(d.model, ["name", "version", "path", "type"], at("model"), report);
  if (d.environment) {
    checkEitherIdOrFields(d.environment, ["name", "version", "image"], at("environment"), report);
    if (d.environment.id !== undefined && d.environment.conda_file !== undefined) {
      report(at("environment", "conda_file"), "must not be set together with environment.id", d.environment.conda_file);
    }
  }
  const type = d.model.type;
  if (type === "custom_model" || type === "triton_model") {
    if (!d.environment) report(at("environment"), `is required for a ${type}: only mlflow_model deploys without one`);
    if (!d.code) report(at("code"), `is required for a ${type}: only mlflow_model deploys without a scoring script`);
  }
  if (d.code && !d.environment) {
    report(at("environment"), "is required when code is given: the scoring script runs in it");
  }

  const conda = d.environment?.conda_file;
  if (conda !== undefined) {
    const full = resolve(ctx.dir, conda);
    if (!existsSync(full) || !statSync(full).isFile()) {
      report(at("environment", "conda_file"), `must name an existing file (looked for ${full})`, conda);
    }
  }
  if (d.code) {
    const folder = resolve(ctx.dir, d.code.path);
    if (!existsSync(folder) || !statSync(folder).isDirectory()) {
      report(at("code", "path"), `must name an existing folder (looked for ${folder})`, d.code.path);
      return;
    }
    const script = resolve(folder, d.code.scoring_script);
    const inside = relative(folder, script);
    if (inside.startsWith("..") || isAbsolute(inside)) {
      report(at("code", "scoring_script"), "must be a path inside code.path", d.code.scoring_script);
    } else if (!existsSync(script) || !statSync(script).isFile()) {
      report(at("code", "scoring_script"), `must name an existing file inside code.path (looked for ${script})`, d.code.scoring_script);
    }
    const bundle = ctx.codeBundle(folder);
    if (bundle.files.length > CODE_LIMITS.files) {
      report(at("code", "path"), `must hold at most ${CODE_LIMITS.files} files, Azure ML's snapshot limit (has ${bundle.files.length})`, d.code.path);
    }
    if (bundle.sizeBytes > CODE_LIMITS.sizeBytes) {
      report(at("code", "path"), `must hold at most 300 MB, Azure ML's snapshot limit (has ${Math.ceil(bundle.sizeBytes / 1048576)} MB)`, d.code.path);
    }
  }
}

function checkEitherIdOrFields(
  asset: object,
  fields: readonly string[],
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
  for (const f of fields) {
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

/** The same asset name and version must mean the same thing everywhere in a file: versions are immutable in Azure ML. */
function checkAssetConsistency(config: ServingConfig, report: Report): void {
  const uses: { path: PropertyKey[]; d: Deployable }[] = [
    ...(config.endpoint?.deployments ?? []).map((d, i) => ({ path: ["endpoint", "deployments", i] as PropertyKey[], d })),
    ...config.batch.map((b, i) => ({ path: ["batch", i, "deployment"] as PropertyKey[], d: b.deployment as Deployable })),
  ];
  const models = new Map<string, { path: PropertyKey[]; sig: string }>();
  const envs = new Map<string, { path: PropertyKey[]; sig: string }>();
  const check = (
    seen: Map<string, { path: PropertyKey[]; sig: string }>,
    kind: "model" | "environment",
    path: PropertyKey[],
    name: string | undefined,
    version: string | undefined,
    sig: string,
  ) => {
    if (name === undefined || version === undefined) return;
    const key = `${name.toLowerCase()}@${version}`;
    const first = seen.get(key);
    if (first === undefined) {
      seen.set(key, { path, sig });
    } else if (first.sig !== sig) {
      report([...path, kind, "version"], `must change when the ${kind} changes: ${name} version ${version} is defined differently at ${[...first.path, kind].map(String).join(".")}`, version);
    }
  };
  for (const { path, d } of uses) {
    check(models, "model", path, d.model.name, d.model.version, JSON.stringify([d.model.path, d.model.type]));
    const e = d.environment;
    if (e) check(envs, "environment", path, e.name, e.version, JSON.stringify([e.image, e.conda_file]));
  }
}

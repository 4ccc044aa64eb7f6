import { existsSync, readFileSync } from "node:fs";
import { resolve } from "node:path";
import {
  AUTOSCALE_LIMITS,
  clockMinutes,
  METRIC_TRAITS,
  plannedRecurrences,
  schedulesOverlap,
  type AutoscaleMetricName,
  type WeeklySchedule,
} from "./autoscale";
import { closestName, INSTANCE_TYPES, instanceType, knownFamily, QUOTA_FAMILIES } from "./instance-types";
import type { RuleContext } from "./rules";
import type { AutoscaleConfig, EndpointConfig, OnlineDeploymentConfig, ServingConfig } from "./schema";

/**
 * The rules about scaling that span fields: instance types against the SKU table, GPU metrics and images, autoscale
 * rules and schedules against Azure's limits and against flapping, quota names, and the expected load's headroom.
 */

/** One rule as it will be sent, with the config path it came from (for file:line). */
export interface EffectiveRule {
  readonly metric: AutoscaleMetricName;
  readonly scale_out_above: number;
  readonly scale_in_below?: number;
  /** Minutes; undefined takes the construct's default of 5. */
  readonly window?: number;
  /** Where it is written: `["rules", i]`, or `["scale_out_cpu_percent"]` for the CPU rule of the older fields. */
  readonly at: readonly PropertyKey[];
}

/**
 * The rules a deployment scales by: `rules`, after the CPU rule of `scale_out_cpu_percent`/`scale_in_cpu_percent`
 * when those are given, or that CPU rule alone (70/30 by default) when there are no `rules`.
 */
export function effectiveRules(autoscale: AutoscaleConfig): EffectiveRule[] {
  const legacyGiven = autoscale.scale_out_cpu_percent !== undefined || autoscale.scale_in_cpu_percent !== undefined;
  const legacy: EffectiveRule = {
    metric: "cpu_percent",
    scale_out_above: autoscale.scale_out_cpu_percent ?? 70,
    scale_in_below: autoscale.scale_in_cpu_percent ?? 30,
    at: [autoscale.scale_out_cpu_percent !== undefined ? "scale_out_cpu_percent" : "scale_in_cpu_percent"],
  };
  const listed = (autoscale.rules ?? []).map((r, i): EffectiveRule => ({ ...r, at: ["rules", i] }));
  if (autoscale.rules === undefined) return [legacy];
  return legacyGiven ? [legacy, ...listed] : listed;
}

/** The most instances a deployment can reach: its autoscale ceiling over every profile, else its instance count. */
export function maxInstancesOf(d: OnlineDeploymentConfig): number {
  const a = d.autoscale;
  return a ? Math.max(a.max_instances, ...a.schedules.map((s) => s.max_instances)) : d.instance_count;
}

/** The fewest instances a deployment can run on: its autoscale floor over every profile, else its instance count. */
export function minInstancesOf(d: OnlineDeploymentConfig): number {
  const a = d.autoscale;
  return a ? Math.min(a.min_instances, ...a.schedules.map((s) => s.min_instances)) : d.instance_count;
}

/**
 * Managed online endpoints serve at most 500 requests per second across their deployments unless a support request
 * raises it ("Manage and increase quotas", managed online endpoint limits).
 * @see https://learn.microsoft.com/azure/machine-learning/how-to-manage-quotas#azure-machine-learning-online-endpoints-and-batch-endpoints
 */
export const ENDPOINT_REQUESTS_PER_SECOND_LIMIT = 500;

/** Image names that say they carry CUDA; anything else on a GPU size is warned about (see README). */
const GPU_IMAGE = /cuda|gpu|nvidia|nvcr\.io|triton/i;

/** Instance type, GPU, autoscale and schedule rules of one online deployment. */
export function checkDeploymentScaling(
  d: OnlineDeploymentConfig,
  at: (...rest: PropertyKey[]) => PropertyKey[],
  endpoint: EndpointConfig,
  ctx: RuleContext,
): void {
  const { report } = ctx;
  const sku = instanceType(d.instance_type);
  if (sku === undefined || !sku.onlineEndpoint) {
    const online = INSTANCE_TYPES.filter((t) => t.onlineEndpoint).map((t) => t.name);
    const hint = closestName(d.instance_type, online);
    report(
      at("instance_type"),
      `must be a managed online endpoint VM size from Microsoft's SKU list (lib/config/instance-types.ts)${sku ? `: ${sku.name} is offered for compute clusters only` : ""}${hint ? `; did you mean ${hint}?` : ""}`,
      d.instance_type,
    );
  }
  if (sku && sku.gpus > 0) checkGpuImage(d, at, ctx, sku.name);

  const autoscale = d.autoscale;
  if (!autoscale) return;
  if (autoscale.min_instances > d.instance_count) {
    report(at("autoscale", "min_instances"), `must be <= instance_count (${d.instance_count})`, autoscale.min_instances);
  }
  if (autoscale.max_instances < d.instance_count) {
    report(at("autoscale", "max_instances"), `must be >= instance_count (${d.instance_count})`, autoscale.max_instances);
  }
  const out = autoscale.scale_out_cpu_percent ?? 70;
  const within = autoscale.scale_in_cpu_percent ?? 30;
  if (within > out - 10) {
    report(
      at("autoscale", autoscale.scale_in_cpu_percent !== undefined ? "scale_in_cpu_percent" : "scale_out_cpu_percent"),
      autoscale.scale_in_cpu_percent !== undefined
        ? `must be at least 10 points below scale_out_cpu_percent (${out}) so that scaling does not flap`
        : `must be at least 10 points above scale_in_cpu_percent (${within}) so that scaling does not flap`,
      autoscale.scale_in_cpu_percent ?? autoscale.scale_out_cpu_percent,
    );
  }
  const legacyGiven = autoscale.scale_out_cpu_percent !== undefined || autoscale.scale_in_cpu_percent !== undefined;
  const cpuRule = (autoscale.rules ?? []).findIndex((r) => r.metric === "cpu_percent");
  if (legacyGiven && cpuRule >= 0) {
    report(
      at("autoscale", "rules", cpuRule, "metric"),
      "must not repeat the CPU rule that scale_out_cpu_percent/scale_in_cpu_percent already make: give the CPU thresholds in one place",
      "cpu_percent",
    );
  }

  const rules = effectiveRules(autoscale);
  const floor = minInstancesOf(d);
  const seen = new Map<AutoscaleMetricName, number>();
  for (const rule of rules) {
    const traits = METRIC_TRAITS[rule.metric];
    const where = (...rest: PropertyKey[]) => at("autoscale", ...rule.at, ...rest);
    const first = seen.get(rule.metric);
    if (first !== undefined && rule.at[0] === "rules") {
      report(where("metric"), `must not repeat a metric: autoscale.rules[${first}] scales on ${rule.metric} already`, rule.metric);
    } else if (rule.at[0] === "rules") {
      seen.set(rule.metric, rule.at[1] as number);
    }
    if (rule.at[0] !== "rules") continue;
    if (traits.gpu && sku && sku.gpus === 0) {
      report(where("metric"), `must not be a GPU metric on ${sku.name}, which has no GPU: Azure publishes no ${rule.metric} for it, so the rule would never fire`, rule.metric);
    }
    if (traits.kind === "percent" && rule.scale_out_above > 100) {
      report(where("scale_out_above"), "must be at most 100: the metric is a percentage", rule.scale_out_above);
    }
    if (rule.metric === "active_connections" && endpoint.deployments.length > 1) {
      report(
        where("metric"),
        `must not be active_connections on an endpoint with ${endpoint.deployments.length} deployments: ConnectionsActive has no deployment dimension, so every deployment would scale on the whole endpoint's connections; use requests_per_minute`,
        rule.metric,
      );
    }
    const inBelow = rule.scale_in_below;
    if (inBelow === undefined) continue;
    const flap = flapLimit(traits.kind, rule.scale_out_above, floor);
    if (inBelow > flap.most) {
      report(where("scale_in_below"), `must be at most ${round(flap.most)} (${flap.why}) so that scaling does not flap`, inBelow);
    }
  }
  const azureRules = rules.length + rules.filter((r) => r.scale_in_below !== undefined).length;
  if (azureRules > AUTOSCALE_LIMITS.rulesPerProfile) {
    report(
      at("autoscale", "rules"),
      `must make at most ${AUTOSCALE_LIMITS.rulesPerProfile} Azure rules per profile (each rule is a scale-out rule, plus a scale-in rule with scale_in_below; the CPU fields make two)`,
      azureRules,
    );
  }
  checkSchedules(autoscale, (...rest) => at("autoscale", ...rest), ctx);
}

/** How far below scale-out a scale-in threshold may sit, and why. */
function flapLimit(kind: "percent" | "per-instance-count" | "latency", out: number, floor: number): { most: number; why: string } {
  switch (kind) {
    case "percent":
      return { most: out - 10, why: `10 points below scale_out_above, ${out}` };
    case "per-instance-count":
      // Removing one of n + 1 instances spreads their load over n: per-instance load grows by (n + 1) / n, most at
      // the floor. Below this, the instances that remain stay under the scale-out threshold.
      return { most: (out * floor) / (floor + 1), why: `scale_out_above × ${floor}/${floor + 1}: after scaling in to ${floor} instances, the same requests spread over one instance fewer` };
    case "latency":
      return { most: out * 0.7, why: `30 % below scale_out_above, ${out} ms` };
  }
}

function round(n: number): number {
  return Math.floor(n * 100) / 100;
}

/** Schedules: bounds, unique names, one time zone, no overlaps, and Azure's 20 profiles. */
function checkSchedules(autoscale: AutoscaleConfig, at: (...rest: PropertyKey[]) => PropertyKey[], ctx: RuleContext): void {
  const { report } = ctx;
  const weekly: WeeklySchedule[] = [];
  autoscale.schedules.forEach((s, i) => {
    if (s.min_instances > s.max_instances) {
      report(at("schedules", i, "min_instances"), `must be <= max_instances (${s.max_instances})`, s.min_instances);
    }
    if (s.start === s.end) {
      report(at("schedules", i, "end"), "must differ from start: a schedule must last some time", s.end);
    }
    const first = autoscale.schedules.findIndex((t) => t.name.toLowerCase() === s.name.toLowerCase());
    if (first < i) report(at("schedules", i, "name"), `must be unique: autoscale.schedules[${first}] has the same name`, s.name);
    if (s.timezone !== autoscale.schedules[0].timezone) {
      report(
        at("schedules", i, "timezone"),
        `must be the time zone of autoscale.schedules[0] (${autoscale.schedules[0].timezone}): overlaps between zones depend on daylight saving time, so they cannot be ruled out here`,
        s.timezone,
      );
    }
    weekly.push({ name: s.name, days: s.days, startMinute: clockMinutes(s.start)!, endMinute: clockMinutes(s.end)! });
  });
  weekly.forEach((s, i) => {
    const other = weekly.findIndex((t, j) => j < i && schedulesOverlap(s, t));
    if (other >= 0) {
      report(
        at("schedules", i),
        `must not overlap autoscale.schedules[${other}] (${weekly[other].name}): Azure would switch profiles at whichever starts last, so one schedule's bounds would silently cut the other short`,
        s.name,
      );
    }
  });
  const profiles = plannedRecurrences(weekly.filter((s) => s.startMinute !== s.endMinute)).length + 1;
  if (profiles > AUTOSCALE_LIMITS.profiles) {
    report(
      at("schedules"),
      `must make at most ${AUTOSCALE_LIMITS.profiles} autoscale profiles with the default one (each schedule is a start and an end profile)`,
      profiles,
    );
  }
}

/**
 * A GPU size needs an image with CUDA in it. An image whose name says nothing of CUDA or GPU is warned about, as is
 * a Dockerfile whose FROM lines do not; an environment given by id or azureml: cannot be read here and is not.
 */
function checkGpuImage(d: OnlineDeploymentConfig, at: (...rest: PropertyKey[]) => PropertyKey[], ctx: RuleContext, size: string): void {
  const e = d.environment;
  if (!ctx.warn || !e || e.id !== undefined || e.registered !== undefined) return;
  const rule = (what: string) =>
    `${what} names no CUDA or GPU image (nothing matching cuda, gpu, nvidia, nvcr.io or triton), but ${size} is a GPU size: ` +
    "a CPU image cannot use its GPU; use a CUDA base image such as mcr.microsoft.com/azureml/curated/acpt-pytorch-2.2-cuda12.1, or waive gpu-image-without-cuda if the image has CUDA under another name";
  if (e.image !== undefined) {
    if (!GPU_IMAGE.test(e.image)) ctx.warn("gpu-image-without-cuda", at("environment", "image"), rule("the image"), e.image);
    return;
  }
  if (e.build) {
    const dockerfile = resolve(ctx.dir, e.build.path, e.build.dockerfile_path);
    if (!existsSync(dockerfile)) return;
    const bases = readFileSync(dockerfile, "utf8")
      .split(/\r?\n/)
      .filter((line) => /^\s*FROM\s/i.test(line));
    if (!bases.some((line) => GPU_IMAGE.test(line))) ctx.warn("gpu-image-without-cuda", at("environment", "build"), rule("the Dockerfile's FROM"), e.build.path);
  }
}

/** Quota keys must be families this project knows, or the check would silently never match. */
export function checkQuotaNames(config: ServingConfig, ctx: RuleContext): void {
  for (const key of Object.keys(config.quota ?? {})) {
    if (knownFamily(key) !== undefined) continue;
    const hint = closestName(key, QUOTA_FAMILIES);
    ctx.report(
      ["quota", key],
      `must name a VM family quota as az vm list-usage prints it (name.value, e.g. standardDSv2Family)${hint ? `; did you mean ${hint}?` : `; known: ${QUOTA_FAMILIES.join(", ")}`}`,
      key,
    );
  }
}

/**
 * Headroom for the expected load, by Little's law: requests in flight = peak requests per second × latency in
 * seconds; each instance holds max_concurrent_requests_per_instance of them. Warns when the deployment's ceiling
 * cannot carry its peak, and when the endpoint's peaks together pass its documented request limit.
 */
export function checkExpectedLoad(endpoint: EndpointConfig, ctx: RuleContext): void {
  if (!ctx.warn) return;
  let total = 0;
  endpoint.deployments.forEach((d, i) => {
    const load = d.expected_load;
    if (!load) return;
    total += load.peak_requests_per_second;
    const perInstance = d.request_settings?.max_concurrent_requests_per_instance ?? 1;
    const inFlight = (load.peak_requests_per_second * load.latency_ms) / 1000;
    const needed = Math.ceil(inFlight / perInstance - 1e-9);
    const ceiling = maxInstancesOf(d);
    if (needed > ceiling) {
      ctx.warn!(
        "load-over-capacity",
        ["endpoint", "deployments", i, "expected_load"],
        `needs ${needed} instances at its peak: ${load.peak_requests_per_second} requests/s × ${load.latency_ms} ms = ${round(inFlight)} requests in flight (Little's law), ` +
          `${perInstance} per instance (max_concurrent_requests_per_instance), but ${d.name} reaches at most ${ceiling}; raise autoscale.max_instances (or a schedule's), ` +
          "max_concurrent_requests_per_instance if an instance can take more, or cut latency; remember scale-out takes 12 to 18 minutes, so the ceiling must be there before the peak is",
        needed,
      );
    }
  });
  if (total > ENDPOINT_REQUESTS_PER_SECOND_LIMIT) {
    ctx.warn(
      "load-over-endpoint-limit",
      ["endpoint", "deployments"],
      `expect ${total} requests/s at peak together, above the ${ENDPOINT_REQUESTS_PER_SECOND_LIMIT} requests/s a managed online endpoint serves by default; ` +
        "ask Azure support to raise the endpoint's limit before the peak, or split the traffic over endpoints",
      total,
    );
  }
}

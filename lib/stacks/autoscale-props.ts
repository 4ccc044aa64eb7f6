import { isRequestMetric } from "../config/autoscale";
import { effectiveRules } from "../config/scaling-rules";
import type { LoadedEnvironment } from "../config/load";
import type { OnlineDeploymentConfig } from "../config/schema";
import type { AutoscaleMetric, AutoscaleRuleProps, DeploymentAutoscaleProps } from "../constructs/deployment-autoscale";
import type { GuardrailAspectOptions } from "../guardrails";

/**
 * The config → props mapping of autoscale, alerts and capacity, kept apart from `ServingStack` so that the stack
 * calls it in one line per use (and a composition construct per endpoint can call the same functions).
 */

/** Config metric names (snake_case) as the construct's literal union names them. */
const METRICS: { readonly [m in ReturnType<typeof effectiveRules>[number]["metric"]]: AutoscaleMetric } = {
  cpu_percent: "cpuPercent",
  memory_percent: "memoryPercent",
  disk_percent: "diskPercent",
  gpu_percent: "gpuPercent",
  gpu_memory_percent: "gpuMemoryPercent",
  requests_per_minute: "requestsPerMinute",
  latency_ms: "latencyMs",
  latency_p50_ms: "latencyP50Ms",
  latency_p90_ms: "latencyP90Ms",
  latency_p95_ms: "latencyP95Ms",
  latency_p99_ms: "latencyP99Ms",
  active_connections: "activeConnections",
};

/** What `DeploymentAutoscale` takes from a deployment's `autoscale` block: bounds, rules, schedules, cooldowns. */
export type AutoscaleConfigProps = Pick<
  DeploymentAutoscaleProps,
  "minInstances" | "maxInstances" | "rules" | "schedules" | "cooldownMinutes" | "scaleOutCooldownMinutes" | "scaleInCooldownMinutes"
>;

/** The autoscale props of an autoscaled deployment. */
export function autoscaleProps(autoscale: NonNullable<OnlineDeploymentConfig["autoscale"]>): AutoscaleConfigProps {
  return {
    minInstances: autoscale.min_instances,
    maxInstances: autoscale.max_instances,
    rules: effectiveRules(autoscale).map(
      (r): AutoscaleRuleProps => ({ metric: METRICS[r.metric], scaleOutAbove: r.scale_out_above, scaleInBelow: r.scale_in_below, windowMinutes: r.window }),
    ),
    schedules: autoscale.schedules.map((s) => ({
      name: s.name,
      days: s.days,
      start: s.start,
      end: s.end,
      timeZone: s.timezone,
      minInstances: s.min_instances,
      maxInstances: s.max_instances,
    })),
    cooldownMinutes: autoscale.cooldown_minutes,
    scaleOutCooldownMinutes: autoscale.scale_out_cooldown_minutes,
    scaleInCooldownMinutes: autoscale.scale_in_cooldown_minutes,
  };
}

/** Whether a deployment scales on requests users send, which earns it throttling alerts. */
export function scalesOnRequests(d: OnlineDeploymentConfig): boolean {
  return d.autoscale !== undefined && effectiveRules(d.autoscale).some((r) => isRequestMetric(r.metric));
}

/**
 * Environments whose name says production (prod, prd, production, live, optionally followed by more letters or
 * digits: prod2, prodweu): their live deployments need 3 instances, Microsoft's recommendation for production.
 */
export const PRODUCTION_LIKE = /^(prod|prd|production|live)[a-z0-9]*$/;

/**
 * The guardrail options that come from config: the quota, where each quota is written (file:line, for the
 * quota-exceeded message), and whether the environment is production-like.
 */
export function capacityGuardrailOptions(environment: LoadedEnvironment): Pick<GuardrailAspectOptions, "quota" | "quotaSources" | "productionLike"> {
  const quota = environment.config.quota ?? {};
  const where = (key: string) => {
    const line = environment.lineOf?.(["quota", key]);
    return line === undefined ? environment.file : `${environment.file}:${line}`;
  };
  return {
    quota,
    quotaSources: Object.fromEntries(Object.keys(quota).map((key) => [key, where(key)])),
    productionLike: PRODUCTION_LIKE.test(environment.name),
  };
}

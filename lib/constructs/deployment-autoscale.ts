import {
  MonitorAutoscaleSetting,
  type MonitorAutoscaleSettingProfile,
  type MonitorAutoscaleSettingProfileRule,
} from "@cdktf/provider-azurerm/lib/monitor-autoscale-setting";
import { Construct } from "constructs";
import { AUTOSCALE_LIMITS, DEFAULT_COOLDOWN_MINUTES, clockMinutes, plannedRecurrences, type Day } from "../config/autoscale";
import { minutesToIsoDuration } from "../config/duration";
import { PropsChecker } from "./invariants";
import type { OnlineDeployment } from "./online-deployment";

/** What a rule scales on. Deployment metrics read the deployment; request metrics read the endpoint. */
export type AutoscaleMetric =
  | "cpuPercent"
  | "memoryPercent"
  | "diskPercent"
  | "gpuPercent"
  | "gpuMemoryPercent"
  | "requestsPerMinute"
  | "latencyMs"
  | "latencyP50Ms"
  | "latencyP90Ms"
  | "latencyP95Ms"
  | "latencyP99Ms"
  | "activeConnections";

/** One scaling rule: scale out above a threshold, and optionally in below another. */
export interface AutoscaleRuleProps {
  readonly metric: AutoscaleMetric;
  /**
   * Add an instance when the metric, averaged over the window, is above this. Requests per minute and active
   * connections are per instance (Azure divides the endpoint's value by the instance count); percentages are
   * averages over instances; latencies are the deployment's.
   */
  readonly scaleOutAbove: number;
  /**
   * Remove an instance when the metric is below this. Azure scales in only when every scale-in rule of the profile
   * fires, so a rule without one never blocks scale-in.
   * @default no scale-in rule for this metric
   */
  readonly scaleInBelow?: number;
  /**
   * Minutes of the metric each decision looks at, 5 to 720.
   * @default the setting's `windowMinutes`
   */
  readonly windowMinutes?: number;
}

/** A recurring period with its own instance bounds, e.g. business hours. */
export interface AutoscaleScheduleProps {
  /** Profile name; unique within the setting. */
  readonly name: string;
  readonly days: readonly Day[];
  /** Start, "HH:MM" on a 24-hour clock, in `timeZone`. */
  readonly start: string;
  /** End, "HH:MM"; at or before `start`, the schedule ends on the next day. */
  readonly end: string;
  /** Windows time zone name, as Azure autoscale takes it (e.g. "W. Europe Standard Time"). */
  readonly timeZone: string;
  readonly minInstances: number;
  readonly maxInstances: number;
}

/** Properties of {@link DeploymentAutoscale}. */
export interface DeploymentAutoscaleProps {
  readonly deployment: OnlineDeployment;
  readonly resourceGroupName: string;
  readonly location: string;
  /** Name of the autoscale setting. */
  readonly name: string;
  /** Fewest instances outside schedules; autoscale never goes below. */
  readonly minInstances: number;
  /** Most instances outside schedules; autoscale never goes above (50 at most on managed endpoints). */
  readonly maxInstances: number;
  /**
   * The rules every profile scales by. Azure scales out when any scale-out rule fires and in only when all
   * scale-in rules fire.
   * @default one CPU rule: out above `scaleOutCpuPercent`, in below `scaleInCpuPercent`
   */
  readonly rules?: readonly AutoscaleRuleProps[];
  /**
   * Add an instance when average CPU over the window is above this; used only without `rules`.
   * @default 70
   */
  readonly scaleOutCpuPercent?: number;
  /**
   * Remove an instance when average CPU over the window is below this; keep it 10+ points under scale-out. Used
   * only without `rules`.
   * @default 30
   */
  readonly scaleInCpuPercent?: number;
  /**
   * Recurring periods with their own instance bounds; outside them the default profile holds.
   * @default none
   */
  readonly schedules?: readonly AutoscaleScheduleProps[];
  /**
   * Minutes of the metric each decision looks at, for rules that give none.
   * @default 5
   */
  readonly windowMinutes?: number;
  /**
   * Minutes to wait after a scale action before the next one, both ways, unless the direction's own cooldown is
   * given.
   * @default 20 after scaling out, 30 after scaling in
   */
  readonly cooldownMinutes?: number;
  /**
   * Minutes to wait after adding an instance. A new managed instance takes 12 to 18 minutes to serve
   * (Azure/azureml-examples#3515); deciding again sooner decides on metrics the new instance cannot have moved yet.
   * @default `cooldownMinutes`, else 20
   */
  readonly scaleOutCooldownMinutes?: number;
  /**
   * Minutes to wait after removing an instance.
   * @default `cooldownMinutes`, else 30
   */
  readonly scaleInCooldownMinutes?: number;
  /**
   * Tags on the autoscale setting.
   * @default {}
   */
  readonly tags?: Readonly<Record<string, string>>;
}

/** The metric namespace Azure Monitor publishes online deployment metrics under. */
export const DEPLOYMENT_METRIC_NAMESPACE = "Microsoft.MachineLearningServices/workspaces/onlineEndpoints/deployments";

/** The metric namespace Azure Monitor publishes online endpoint metrics (requests, latency, connections) under. */
export const ENDPOINT_METRIC_NAMESPACE = "Microsoft.MachineLearningServices/workspaces/onlineEndpoints";

/** The endpoint metrics' dimension that names the deployment a request went to. */
export const DEPLOYMENT_DIMENSION = "deployment";

/**
 * How Azure Monitor publishes each metric: its name, whether it belongs to the deployment or the endpoint, whether
 * the endpoint splits it by deployment, and whether a per-instance threshold needs it divided by the instance count.
 * @see https://learn.microsoft.com/azure/azure-monitor/reference/supported-metrics/microsoft-machinelearningservices-workspaces-onlineendpoints-metrics
 * @see https://learn.microsoft.com/azure/azure-monitor/reference/supported-metrics/microsoft-machinelearningservices-workspaces-onlineendpoints-deployments-metrics
 */
export const AUTOSCALE_METRIC_SOURCES: {
  readonly [m in AutoscaleMetric]: { readonly metricName: string; readonly scope: "deployment" | "endpoint"; readonly byDeployment: boolean; readonly perInstance: boolean; readonly percent: boolean };
} = {
  cpuPercent: { metricName: "CpuUtilizationPercentage", scope: "deployment", byDeployment: false, perInstance: false, percent: true },
  memoryPercent: { metricName: "CpuMemoryUtilizationPercentage", scope: "deployment", byDeployment: false, perInstance: false, percent: true },
  diskPercent: { metricName: "DiskUtilization", scope: "deployment", byDeployment: false, perInstance: false, percent: true },
  gpuPercent: { metricName: "GpuUtilizationPercentage", scope: "deployment", byDeployment: false, perInstance: false, percent: true },
  gpuMemoryPercent: { metricName: "GpuMemoryUtilizationPercentage", scope: "deployment", byDeployment: false, perInstance: false, percent: true },
  // The endpoint counts requests of all its deployments; the dimension keeps this deployment's, and dividing by the
  // instance count makes the threshold a per-instance rate, which stays meaningful as instances come and go.
  requestsPerMinute: { metricName: "RequestsPerMinute", scope: "endpoint", byDeployment: true, perInstance: true, percent: false },
  latencyMs: { metricName: "RequestLatency", scope: "endpoint", byDeployment: true, perInstance: false, percent: false },
  latencyP50Ms: { metricName: "RequestLatency_P50", scope: "endpoint", byDeployment: true, perInstance: false, percent: false },
  latencyP90Ms: { metricName: "RequestLatency_P90", scope: "endpoint", byDeployment: true, perInstance: false, percent: false },
  latencyP95Ms: { metricName: "RequestLatency_P95", scope: "endpoint", byDeployment: true, perInstance: false, percent: false },
  latencyP99Ms: { metricName: "RequestLatency_P99", scope: "endpoint", byDeployment: true, perInstance: false, percent: false },
  // No dimension: the endpoint's connections, which are this deployment's only when it is the endpoint's only one.
  activeConnections: { metricName: "ConnectionsActive", scope: "endpoint", byDeployment: false, perInstance: true, percent: false },
};

/**
 * Azure Monitor autoscale for one online deployment: scale out and in on deployment metrics (CPU, memory, disk,
 * GPU) or on what users feel (requests per minute, latency, connections, read from the endpoint and filtered to this
 * deployment), with cooldowns sized for slow scale-out, and recurring schedules with their own bounds.
 *
 * This is what makes serving horizontal: instances are added and removed by load. The deployment must be created
 * with `autoscaled: true`, so that Terraform leaves the instance count to this setting.
 * @see https://learn.microsoft.com/azure/machine-learning/how-to-autoscale-endpoints
 */
export class DeploymentAutoscale extends Construct {
  readonly setting: MonitorAutoscaleSetting;

  constructor(scope: Construct, id: string, props: DeploymentAutoscaleProps) {
    super(scope, id);
    const legacy = props.rules === undefined;
    const out = props.scaleOutCpuPercent ?? 70;
    const within = props.scaleInCpuPercent ?? 30;
    const rules: readonly AutoscaleRuleProps[] = props.rules ?? [{ metric: "cpuPercent", scaleOutAbove: out, scaleInBelow: within }];
    const schedules = props.schedules ?? [];
    const windowMinutes = props.windowMinutes ?? 5;
    const outCooldown = props.scaleOutCooldownMinutes ?? props.cooldownMinutes ?? DEFAULT_COOLDOWN_MINUTES.scaleOut;
    const inCooldown = props.scaleInCooldownMinutes ?? props.cooldownMinutes ?? DEFAULT_COOLDOWN_MINUTES.scaleIn;
    const [minWindow, maxWindow] = AUTOSCALE_LIMITS.windowMinutes;
    const [minCooldown, maxCooldown] = AUTOSCALE_LIMITS.cooldownMinutes;
    // Azure Monitor autoscale takes time windows of 5 minutes to 12 hours, and cooldowns of 1 minute to 1 week.
    const check = new PropsChecker("DeploymentAutoscale")
      .wholeNumber("minInstances", props.minInstances, 1, 50)
      .wholeNumber("maxInstances", props.maxInstances, Math.max(props.minInstances, 1), 50);
    if (legacy) {
      check
        .wholeNumber("scaleOutCpuPercent", out, 1, 100)
        .wholeNumber("scaleInCpuPercent", within, 0, 99)
        .that(within <= out - 10, "scaleInCpuPercent", `must be at least 10 points below scaleOutCpuPercent (${out})`, within);
    }
    check.wholeNumber("windowMinutes", windowMinutes, minWindow, maxWindow);
    if (props.cooldownMinutes !== undefined) check.wholeNumber("cooldownMinutes", props.cooldownMinutes, minCooldown, maxCooldown);
    check
      .optionalWholeNumber("scaleOutCooldownMinutes", props.scaleOutCooldownMinutes, minCooldown, maxCooldown)
      .optionalWholeNumber("scaleInCooldownMinutes", props.scaleInCooldownMinutes, minCooldown, maxCooldown);
    const ruleCount = rules.length + rules.filter((r) => r.scaleInBelow !== undefined).length;
    check
      .that(rules.length > 0, "rules", "must hold at least one rule", rules.length)
      .that(ruleCount <= AUTOSCALE_LIMITS.rulesPerProfile, "rules", `must make at most ${AUTOSCALE_LIMITS.rulesPerProfile} Azure rules (a scale-out and a scale-in per rule)`, ruleCount);
    rules.forEach((r, i) => {
      const source = AUTOSCALE_METRIC_SOURCES[r.metric];
      const ceiling = source?.percent ? 100 : Number.MAX_SAFE_INTEGER;
      check
        .that(source !== undefined, `rules[${i}].metric`, `must be one of ${Object.keys(AUTOSCALE_METRIC_SOURCES).join(", ")}`, r.metric)
        .that(r.scaleOutAbove > 0 && r.scaleOutAbove <= ceiling, `rules[${i}].scaleOutAbove`, source?.percent ? "must be above 0 and at most 100" : "must be above 0", r.scaleOutAbove)
        .that(r.scaleInBelow === undefined || (r.scaleInBelow >= 0 && r.scaleInBelow < r.scaleOutAbove), `rules[${i}].scaleInBelow`, `must be at least 0 and below scaleOutAbove (${r.scaleOutAbove})`, r.scaleInBelow)
        .optionalWholeNumber(`rules[${i}].windowMinutes`, r.windowMinutes, minWindow, maxWindow);
    });
    const names = new Set<string>();
    schedules.forEach((s, i) => {
      check
        .that(clockMinutes(s.start) !== undefined, `schedules[${i}].start`, 'must be a 24-hour time "HH:MM"', s.start)
        .that(clockMinutes(s.end) !== undefined && s.end !== s.start, `schedules[${i}].end`, 'must be a 24-hour time "HH:MM" other than start', s.end)
        .that(s.days.length > 0, `schedules[${i}].days`, "must name at least one day", s.days)
        .that(!names.has(s.name), `schedules[${i}].name`, "must be unique", s.name)
        .wholeNumber(`schedules[${i}].minInstances`, s.minInstances, 1, 50)
        .wholeNumber(`schedules[${i}].maxInstances`, s.maxInstances, Math.max(s.minInstances, 1), 50);
      names.add(s.name);
    });
    check.throwIfInvalid();
    const recurrences = plannedRecurrences(
      schedules.map((s) => ({ name: s.name, days: s.days, startMinute: clockMinutes(s.start)!, endMinute: clockMinutes(s.end)! })),
    );
    new PropsChecker("DeploymentAutoscale")
      .that(recurrences.length + 1 <= AUTOSCALE_LIMITS.profiles, "schedules", `must make at most ${AUTOSCALE_LIMITS.profiles} profiles with the default one (each schedule is a start and an end profile)`, recurrences.length + 1)
      .throwIfInvalid();

    const scaleOut = minutesToIsoDuration(outCooldown);
    const scaleIn = minutesToIsoDuration(inCooldown);
    const trigger = (r: AutoscaleRuleProps, operator: "GreaterThan" | "LessThan", threshold: number): MonitorAutoscaleSettingProfileRule["metricTrigger"] => {
      const source = AUTOSCALE_METRIC_SOURCES[r.metric];
      return {
        metricName: source.metricName,
        metricNamespace: source.scope === "deployment" ? DEPLOYMENT_METRIC_NAMESPACE : ENDPOINT_METRIC_NAMESPACE,
        metricResourceId: source.scope === "deployment" ? props.deployment.id : props.deployment.endpoint.id,
        timeGrain: "PT1M",
        statistic: "Average",
        timeWindow: minutesToIsoDuration(r.windowMinutes ?? windowMinutes),
        timeAggregation: "Average",
        operator,
        threshold,
        ...(source.perInstance ? { divideByInstanceCount: true } : {}),
        ...(source.byDeployment ? { dimensions: [{ name: DEPLOYMENT_DIMENSION, operator: "Equals", values: [props.deployment.deploymentName] }] } : {}),
      };
    };
    // Scale-out rules first, then scale-in rules: the order Azure evaluates them in makes no difference, and this
    // order keeps the legacy CPU pair where it was.
    const profileRules: MonitorAutoscaleSettingProfileRule[] = [
      ...rules.map((r) => ({
        metricTrigger: trigger(r, "GreaterThan", r.scaleOutAbove),
        scaleAction: { direction: "Increase", type: "ChangeCount", value: 1, cooldown: scaleOut },
      })),
      ...rules
        .filter((r) => r.scaleInBelow !== undefined)
        .map((r) => ({
          metricTrigger: trigger(r, "LessThan", r.scaleInBelow!),
          scaleAction: { direction: "Decrease", type: "ChangeCount", value: 1, cooldown: scaleIn },
        })),
    ];
    const capacity = (min: number, max: number) => ({
      default: Math.min(Math.max(props.deployment.instanceCount, min), max),
      minimum: min,
      maximum: max,
    });
    // The default profile keeps the name it had when CPU was the only signal, so that a stack that only scales on
    // CPU plans no change to it.
    const defaultName = rules.every((r) => r.metric === "cpuPercent") ? "cpu" : "default";
    const bySchedule = new Map(schedules.map((s) => [s.name, s]));
    const profiles: MonitorAutoscaleSettingProfile[] = [
      { name: defaultName, capacity: capacity(props.minInstances, props.maxInstances), rule: profileRules },
      ...recurrences.map((r): MonitorAutoscaleSettingProfile => {
        const s = bySchedule.get(r.schedule)!;
        const recurrence = { timezone: s.timeZone, days: [...r.days], hours: [r.hour], minutes: [r.minute] };
        return r.kind === "start"
          ? { name: s.name, capacity: capacity(s.minInstances, s.maxInstances), rule: profileRules, recurrence }
          : { name: `${defaultName}-after-${s.name}`, capacity: capacity(props.minInstances, props.maxInstances), rule: profileRules, recurrence };
      }),
    ];
    this.setting = new MonitorAutoscaleSetting(this, "setting", {
      name: props.name,
      resourceGroupName: props.resourceGroupName,
      location: props.location,
      targetResourceId: props.deployment.id,
      enabled: true,
      profile: profiles,
      tags: { ...props.tags },
    });
  }
}

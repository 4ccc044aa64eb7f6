/**
 * What autoscale rules and schedules mean, apart from how Azure Monitor spells them: the metrics a rule may scale on,
 * the days and clock times of a schedule, and which recurring profiles a list of schedules becomes.
 *
 * Shared by config validation (which reports problems with file and line) and `DeploymentAutoscale` (which builds
 * the profiles), so that both count the same profiles.
 */

/** The metrics an autoscale rule may scale on, as config names them. */
export const AUTOSCALE_METRICS = [
  "cpu_percent",
  "memory_percent",
  "disk_percent",
  "gpu_percent",
  "gpu_memory_percent",
  "requests_per_minute",
  "latency_ms",
  "latency_p50_ms",
  "latency_p90_ms",
  "latency_p95_ms",
  "latency_p99_ms",
  "active_connections",
] as const;

/** One autoscale metric, as config names it. */
export type AutoscaleMetricName = (typeof AUTOSCALE_METRICS)[number];

/** What kind of threshold a metric takes, which decides how far scale-in must sit below scale-out. */
export type MetricKind = "percent" | "per-instance-count" | "latency";

/** How each metric behaves: its kind, whether it needs GPUs, and whether it is published per endpoint. */
export const METRIC_TRAITS: { readonly [m in AutoscaleMetricName]: { readonly kind: MetricKind; readonly gpu: boolean; readonly endpointScope: boolean } } = {
  cpu_percent: { kind: "percent", gpu: false, endpointScope: false },
  memory_percent: { kind: "percent", gpu: false, endpointScope: false },
  disk_percent: { kind: "percent", gpu: false, endpointScope: false },
  gpu_percent: { kind: "percent", gpu: true, endpointScope: false },
  gpu_memory_percent: { kind: "percent", gpu: true, endpointScope: false },
  requests_per_minute: { kind: "per-instance-count", gpu: false, endpointScope: true },
  latency_ms: { kind: "latency", gpu: false, endpointScope: true },
  latency_p50_ms: { kind: "latency", gpu: false, endpointScope: true },
  latency_p90_ms: { kind: "latency", gpu: false, endpointScope: true },
  latency_p95_ms: { kind: "latency", gpu: false, endpointScope: true },
  latency_p99_ms: { kind: "latency", gpu: false, endpointScope: true },
  active_connections: { kind: "per-instance-count", gpu: false, endpointScope: true },
};

/** Rules on these metrics follow the requests users send; their deployments also get throttling alerts. */
export function isRequestMetric(metric: AutoscaleMetricName): boolean {
  return METRIC_TRAITS[metric].endpointScope;
}

/** Azure Monitor autoscale's limits. */
export const AUTOSCALE_LIMITS = {
  /** Profiles per autoscale setting. */
  profiles: 20,
  /** Rules per profile. */
  rulesPerProfile: 10,
  /** Shortest and longest time window of a rule, in minutes (5 minutes to 12 hours). */
  windowMinutes: [5, 720],
  /** Shortest and longest cooldown, in minutes (1 minute to 1 week). */
  cooldownMinutes: [1, 10080],
} as const;

/**
 * Default cooldowns, in minutes. Users report 12 to 18 minutes from a scale-out decision to a serving instance
 * (Azure/azureml-examples#3515); a cooldown shorter than that lets autoscale decide again while the first new
 * instance is still starting, on metrics that cannot have improved yet, and so overshoot or collide with the running
 * deployment update. Scale-in waits longer still: an instance removed too early takes another 12 to 18 minutes to
 * come back.
 */
export const DEFAULT_COOLDOWN_MINUTES = { scaleOut: 20, scaleIn: 30 } as const;

/** Days of the week as Azure autoscale spells them, Monday first (the order of minutes-of-week below). */
export const DAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"] as const;
export type Day = (typeof DAYS)[number];

/** Shorthands a schedule's `days` may use besides day names. */
export const DAY_GROUPS: Readonly<Record<string, readonly Day[]>> = {
  weekdays: DAYS.slice(0, 5),
  weekend: DAYS.slice(5),
  everyday: DAYS,
};

/** The days a `days` entry means: a day name ("Monday", "mon", any casing) or a group; undefined if neither. */
export function daysOf(entry: string): readonly Day[] | undefined {
  const key = entry.trim().toLowerCase();
  const group = DAY_GROUPS[key];
  if (group) return group;
  const day = DAYS.find((d) => d.toLowerCase() === key || (key.length === 3 && d.toLowerCase().startsWith(key)));
  return day ? [day] : undefined;
}

/** Minutes after midnight of a 24-hour clock time "HH:MM", or undefined when it is not one. */
export function clockMinutes(text: string): number | undefined {
  const match = /^([01]\d|2[0-3]):([0-5]\d)$/.exec(text);
  return match ? Number(match[1]) * 60 + Number(match[2]) : undefined;
}

/** A schedule reduced to what profiles and overlaps need. */
export interface WeeklySchedule {
  readonly name: string;
  readonly days: readonly Day[];
  /** Minutes after midnight the schedule starts. */
  readonly startMinute: number;
  /** Minutes after midnight it ends; at or before the start, it ends on the next day. */
  readonly endMinute: number;
}

const WEEK = 7 * 1440;

/** The minutes of the week (Monday 00:00 = 0) a schedule covers, one [start, end) interval per day. */
export function weeklyIntervals(s: WeeklySchedule): [number, number][] {
  const length = (s.endMinute - s.startMinute + 1440) % 1440 || 1440;
  return s.days.map((day) => {
    const start = DAYS.indexOf(day) * 1440 + s.startMinute;
    return [start, start + length];
  });
}

/** Whether two schedules are in force at the same moment of some week (intervals wrap at the end of Sunday). */
export function schedulesOverlap(a: WeeklySchedule, b: WeeklySchedule): boolean {
  for (const [s1, e1] of weeklyIntervals(a)) {
    for (const [s2, e2] of weeklyIntervals(b)) {
      for (const shift of [-WEEK, 0, WEEK]) {
        if (s1 < e2 + shift && s2 + shift < e1) return true;
      }
    }
  }
  return false;
}

/** One recurring profile: when it starts, and whether it is a schedule or the return to the default profile. */
export interface PlannedRecurrence {
  /** The schedule that starts here, or whose end this is. */
  readonly schedule: string;
  readonly kind: "start" | "end";
  readonly days: readonly Day[];
  readonly hour: number;
  readonly minute: number;
}

/**
 * The recurring profiles a list of schedules becomes. An Azure recurring profile has a start and no end: it holds
 * until another profile starts. So each schedule is two profiles: its own at its start, and one with the default
 * profile's capacity and rules at its end (on the next day for a schedule that runs past midnight), left out on the
 * days another schedule starts at that very minute.
 * @see https://learn.microsoft.com/azure/azure-monitor/autoscale/autoscale-multiprofile
 */
export function plannedRecurrences(schedules: readonly WeeklySchedule[]): PlannedRecurrence[] {
  const planned: PlannedRecurrence[] = [];
  for (const s of schedules) {
    planned.push({ schedule: s.name, kind: "start", days: s.days, hour: Math.floor(s.startMinute / 60), minute: s.startMinute % 60 });
    const overnight = s.endMinute <= s.startMinute;
    const endDays = s.days
      .map((d) => (overnight ? DAYS[(DAYS.indexOf(d) + 1) % 7] : d))
      .filter((d) => !schedules.some((t) => t !== s && t.startMinute === s.endMinute && t.days.includes(d)));
    if (endDays.length > 0) {
      const days = DAYS.filter((d) => endDays.includes(d));
      planned.push({ schedule: s.name, kind: "end", days, hour: Math.floor(s.endMinute / 60), minute: s.endMinute % 60 });
    }
  }
  return planned;
}

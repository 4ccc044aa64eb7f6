import { MonitorActionGroup } from "@cdktf/provider-azurerm/lib/monitor-action-group";
import { MonitorDiagnosticSetting } from "@cdktf/provider-azurerm/lib/monitor-diagnostic-setting";
import { MonitorMetricAlert, type MonitorMetricAlertCriteria } from "@cdktf/provider-azurerm/lib/monitor-metric-alert";
import { Construct } from "constructs";
import { DEPLOYMENT_DIMENSION, DEPLOYMENT_METRIC_NAMESPACE, ENDPOINT_METRIC_NAMESPACE } from "./deployment-autoscale";
import { PropsChecker } from "./invariants";

/** Log categories of a managed online endpoint; each lands in the Log Analytics table of the same name. */
export const ONLINE_ENDPOINT_LOG_CATEGORIES = [
  "AmlOnlineEndpointConsoleLog",
  "AmlOnlineEndpointTrafficLog",
  "AmlOnlineEndpointEventLog",
] as const;

/** The metric namespace Azure Monitor publishes autoscale-setting metrics (ObservedCapacity) under. */
export const AUTOSCALE_METRIC_NAMESPACE = "microsoft.insights/autoscalesettings";

/** One online deployment to alert on. */
export interface MonitoredDeployment {
  /** Deployment name; part of alert names and construct ids. */
  readonly name: string;
  /** Resource id of the online deployment. */
  readonly id: string;
  /**
   * The deployment's autoscale setting and its ceiling, for the capacity alert. Leave it out for deployments
   * that cannot scale (no autoscale, or min = max): they always sit at their ceiling.
   * @default none (no capacity alert)
   */
  readonly autoscale?: {
    /** Resource id of the azurerm_monitor_autoscale_setting that scales the deployment. */
    readonly settingId: string;
    /** Its default profile's maximum instance count. */
    readonly maxInstances: number;
  };
  /**
   * Alert on sustained throttling (HTTP 429 and 503 from the endpoint for this deployment). Worth it for a
   * deployment that scales on requests or latency: those rules react to what users send, and throttled requests are
   * what users get while a scale-out is still 12 to 18 minutes away. Needs `onlineEndpointId`.
   * @default false
   */
  readonly throttlingAlert?: boolean;
}

/** Properties of {@link Monitoring}. */
export interface MonitoringProps {
  /** Base of alert names, e.g. the endpoint name: alerts are `<name>-<deployment>-<signal>`. */
  readonly name: string;
  /** Resource group of the action group and the alert rules. */
  readonly resourceGroupName: string;
  /** Resource id of the Log Analytics workspace that receives resource logs and platform metrics. */
  readonly logAnalyticsWorkspaceId: string;
  /**
   * Resource id of the Azure ML workspace whose logs are collected.
   * @default none (no workspace diagnostic setting: another Monitoring has it, or the workspace is not this stack's)
   */
  readonly workspaceId?: string;
  /**
   * Resource id of the online endpoint whose console, traffic and event logs are collected.
   * @default none (no endpoint diagnostic setting)
   */
  readonly onlineEndpointId?: string;
  /**
   * Online deployments to alert on.
   * @default [] (no alerts)
   */
  readonly deployments?: readonly MonitoredDeployment[];
  /**
   * Addresses every alert is e-mailed to.
   * @default [] (no action group: alerts still fire and show in the portal, but notify nobody)
   */
  readonly alertEmails?: readonly string[];
  /**
   * Name of the action group, created only when there are alert e-mails.
   * @default none (no action group is created; see `actionGroupId`)
   */
  readonly actionGroupName?: string;
  /**
   * An action group made elsewhere (another Monitoring's), which this one's alerts notify instead of creating one.
   * @default the action group created here, if any
   */
  readonly actionGroupId?: string;
  /**
   * Short name of the action group (1-12 characters), the sender shown in e-mails and SMS.
   * @default the first 12 characters of `actionGroupName`
   */
  readonly actionGroupShortName?: string;
  /**
   * Alert when a deployment's average p95 request latency over 5 minutes is above this.
   * @default 1000
   */
  readonly latencyP95Ms?: number;
  /**
   * Alert when a deployment's average CPU utilization over 15 minutes is above this.
   * @default 90
   */
  readonly cpuPercent?: number;
  /**
   * Alert when a deployment's 429 and 503 responses average more than this per minute over 15 minutes (deployments
   * with `throttlingAlert`).
   * @default 10
   */
  readonly throttledRequestsPerMinute?: number;
  /**
   * Tags on the action group and the alert rules (diagnostic settings take none).
   * @default {}
   */
  readonly tags?: Readonly<Record<string, string>>;
}

/**
 * Logs, metrics and alerts of online serving: diagnostic settings to Log Analytics, an e-mail action group, and
 * latency, CPU and capacity-ceiling alerts per online deployment.
 *
 * Diagnostic settings use resource-specific (`Dedicated`) tables: both resource types write their logs to tables
 * of their own (AmlOnlineEndpointConsoleLog, AmlComputeJobEvent, ...), which are typed, cheaper to query and not
 * capped at AzureDiagnostics' 500 columns. The endpoint sends its three documented categories; the workspace sends
 * the `allLogs` category group, which follows Azure as categories are added or retired instead of failing on a
 * stale list (AVM's default for ML workspaces too). Metrics go to the AzureMetrics table either way.
 *
 * Alerts exist whether or not anyone is e-mailed: they show in Azure Monitor, and the action group is attached
 * when there are addresses. Severity 2 (warning) throughout: each one predicts or measures degraded service,
 * none is an outage by itself.
 * @see https://learn.microsoft.com/azure/machine-learning/how-to-monitor-online-endpoints
 * @see https://learn.microsoft.com/azure/azure-monitor/reference/supported-metrics/microsoft-machinelearningservices-workspaces-onlineendpoints-deployments-metrics
 * @see https://learn.microsoft.com/azure/azure-monitor/reference/supported-metrics/microsoft-insights-autoscalesettings-metrics
 */
export class Monitoring extends Construct {
  readonly diagnosticSettings: readonly MonitorDiagnosticSetting[];
  readonly actionGroup?: MonitorActionGroup;
  readonly alerts: readonly MonitorMetricAlert[];

  constructor(scope: Construct, id: string, props: MonitoringProps) {
    super(scope, id);
    const latencyP95Ms = props.latencyP95Ms ?? 1000;
    const cpuPercent = props.cpuPercent ?? 90;
    const throttledPerMinute = props.throttledRequestsPerMinute ?? 10;
    const emails = props.alertEmails ?? [];
    const deployments = props.deployments ?? [];
    const shortName = props.actionGroupShortName ?? (props.actionGroupName ?? "").slice(0, 12);
    const createsGroup = emails.length > 0 && props.actionGroupId === undefined;
    const check = new PropsChecker("Monitoring")
      .wholeNumber("latencyP95Ms", latencyP95Ms, 1, 180000)
      .wholeNumber("cpuPercent", cpuPercent, 1, 100)
      .wholeNumber("throttledRequestsPerMinute", throttledPerMinute, 1)
      .that(!createsGroup || props.actionGroupName !== undefined, "actionGroupName", "is required to create an action group for alertEmails", undefined)
      .that(!createsGroup || (shortName.length >= 1 && shortName.length <= 12), "actionGroupShortName", "must be 1 to 12 characters", shortName);
    checkUnique(check, "alertEmails", emails.map((e) => e.toLowerCase()));
    checkUnique(check, "deployments", deployments.map((d) => d.name));
    for (const d of deployments) {
      if (d.autoscale) check.wholeNumber(`deployments.${d.name}.autoscale.maxInstances`, d.autoscale.maxInstances, 1, 50);
      check.that(!d.throttlingAlert || props.onlineEndpointId !== undefined, `deployments.${d.name}.throttlingAlert`, "needs onlineEndpointId: the endpoint publishes the status codes", d.throttlingAlert);
    }
    check.throwIfInvalid();
    const tags = { ...props.tags };

    const settings: MonitorDiagnosticSetting[] = [];
    if (props.onlineEndpointId !== undefined) {
      settings.push(
        new MonitorDiagnosticSetting(this, "endpoint-diagnostics", {
          name: "diag-log-analytics",
          targetResourceId: props.onlineEndpointId,
          logAnalyticsWorkspaceId: props.logAnalyticsWorkspaceId,
          logAnalyticsDestinationType: "Dedicated",
          enabledLog: ONLINE_ENDPOINT_LOG_CATEGORIES.map((category) => ({ category })),
          enabledMetric: [{ category: "AllMetrics" }],
        }),
      );
    }
    if (props.workspaceId !== undefined) {
      settings.push(
        new MonitorDiagnosticSetting(this, "workspace-diagnostics", {
          name: "diag-log-analytics",
          targetResourceId: props.workspaceId,
          logAnalyticsWorkspaceId: props.logAnalyticsWorkspaceId,
          logAnalyticsDestinationType: "Dedicated",
          enabledLog: [{ categoryGroup: "allLogs" }],
          enabledMetric: [{ category: "AllMetrics" }],
        }),
      );
    }
    this.diagnosticSettings = settings;

    if (createsGroup) {
      this.actionGroup = new MonitorActionGroup(this, "action-group", {
        name: props.actionGroupName!,
        resourceGroupName: props.resourceGroupName,
        shortName,
        emailReceiver: emails.map((emailAddress, i) => ({ name: `email-${i + 1}`, emailAddress, useCommonAlertSchema: true })),
        tags,
      });
    }

    const groupId = props.actionGroupId ?? this.actionGroup?.id;
    const action = groupId !== undefined ? [{ actionGroupId: groupId }] : undefined;
    const alert = (alertId: string, name: string, description: string, scope: string, timing: Timing, criteria: MonitorMetricAlertCriteria) =>
      new MonitorMetricAlert(this, alertId, {
        name,
        resourceGroupName: props.resourceGroupName,
        scopes: [scope],
        description,
        severity: 2,
        frequency: timing.frequency,
        windowSize: timing.window,
        autoMitigate: true,
        criteria: [criteria],
        action,
        tags,
      });

    const alerts: MonitorMetricAlert[] = [];
    for (const d of deployments) {
      alerts.push(
        // A deployment-level metric (no dimensions), so the rule needs no deployment filter.
        alert(`latency-${d.name}`, `${props.name}-${d.name}-latency-p95`,
          `p95 scoring latency of ${d.name} above ${latencyP95Ms} ms for 5 minutes. See docs/operations.md#alerts.`,
          d.id, { window: "PT5M", frequency: "PT1M" },
          { metricNamespace: DEPLOYMENT_METRIC_NAMESPACE, metricName: "RequestLatency_P95", aggregation: "Average", operator: "GreaterThan", threshold: latencyP95Ms },
        ),
        // 15 minutes, so that the alert means "saturated for a while", not "a burst is being absorbed". A scale-out
        // takes 12 to 18 minutes to serve, so during one this may fire; the capacity alert tells the two apart.
        alert(`cpu-${d.name}`, `${props.name}-${d.name}-cpu`,
          `Average CPU of ${d.name} above ${cpuPercent}% for 15 minutes. See docs/operations.md#alerts.`,
          d.id, { window: "PT15M", frequency: "PT5M" },
          { metricNamespace: DEPLOYMENT_METRIC_NAMESPACE, metricName: "CpuUtilizationPercentage", aggregation: "Average", operator: "GreaterThan", threshold: cpuPercent },
        ),
      );
      if (d.autoscale) {
        // ObservedCapacity is the instance count autoscale saw at each run. Its 15-minute average only reaches the
        // maximum if every run saw the maximum. The deployment's own DeploymentCapacity carries per-instance
        // dimensions (instanceId, State), and what its unsplit Maximum counts is not documented.
        alerts.push(
          alert(`capacity-${d.name}`, `${props.name}-${d.name}-at-max-instances`,
            `${d.name} has run at its autoscale maximum of ${d.autoscale.maxInstances} instances for 15 minutes. See docs/operations.md#alerts.`,
            d.autoscale.settingId, { window: "PT15M", frequency: "PT5M" },
            { metricNamespace: AUTOSCALE_METRIC_NAMESPACE, metricName: "ObservedCapacity", aggregation: "Average", operator: "GreaterThanOrEqual", threshold: d.autoscale.maxInstances },
          ),
        );
      }
      if (d.throttlingAlert && props.onlineEndpointId !== undefined) {
        // RequestsPerMinute is an endpoint metric split by statusCode and deployment: 429 is the endpoint's rate or
        // concurrency limit (max_concurrent_requests_per_instance is full), 503 an instance that cannot take more.
        // 15 minutes, as long as a scale-out may take: sustained throttling means autoscale is not catching up.
        alerts.push(
          alert(`throttled-${d.name}`, `${props.name}-${d.name}-throttled`,
            `${d.name} answered more than ${throttledPerMinute} requests per minute with 429 or 503 for 15 minutes. See docs/operations.md#alerts.`,
            props.onlineEndpointId, { window: "PT15M", frequency: "PT5M" },
            {
              metricNamespace: ENDPOINT_METRIC_NAMESPACE,
              metricName: "RequestsPerMinute",
              aggregation: "Average",
              operator: "GreaterThan",
              threshold: throttledPerMinute,
              dimension: [
                { name: "statusCode", operator: "Include", values: ["429", "503"] },
                { name: DEPLOYMENT_DIMENSION, operator: "Include", values: [d.name] },
              ],
            },
          ),
        );
      }
    }
    this.alerts = alerts;
  }
}

/** Evaluation window and frequency of an alert rule, as ISO-8601 durations. */
interface Timing {
  readonly window: string;
  readonly frequency: string;
}

function checkUnique(check: PropsChecker, field: string, values: readonly string[]): void {
  const seen = new Set<string>();
  for (const value of values) {
    check.that(!seen.has(value), field, "must not repeat a value", value);
    seen.add(value);
  }
}

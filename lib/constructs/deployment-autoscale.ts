import { MonitorAutoscaleSetting, type MonitorAutoscaleSettingProfileRule } from "@cdktf/provider-azurerm/lib/monitor-autoscale-setting";
import { Construct } from "constructs";
import { PropsChecker } from "./invariants";
import type { OnlineDeployment } from "./online-deployment";
import { minutesToIsoDuration } from "../config/duration";

/** Properties of {@link DeploymentAutoscale}. */
export interface DeploymentAutoscaleProps {
  readonly deployment: OnlineDeployment;
  readonly resourceGroupName: string;
  readonly location: string;
  /** Name of the autoscale setting. */
  readonly name: string;
  /** Fewest instances; autoscale never goes below. */
  readonly minInstances: number;
  /** Most instances; autoscale never goes above (50 at most on managed endpoints). */
  readonly maxInstances: number;
  /**
   * Add an instance when average CPU over the window is above this.
   * @default 70
   */
  readonly scaleOutCpuPercent?: number;
  /**
   * Remove an instance when average CPU over the window is below this; keep it 10+ points under scale-out.
   * @default 30
   */
  readonly scaleInCpuPercent?: number;
  /**
   * Minutes of averaged CPU each decision looks at.
   * @default 5
   */
  readonly windowMinutes?: number;
  /**
   * Minutes to wait after a scale action before the next one.
   * @default 5
   */
  readonly cooldownMinutes?: number;
  /**
   * Tags on the autoscale setting.
   * @default {}
   */
  readonly tags?: Readonly<Record<string, string>>;
}

/** The metric namespace Azure Monitor publishes online deployment metrics under. */
export const DEPLOYMENT_METRIC_NAMESPACE = "Microsoft.MachineLearningServices/workspaces/onlineEndpoints/deployments";

/**
 * Azure Monitor autoscale for one online deployment: scale out on high CPU, in on low CPU, with cooldowns.
 *
 * This is what makes serving horizontal: instances are added and removed by load. The deployment must be created
 * with `autoscaled: true`, so that Terraform leaves the instance count to this setting.
 * @see https://learn.microsoft.com/azure/machine-learning/how-to-autoscale-endpoints
 */
export class DeploymentAutoscale extends Construct {
  readonly setting: MonitorAutoscaleSetting;

  constructor(scope: Construct, id: string, props: DeploymentAutoscaleProps) {
    super(scope, id);
    const out = props.scaleOutCpuPercent ?? 70;
    const within = props.scaleInCpuPercent ?? 30;
    const windowMinutes = props.windowMinutes ?? 5;
    const cooldownMinutes = props.cooldownMinutes ?? 5;
    // Azure Monitor autoscale takes time windows of 5 minutes to 12 hours, and cooldowns of 1 minute to 1 week.
    new PropsChecker("DeploymentAutoscale")
      .wholeNumber("minInstances", props.minInstances, 1, 50)
      .wholeNumber("maxInstances", props.maxInstances, Math.max(props.minInstances, 1), 50)
      .wholeNumber("scaleOutCpuPercent", out, 1, 100)
      .wholeNumber("scaleInCpuPercent", within, 0, 99)
      .that(within <= out - 10, "scaleInCpuPercent", `must be at least 10 points below scaleOutCpuPercent (${out})`, within)
      .wholeNumber("windowMinutes", windowMinutes, 5, 720)
      .wholeNumber("cooldownMinutes", cooldownMinutes, 1, 10080)
      .throwIfInvalid();
    const window = minutesToIsoDuration(windowMinutes);
    const cooldown = minutesToIsoDuration(cooldownMinutes);
    const rule = (direction: "Increase" | "Decrease", operator: "GreaterThan" | "LessThan", threshold: number): MonitorAutoscaleSettingProfileRule => ({
      metricTrigger: {
        metricName: "CpuUtilizationPercentage",
        metricNamespace: DEPLOYMENT_METRIC_NAMESPACE,
        metricResourceId: props.deployment.id,
        timeGrain: "PT1M",
        statistic: "Average",
        timeWindow: window,
        timeAggregation: "Average",
        operator,
        threshold,
      },
      scaleAction: { direction, type: "ChangeCount", value: 1, cooldown },
    });
    const initial = Math.min(Math.max(props.deployment.instanceCount, props.minInstances), props.maxInstances);
    this.setting = new MonitorAutoscaleSetting(this, "setting", {
      name: props.name,
      resourceGroupName: props.resourceGroupName,
      location: props.location,
      targetResourceId: props.deployment.id,
      enabled: true,
      profile: [
        {
          name: "cpu",
          capacity: { default: initial, minimum: props.minInstances, maximum: props.maxInstances },
          rule: [rule("Increase", "GreaterThan", out), rule("Decrease", "LessThan", within)],
        },
      ],
      tags: { ...props.tags },
    });
  }
}

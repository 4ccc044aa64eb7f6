import type { ITerraformDependable } from "cdktf";
import { Construct } from "constructs";
import { DeploymentAutoscale, type DeploymentAutoscaleProps } from "./deployment-autoscale";
import { EndpointTraffic } from "./endpoint-traffic";
import { PropsError } from "./invariants";
import { Monitoring, type MonitoredDeployment } from "./monitoring";
import { OnlineDeployment, type OnlineDeploymentProps } from "./online-deployment";
import { OnlineEndpoint, type OnlineEndpointProps } from "./online-endpoint";

/**
 * The construct id under which an endpoint keeps the Terraform addresses of the one-endpoint form: cdktf leaves a
 * construct named "Default" out of logical ids entirely, so `Default/endpoint/endpoint` has the address that
 * `endpoint/endpoint` had directly under the stack.
 */
export const SINGLE_FORM_ID = "Default";

/** One deployment behind the endpoint, with its share of traffic, its autoscale setting and its alerts. */
export interface ServedDeploymentProps extends Omit<OnlineDeploymentProps, "endpoint" | "location" | "autoscaled" | "buildReady"> {
  /**
   * Percent of live traffic, 0..100; all deployments add up to 100, or are all 0.
   * @default 0
   */
  readonly trafficPercent?: number;
  /**
   * Percent of live traffic copied to this deployment (shadow testing), 0..50; at most one deployment.
   * @default 0
   */
  readonly mirrorTrafficPercent?: number;
  /**
   * Autoscale of the instance count, between `minInstances` and `maxInstances`.
   * @default none (the instance count is fixed)
   */
  readonly autoscale?: Omit<DeploymentAutoscaleProps, "deployment" | "name" | "resourceGroupName" | "location" | "tags">;
  /**
   * Alert on sustained throttling (HTTP 429 and 503 for this deployment): worth it when it scales on requests or
   * latency, which react to what users send.
   * @default false
   */
  readonly throttlingAlert?: boolean;
}

/** Alerting of the endpoint's deployments. */
export interface OnlineServingMonitoringProps {
  /** Resource id of the Log Analytics workspace that receives the endpoint's logs and metrics. */
  readonly logAnalyticsWorkspaceId: string;
  /**
   * Action group the alerts notify.
   * @default none (alerts fire and show in Azure Monitor, notifying nobody)
   */
  readonly actionGroupId?: string;
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
   * Alert when a deployment with `throttlingAlert` answers more than this many requests a minute with 429 or 503.
   * @default 10
   */
  readonly throttledRequestsPerMinute?: number;
}

/** Properties of {@link OnlineServing}. */
export interface OnlineServingProps extends OnlineEndpointProps {
  /** The deployments, at least one; names unique within the endpoint. */
  readonly deployments: readonly ServedDeploymentProps[];
  /**
   * What every deployment waits for before its image can be built (`ImageBuilder.ready`).
   * @default []
   */
  readonly buildReady?: readonly ITerraformDependable[];
  /** Diagnostics and alerts. */
  readonly monitoring: OnlineServingMonitoringProps;
  /**
   * Tags on the autoscale settings and alerts (the endpoint and deployments carry their own).
   * @default {}
   */
  readonly operationsTags?: Readonly<Record<string, string>>;
}

/**
 * One managed online endpoint with everything that serves from it: its identity and roles, its deployments, their
 * autoscale settings, the traffic split, and its diagnostics and alerts.
 *
 * An environment has one per endpoint, each under its own construct id (`endpoint-<name>`), so two endpoints never
 * share a resource and either can be added or removed alone. The endpoint of the one-endpoint form sits under
 * {@link SINGLE_FORM_ID}, which keeps the addresses its resources had before endpoints were composed this way.
 * @see https://learn.microsoft.com/azure/machine-learning/concept-endpoints-online
 */
export class OnlineServing extends Construct {
  readonly endpoint: OnlineEndpoint;
  readonly deployments: readonly OnlineDeployment[];
  readonly autoscaleSettings: readonly DeploymentAutoscale[];
  readonly traffic: EndpointTraffic;
  readonly monitoring: Monitoring;

  constructor(scope: Construct, id: string, props: OnlineServingProps) {
    super(scope, id);
    if (props.deployments.length === 0) throw new PropsError("OnlineServing", "deployments", "must have at least one deployment", []);
    const { deployments: deploymentProps, buildReady, monitoring, operationsTags, ...endpointProps } = props;
    this.endpoint = new OnlineEndpoint(this, "endpoint", endpointProps);

    const monitored: MonitoredDeployment[] = [];
    const autoscaleSettings: DeploymentAutoscale[] = [];
    this.deployments = deploymentProps.map(({ trafficPercent: _traffic, mirrorTrafficPercent: _mirror, autoscale, throttlingAlert, ...d }) => {
      const deployment = new OnlineDeployment(this, `deployment-${d.name}`, {
        ...d,
        endpoint: this.endpoint,
        location: props.location,
        autoscaled: autoscale !== undefined,
        buildReady,
      });
      let setting: DeploymentAutoscale | undefined;
      if (autoscale) {
        setting = new DeploymentAutoscale(this, `autoscale-${d.name}`, {
          ...autoscale,
          deployment,
          name: `autoscale-${props.name}-${d.name}`,
          resourceGroupName: props.resourceGroupName,
          location: props.location,
          tags: operationsTags,
        });
        autoscaleSettings.push(setting);
      }
      monitored.push({
        name: d.name,
        id: deployment.id,
        // min = max cannot scale: it always sits at its ceiling, so it gets no capacity alert.
        autoscale:
          setting && autoscale && autoscale.maxInstances > autoscale.minInstances
            ? { settingId: setting.setting.id, maxInstances: autoscale.maxInstances }
            : undefined,
        throttlingAlert,
      });
      return deployment;
    });
    this.autoscaleSettings = autoscaleSettings;

    this.traffic = new EndpointTraffic(this, "traffic", {
      endpoint: this.endpoint,
      deployments: this.deployments,
      traffic: Object.fromEntries(deploymentProps.map((d) => [d.name, d.trafficPercent ?? 0])),
      mirrorTraffic: Object.fromEntries(
        deploymentProps.filter((d) => (d.mirrorTrafficPercent ?? 0) > 0).map((d) => [d.name, d.mirrorTrafficPercent!]),
      ),
    });

    this.monitoring = new Monitoring(this, "monitoring", {
      name: props.name,
      resourceGroupName: props.resourceGroupName,
      logAnalyticsWorkspaceId: monitoring.logAnalyticsWorkspaceId,
      onlineEndpointId: this.endpoint.id,
      deployments: monitored,
      actionGroupId: monitoring.actionGroupId,
      latencyP95Ms: monitoring.latencyP95Ms,
      cpuPercent: monitoring.cpuPercent,
      throttledRequestsPerMinute: monitoring.throttledRequestsPerMinute,
      tags: operationsTags,
    });
  }
}

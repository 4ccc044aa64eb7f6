import { Construct } from "constructs";
import { AzapiResource, MlResourceType, type OnlineDeploymentBody, type ProbeSettings } from "../azapi";
import { msToIsoDuration, secondsToIsoDuration } from "../config/duration";
import { assertInRange, PropsError } from "./invariants";
import type { OnlineEndpoint } from "./online-endpoint";

/** Health probe of a deployment's container. */
export interface ProbeProps {
  /**
   * Seconds after start before the first probe.
   * @default 10
   */
  readonly initialDelaySeconds?: number;
  /**
   * Seconds between probes.
   * @default 10
   */
  readonly periodSeconds?: number;
  /**
   * Seconds a probe may take.
   * @default 2
   */
  readonly timeoutSeconds?: number;
  /**
   * Failures in a row before the container counts as unhealthy.
   * @default 30
   */
  readonly failureThreshold?: number;
  /**
   * Successes in a row before the container counts as healthy again.
   * @default 1
   */
  readonly successThreshold?: number;
}

/** Properties of {@link OnlineDeployment}. */
export interface OnlineDeploymentProps {
  readonly endpoint: OnlineEndpoint;
  /** Deployment name, unique within the endpoint (e.g. blue, green). */
  readonly name: string;
  readonly location: string;
  /** Model id: an ARM id or azureml:// id. */
  readonly modelId: string;
  /**
   * Environment id; an MLflow model may go without.
   * @default none (MLflow no-code deployment)
   */
  readonly environmentId?: string;
  /**
   * Code version id and the scoring script inside it; an MLflow model may go without.
   * @default none (MLflow no-code deployment)
   */
  readonly code?: { readonly codeId: string; readonly scoringScript: string };
  /** VM size of each instance, e.g. Standard_DS3_v2. */
  readonly instanceType: string;
  /**
   * Instances to run; with autoscale, the starting count.
   * @default 1
   */
  readonly instanceCount?: number;
  /**
   * Longest time a scoring request may take, up to the managed endpoint's 180000 ms.
   * @default 5000
   */
  readonly requestTimeoutMs?: number;
  /**
   * Requests one instance handles at once.
   * @default 1
   */
  readonly maxConcurrentRequestsPerInstance?: number;
  /**
   * Longest time a request may wait in the queue.
   * @default Azure's default (500 ms)
   */
  readonly maxQueueWaitMs?: number;
  /**
   * Liveness probe.
   * @default Azure's defaults (the same as {@link ProbeProps}' defaults)
   */
  readonly livenessProbe?: ProbeProps;
  /**
   * Readiness probe.
   * @default Azure's defaults
   */
  readonly readinessProbe?: ProbeProps;
  /**
   * Environment variables of the scoring container.
   * @default {}
   */
  readonly environmentVariables?: Readonly<Record<string, string>>;
  /**
   * Send request logs and metrics to the workspace's Application Insights.
   * @default true
   */
  readonly appInsightsEnabled?: boolean;
  /**
   * Whether the container may reach the public internet.
   * @default true
   */
  readonly egressPublicNetworkAccess?: boolean;
  /**
   * An autoscale setting owns the instance count: Terraform then ignores drift of `sku.capacity`.
   * @default false
   */
  readonly autoscaled?: boolean;
  /**
   * Free-text description.
   * @default no description
   */
  readonly description?: string;
  /**
   * Tags on the deployment.
   * @default {}
   */
  readonly tags?: Readonly<Record<string, string>>;
}

/**
 * One versioned deployment behind an online endpoint: a model, its environment and scoring code on managed VMs.
 *
 * Deployments of one endpoint take the endpoint as a lock, so Terraform creates and changes them one at a time,
 * as Azure ML requires. Each waits for the endpoint identity's roles to propagate (creating a deployment checks
 * that the identity can pull the image and read the model) and for the workspace's identity datastore mode.
 * @see https://learn.microsoft.com/azure/machine-learning/how-to-deploy-online-endpoints
 */
export class OnlineDeployment extends Construct {
  readonly deployment: AzapiResource;
  readonly deploymentName: string;
  readonly instanceCount: number;

  constructor(scope: Construct, id: string, props: OnlineDeploymentProps) {
    super(scope, id);
    const instanceCount = props.instanceCount ?? 1;
    assertInRange("instanceCount", instanceCount, 1, 50, "OnlineDeployment");
    if (props.requestTimeoutMs !== undefined) {
      assertInRange("requestTimeoutMs", props.requestTimeoutMs, 1, 180000, "OnlineDeployment");
    }
    if (props.code && props.environmentId === undefined) {
      throw new PropsError("OnlineDeployment", "environmentId", "is required when code is given", undefined);
    }
    this.deploymentName = props.name;
    this.instanceCount = instanceCount;

    const body: OnlineDeploymentBody = {
      properties: {
        endpointComputeType: "Managed",
        model: props.modelId,
        environmentId: props.environmentId,
        codeConfiguration: props.code && { codeId: props.code.codeId, scoringScript: props.code.scoringScript },
        instanceType: props.instanceType,
        scaleSettings: { scaleType: "Default" },
        requestSettings: {
          requestTimeout: msToIsoDuration(props.requestTimeoutMs ?? 5000),
          maxConcurrentRequestsPerInstance: props.maxConcurrentRequestsPerInstance ?? 1,
          maxQueueWait: props.maxQueueWaitMs === undefined ? undefined : msToIsoDuration(props.maxQueueWaitMs),
        },
        livenessProbe: props.livenessProbe && probe(props.livenessProbe),
        readinessProbe: props.readinessProbe && probe(props.readinessProbe),
        environmentVariables: props.environmentVariables && { ...props.environmentVariables },
        appInsightsEnabled: props.appInsightsEnabled ?? true,
        egressPublicNetworkAccess: (props.egressPublicNetworkAccess ?? true) ? "Enabled" : "Disabled",
        description: props.description,
      },
      sku: { name: "Default", capacity: instanceCount },
    };
    this.deployment = new AzapiResource(this, "deployment", {
      type: MlResourceType.onlineDeployment,
      name: props.name,
      parentId: props.endpoint.id,
      location: props.location,
      body,
      tags: { ...props.tags },
      locks: [props.endpoint.id],
      // In a private workspace the deployment runs in the managed network, which must be provisioned first.
      dependsOn: [props.endpoint.rolesReady.wait, ...props.endpoint.workspace.dataPlaneReady, ...props.endpoint.workspace.networkReady],
      // A cold image build plus probe start-up can outlast azapi's default 30 minutes.
      timeouts: { create: "60m", update: "60m", delete: "30m" },
      lifecycle: props.autoscaled ? { ignoreChanges: ["body.sku.capacity"] } : undefined,
    });
  }

  /** Resource id of the deployment, the target of autoscale settings and metric alerts. */
  get id(): string {
    return this.deployment.id;
  }
}

function probe(p: ProbeProps): ProbeSettings {
  return {
    initialDelay: secondsToIsoDuration(p.initialDelaySeconds ?? 10),
    period: secondsToIsoDuration(p.periodSeconds ?? 10),
    timeout: secondsToIsoDuration(p.timeoutSeconds ?? 2),
    failureThreshold: p.failureThreshold ?? 30,
    successThreshold: p.successThreshold ?? 1,
  };
}

import type { ITerraformDependable } from "cdktf";
import { Construct } from "constructs";
import { AzapiResource, MlResourceType, type DataCollection, type DataCollector, type OnlineDeploymentBody, type ProbeSettings } from "../azapi";
import { msToIsoDuration, secondsToIsoDuration } from "../config/duration";
import { PropsChecker } from "./invariants";
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

/** One collection of a deployment's data collector. */
export interface DataCollectionProps {
  /**
   * Whether the collection collects.
   * @default false
   */
  readonly enabled?: boolean;
  /**
   * ARM id of the `uri_folder` data asset version the collection is registered as, whose folder the collector writes
   * to (see `ModelAssets.data`). az ml registers one per collection and sends its id; so does this construct.
   */
  readonly dataId: string;
  /**
   * Share of requests this collection collects, from 0 to 1.
   * @default the collector's {@link DataCollectorProps.samplingRate}
   */
  readonly samplingRate?: number;
}

/**
 * Data collection of a deployment, for model monitoring. Two kinds of collection, told apart by name: `request` and
 * `response` are payload logging, which the serving side does without a scoring script; every other name
 * (`model_inputs`, `model_outputs` or your own) is custom logging, which only an `azureml-ai-monitoring`
 * `Collector(name=...)` in the scoring script fills.
 */
export interface DataCollectorProps {
  /** Collections by name; at least one. */
  readonly collections: Readonly<Record<string, DataCollectionProps>>;
  /**
   * Share of requests collected, from 0 to 1, for every collection that gives none of its own.
   * @default 1
   */
  readonly samplingRate?: number;
  /**
   * How often collected data starts a new blob path (`.../yyyy/MM/dd/HH/` for hour).
   * @default "hour"
   */
  readonly rollingRate?: "minute" | "hour" | "day";
  /**
   * Request headers collected along with the payloads; never `Authorization`, which carries the endpoint's key or
   * token.
   * @default none
   */
  readonly captureHeaders?: readonly string[];
}

/** The schema's casing of the rolling rates; Azure ML returns enum values in it. */
const ROLLING_RATES: Record<NonNullable<DataCollectorProps["rollingRate"]>, NonNullable<DataCollector["rollingRate"]>> = {
  minute: "Minute",
  hour: "Hour",
  day: "Day",
};

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
   * Longest time a scoring request may take, up to the managed endpoint's 180000 ms. It covers the request's wait in
   * the queue too: Azure's advice since the queue wait setting (`maxQueueWait`) was deprecated.
   * @default 5000
   */
  readonly requestTimeoutMs?: number;
  /**
   * Requests one instance handles at once.
   * @default 1
   */
  readonly maxConcurrentRequestsPerInstance?: number;
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
   * Startup probe (2025-12-01): while it has not succeeded, liveness and readiness probes wait, so a model that takes
   * minutes to load is not restarted by a liveness probe tuned for a running server.
   * @default none (no startup probe)
   */
  readonly startupProbe?: ProbeProps;
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
   * Whether the container may reach the public internet. Not sent in a workspace with a managed virtual network,
   * where the network's outbound mode governs egress, the flag no longer applies, and it could not be changed later.
   * @default true
   * @see https://learn.microsoft.com/azure/machine-learning/concept-secure-online-endpoint
   */
  readonly egressPublicNetworkAccess?: boolean;
  /**
   * What must exist before the deployment's environment can be built, when the workspace builds images on a
   * compute cluster (`ImageBuilder.ready`): the cluster and its identity's roles.
   * @default [] (Azure ML builds images itself)
   */
  readonly buildReady?: readonly ITerraformDependable[];
  /**
   * An autoscale setting owns the instance count: Terraform then ignores drift of `sku.capacity`.
   * @default false
   */
  readonly autoscaled?: boolean;
  /**
   * Where the container finds the model, for custom containers that expect it at a fixed path.
   * @default Azure's default, /var/azureml-app/azureml-models/<name>/<version> (AZUREML_MODEL_DIR)
   */
  readonly modelMountPath?: string;
  /**
   * Collect requests, responses or what the scoring script logs to the workspace's default blob datastore. The
   * endpoint's identity writes them, so it is granted Storage Blob Data Contributor on that datastore's container
   * and the deployment waits for that role to propagate.
   * @default no data collection
   */
  readonly dataCollector?: DataCollectorProps;
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
  /** The endpoint the deployment serves behind, whose metrics (requests, latency) are split by deployment. */
  readonly endpoint: OnlineEndpoint;
  readonly deploymentName: string;
  readonly instanceCount: number;
  /** VM size of each instance, as given. */
  readonly instanceType: string;

  constructor(scope: Construct, id: string, props: OnlineDeploymentProps) {
    super(scope, id);
    const instanceCount = props.instanceCount ?? 1;
    const check = new PropsChecker("OnlineDeployment")
      .wholeNumber("instanceCount", instanceCount, 1, 50)
      .optionalWholeNumber("requestTimeoutMs", props.requestTimeoutMs, 1, 180000)
      .optionalWholeNumber("maxConcurrentRequestsPerInstance", props.maxConcurrentRequestsPerInstance, 1, 1000)
      .that(!props.code || props.environmentId !== undefined, "environmentId", "is required when code is given", undefined);
    for (const [name, p] of [["livenessProbe", props.livenessProbe], ["readinessProbe", props.readinessProbe], ["startupProbe", props.startupProbe]] as const) {
      check
        .optionalWholeNumber(`${name}.initialDelaySeconds`, p?.initialDelaySeconds, 0, 3600)
        .optionalWholeNumber(`${name}.periodSeconds`, p?.periodSeconds, 1, 3600)
        .optionalWholeNumber(`${name}.timeoutSeconds`, p?.timeoutSeconds, 1, 3600)
        .optionalWholeNumber(`${name}.failureThreshold`, p?.failureThreshold, 1, 1000)
        .optionalWholeNumber(`${name}.successThreshold`, p?.successThreshold, 1, 1000);
    }
    const collector = props.dataCollector;
    const samplingRate = collector?.samplingRate ?? 1;
    check
      .that(props.modelMountPath === undefined || props.modelMountPath.startsWith("/"), "modelMountPath", "must be an absolute path", props.modelMountPath)
      .that(samplingRate >= 0 && samplingRate <= 1, "dataCollector.samplingRate", "must be from 0 to 1", samplingRate);
    if (collector) {
      const names = Object.keys(collector.collections);
      check.that(names.length > 0, "dataCollector.collections", "must name at least one collection", collector.collections);
      for (const name of names) {
        const rate = collector.collections[name].samplingRate;
        check.that(rate === undefined || (rate >= 0 && rate <= 1), `dataCollector.collections.${name}.samplingRate`, "must be from 0 to 1", rate);
      }
      const credentials = (collector.captureHeaders ?? []).filter((h) => h.toLowerCase() === "authorization");
      check.that(credentials.length === 0, "dataCollector.captureHeaders", "must not capture Authorization: it carries the endpoint's key or token", credentials[0]);
    }
    check.throwIfInvalid();
    // The rates the body carries: each collection's own, or the collector's copied into it.
    const rates = collector ? Object.values(collector.collections).map((c) => c.samplingRate ?? samplingRate) : [];
    this.deploymentName = props.name;
    this.endpoint = props.endpoint;
    this.instanceCount = instanceCount;
    this.instanceType = props.instanceType;
    // Data collection writes blobs as the endpoint's identity; its data role must be in force first.
    const collectionReady = collector ? [props.endpoint.dataCollectionAccess().wait] : [];

    const body: OnlineDeploymentBody = {
      properties: {
        endpointComputeType: "Managed",
        model: props.modelId,
        environmentId: props.environmentId,
        codeConfiguration: props.code && { codeId: props.code.codeId, scoringScript: props.code.scoringScript },
        instanceType: props.instanceType,
        scaleSettings: { scaleType: "Default" },
        // No maxQueueWait: deprecated, and ignored by managed endpoints; time in the queue counts against the timeout.
        requestSettings: {
          requestTimeout: msToIsoDuration(props.requestTimeoutMs ?? 5000),
          maxConcurrentRequestsPerInstance: props.maxConcurrentRequestsPerInstance ?? 1,
        },
        livenessProbe: props.livenessProbe && probe(props.livenessProbe),
        readinessProbe: props.readinessProbe && probe(props.readinessProbe),
        startupProbe: props.startupProbe && probe(props.startupProbe),
        environmentVariables: props.environmentVariables && { ...props.environmentVariables },
        appInsightsEnabled: props.appInsightsEnabled ?? true,
        ...(props.endpoint.workspace.hasManagedNetwork === false && {
          egressPublicNetworkAccess: (props.egressPublicNetworkAccess ?? true) ? ("Enabled" as const) : ("Disabled" as const),
        }),
        modelMountPath: props.modelMountPath,
        dataCollector: collector && dataCollector(collector, samplingRate, props.endpoint.identity.clientId),
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
      // The body carries Azure ML enums (Enabled/Disabled, AADToken, AppendRow, Info...). The service treats them
      // case-insensitively and does not promise to echo the casing it was sent; a re-cased echo must not read as a
      // change on every plan.
      ignoreCasing: true,
      // In a private workspace the deployment runs in the managed network, which must be provisioned first.
      dependsOn: [
        props.endpoint.rolesReady.wait,
        ...collectionReady,
        ...props.endpoint.workspace.dataPlaneReady,
        ...props.endpoint.workspace.networkReady,
        ...(props.buildReady ?? []),
      ],
      // azapi's embedded schema types samplingRate as an integer (bicep types have no floating-point type), though
      // Azure ML takes a fraction from 0 to 1; azapi would refuse 0.25 at plan time, so a fractional rate turns its
      // schema check off for this resource. Tests still check the rest of the body against the schema.
      schemaValidationEnabled: rates.every(Number.isInteger) ? undefined : false,
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

/**
 * The data collector body: every collection enabled or disabled, registered as its data asset (`dataId`), with its
 * sampling rate (the collector's, which az ml copies into each, unless the collection has its own), written by the
 * endpoint's identity (its client id, rather than leaving Azure to pick an identity).
 *
 * Modes and the rolling rate go out in the schema's casing ("Enabled", "Hour"), which Azure ML returns; az ml
 * sends them lower-case and reads "Enabled" back, so the lower-case form would read as a change on every plan.
 * The `dataId` references the data asset resource, so Terraform registers the assets before the deployment.
 * @see https://learn.microsoft.com/azure/machine-learning/how-to-collect-production-data
 */
function dataCollector(props: DataCollectorProps, samplingRate: number, clientId: string): DataCollector {
  const collection = (c: DataCollectionProps): DataCollection => ({
    dataCollectionMode: c.enabled ? "Enabled" : "Disabled",
    dataId: c.dataId,
    samplingRate: c.samplingRate ?? samplingRate,
    clientId,
  });
  return {
    collections: Object.fromEntries(Object.entries(props.collections).map(([name, c]) => [name, collection(c)])),
    rollingRate: ROLLING_RATES[props.rollingRate ?? "hour"],
    requestLogging: props.captureHeaders && { captureHeaders: [...props.captureHeaders] },
  };
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

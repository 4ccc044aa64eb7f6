import type { RoleAssignment } from "@cdktf/provider-azurerm/lib/role-assignment";
import { Construct } from "constructs";
import {
  AzapiResource,
  AzapiUpdateResource,
  MlResourceType,
  type BatchDeploymentBody,
  type BatchDeploymentProperties,
  type BatchEndpointBody,
  type BatchEndpointProperties,
} from "../azapi";
import { secondsToIsoDuration } from "../config/duration";
import type { ComputeCluster } from "./compute-cluster";
import { PropsChecker } from "./invariants";
import type { MlWorkspace } from "./ml-workspace";
import { resourceAddress } from "./terraform-address";

/** What a batch job writes: one row per scored item appended to one file, or only a summary. */
export type BatchOutputAction = "append_row" | "summary_only";

/** Verbosity of the batch scoring logs. */
export type BatchLoggingLevel = "info" | "warning" | "debug";

const OUTPUT_ACTIONS: Record<BatchOutputAction, NonNullable<BatchDeploymentProperties["outputAction"]>> = {
  append_row: "AppendRow",
  summary_only: "SummaryOnly",
};

const LOGGING_LEVELS: Record<BatchLoggingLevel, NonNullable<BatchDeploymentProperties["loggingLevel"]>> = {
  info: "Info",
  warning: "Warning",
  debug: "Debug",
};

/** Id, under the compute cluster, of the scope that holds the cluster identity's grants for batch scoring. */
const COMPUTE_ACCESS_ID = "batch-access";

/** The one deployment of a {@link BatchEndpoint}, which becomes its default. */
export interface BatchDeploymentProps {
  /** Deployment name, unique within the endpoint. */
  readonly name: string;
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
  /**
   * Cluster nodes each job runs on.
   * @default 1
   */
  readonly instanceCount?: number;
  /**
   * Mini-batches scored in parallel on each node.
   * @default 1
   */
  readonly maxConcurrencyPerInstance?: number;
  /**
   * Files (file inputs) or bytes of records (tabular inputs) handed to one run() call.
   * @default 10
   */
  readonly miniBatchSize?: number;
  /**
   * Retries of a failed or timed-out mini-batch.
   * @default { maxRetries: 3, timeoutSeconds: 300 }
   */
  readonly retry?: {
    /**
     * Retries before a mini-batch counts as failed.
     * @default 3
     */
    readonly maxRetries?: number;
    /**
     * Seconds one run() call may take.
     * @default 300
     */
    readonly timeoutSeconds?: number;
  };
  /**
   * Failed items tolerated before the job is aborted; -1 ignores every failure.
   * @default -1
   */
  readonly errorThreshold?: number;
  /**
   * Append every prediction to one output file, or write only a summary.
   * @default "append_row"
   */
  readonly outputAction?: BatchOutputAction;
  /**
   * Name of the predictions file; used only with `append_row`.
   * @default "predictions.csv"
   */
  readonly outputFileName?: string;
  /**
   * Verbosity of the scoring logs.
   * @default "info"
   */
  readonly loggingLevel?: BatchLoggingLevel;
  /**
   * Environment variables of the scoring process.
   * @default {}
   */
  readonly environmentVariables?: Readonly<Record<string, string>>;
  /**
   * Free-text description.
   * @default no description
   */
  readonly description?: string;
}

/** Properties of {@link BatchEndpoint}. */
export interface BatchEndpointProps {
  /** Endpoint name, unique in the region: it becomes `<name>.<region>.inference.ml.azure.com`. */
  readonly name: string;
  readonly location: string;
  /** The workspace the endpoint lives in; the cluster identity is granted its storage and registry. */
  readonly workspace: MlWorkspace;
  /** The AmlCompute cluster jobs run on, under its system-assigned identity. */
  readonly compute: ComputeCluster;
  readonly deployment: BatchDeploymentProps;
  /**
   * Free-text description.
   * @default no description
   */
  readonly description?: string;
  /**
   * Tags on the endpoint and its deployment.
   * @default {}
   */
  readonly tags?: Readonly<Record<string, string>>;
}

/**
 * A batch endpoint with one deployment, its default: scores files or tables on an AmlCompute cluster, as jobs.
 *
 * Callers authenticate with Entra ID tokens, the only mode batch endpoints support (authMode AADToken), and each
 * job runs under the caller's identity. The endpoint takes no managed identity: jobs reach data as the compute
 * cluster's identity, which is granted Storage Blob Data Contributor on the workspace storage (read the model and
 * code, write outputs) and AcrPull on the workspace registry (pull the environment image), before the deployment
 * is created. The default deployment is set by a separate update once the deployment exists, because Azure only
 * accepts a default that exists.
 * @see https://learn.microsoft.com/azure/machine-learning/concept-endpoints-batch
 * @see https://learn.microsoft.com/azure/machine-learning/how-to-authenticate-batch-endpoint
 */
export class BatchEndpoint extends Construct {
  readonly endpoint: AzapiResource;
  readonly deployment: AzapiResource;
  /** The update that makes `deployment` the endpoint's default. */
  readonly defaults: AzapiUpdateResource;
  /** The cluster identity's grants, shared by every batch endpoint on that cluster. */
  readonly roleAssignments: readonly RoleAssignment[];
  /** Endpoint name as configured, for `az ml batch-endpoint invoke --name`. */
  readonly endpointName: string;
  /** Name of the default deployment. */
  readonly deploymentName: string;

  constructor(scope: Construct, id: string, props: BatchEndpointProps) {
    super(scope, id);
    const d = props.deployment;
    const instanceCount = d.instanceCount ?? 1;
    const maxConcurrency = d.maxConcurrencyPerInstance ?? 1;
    const miniBatchSize = d.miniBatchSize ?? 10;
    const maxRetries = d.retry?.maxRetries ?? 3;
    const timeoutSeconds = d.retry?.timeoutSeconds ?? 300;
    const errorThreshold = d.errorThreshold ?? -1;
    const outputAction = d.outputAction ?? "append_row";
    new PropsChecker("BatchEndpoint")
      .wholeNumber("deployment.instanceCount", instanceCount, 1)
      .wholeNumber("deployment.maxConcurrencyPerInstance", maxConcurrency, 1)
      .wholeNumber("deployment.miniBatchSize", miniBatchSize, 1)
      .wholeNumber("deployment.retry.maxRetries", maxRetries, 0)
      .wholeNumber("deployment.retry.timeoutSeconds", timeoutSeconds, 1)
      .wholeNumber("deployment.errorThreshold", errorThreshold, -1)
      .that(!d.code || d.environmentId !== undefined, "deployment.environmentId", "is required when code is given", undefined)
      .throwIfInvalid();
    this.endpointName = props.name;
    this.deploymentName = d.name;
    const tags = { ...props.tags };

    this.roleAssignments = computeAccess(props.workspace, props.compute);

    const endpointBody: BatchEndpointBody = {
      properties: { authMode: "AADToken", description: props.description },
    };
    this.endpoint = new AzapiResource(this, "endpoint", {
      type: MlResourceType.batchEndpoint,
      name: props.name,
      parentId: props.workspace.workspace.id,
      location: props.location,
      body: endpointBody,
      tags,
    });

    const deploymentBody: BatchDeploymentBody = {
      properties: {
        compute: props.compute.id,
        model: { referenceType: "Id", assetId: d.modelId },
        environmentId: d.environmentId,
        codeConfiguration: d.code && { codeId: d.code.codeId, scoringScript: d.code.scoringScript },
        resources: { instanceCount },
        maxConcurrencyPerInstance: maxConcurrency,
        miniBatchSize,
        retrySettings: { maxRetries, timeout: secondsToIsoDuration(timeoutSeconds) },
        errorThreshold,
        outputAction: OUTPUT_ACTIONS[outputAction],
        outputFileName: outputAction === "append_row" ? (d.outputFileName ?? "predictions.csv") : undefined,
        loggingLevel: LOGGING_LEVELS[d.loggingLevel ?? "info"],
        environmentVariables: d.environmentVariables && { ...d.environmentVariables },
        description: d.description,
      },
    };
    this.deployment = new AzapiResource(this, `deployment-${d.name}`, {
      type: MlResourceType.batchDeployment,
      name: d.name,
      parentId: this.endpoint.id,
      location: props.location,
      body: deploymentBody,
      tags,
      locks: [this.endpoint.id],
      // Azure ML checks that the cluster identity can pull the image and read the model when the deployment is created.
      dependsOn: [...this.roleAssignments],
    });

    const defaultsBody: { readonly properties: Pick<BatchEndpointProperties, "defaults"> } = {
      properties: { defaults: { deploymentName: d.name } },
    };
    this.defaults = new AzapiUpdateResource(this, "defaults", {
      type: MlResourceType.batchEndpoint,
      resourceId: this.endpoint.id,
      body: defaultsBody,
      locks: [this.endpoint.id],
      dependsOn: [this.deployment],
      // An update of the endpoint PUTs its body without defaults; re-applying afterwards keeps the default set.
      lifecycle: { replaceTriggeredBy: [resourceAddress(this.endpoint)] },
    });
  }

  /** Resource id of the endpoint. */
  get id(): string {
    return this.endpoint.id;
  }
}

/**
 * The cluster identity's grants for batch scoring, created once per cluster however many endpoints use it.
 *
 * They live under the cluster (`<cluster>/batch-access/...`) because a second identical role assignment is an
 * error in Azure (RoleAssignmentExists), and because they belong to the cluster's identity, not to one endpoint.
 */
function computeAccess(workspace: MlWorkspace, compute: ComputeCluster): RoleAssignment[] {
  const existing = compute.node.tryFindChild(COMPUTE_ACCESS_ID);
  if (existing) {
    return existing.node.children as RoleAssignment[];
  }
  const access = new Construct(compute, COMPUTE_ACCESS_ID);
  return [workspace.grantBlobWrite(access, compute.principalId), workspace.grantRegistryPull(access, compute.principalId)];
}

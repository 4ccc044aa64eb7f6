import type { RoleAssignment } from "@cdktf/provider-azurerm/lib/role-assignment";
import type { ITerraformDependable } from "cdktf";
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
import { ComputeCluster } from "./compute-cluster";
import { PropsChecker } from "./invariants";
import type { ServingWorkspace } from "./serving-workspace";
import { managedIdentity } from "./principal";
import { RolePropagation } from "./role-propagation";
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

/** Id, under that scope, of the wait after the grants. */
const COMPUTE_ACCESS_READY_ID = "propagation";

/** One deployment of a {@link BatchEndpoint}. */
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
  /**
   * Tags on the deployment, merged over the endpoint's.
   * @default the endpoint's tags
   */
  readonly tags?: Readonly<Record<string, string>>;
}

/**
 * A compute cluster that exists already in an existing workspace, by its ARM id. Its identity is not this stack's,
 * so it is granted nothing here: it needs Storage Blob, Queue and Table Data Contributor on the workspace storage and
 * AcrPull on the registry, granted by whoever owns the cluster.
 */
export interface ExistingCompute {
  /** ARM id of the cluster: `<workspace id>/computes/<name>`. */
  readonly id: string;
}

/** Properties of {@link BatchEndpoint}. */
export interface BatchEndpointProps {
  /** Endpoint name, unique in the region: it becomes `<name>.<region>.inference.ml.azure.com`. */
  readonly name: string;
  readonly location: string;
  /** The workspace the endpoint lives in; the cluster identity is granted its storage and registry. */
  readonly workspace: ServingWorkspace;
  /** The AmlCompute cluster jobs run on, under its system-assigned identity. */
  readonly compute: ComputeCluster | ExistingCompute;
  /** The endpoint's deployments, at least one; names unique within the endpoint. */
  readonly deployments: readonly BatchDeploymentProps[];
  /**
   * What must exist before a deployment's environment can be built, when the workspace builds images on a compute
   * cluster (`ImageBuilder.ready`).
   * @default [] (Azure ML builds images itself)
   */
  readonly buildReady?: readonly ITerraformDependable[];
  /**
   * Name of the deployment that jobs naming none run on.
   * @default the only deployment; required when there are several
   */
  readonly defaultDeployment?: string;
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
 * A batch endpoint and its deployments, one of them the default: scores files or tables on an AmlCompute cluster,
 * as jobs. A rollout adds a deployment, then switches the default, then removes the old one in a later change.
 *
 * Callers authenticate with Entra ID tokens, the only mode batch endpoints support (authMode AADToken), and each
 * job runs under the caller's identity. The endpoint takes no managed identity: jobs run as Parallel Run jobs and
 * reach the keyless workspace storage as the compute cluster's user-assigned identity. That identity is granted
 * Storage Blob, Queue and Table Data Contributor on the workspace storage (model and code, outputs, and Parallel
 * Run's task queue and progress tables) and AcrPull on the workspace registry, and the deployment waits for those
 * roles to propagate and for the workspace's identity datastore mode.
 *
 * The endpoint resource is created once and then ignores changes to its body and tags, because an `azapi_resource`
 * update PUTs a body without the default deployment. The default deployment, the description and the tags are
 * applied by {@link BatchEndpoint.defaults}, an update that merges them into the live endpoint once every deployment
 * exists (Azure only accepts a default that exists). Deployments take the endpoint as a lock, one at a time.
 * @see https://learn.microsoft.com/azure/machine-learning/concept-endpoints-batch
 * @see https://learn.microsoft.com/azure/machine-learning/how-to-authenticate-batch-endpoint
 */
export class BatchEndpoint extends Construct {
  readonly endpoint: AzapiResource;
  /** The deployments, in the order given. */
  readonly deployments: readonly AzapiResource[];
  /** The default deployment. */
  readonly deployment: AzapiResource;
  /** The update that makes `deployment` the endpoint's default and applies its description and tags. */
  readonly defaults: AzapiUpdateResource;
  /** The cluster identity's grants, shared by every batch endpoint on that cluster. */
  readonly roleAssignments: readonly RoleAssignment[];
  /** Endpoint name as configured, for `az ml batch-endpoint invoke --name`. */
  readonly endpointName: string;
  /** Name of the default deployment. */
  readonly deploymentName: string;

  constructor(scope: Construct, id: string, props: BatchEndpointProps) {
    super(scope, id);
    const check = new PropsChecker("BatchEndpoint");
    const names = props.deployments.map((d) => d.name);
    const defaultName = props.defaultDeployment ?? names[0];
    const defaultIndex = names.findIndex((n) => n.toLowerCase() === defaultName?.toLowerCase());
    check
      .that(names.length > 0, "deployments", "must list at least one deployment", names)
      .that(new Set(names.map((n) => n.toLowerCase())).size === names.length, "deployments", "must have unique names", names)
      .that(
        props.defaultDeployment !== undefined || names.length <= 1,
        "defaultDeployment",
        `is required when there are several deployments (${names.join(", ")})`,
        undefined,
      )
      .that(names.length === 0 || defaultIndex >= 0, "defaultDeployment", `must name one of the deployments (${names.join(", ")})`, defaultName);
    for (const d of props.deployments) checkDeployment(check, d);
    check.throwIfInvalid();
    this.endpointName = props.name;
    this.deploymentName = names[defaultIndex];
    const tags = { ...props.tags };

    const access = props.compute instanceof ComputeCluster ? computeAccess(props.workspace, props.compute) : undefined;
    this.roleAssignments = access?.roleAssignments ?? [];

    const endpointBody: BatchEndpointBody = {
      properties: { authMode: "AADToken", description: props.description },
    };
    this.endpoint = new AzapiResource(this, "endpoint", {
      type: MlResourceType.batchEndpoint,
      name: props.name,
      parentId: props.workspace.workspaceId,
      location: props.location,
      body: endpointBody,
      tags,
      // authMode AADToken is an enum; see the deployment below.
      ignoreCasing: true,
      // Its jobs resolve the workspace's datastores, which must be in identity mode first.
      dependsOn: props.workspace.dataPlaneReady.length > 0 ? [...props.workspace.dataPlaneReady] : undefined,
      // Create-only: later changes go through `defaults`, which keeps the default deployment (see the class comment).
      lifecycle: { ignoreChanges: ["body", "tags"] },
    });

    this.deployments = props.deployments.map(
      (d) =>
        new AzapiResource(this, `deployment-${d.name}`, {
          type: MlResourceType.batchDeployment,
          name: d.name,
          parentId: this.endpoint.id,
          location: props.location,
          body: deploymentBody(d, props.compute.id),
          tags: { ...tags, ...d.tags },
          locks: [this.endpoint.id],
          // The body carries Azure ML enums (AppendRow, Info...). The service treats them case-insensitively and
          // does not promise to echo the casing it was sent; a re-cased echo must not read as a change on every plan.
          ignoreCasing: true,
          // Azure ML checks that the cluster identity can pull the image and read the model when the deployment is
          // created, so its roles must be in force, and the datastores in identity mode.
          dependsOn: [...(access ? [access.ready.wait] : []), ...props.workspace.dataPlaneReady, ...(props.buildReady ?? [])],
        }),
    );
    this.deployment = this.deployments[defaultIndex];

    const defaultsBody: {
      readonly properties: Pick<BatchEndpointProperties, "defaults" | "description">;
      readonly tags: Record<string, string>;
    } = {
      properties: { defaults: { deploymentName: this.deploymentName }, description: props.description },
      tags,
    };
    this.defaults = new AzapiUpdateResource(this, "defaults", {
      type: MlResourceType.batchEndpoint,
      resourceId: this.endpoint.id,
      body: defaultsBody,
      locks: [this.endpoint.id],
      dependsOn: [...this.deployments],
      // Replacing the endpoint, or updating it in place, PUTs its creation body without defaults; apply them again.
      lifecycle: { replaceTriggeredBy: [resourceAddress(this.endpoint)] },
    });
  }

  /** Resource id of the endpoint. */
  get id(): string {
    return this.endpoint.id;
  }
}

/** One batch deployment's settings with their defaults applied. */
function withDefaults(d: BatchDeploymentProps) {
  return {
    instanceCount: d.instanceCount ?? 1,
    maxConcurrency: d.maxConcurrencyPerInstance ?? 1,
    miniBatchSize: d.miniBatchSize ?? 10,
    maxRetries: d.retry?.maxRetries ?? 3,
    timeoutSeconds: d.retry?.timeoutSeconds ?? 300,
    errorThreshold: d.errorThreshold ?? -1,
    outputAction: d.outputAction ?? "append_row",
  };
}

/** Records what is wrong with one deployment's props (fields named `deployment.<prop>`). */
function checkDeployment(check: PropsChecker, d: BatchDeploymentProps): void {
  const v = withDefaults(d);
  check
    .wholeNumber("deployment.instanceCount", v.instanceCount, 1)
    .wholeNumber("deployment.maxConcurrencyPerInstance", v.maxConcurrency, 1)
    .wholeNumber("deployment.miniBatchSize", v.miniBatchSize, 1)
    .wholeNumber("deployment.retry.maxRetries", v.maxRetries, 0)
    .wholeNumber("deployment.retry.timeoutSeconds", v.timeoutSeconds, 1)
    .wholeNumber("deployment.errorThreshold", v.errorThreshold, -1)
    .that(!d.code || d.environmentId !== undefined, "deployment.environmentId", "is required when code is given", undefined);
}

/** The body of one batch deployment (its props were checked by {@link checkDeployment}). */
function deploymentBody(d: BatchDeploymentProps, computeId: string): BatchDeploymentBody {
  const { instanceCount, maxConcurrency, miniBatchSize, maxRetries, timeoutSeconds, errorThreshold, outputAction } = withDefaults(d);
  return {
    properties: {
      compute: computeId,
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
}

/**
 * The cluster identity's grants for batch scoring and the wait after them, created once per cluster however many
 * endpoints use it.
 *
 * They live under the cluster (`<cluster>/batch-access/...`) because a second identical role assignment is an
 * error in Azure (RoleAssignmentExists), and because they belong to the cluster's identity, not to one endpoint.
 * Parallel Run needs blob, queue and table data roles on keyless storage.
 * @see https://learn.microsoft.com/azure/machine-learning/how-to-disable-local-auth-storage
 */
function computeAccess(workspace: ServingWorkspace, compute: ComputeCluster): { roleAssignments: RoleAssignment[]; ready: RolePropagation } {
  const scope = compute.node.tryFindChild(COMPUTE_ACCESS_ID) ?? new Construct(compute, COMPUTE_ACCESS_ID);
  const principal = managedIdentity(compute.principalId);
  // The grant methods return the existing assignment on a second call, so this is safe for every endpoint.
  const roleAssignments = [
    workspace.grantBlobWrite(scope, principal),
    workspace.grantQueueWrite(scope, principal),
    workspace.grantTableWrite(scope, principal),
    workspace.grantRegistryPull(scope, principal),
  ];
  const ready =
    (scope.node.tryFindChild(COMPUTE_ACCESS_READY_ID) as RolePropagation | undefined) ??
    new RolePropagation(scope, COMPUTE_ACCESS_READY_ID, { roleAssignments });
  return { roleAssignments, ready };
}

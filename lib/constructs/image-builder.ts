import type { ITerraformDependable } from "cdktf";
import { Construct } from "constructs";
import type { ComputeCluster } from "./compute-cluster";
import { PropsError } from "./invariants";
import type { ServingWorkspace } from "./serving-workspace";
import { grantRole, managedIdentity, type Principal } from "./principal";
import { RolePropagation } from "./role-propagation";

/** Properties of {@link ImageBuilder}. */
export interface ImageBuilderProps {
  /** The workspace whose `imageBuildComputeName` names the cluster. */
  readonly workspace: ServingWorkspace;
  /** The cluster that builds the images; its name must be the workspace's `imageBuildComputeName`. */
  readonly cluster: ComputeCluster;
  /**
   * Seconds to wait after the grants before anything builds an image.
   * @default 120
   */
  readonly rolePropagationDelaySeconds?: number;
}

/**
 * The compute cluster as the workspace's image builder: the roles a build needs, and what deployments wait for.
 *
 * A private registry cannot run Azure ML's image builds, so the workspace names a cluster that builds environment
 * images inside the managed network (`imageBuildCompute`). The build runs as the cluster's identity: it pushes the
 * image (AcrPush on the registry) and reads the build context and the conda file that Azure ML stages in the default
 * datastore (Storage Blob Data Reader on that container only). Uploaded build contexts are made readable by
 * `ModelAssets` (its `readers`), container by container. An online or batch deployment whose environment is not built
 * yet triggers the build, so every deployment waits for {@link ready}: the cluster itself and the propagation of
 * these roles. Each is granted once; a second builder for the same cluster returns the same assignments.
 * @see https://learn.microsoft.com/azure/machine-learning/how-to-managed-network#configure-image-builds
 */
export class ImageBuilder extends Construct {
  /** The identity builds run as. */
  readonly principal: Principal;
  /** What a deployment waits for before its environment can be built. */
  readonly ready: readonly ITerraformDependable[];

  constructor(scope: Construct, id: string, props: ImageBuilderProps) {
    super(scope, id);
    if (props.workspace.imageBuildComputeName !== props.cluster.name) {
      throw new PropsError(
        "ImageBuilder",
        "cluster",
        `must be the workspace's image build compute (${props.workspace.imageBuildComputeName ?? "none"})`,
        props.cluster.name,
      );
    }
    this.principal = managedIdentity(props.cluster.principalId);
    const roles = [
      // Push, not only pull: the build writes the image it made into the workspace's registry.
      grantRole(this, "registry-push", "AcrPush", props.workspace.containerRegistryId, this.principal),
      // The default datastore's container, where Azure ML stages the context of an image + conda environment; the
      // rest of the account holds nothing a build reads.
      grantRole(this, "context-read", "Storage Blob Data Reader", props.workspace.defaultContainerId, this.principal),
    ];
    const propagation = new RolePropagation(this, "propagation", {
      roleAssignments: roles,
      delaySeconds: props.rolePropagationDelaySeconds,
    });
    this.ready = [props.cluster.cluster, propagation.wait];
  }
}

import { MachineLearningComputeCluster } from "@cdktf/provider-azurerm/lib/machine-learning-compute-cluster";
import { UserAssignedIdentity } from "@cdktf/provider-azurerm/lib/user-assigned-identity";
import { Fn, Token, type ITerraformDependable } from "cdktf";
import { Construct } from "constructs";
import { PropsChecker } from "./invariants";

/** Properties of {@link ComputeCluster}. */
export interface ComputeClusterProps {
  /** Resource id of the Azure ML workspace that owns the cluster. */
  readonly workspaceId: string;
  readonly location: string;
  /** Resource group of the cluster's user-assigned identity. */
  readonly resourceGroupName: string;
  /** Cluster name, unique within the workspace. */
  readonly name: string;
  /**
   * VM size of every node, e.g. STANDARD_D2_V2, in any casing: it is sent upper-cased. Azure returns the size in
   * upper case whatever it was sent, and azurerm compares `vm_size` case-sensitively and replaces the cluster on a
   * change (ForceNew), so `Standard_D2_v2` would plan a replacement on every run (azurerm issue #17562).
   */
  readonly vmSize: string;
  /**
   * Dedicated nodes, or cheaper low-priority nodes that Azure may take back.
   * @default "dedicated"
   */
  readonly vmPriority?: "dedicated" | "low_priority";
  /**
   * Nodes kept running when idle; 0 lets the cluster scale to nothing.
   * @default 0
   */
  readonly minNodes?: number;
  /** Most nodes the cluster scales out to. */
  readonly maxNodes: number;
  /**
   * How long a node sits idle before it is released, as an ISO-8601 duration.
   * @default "PT2M"
   */
  readonly idleTimeBeforeScaleDown?: string;
  /**
   * Free-text description.
   * @default no description
   */
  readonly description?: string;
  /**
   * Whether nodes get public IP addresses. Turn it off in a workspace with a managed virtual network, where nodes
   * reach Azure through private endpoints. Changing it replaces the cluster.
   * @default true (Azure's default)
   */
  readonly nodePublicIpEnabled?: boolean;
  /**
   * What must exist before the cluster is created, e.g. the workspace's provisioned managed network
   * (`MlWorkspace.networkReady`).
   * @default []
   */
  readonly networkReady?: readonly ITerraformDependable[];
  /**
   * Name of the cluster's user-assigned identity.
   * @default "id-<name>"
   */
  readonly identityName?: string;
  /**
   * Tags on the cluster.
   * @default {}
   */
  readonly tags?: Readonly<Record<string, string>>;
}

/**
 * An AmlCompute cluster that scales between `minNodes` and `maxNodes`, for batch scoring and training jobs.
 *
 * It runs as a user-assigned identity that Terraform creates, so that roles can be granted to it before the cluster
 * runs anything: batch scoring (Parallel Run) reaches the keyless workspace storage as that identity, for blobs,
 * queues and tables. Local (key) auth is off, and so is SSH.
 * @see https://learn.microsoft.com/azure/machine-learning/how-to-create-attach-compute-cluster
 */
export class ComputeCluster extends Construct {
  readonly cluster: MachineLearningComputeCluster;
  /** The identity jobs on the cluster run as. */
  readonly identity: UserAssignedIdentity;
  /** The cluster's name in the workspace, as given. */
  readonly name: string;

  constructor(scope: Construct, id: string, props: ComputeClusterProps) {
    super(scope, id);
    const minNodes = props.minNodes ?? 0;
    const idle = props.idleTimeBeforeScaleDown ?? "PT2M";
    new PropsChecker("ComputeCluster")
      .wholeNumber("minNodes", minNodes, 0, 1000)
      .wholeNumber("maxNodes", props.maxNodes, 1, 1000)
      .that(minNodes <= props.maxNodes, "minNodes", `must be <= maxNodes (${props.maxNodes})`, minNodes)
      .positiveDuration("idleTimeBeforeScaleDown", idle)
      .throwIfInvalid();
    this.name = props.name;

    this.identity = new UserAssignedIdentity(this, "identity", {
      name: props.identityName ?? `id-${props.name}`,
      resourceGroupName: props.resourceGroupName,
      location: props.location,
      tags: { ...props.tags },
    });

    this.cluster = new MachineLearningComputeCluster(this, "cluster", {
      name: props.name,
      location: props.location,
      machineLearningWorkspaceId: props.workspaceId,
      vmSize: upperCase(props.vmSize),
      vmPriority: props.vmPriority === "low_priority" ? "LowPriority" : "Dedicated",
      description: props.description,
      scaleSettings: {
        minNodeCount: minNodes,
        maxNodeCount: props.maxNodes,
        scaleDownNodesAfterIdleDuration: idle,
      },
      identity: { type: "UserAssigned", identityIds: [this.identity.id] },
      localAuthEnabled: false,
      sshPublicAccessEnabled: false,
      nodePublicIpEnabled: props.nodePublicIpEnabled,
      tags: { ...props.tags },
      // In a managed network the cluster's nodes join the network, which must be provisioned first.
      dependsOn: props.networkReady && props.networkReady.length > 0 ? [...props.networkReady] : undefined,
    });
  }

  /** Resource id of the cluster, as batch deployments reference it. */
  get id(): string {
    return this.cluster.id;
  }

  /** Object id of the identity jobs on the cluster run as. */
  get principalId(): string {
    return this.identity.principalId;
  }
}

/**
 * A VM size as Azure returns it: upper case (see {@link ComputeClusterProps.vmSize}). A size known only at apply
 * time is upper-cased by Terraform, since upper-casing a token's placeholder text would break it.
 */
function upperCase(vmSize: string): string {
  return Token.isUnresolved(vmSize) ? Fn.upper(vmSize) : vmSize.toUpperCase();
}

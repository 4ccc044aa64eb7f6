import type { RoleAssignment } from "@cdktf/provider-azurerm/lib/role-assignment";
import { TimeProvider } from "@cdktf/provider-time/lib/provider";
import { Sleep } from "@cdktf/provider-time/lib/sleep";
import { TerraformStack, Token, type TerraformResource } from "cdktf";
import { Construct } from "constructs";
import { PropsChecker } from "./invariants";

/** Registry source of the time provider, whose `time_sleep` waits for role assignments to take effect. */
export const TIME_PROVIDER_SOURCE = "hashicorp/time";

/** Version constraint of the time provider: 0.13 is the release the prebuilt bindings target; 1.x may change them. */
export const TIME_PROVIDER_VERSION_CONSTRAINT = "~> 0.13";

/** How long to wait after a role assignment before using it, unless a construct says otherwise. */
export const DEFAULT_ROLE_PROPAGATION_SECONDS = 120;

/** Properties of {@link RolePropagation}. */
export interface RolePropagationProps {
  /** The role assignments that must be in force before anything waits on {@link RolePropagation.wait}. */
  readonly roleAssignments: readonly RoleAssignment[];
  /**
   * Resources whose creation makes Azure grant roles itself (a workspace created with identity datastores grants
   * its identity storage roles); the wait starts after them, and starts again when one is replaced.
   * @default []
   */
  readonly grantedBy?: readonly TerraformResource[];
  /**
   * Seconds to wait after the last assignment is created. Azure RBAC caches permissions, so a new assignment can
   * take minutes before the data plane or Azure ML honours it.
   * @default 120
   */
  readonly delaySeconds?: number;
}

/**
 * A pause after role assignments, for the writes and deployments that need those roles to be in force.
 *
 * Terraform moves on as soon as ARM has accepted a role assignment, but storage, the registry and Azure ML only
 * honour it once RBAC has propagated, which Microsoft documents as taking up to ten minutes and typically one or
 * two. Whatever uses the roles depends on {@link wait} (a `time_sleep`), not on the assignments themselves. The
 * sleep is re-created, and so waits again, whenever one of the assignments is replaced.
 * @see https://learn.microsoft.com/azure/role-based-access-control/troubleshooting#symptom---role-assignment-changes-are-not-being-detected
 */
export class RolePropagation extends Construct {
  /** The `time_sleep` that ends once the roles may be used. */
  readonly wait: Sleep;

  constructor(scope: Construct, id: string, props: RolePropagationProps) {
    super(scope, id);
    const delay = props.delaySeconds ?? DEFAULT_ROLE_PROPAGATION_SECONDS;
    new PropsChecker("RolePropagation").wholeNumber("delaySeconds", delay, 1, 3600).throwIfInvalid();
    ensureTimeProvider(this);
    this.wait = new Sleep(this, "wait", {
      createDuration: `${delay}s`,
      // A replaced assignment is a new one that must propagate again. (An assignment with `count` has no single id
      // to name; the sleep still waits for it through depends_on.)
      triggers: Object.fromEntries([
        ...props.roleAssignments.flatMap((r, i) => (r.count === undefined ? [[`role_assignment_${i}`, r.id]] : [])),
        ...(props.grantedBy ?? []).map((r, i) => [`granted_by_${i}`, Token.asString(r.getStringAttribute("id"))]),
      ]),
      dependsOn: [...props.roleAssignments, ...(props.grantedBy ?? [])],
    });
  }
}

/** The stack's time provider, created (and pinned to {@link TIME_PROVIDER_VERSION_CONSTRAINT}) on first use. */
function ensureTimeProvider(scope: Construct): void {
  const stack = TerraformStack.of(scope);
  if (stack.node.tryFindChild("time")) return;
  new TimeProvider(stack, "time");
  // The prebuilt bindings pin the exact version they were generated from; allow its patch and minor releases.
  stack.addOverride("terraform.required_providers.time", { source: TIME_PROVIDER_SOURCE, version: TIME_PROVIDER_VERSION_CONSTRAINT });
}

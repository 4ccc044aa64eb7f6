import { RoleAssignment } from "@cdktf/provider-azurerm/lib/role-assignment";
import type { Construct } from "constructs";

/**
 * Kind of Entra principal a role is granted to, as `principal_type` of a role assignment.
 *
 * Set it for identities created in the same apply: Entra ID replicates a new service principal lazily, and ARM
 * refuses an assignment to a principal it cannot find yet unless it is told the type (PrincipalNotFound).
 */
export type PrincipalType = "ServicePrincipal" | "User" | "Group";

/** A principal that roles are granted to. */
export interface Principal {
  /** Object id of the principal. */
  readonly principalId: string;
  /**
   * Its kind. Leave it out when it is not known at synth time (the deploying identity may be a user or a service
   * principal); Azure then looks it up, which works for any principal that already exists.
   * @default looked up by Azure
   */
  readonly principalType?: PrincipalType;
}

/** A managed identity (system- or user-assigned): always a service principal. */
export function managedIdentity(principalId: string): Principal {
  return { principalId, principalType: "ServicePrincipal" };
}

/**
 * Grants `role` on `scope` to `principal`, as a role assignment created under `grantee` with construct id `id`.
 *
 * Idempotent: a second call with the same grantee and id returns the assignment the first call created, because
 * Azure refuses two identical assignments (RoleAssignmentExists).
 */
export function grantRole(grantee: Construct, id: string, role: string, scope: string, principal: Principal): RoleAssignment {
  const existing = grantee.node.tryFindChild(id);
  if (existing instanceof RoleAssignment) return existing;
  return new RoleAssignment(grantee, id, {
    scope,
    roleDefinitionName: role,
    principalId: principal.principalId,
    principalType: principal.principalType,
  });
}

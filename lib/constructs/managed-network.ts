import { Construct } from "constructs";
import { AzapiResourceAction, MlResourceType, MlWorkspaceAction, type ManagedNetworkProvisionOptions, type OutboundRuleBody } from "../azapi";
import { stableHash } from "../config/names";
import { PropsError } from "./invariants";

/** Outbound modes of a workspace's managed virtual network, as azurerm's `managed_network.isolation_mode` spells them. */
export type ManagedNetworkIsolationMode = "AllowOnlyApprovedOutbound" | "AllowInternetOutbound";

/** A managed private endpoint from the managed network to a sub-resource of an Azure resource. */
export interface PrivateEndpointRule {
  /** Rule name, unique in the workspace. */
  readonly name: string;
  /** ARM id of the target resource. */
  readonly targetId: string;
  /** Its sub-resource, e.g. "queue" for a storage account's queue service. */
  readonly subresource: string;
}

/** What the user-defined outbound rules of a managed virtual network are made of. */
export interface OutboundRulesProps {
  /** The workspace's isolation mode; FQDN rules exist only with AllowOnlyApprovedOutbound. */
  readonly isolationMode: ManagedNetworkIsolationMode;
  /**
   * Host names the managed network's computes may reach besides Azure ML's required targets, e.g. a package mirror.
   * Azure ML implements these with a managed Azure Firewall, which is billed.
   * @default []
   */
  readonly allowedFqdns?: readonly string[];
  /**
   * Managed private endpoints besides the ones Azure ML creates itself.
   * @default []
   */
  readonly privateEndpoints?: readonly PrivateEndpointRule[];
}

/**
 * The user-defined outbound rules of a workspace's managed network, as the workspace body carries them: one FQDN
 * rule per allowed host, and one private endpoint rule each.
 *
 * They live in the workspace body, not in separate resources, so that every PUT of the workspace states the whole
 * set and none is lost; Azure's own Required and Recommended rules are never sent (the service refuses them).
 * @throws PropsError when FQDN rules are asked for outside AllowOnlyApprovedOutbound, or two rules share a name
 */
export function outboundRules(props: OutboundRulesProps): { [name: string]: OutboundRuleBody } {
  const fqdns = props.allowedFqdns ?? [];
  if (fqdns.length > 0 && props.isolationMode !== "AllowOnlyApprovedOutbound") {
    throw new PropsError("ManagedNetwork", "allowedFqdns", "must be empty unless isolationMode is AllowOnlyApprovedOutbound", fqdns);
  }
  const rules: { [name: string]: OutboundRuleBody } = {};
  const add = (name: string, rule: OutboundRuleBody) => {
    if (name in rules) throw new PropsError("ManagedNetwork", "outboundRules", "must have unique names", name);
    rules[name] = rule;
  };
  for (const fqdn of fqdns) add(outboundRuleName(fqdn), { type: "FQDN", category: "UserDefined", destination: fqdn });
  for (const pe of props.privateEndpoints ?? []) {
    add(pe.name, {
      type: "PrivateEndpoint",
      category: "UserDefined",
      destination: { serviceResourceId: pe.targetId, subresourceTarget: pe.subresource, sparkEnabled: false },
    });
  }
  return rules;
}

/** Properties of {@link ManagedNetwork}. */
export interface ManagedNetworkProps {
  /** Resource id of the workspace, which carries the managed network's settings and outbound rules. */
  readonly workspaceId: string;
}

/**
 * The provisioning of a workspace's managed virtual network.
 *
 * Azure ML creates the managed network lazily, when the first compute needs it, and a compute cluster or deployment
 * created before that can fail or come up without its private endpoints. So the network is provisioned explicitly
 * (the `provisionManagedNetwork` action; azurerm has no resource for it) once the workspace exists with its outbound
 * rules, and whatever runs in the network depends on {@link ManagedNetwork.provisioned}. The action runs once, when
 * first created, and again only if it is replaced; rules added later are provisioned by the service when the
 * workspace is updated.
 * @see https://learn.microsoft.com/azure/machine-learning/how-to-managed-network#manually-provision-a-managed-vnet
 */
export class ManagedNetwork extends Construct {
  /** Provisions the managed network; the cluster and the deployments depend on it. */
  readonly provisioned: AzapiResourceAction;

  constructor(scope: Construct, id: string, props: ManagedNetworkProps) {
    super(scope, id);
    const body: ManagedNetworkProvisionOptions = { includeSpark: false };
    this.provisioned = new AzapiResourceAction(this, "provision", {
      type: MlResourceType.workspace,
      resourceId: props.workspaceId,
      action: MlWorkspaceAction.provisionManagedNetwork,
      method: "POST",
      body,
      // Provisioning creates the managed network and its private endpoints; Azure documents it taking many minutes.
      timeouts: { create: "60m", update: "60m" },
    });
  }
}

/**
 * A stable outbound rule name for a host: `fqdn-<host with non-alphanumerics as ->`, and when that is longer than
 * the 33 characters Azure allows, its first part plus a hash of the host.
 */
export function outboundRuleName(fqdn: string): string {
  const slug = fqdn.replace(/^\*\./, "any-").replace(/[^a-zA-Z0-9]+/g, "-").replace(/^-+|-+$/g, "");
  const name = `fqdn-${slug}`;
  return name.length <= 33 ? name : `fqdn-${slug.slice(0, 19).replace(/-+$/, "")}-${stableHash(fqdn, 8)}`;
}

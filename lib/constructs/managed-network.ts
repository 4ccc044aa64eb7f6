import { MachineLearningWorkspaceNetworkOutboundRuleFqdn } from "@cdktf/provider-azurerm/lib/machine-learning-workspace-network-outbound-rule-fqdn";
import { Construct } from "constructs";
import { AzapiResourceAction, MlResourceType, MlWorkspaceAction, type ManagedNetworkProvisionOptions } from "../azapi";
import { stableHash } from "../config/names";
import { PropsError } from "./invariants";

/** Outbound modes of a workspace's managed virtual network, as azurerm's `managed_network.isolation_mode` spells them. */
export type ManagedNetworkIsolationMode = "AllowOnlyApprovedOutbound" | "AllowInternetOutbound";

/** Properties of {@link ManagedNetwork}. */
export interface ManagedNetworkProps {
  /** Resource id of the workspace; its `managed_network.isolation_mode` must be `isolationMode`. */
  readonly workspaceId: string;
  /** The workspace's isolation mode; FQDN rules exist only with AllowOnlyApprovedOutbound. */
  readonly isolationMode: ManagedNetworkIsolationMode;
  /**
   * Host names the managed network's computes may reach besides Azure ML's required targets, e.g. a package mirror.
   * Azure ML implements these with a managed Azure Firewall, which is billed.
   * @default []
   */
  readonly allowedFqdns?: readonly string[];
}

/**
 * The outbound side of a workspace's managed virtual network: an FQDN outbound rule per allowed host, and the
 * provisioning of the network itself.
 *
 * Azure ML creates the managed network lazily, when the first compute needs it, and a compute cluster or deployment
 * created before that can fail or come up without its private endpoints. So the network is provisioned explicitly
 * (the `provisionManagedNetwork` action; azurerm has no resource for it) after the rules exist, and whatever runs in
 * the network depends on {@link ManagedNetwork.provisioned}. The action runs once, when first created, and again
 * only if it is replaced.
 * @see https://learn.microsoft.com/azure/machine-learning/how-to-managed-network#manually-provision-a-managed-vnet
 */
export class ManagedNetwork extends Construct {
  readonly fqdnRules: readonly MachineLearningWorkspaceNetworkOutboundRuleFqdn[];
  /** Provisions the managed network; the cluster and the deployments depend on it. */
  readonly provisioned: AzapiResourceAction;

  constructor(scope: Construct, id: string, props: ManagedNetworkProps) {
    super(scope, id);
    const fqdns = props.allowedFqdns ?? [];
    if (fqdns.length > 0 && props.isolationMode !== "AllowOnlyApprovedOutbound") {
      throw new PropsError("ManagedNetwork", "allowedFqdns", "must be empty unless isolationMode is AllowOnlyApprovedOutbound", fqdns);
    }
    const rules: MachineLearningWorkspaceNetworkOutboundRuleFqdn[] = [];
    for (const fqdn of fqdns) {
      const name = outboundRuleName(fqdn);
      rules.push(
        new MachineLearningWorkspaceNetworkOutboundRuleFqdn(this, name, {
          name,
          workspaceId: props.workspaceId,
          destinationFqdn: fqdn,
          // Azure ML applies a workspace's outbound rules one at a time (they all change one managed firewall), so
          // they are created in order rather than racing each other.
          dependsOn: rules.length > 0 ? [rules[rules.length - 1]] : undefined,
        }),
      );
    }
    this.fqdnRules = rules;

    const body: ManagedNetworkProvisionOptions = { includeSpark: false };
    this.provisioned = new AzapiResourceAction(this, "provision", {
      type: MlResourceType.workspace,
      resourceId: props.workspaceId,
      action: MlWorkspaceAction.provisionManagedNetwork,
      method: "POST",
      body,
      dependsOn: rules.length > 0 ? [rules[rules.length - 1]] : undefined,
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

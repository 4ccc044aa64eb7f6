import { PrivateEndpoint as AzurermPrivateEndpoint } from "@cdktf/provider-azurerm/lib/private-endpoint";
import { Construct } from "constructs";
import { PropsError } from "./invariants";

/** The private-link sub-resources (group ids) this project connects to, one per private endpoint. */
export type PrivateLinkSubresource = "amlworkspace" | "blob" | "file" | "vault" | "registry";

/** Properties of {@link PrivateEndpoint}. */
export interface PrivateEndpointProps {
  /** Name of the private endpoint; its network interface is named after it. Changing it replaces the endpoint. */
  readonly name: string;
  readonly resourceGroupName: string;
  readonly location: string;
  /** The subnet the endpoint's private IP addresses come from. */
  readonly subnetId: string;
  /** Resource id of what the endpoint connects to: a workspace, storage account, key vault or registry. */
  readonly targetId: string;
  /** Which part of the target the endpoint reaches: one sub-resource per endpoint. */
  readonly subresource: PrivateLinkSubresource;
  /**
   * Private DNS zones that get the endpoint's A records (a DNS zone group), so that the target's public host name
   * resolves to the private IP inside linked networks.
   */
  readonly privateDnsZoneIds: readonly string[];
  /**
   * Tags on the endpoint.
   * @default {}
   */
  readonly tags?: Readonly<Record<string, string>>;
}

/**
 * A private endpoint to one sub-resource of an Azure resource, with a DNS zone group that keeps its A records in the
 * given private DNS zones.
 *
 * The connection is automatic (not manual): the deployer needs rights on the target, which it has since it created it.
 * @see https://learn.microsoft.com/azure/private-link/private-endpoint-dns
 */
export class PrivateEndpoint extends Construct {
  readonly endpoint: AzurermPrivateEndpoint;

  constructor(scope: Construct, id: string, props: PrivateEndpointProps) {
    super(scope, id);
    if (props.privateDnsZoneIds.length === 0) {
      throw new PropsError("PrivateEndpoint", "privateDnsZoneIds", "must name at least one zone: without DNS, callers resolve the public address", []);
    }
    this.endpoint = new AzurermPrivateEndpoint(this, "endpoint", {
      name: props.name,
      resourceGroupName: props.resourceGroupName,
      location: props.location,
      subnetId: props.subnetId,
      customNetworkInterfaceName: `${props.name}-nic`,
      privateServiceConnection: {
        name: props.name,
        privateConnectionResourceId: props.targetId,
        subresourceNames: [props.subresource],
        isManualConnection: false,
      },
      privateDnsZoneGroup: { name: "default", privateDnsZoneIds: [...props.privateDnsZoneIds] },
      tags: { ...props.tags },
    });
  }

  /** Resource id of the private endpoint. */
  get id(): string {
    return this.endpoint.id;
  }
}

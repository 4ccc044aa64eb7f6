import { PrivateDnsZone } from "@cdktf/provider-azurerm/lib/private-dns-zone";
import { PrivateDnsZoneVirtualNetworkLink } from "@cdktf/provider-azurerm/lib/private-dns-zone-virtual-network-link";
import { Subnet } from "@cdktf/provider-azurerm/lib/subnet";
import { VirtualNetwork } from "@cdktf/provider-azurerm/lib/virtual-network";
import { Token } from "cdktf";
import { Construct } from "constructs";
import { PropsError } from "./invariants";

/**
 * The private DNS zones that private endpoints to an Azure ML workspace and its dependencies register in (Azure
 * public cloud names), by what they resolve.
 * @see https://learn.microsoft.com/azure/private-link/private-endpoint-dns#ai--machine-learning
 */
export const PRIVATE_DNS_ZONES = {
  /** Workspace APIs: <workspace-id>.workspace.<region>.api.azureml.ms and the online endpoints' scoring hosts. */
  workspaceApi: "privatelink.api.azureml.ms",
  /** Workspace notebooks, which the studio reaches through the workspace's private endpoint. */
  workspaceNotebooks: "privatelink.notebooks.azure.net",
  blob: "privatelink.blob.core.windows.net",
  file: "privatelink.file.core.windows.net",
  vault: "privatelink.vaultcore.azure.net",
  registry: "privatelink.azurecr.io",
} as const;

/** One of the zones in {@link PRIVATE_DNS_ZONES}, by key. */
export type PrivateDnsZoneKey = keyof typeof PRIVATE_DNS_ZONES;

/** Resource ids of the six private DNS zones, by key. */
export type PrivateDnsZoneIds = { readonly [key in PrivateDnsZoneKey]: string };

/** Where the private endpoints go: a new virtual network and subnet, or an existing subnet. */
export type ClientSubnet =
  | {
      /** Address range of a new virtual network with one subnet that spans it, e.g. 10.40.0.0/24. */
      readonly addressSpace: string;
    }
  | {
      /** Resource id of an existing subnet; its virtual network gets the DNS zone links. */
      readonly subnetId: string;
    };

/** Properties of {@link ClientNetwork}. */
export interface ClientNetworkProps {
  readonly resourceGroupName: string;
  readonly location: string;
  readonly subnet: ClientSubnet;
  /** Name of the virtual network to create (used only with `addressSpace`). */
  readonly virtualNetworkName: string;
  /**
   * Name of the subnet to create (used only with `addressSpace`).
   * @default "snet-private-endpoints"
   */
  readonly subnetName?: string;
  /**
   * Tags on every resource this construct creates.
   * @default {}
   */
  readonly tags?: Readonly<Record<string, string>>;
}

/**
 * The network callers come from: the subnet that holds the private endpoints, and the six private DNS zones that
 * make the workspace, its storage, key vault and registry resolve to those endpoints, each linked to the subnet's
 * virtual network (auto-registration off: the zones hold only the endpoints' records).
 *
 * Callers in the virtual network, or in a network peered with it that uses these zones (linked, or through a DNS
 * forwarder), reach the workspace and its online endpoints privately. docs/networking.md tells how.
 * @see https://learn.microsoft.com/azure/machine-learning/how-to-configure-private-link
 */
export class ClientNetwork extends Construct {
  /** The virtual network, when this construct created it. */
  readonly virtualNetwork?: VirtualNetwork;
  /** The subnet, when this construct created it. */
  readonly subnet?: Subnet;
  readonly dnsZones: { readonly [key in PrivateDnsZoneKey]: PrivateDnsZone };
  readonly dnsZoneLinks: readonly PrivateDnsZoneVirtualNetworkLink[];
  /** Id of the subnet the private endpoints go into. */
  readonly subnetId: string;
  /** Id of the virtual network the DNS zones are linked to. */
  readonly virtualNetworkId: string;

  constructor(scope: Construct, id: string, props: ClientNetworkProps) {
    super(scope, id);
    const tags = { ...props.tags };
    let virtualNetworkName: string;
    if ("addressSpace" in props.subnet) {
      this.virtualNetwork = new VirtualNetwork(this, "vnet", {
        name: props.virtualNetworkName,
        resourceGroupName: props.resourceGroupName,
        location: props.location,
        addressSpace: [props.subnet.addressSpace],
        tags,
      });
      this.subnet = new Subnet(this, "subnet", {
        name: props.subnetName ?? "snet-private-endpoints",
        resourceGroupName: props.resourceGroupName,
        virtualNetworkName: this.virtualNetwork.name,
        addressPrefixes: [props.subnet.addressSpace],
        // Nothing in this subnet needs to reach the internet by itself; private endpoints take no outbound route.
        defaultOutboundAccessEnabled: false,
      });
      virtualNetworkName = props.virtualNetworkName;
      this.subnetId = this.subnet.id;
      this.virtualNetworkId = this.virtualNetwork.id;
    } else {
      const subnetId = props.subnet.subnetId;
      const match = /^(\/subscriptions\/[^/]+\/resourceGroups\/[^/]+\/providers\/Microsoft\.Network\/virtualNetworks\/([^/]+))\/subnets\/[^/]+$/i.exec(subnetId);
      if (!match || Token.isUnresolved(subnetId)) {
        throw new PropsError("ClientNetwork", "subnet.subnetId", "must be a literal subnet id: .../virtualNetworks/<vnet>/subnets/<subnet>", subnetId);
      }
      this.subnetId = subnetId;
      this.virtualNetworkId = match[1];
      virtualNetworkName = match[2];
    }

    const zones = {} as { [key in PrivateDnsZoneKey]: PrivateDnsZone };
    const links: PrivateDnsZoneVirtualNetworkLink[] = [];
    for (const [key, zoneName] of Object.entries(PRIVATE_DNS_ZONES) as [PrivateDnsZoneKey, string][]) {
      const zone = new PrivateDnsZone(this, `zone-${key}`, { name: zoneName, resourceGroupName: props.resourceGroupName, tags });
      zones[key] = zone;
      links.push(
        new PrivateDnsZoneVirtualNetworkLink(this, `link-${key}`, {
          name: `link-${virtualNetworkName}`,
          resourceGroupName: props.resourceGroupName,
          privateDnsZoneName: zone.name,
          virtualNetworkId: this.virtualNetworkId,
          registrationEnabled: false,
          tags,
        }),
      );
    }
    this.dnsZones = zones;
    this.dnsZoneLinks = links;
  }

  /** Resource ids of the six zones, for private endpoints' DNS zone groups. */
  get dnsZoneIds(): PrivateDnsZoneIds {
    const ids = {} as { [key in PrivateDnsZoneKey]: string };
    for (const key of Object.keys(this.dnsZones) as PrivateDnsZoneKey[]) ids[key] = this.dnsZones[key].id;
    return ids;
  }
}

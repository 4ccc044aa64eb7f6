import { Construct } from "constructs";
import { AzapiUpdateResource, MlResourceType, type OnlineEndpointProperties } from "../azapi";
import { PropsChecker } from "./invariants";
import type { OnlineDeployment } from "./online-deployment";
import type { OnlineEndpoint } from "./online-endpoint";
import { resourceAddress } from "./terraform-address";

/** Properties of {@link EndpointTraffic}. */
export interface EndpointTrafficProps {
  readonly endpoint: OnlineEndpoint;
  /** Every deployment of the endpoint; each is listed in the traffic maps, 0 where it takes none. */
  readonly deployments: readonly OnlineDeployment[];
  /** Percent of live traffic per deployment name; sums to 100, or is all 0. */
  readonly traffic: Readonly<Record<string, number>>;
  /**
   * Percent of live traffic copied to one deployment whose answers are discarded (shadow testing).
   * @default {} (no mirroring)
   */
  readonly mirrorTraffic?: Readonly<Record<string, number>>;
}

/**
 * Splits an endpoint's live traffic between its deployments, and mirrors a share to one of them.
 *
 * A separate `azapi_update_resource`, applied after every deployment exists (Azure refuses traffic to a deployment
 * that does not). Every deployment appears in both maps with an explicit value, because azapi merges the body into
 * the endpoint's current state: a deployment left out would keep its old share. It is re-applied whenever the
 * endpoint itself is updated, so an endpoint change never leaves traffic reset. It runs after the endpoint's settings
 * update ({@link OnlineEndpoint.settings}), never beside it: both read, merge and write the whole endpoint.
 * @see https://learn.microsoft.com/azure/machine-learning/how-to-safely-rollout-online-endpoints
 */
export class EndpointTraffic extends Construct {
  readonly update: AzapiUpdateResource;

  constructor(scope: Construct, id: string, props: EndpointTrafficProps) {
    super(scope, id);
    const names = props.deployments.map((d) => d.deploymentName);
    const mirror = props.mirrorTraffic ?? {};
    const check = new PropsChecker("EndpointTraffic");
    // Azure mirrors at most 50 % of live traffic.
    for (const [field, map, max] of [["traffic", props.traffic, 100], ["mirrorTraffic", mirror, 50]] as const) {
      for (const [name, share] of Object.entries(map)) {
        check
          .that(names.includes(name), `${field}.${name}`, `must name one of the deployments (${names.join(", ")})`, share)
          .wholeNumber(`${field}.${name}`, share, 0, max);
      }
    }
    const total = Object.values(props.traffic).reduce((sum, v) => sum + v, 0);
    check.that(total === 100 || total === 0, "traffic", "must add up to 100, or be 0 for every deployment", props.traffic).throwIfInvalid();

    const body: { readonly properties: Pick<OnlineEndpointProperties, "traffic" | "mirrorTraffic"> } = {
      properties: {
        traffic: Object.fromEntries(names.map((n) => [n, props.traffic[n] ?? 0])),
        mirrorTraffic: Object.fromEntries(names.map((n) => [n, mirror[n] ?? 0])),
      },
    };
    this.update = new AzapiUpdateResource(this, "traffic", {
      type: MlResourceType.onlineEndpoint,
      resourceId: props.endpoint.id,
      body,
      locks: [props.endpoint.id],
      // After the endpoint's settings update too: azapi's update resource reads the endpoint before it takes the lock
      // and PUTs the merge back, so two updates of one endpoint running side by side in one apply can each write the
      // other's old values back (settings undoing a traffic shift, or the traffic update undoing a settings change).
      dependsOn: [...props.deployments.map((d) => d.deployment), props.endpoint.settings],
      lifecycle: { replaceTriggeredBy: [resourceAddress(props.endpoint.endpoint)] },
    });
  }
}

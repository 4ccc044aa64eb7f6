/**
 * The changes Azure refuses that issue 21 added (batch default, managed network, egress) and the instance type
 * warning, on small hand-written stacks: what each reports, and the neighbouring changes it must not report.
 */
import { reviewRollout, rolloutWarnings } from "../../lib/review/rollout";
import { parseSynthStack } from "../../lib/review/synth";

const T = (kind: string) => `Microsoft.MachineLearningServices/workspaces${kind}@2025-12-01`;
const WS = "${azapi_resource.ws.id}";
const RG = "${azurerm_resource_group.rg.id}";

function kinds(base: Record<string, unknown>, head: Record<string, unknown>, name = "serving-dev"): string[] {
  const parse = (json: Record<string, unknown>) => new Map([[name, parseSynthStack(name, json, "x")]]);
  return rolloutWarnings(parse(base), parse(head)).map((w) => `${w.kind} ${w.environment} ${w.field}`);
}

const workspace = (properties: Record<string, unknown>, name = "mlw") => ({ type: T(""), name, parent_id: RG, body: { properties } });
const cluster = { name: "cpu", vm_size: "STANDARD_D2_V2" };
const stack = (ws: object, extra: Record<string, object> = {}, withCluster = true) => ({
  resource: { azapi_resource: { ws, ...extra }, ...(withCluster ? { azurerm_machine_learning_compute_cluster: { c: cluster } } : {}) },
});
const managed = (isolationMode: string) => ({ managedNetwork: { isolationMode } });

describe("network.isolation and network.outbound", () => {
  it("a managed network added or removed is reported, with the field and both modes", () => {
    expect(kinds(stack(workspace({})), stack(workspace(managed("AllowOnlyApprovedOutbound"))))).toEqual(["network-isolation-changed dev network.isolation"]);
    expect(kinds(stack(workspace(managed("AllowInternetOutbound"))), stack(workspace({})))).toEqual(["network-isolation-changed dev network.isolation"]);
  });

  it("not on a workspace with no cluster and no endpoint: nothing to migrate", () => {
    expect(kinds(stack(workspace({}), {}, false), stack(workspace(managed("AllowOnlyApprovedOutbound")), {}, false))).toEqual([]);
  });

  it("an endpoint alone (no cluster) is enough to block it", () => {
    const ep = { type: T("/onlineEndpoints"), name: "ep", parent_id: WS, body: {} };
    expect(kinds(stack(workspace({}), { ep }, false), stack(workspace(managed("AllowOnlyApprovedOutbound")), { ep }, false))).toEqual([
      "network-isolation-changed dev network.isolation",
    ]);
  });

  it("not when the workspace itself is another one (renamed: created anew, nothing migrates)", () => {
    // (azapi replaces it: that is the forced-replacement warning, not a network change.)
    expect(kinds(stack(workspace({})), stack(workspace(managed("AllowOnlyApprovedOutbound"), "mlw2"))).filter((k) => k.startsWith("network"))).toEqual([]);
  });

  it("the outbound mode changed is reported; the same mode is not", () => {
    expect(kinds(stack(workspace(managed("AllowOnlyApprovedOutbound"))), stack(workspace(managed("AllowInternetOutbound"))))).toEqual([
      "network-outbound-changed dev network.outbound",
    ]);
    expect(kinds(stack(workspace(managed("AllowInternetOutbound"))), stack(workspace(managed("AllowInternetOutbound"))))).toEqual([]);
  });
});

describe("online deployments that stay", () => {
  const EP = "${azapi_resource.ep.id}";
  const ep = { type: T("/onlineEndpoints"), name: "ep", parent_id: WS, body: {} };
  const deployment = (properties: Record<string, unknown>, name = "blue") => ({ type: T("/onlineEndpoints/deployments"), name, parent_id: EP, body: { properties } });
  const of = (d: object) => ({ resource: { azapi_resource: { ep, d } } });

  it("egress Enabled ↔ Disabled is reported at the deployment's field; a casing change is not", () => {
    expect(kinds(of(deployment({ egressPublicNetworkAccess: "Enabled" })), of(deployment({ egressPublicNetworkAccess: "Disabled" })))).toEqual([
      "egress-changed dev endpoint.deployments[name=blue].egress_public_network_access",
    ]);
    expect(kinds(of(deployment({ egressPublicNetworkAccess: "Enabled" })), of(deployment({ egressPublicNetworkAccess: "enabled" })))).toEqual([]);
  });

  it("egress present on one side only (the network changed) is left to the network finding", () => {
    expect(kinds(of(deployment({ egressPublicNetworkAccess: "Enabled" })), of(deployment({})))).toEqual([]);
  });

  it("a new deployment under another name is no egress change", () => {
    // (Same address, another Azure name: azapi replaces it, the forced-replacement warning.)
    expect(kinds(of(deployment({ egressPublicNetworkAccess: "Enabled" })), of(deployment({ egressPublicNetworkAccess: "Disabled" }, "green")))).toEqual([
      "forced-replacement dev undefined",
    ]);
  });

  it("the instance type changed is a warning at the deployment's field", () => {
    expect(kinds(of(deployment({ instanceType: "Standard_DS3_v2" })), of(deployment({ instanceType: "Standard_F4s_v2" })))).toEqual([
      "instance-type-changed dev endpoint.deployments[name=blue].instance_type",
    ]);
    expect(kinds(of(deployment({ instanceType: "Standard_DS3_v2" })), of(deployment({ instanceType: "standard_ds3_v2" })))).toEqual([]);
  });
});

describe("batch default deployment", () => {
  const EP = "${azapi_resource.bep.id}";
  const bep = { type: T("/batchEndpoints"), name: "churn-batch", parent_id: WS, body: {} };
  const d = (name: string) => ({ type: T("/batchEndpoints/deployments"), name, parent_id: EP, body: { properties: {} } });
  const defaults = (name: string) => ({ defaults: { type: T("/batchEndpoints"), resource_id: EP, body: { properties: { defaults: { deploymentName: name } } } } });
  const of = (names: string[], def: string, endpoint: object | null = bep) => ({
    resource: {
      azapi_resource: { ...(endpoint ? { bep: endpoint } : {}), ...Object.fromEntries(names.map((n) => [n, d(n)])) },
      ...(endpoint ? { azapi_update_resource: defaults(def) } : {}),
    },
  });

  it("the base's default removed while the endpoint stays is reported at the batch deployment's field", () => {
    expect(kinds(of(["nightly", "weekly"], "nightly"), of(["weekly"], "weekly"))).toEqual([
      "batch-default-removed dev batch[name=churn-batch].deployments[name=nightly]",
    ]);
  });

  it("switching the default first, or removing another deployment, or the whole endpoint, is not", () => {
    expect(kinds(of(["nightly", "weekly"], "nightly"), of(["nightly", "weekly"], "weekly"))).toEqual([]);
    expect(kinds(of(["nightly", "weekly"], "weekly"), of(["weekly"], "weekly"))).toEqual([]);
    expect(kinds(of(["nightly"], "nightly"), of([], "", null))).toEqual([]);
  });
});

describe("reviewRollout", () => {
  const ws = (mode: string) => ({ resource: { azapi_resource: { ws: workspace(managed(mode)) } } });
  const withWaiver = (json: object, rule: string) => ({ ...json, "//": { metadata: { rollout: { waivers: [{ rule, reason: "done by hand" }] } } } });
  const review = (base: object, head: object) =>
    reviewRollout(new Map([["serving-dev", parseSynthStack("serving-dev", base, "b")]]), new Map([["serving-dev", parseSynthStack("serving-dev", head, "h")]]));

  it("blocks a refused change, and a waiver of its rule in head turns it into a warning with the waiver", () => {
    const refused = review(ws("AllowOnlyApprovedOutbound"), ws("AllowInternetOutbound"));
    expect(refused.blocked.map((w) => w.kind)).toEqual(["network-outbound-changed"]);
    expect(refused.warnings).toEqual([]);
    const waived = review(ws("AllowOnlyApprovedOutbound"), withWaiver(ws("AllowInternetOutbound"), "rollout-network-outbound-changed"));
    expect(waived.blocked).toEqual([]);
    expect(waived.warnings.map((w) => [w.kind, w.waiver])).toEqual([["network-outbound-changed", { rule: "rollout-network-outbound-changed", reason: "done by hand" }]]);
  });

  it("a waiver of another rule, or one in the base only, does not", () => {
    expect(review(ws("AllowOnlyApprovedOutbound"), withWaiver(ws("AllowInternetOutbound"), "rollout-egress-changed")).blocked).toHaveLength(1);
    expect(review(withWaiver(ws("AllowOnlyApprovedOutbound"), "rollout-network-outbound-changed"), ws("AllowInternetOutbound")).blocked).toHaveLength(1);
  });

  it("a malformed rollout record is an input error naming the path", () => {
    expect(() => parseSynthStack("s", { "//": { metadata: { rollout: { waivers: [{ rule: 1 }] } } } }, "f.json")).toThrow(
      "malformed rollout record at //.metadata.rollout.waivers.0.rule",
    );
  });
});

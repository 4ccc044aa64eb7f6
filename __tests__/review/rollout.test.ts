import * as fs from "node:fs";
import * as path from "node:path";
import { AZURERM_FORCE_NEW, forcesReplacement } from "../../lib/review/force-new";
import { reviewRollout, rolloutWarnings, RolloutWarning } from "../../lib/review/rollout";
import { statefulKind } from "../../lib/review/stateful";
import { readSynthDir } from "../../lib/review/synth";
import { diffSynth, renderSynthDiff } from "../../lib/review/synth-diff";
import { perFile } from "../helpers/shared";
import { alertBlock, planPath, runCli, tempDir, writeSynthDir } from "./helpers";

/** Real synth output of fixtures/rollout/{base,head}/config (regenerate.sh): see the comments in those configs. */
const FIXTURES = path.join(__dirname, "fixtures", "rollout");
const BASE = path.join(FIXTURES, "base", "synth");
const HEAD = path.join(FIXTURES, "head", "synth");

describe("rollout warnings between the base and head fixtures (synthesized by the app)", () => {
  // Read in each test (perFile), not at load: Stryker credits a mutant only to the tests running when it ran.
  const warningsFixture = perFile(() => rolloutWarnings(readSynthDir(BASE), readSynthDir(HEAD)));
  let warnings: RolloutWarning[];
  beforeEach(() => {
    warnings = warningsFixture();
  });
  const of = <K extends RolloutWarning["kind"]>(kind: K) => warnings.filter((w): w is Extract<RolloutWarning, { kind: K }> => w.kind === kind);

  it("name each deployment removed while the base still sent it live or mirror traffic, with its shares", () => {
    expect(of("live-deployment-removed").map((w) => [w.stack, w.deployment, w.trafficPercent, w.mirrorTrafficPercent, w.constructPath])).toEqual([
      ["serving-prod", "blue", 90, 0, "serving-prod/deployment-blue/deployment"],
      ["serving-prod", "canary", 0, 10, "serving-prod/deployment-canary/deployment"],
    ]);
  });

  it("name a model whose path changed under the same version, with the changed attribute", () => {
    expect(of("immutable-version-changed")).toEqual([
      expect.objectContaining({
        stack: "serving-prod",
        asset: "model",
        name: "churn",
        version: "4",
        changes: [
          {
            path: ["body", "properties", "modelUri"],
            before: "azureml://datastores/workspaceblobstore/paths/models/churn/4/",
            after: "azureml://datastores/workspaceblobstore/paths/models/churn/4-retrained/",
          },
        ],
      }),
    ]);
  });

  it("name the cluster's vm_size change as a replacement of capacity", () => {
    expect(of("forced-replacement")).toEqual([
      expect.objectContaining({
        stack: "serving-prod",
        constructPath: "serving-prod/compute/cluster",
        label: "compute cluster",
        rule: "azurerm ForceNew",
        changes: [{ path: ["vm_size"], before: "STANDARD_D4S_V3", after: "STANDARD_E4S_V3" }],
      }),
    ]);
  });

  it("say nothing else: the removed model versions of removed deployments and the traffic change are expected", () => {
    expect(warnings).toHaveLength(4);
  });
});

describe("plan-review shows rollout warnings above everything else", () => {
  it("--synth-diff: the Blocked section comes right under the title, then the warnings, and the exit status is 3", () => {
    const { code, stdout } = runCli(["--synth-diff", BASE, HEAD]);
    expect(code).toBe(3);
    const lines = stdout.split("\n");
    expect(lines.slice(1, 6)).toEqual(["## Synthesized configuration diff", "", "### Blocked", "", "> [!CAUTION]"]);
    const blocked = alertBlock(stdout, "CAUTION");
    expect(blocked[0]).toMatch(/^\*\*3 changes that Azure refuses\*\*/);
    const items = blocked.filter((l) => l.startsWith("- "));
    expect(items).toHaveLength(3);
    expect(items[0]).toMatch(/^- \*\*Live deployment removed\*\*: `blue` still takes 90% of live traffic in the base\. /);
    expect(items[0]).toContain("Rule `rollout-live-deployment-removed`. environment `prod` · field `endpoint.deployments[name=blue]`");
    expect(items[1]).toMatch(/^- \*\*Live deployment removed\*\*: `canary` still takes 10% mirror traffic in the base\. /);
    expect(items[2]).toMatch(/^- \*\*Changed under the same version\*\*: model `churn` version `4`: `body\.properties\.modelUri` /);
    expect(items[2]).toContain("versions are immutable");
    expect(items[2]).toContain("field `endpoint.deployments[name=green].model`");
    const warnings = alertBlock(stdout, "CAUTION", stdout.indexOf("> **1 rollout warning**") - "> [!CAUTION]\n".length);
    expect(warnings[0]).toBe("**1 rollout warning**: read it before anything else.");
    expect(warnings.filter((l) => l.startsWith("- "))).toEqual([
      expect.stringMatching(/^- \*\*Replaced\*\*: compute cluster \(capacity: .*\): `vm_size` `"STANDARD_D4S_V3"` → `"STANDARD_E4S_V3"` forces a new resource \(azurerm ForceNew\)/),
    ]);
    expect(stdout.indexOf("### Blocked")).toBeLessThan(stdout.indexOf("rollout warning"));
    expect(stdout.indexOf("rollout warning")).toBeLessThan(stdout.indexOf("[!NOTE]"));
  });

  it("a plan review with --synth-dir and --synth-base puts the Blocked section above the stacks and the summary, and exits 3", () => {
    const { code, stdout } = runCli(["--synth-dir", HEAD, "--synth-base", BASE, planPath("serving-dev")]);
    expect(code).toBe(3);
    expect(stdout.split("\n").slice(1, 7)).toEqual([
      "## Terraform plan review",
      "",
      "### Blocked",
      "",
      "> [!CAUTION]",
      expect.stringMatching(/^> \*\*3 changes that Azure refuses\*\*/),
    ]);
    expect(stdout.indexOf("### Blocked")).toBeLessThan(stdout.indexOf("### `"));
  });

  it("a plan review without --synth-base has no rollout block", () => {
    expect(runCli(["--synth-dir", HEAD, planPath("serving-dev")]).stdout).not.toContain("rollout warning");
  });

  it("--synth-base without --synth-dir is a usage error", () => {
    const { code, stderr } = runCli(["--synth-base", BASE, planPath("serving-dev")]);
    expect(code).toBe(2);
    expect(stderr).toBe(
      "plan-review: --synth-base needs --synth-dir and plan files: it compares the base branch's synth with that one (see plan-review --help)\n",
    );
  });

  it("survives the compact fallback and truncation, at the top", () => {
    const review = reviewRollout(readSynthDir(BASE), readSynthDir(HEAD));
    const text = renderSynthDiff(diffSynth(readSynthDir(BASE), readSynthDir(HEAD)), {
      rollout: review.warnings,
      blocked: review.blocked,
      maxChars: 3000,
    });
    expect(text.length).toBeLessThanOrEqual(3000);
    expect(text).toContain("### Blocked");
    expect(text).toContain("**3 changes that Azure refuses**");
  });
});

describe("rollout warnings of folders built at test time", () => {
  let dir: string;
  beforeEach(() => {
    dir = tempDir("rollout-");
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  const ENDPOINT = "Microsoft.MachineLearningServices/workspaces/onlineEndpoints@2025-12-01";
  const DEPLOYMENT = "Microsoft.MachineLearningServices/workspaces/onlineEndpoints/deployments@2025-12-01";
  const MODEL = "Microsoft.MachineLearningServices/workspaces/models/versions@2025-12-01";
  const meta = (p: string) => ({ "//": { metadata: { path: `s/${p}` } } });
  const deployment = (name: string) => ({ ...meta(name), type: DEPLOYMENT, name, parent_id: "${azapi_resource.endpoint.id}", body: { properties: {} } });
  const endpoint = { ...meta("endpoint"), type: ENDPOINT, name: "ep", parent_id: "${azurerm_machine_learning_workspace.ws.id}", body: {} };
  const traffic = (shares: Record<string, number>, mirror: Record<string, number> = {}) => ({
    type: ENDPOINT,
    resource_id: "${azapi_resource.endpoint.id}",
    body: { properties: { traffic: shares, mirrorTraffic: mirror } },
  });
  const model = (version: string, properties: Record<string, unknown>) => ({
    ...meta(`model-${version}`),
    type: MODEL,
    name: version,
    parent_id: "${azurerm_machine_learning_workspace.ws.id}/models/churn",
    body: { properties: { modelType: "custom_model", ...properties } },
  });

  /** The warnings between two single-stack synths, as `kind: detail` strings. */
  function between(base: Record<string, unknown>, head: Record<string, unknown>): string[] {
    writeSynthDir(path.join(dir, "base"), { s: base });
    writeSynthDir(path.join(dir, "head"), { s: head });
    return rolloutWarnings(readSynthDir(path.join(dir, "base")), readSynthDir(path.join(dir, "head"))).map((w) =>
      w.kind === "live-deployment-removed"
        ? `${w.kind}: ${w.deployment}`
        : w.kind === "immutable-version-changed"
          ? `${w.kind}: ${w.asset} ${w.name} ${w.version}`
          : w.kind === "forced-replacement"
            ? `${w.kind}: ${w.address} ${w.changes.map((c) => c.path.join(".")).join(",")}`
            : `${w.kind}: ${w.address} ${w.field}`,
    );
  }

  it("a deployment at 0 % traffic and 0 % mirror is removed without a warning: that is the documented second step", () => {
    const base = { resource: { azapi_resource: { endpoint, blue: deployment("blue"), green: deployment("green") }, azapi_update_resource: { t: traffic({ blue: 0, green: 100 }, { blue: 0 }) } } };
    const head = { resource: { azapi_resource: { endpoint, green: deployment("green") }, azapi_update_resource: { t: traffic({ green: 100 }) } } };
    expect(between(base, head)).toEqual([]);
  });

  it("a live deployment is found by its Azure name, whatever its construct id became", () => {
    const base = { resource: { azapi_resource: { endpoint, blue: deployment("blue"), green: deployment("green") }, azapi_update_resource: { t: traffic({ blue: 50, green: 50 }) } } };
    const head = { resource: { azapi_resource: { endpoint, renamed_green: deployment("green") }, azapi_update_resource: { t: traffic({ green: 100 }) } } };
    expect(between(base, head)).toEqual(["live-deployment-removed: blue"]);
  });

  it("removing the whole endpoint with its deployments is no blocked deployment removal, but a warning about the endpoint", () => {
    const base = { resource: { azapi_resource: { endpoint, blue: deployment("blue") }, azapi_update_resource: { t: traffic({ blue: 100 }) } } };
    expect(between(base, { resource: { azurerm_resource_group: { rg: { name: "rg", location: "westeurope" } } } })).toEqual(["endpoint-removed: azapi_resource.endpoint endpoint"]);
  });

  it("asset versions: a new version, or a change Azure allows (isArchived, description, tags), is no warning", () => {
    const base = { resource: { azapi_resource: { m3: model("3", { modelUri: "a" }) } } };
    expect(between(base, { resource: { azapi_resource: { m4: model("4", { modelUri: "b" }) } } })).toEqual([]);
    expect(between(base, { resource: { azapi_resource: { m3: model("3", { modelUri: "a", isArchived: true, description: "d", tags: { a: "b" } }) } } })).toEqual([]);
    expect(between(base, { resource: { azapi_resource: { m3: model("3", { modelUri: "a", modelType: "mlflow_model" }) } } })).toEqual([
      "immutable-version-changed: model churn 3",
    ]);
  });

  const account = (overrides: Record<string, unknown>) => ({
    resource: {
      azurerm_storage_account: {
        st: { name: "st", location: "westeurope", resource_group_name: "rg", account_tier: "Standard", account_replication_type: "LRS", account_kind: "StorageV2", ...overrides },
      },
    },
  });

  it("storage replication: within LRS/GRS/RA-GRS is in place, to a zone-redundant kind is a replacement", () => {
    expect(between(account({}), account({ account_replication_type: "GRS" }))).toEqual([]);
    expect(between(account({}), account({ account_replication_type: "ZRS" }))).toEqual([
      "forced-replacement: azurerm_storage_account.st account_replication_type",
    ]);
    expect(between(account({ account_replication_type: "RAGZRS" }), account({ account_replication_type: "ZRS" }))).toEqual([]);
  });

  it("storage kind: Storage to StorageV2 is an upgrade in place, anything else a replacement", () => {
    expect(between(account({ account_kind: "Storage" }), account({ account_kind: "StorageV2" }))).toEqual([]);
    expect(between(account({}), account({ account_kind: "BlockBlobStorage" }))).toEqual(["forced-replacement: azurerm_storage_account.st account_kind"]);
    // Left out, account_kind is StorageV2.
    expect(between(account({ account_kind: undefined }), account({ account_kind: "BlockBlobStorage" }))).toEqual([
      "forced-replacement: azurerm_storage_account.st account_kind",
    ]);
    expect(between(account({ account_kind: undefined }), account({ account_kind: "StorageV2" }))).toEqual([]);
  });

  const cluster = (overrides: Record<string, unknown>) => ({
    name: "cpu",
    location: "westeurope",
    machine_learning_workspace_id: "${azurerm_machine_learning_workspace.ws.id}",
    vm_size: "STANDARD_D2_V2",
    vm_priority: "Dedicated",
    scale_settings: [{ max_node_count: 4, min_node_count: 0 }],
    ...overrides,
  });

  it("cluster: vm_priority is a replacement, scale settings are not; a moved block is followed", () => {
    const base = { resource: { azurerm_machine_learning_compute_cluster: { old: cluster({}) } } };
    const scaled = { resource: { azurerm_machine_learning_compute_cluster: { old: cluster({ scale_settings: [{ max_node_count: 8, min_node_count: 0 }] }) } } };
    expect(between(base, scaled)).toEqual([]);
    const moved = {
      resource: { azurerm_machine_learning_compute_cluster: { new: cluster({ vm_priority: "LowPriority" }) } },
      moved: [{ from: "azurerm_machine_learning_compute_cluster.old", to: "azurerm_machine_learning_compute_cluster.new" }],
    };
    expect(between(base, moved)).toEqual(["forced-replacement: azurerm_machine_learning_compute_cluster.new vm_priority"]);
  });

  it("workspace: a new storage account or key vault replaces it", () => {
    const ws = (storage: string, vault: string) => ({
      resource: { azurerm_machine_learning_workspace: { ws: { name: "mlw", location: "westeurope", resource_group_name: "rg", storage_account_id: storage, key_vault_id: vault } } },
    });
    expect(between(ws("st1", "kv1"), ws("st2", "kv2"))).toEqual(["forced-replacement: azurerm_machine_learning_workspace.ws key_vault_id,storage_account_id"]);
  });

  it("azapi resources that hold something are replaced when their name or parent changes, not when their body does", () => {
    const base = { resource: { azapi_resource: { endpoint } } };
    expect(between(base, { resource: { azapi_resource: { endpoint: { ...endpoint, body: { properties: { authMode: "AADToken" } } } } } })).toEqual([]);
    expect(between(base, { resource: { azapi_resource: { endpoint: { ...endpoint, name: "ep2" } } } })).toEqual([
      "forced-replacement: azapi_resource.endpoint name",
    ]);
  });
});

describe("the ForceNew table", () => {
  it("covers every azurerm type the app synthesizes that holds data, identity or capacity", () => {
    const types = new Set([...readSynthDir(BASE).values()].flatMap((stack) => [...stack.resources.values()].map((r) => r.type)));
    // Left out on purpose (force-new.ts): re-creating a role assignment or lock loses nothing.
    const holding = [...types].filter(
      (t) => t.startsWith("azurerm_") && (statefulKind(t) !== undefined || t === "azurerm_machine_learning_compute_cluster" || t === "azurerm_resource_group"),
    );
    const missing = holding.filter((t) => !(t in AZURERM_FORCE_NEW) && t !== "azurerm_role_assignment" && t !== "azurerm_management_lock");
    expect(holding.length).toBeGreaterThanOrEqual(8);
    expect(missing).toEqual([]);
  });

  it("has the attributes the provider documents as forcing a new resource, and not the updatable ones", () => {
    for (const [type, attribute] of [
      ["azurerm_machine_learning_compute_cluster", "vm_size"],
      ["azurerm_machine_learning_compute_cluster", "vm_priority"],
      ["azurerm_machine_learning_workspace", "storage_account_id"],
      ["azurerm_machine_learning_workspace", "key_vault_id"],
      ["azurerm_storage_account", "account_tier"],
      ["azurerm_key_vault", "name"],
    ] as const) {
      expect([type, attribute, forcesReplacement(type, attribute, "a", "b")]).toEqual([type, attribute, true]);
    }
    for (const [type, attribute] of [
      ["azurerm_machine_learning_compute_cluster", "scale_settings"],
      ["azurerm_machine_learning_compute_cluster", "tags"],
      ["azurerm_storage_account", "min_tls_version"],
      ["azurerm_key_vault", "purge_protection_enabled"],
      ["azurerm_monitor_metric_alert", "name"],
    ] as const) {
      expect([type, attribute, forcesReplacement(type, attribute, "a", "b")]).toEqual([type, attribute, false]);
    }
  });
});

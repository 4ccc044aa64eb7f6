import * as fs from "node:fs";
import * as path from "node:path";
import { MARKER } from "../../lib/review/markdown";
import { ReviewInputError } from "../../lib/review/plan";
import { SENSITIVE_VALUE } from "../../lib/review/sensitive";
import { parseSynthStack, readSynthDir } from "../../lib/review/synth";
import { diffStack, diffSynth, renderSynthDiff } from "../../lib/review/synth-diff";
import { alertBlock, stackSection, SYNTH, tempDir, writeSynthDir } from "./helpers";
import { perFile } from "../helpers/shared";

const baseFixture = perFile(() => readSynthDir(path.join(SYNTH, "base")));
let base: ReturnType<typeof baseFixture>;
beforeEach(() => {
  base = baseFixture();
});
const headFixture = perFile(() => readSynthDir(path.join(SYNTH, "head")));
let head: ReturnType<typeof headFixture>;
beforeEach(() => {
  head = headFixture();
});
const diffsFixture = perFile(() => diffSynth(base, head));
let diffs: ReturnType<typeof diffsFixture>;
beforeEach(() => {
  diffs = diffsFixture();
});
const textFixture = perFile(() => renderSynthDiff(diffs));
let text: ReturnType<typeof textFixture>;
beforeEach(() => {
  text = textFixture();
});
const byName = (name: string) => diffs.find((d) => d.name === name)!;

describe("diffSynth on the base/head fixtures", () => {
  it("classifies every stack", () => {
    expect(diffs.map((d) => [d.name, d.status])).toEqual([
      ["serving-dev", "changed"],
      ["serving-prod", "unchanged"],
      ["serving-qa", "added"],
      ["serving-test", "removed"],
      ["state-sttfstatedev", "unchanged"],
    ]);
  });

  it("names exactly the changed resource and attribute path with old and new values", () => {
    const cluster = byName("serving-dev").changed.find((r) => r.address === "azurerm_machine_learning_compute_cluster.cluster")!;
    expect(cluster.attributes).toEqual([{ path: ["scale_settings", "max_node_count"], before: 6, after: 8 }]);
    expect(cluster.constructPath).toBe("serving-dev/compute/cluster");
    expect(text).toContain("- `azurerm_machine_learning_compute_cluster.cluster` · construct `serving-dev/compute/cluster`\n  - `scale_settings.max_node_count`: `6` → `8`\n");
  });

  it("lists added and removed resources", () => {
    const dev = byName("serving-dev");
    expect(dev.added.map((r) => r.address)).toEqual(["azapi_resource.deployment_green", "azurerm_storage_container.models"]);
    expect(dev.removed.map((r) => r.address)).toEqual([
      "azurerm_container_registry.registry",
      "azurerm_management_lock.workspace_lock",
      "azurerm_storage_container.models_old",
    ]);
  });

  it("follows moved blocks instead of reporting a destroy and a create", () => {
    const dev = byName("serving-dev");
    const moved = dev.changed.find((r) => r.address === "azurerm_role_assignment.pull_acr")!;
    expect(moved.movedFrom).toBe("azurerm_role_assignment.acr_pull");
    expect(moved.attributes).toEqual([]);
    expect(dev.removed.map((r) => r.address)).not.toContain("azurerm_role_assignment.acr_pull");
    expect(text).toContain("· moved from `azurerm_role_assignment.acr_pull`");
  });

  it("reports azapi body changes by path", () => {
    expect(text).toContain('  - `body.properties.instanceType`: `"Standard_DS3_v2"` → `"Standard_DS4_v2"`');
  });

  it("reports provider and backend settings", () => {
    expect(byName("serving-dev").settings).toEqual([{ path: ["terraform", "required_providers", "azurerm", "version"], before: "4.40.0", after: "4.41.0" }]);
  });

  it("masks sensitive outputs", () => {
    const key = byName("serving-dev").outputs.find((o) => o.name === "endpoint_key")!;
    expect(key.attributes).toEqual([{ path: [], before: SENSITIVE_VALUE, after: SENSITIVE_VALUE }]);
    expect(text).toContain("- `endpoint_key`: (sensitive value) → (sensitive value)");
    expect(text).not.toContain("primaryKey");
  });
});

describe("renderSynthDiff", () => {
  it("starts with the same marker as the plan review", () => {
    expect(text.split("\n")[0]).toBe(MARKER);
  });

  it("warns about removed stateful resources and likely replacements", () => {
    const dev = stackSection(text, "serving-dev");
    const block = alertBlock(dev, "WARNING");
    expect(block[0]).toBe("**3 resources removed**: Terraform will destroy them unless a moved or removed block says otherwise.");
    expect(block.filter((l) => l.startsWith("- "))).toEqual([
      "- removed: `azurerm_container_registry.registry` · **container registry** (holds images) · construct `serving-dev/ml/registry`",
      "- removed: `azurerm_management_lock.workspace_lock` · **management lock** (protects resources from deletion) · construct `serving-dev/ml/lock`",
      "- removed: `azurerm_storage_container.models_old` · **storage container** (holds blobs) · construct `serving-dev/ml/models-container`",
      "- may be replaced: `azurerm_key_vault.vault` · **key vault** (holds secrets, keys and certificates) · construct `serving-dev/ml/vault`: `name` changed",
    ]);
    expect(dev).toContain("> `azurerm_storage_container`: resources of the same type were removed and added.");
  });

  it("warns about the workspace of a removed stack", () => {
    const removed = stackSection(text, "serving-test");
    expect(removed.split("\n")[0]).toBe("### `serving-test` (stack removed): 0 added, 16 removed, 0 changed");
    expect(alertBlock(removed, "WARNING")).toContain(
      "- removed: `azurerm_machine_learning_workspace.workspace_5C2A1B3D` · **Machine Learning workspace** (holds models, data assets and job history) · construct `serving-test/ml/workspace`",
    );
  });

  it("heads a new stack with its counts", () => {
    expect(stackSection(text, "serving-qa").split("\n")[0]).toBe("### `serving-qa` (new stack): 16 added, 0 removed, 0 changed");
  });

  it("gives unchanged stacks one line and unchanged resources only a count", () => {
    expect(text).toContain("\nUnchanged stacks: `serving-prod`, `state-sttfstatedev`.\n");
    expect(text).not.toContain("### `serving-prod`");
    const dev = stackSection(text, "serving-dev");
    expect(dev.split("\n")[0]).toBe("### `serving-dev`: 2 added, 3 removed, 5 changed, 8 unchanged");
    expect(dev).not.toContain("azurerm_resource_group.rg");
  });

  it("shows open guardrail findings of the head stack", () => {
    expect(stackSection(text, "serving-dev")).toContain(
      "- `serving-dev/ml/workspace`: `stateful-lock` (error, open): Workspace has no CanNotDelete lock",
    );
  });
});

describe("synth diff of folders built at test time", () => {
  let dir: string;
  beforeEach(() => {
    dir = tempDir();
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  const cluster = (max: number, constructPath = "serving-dev/compute/cluster") => ({
    "//": { metadata: { path: constructPath, uniqueId: "cluster" } },
    name: "cpu",
    scale_settings: { max_node_count: max, min_node_count: 0 },
  });
  const stack = (max: number, constructPath?: string) => ({
    resource: {
      azurerm_machine_learning_compute_cluster: { cluster: cluster(max, constructPath) },
      azurerm_resource_group: { rg: { name: "rg", location: "westeurope" } },
    },
  });

  it("a change in one field names exactly that resource and path, and nothing else", () => {
    writeSynthDir(path.join(dir, "base"), { "serving-dev": stack(6), "serving-prod": stack(6) });
    writeSynthDir(path.join(dir, "head"), { "serving-dev": stack(8), "serving-prod": stack(6) });
    const out = renderSynthDiff(diffSynth(readSynthDir(path.join(dir, "base")), readSynthDir(path.join(dir, "head"))));
    expect(out.split("\n").filter((l) => l.includes("→"))).toEqual(["  - `scale_settings.max_node_count`: `6` → `8`"]);
    expect(out).toContain("### `serving-dev`: 0 added, 0 removed, 1 changed, 1 unchanged");
    expect(out).toContain("Unchanged stack: `serving-prod`.");
    expect(out).not.toContain("[!WARNING]");
  });

  it.each([
    ["name", "cpu-2", true],
    ["location", "northeurope", true],
    ["resource_group_name", "rg-other", true],
    ["parent_id", "/subscriptions/s/other", true],
    ["vm_size", "STANDARD_D4_V2", false],
    ["tags", { team: "ml" }, false],
  ])("a changed %s %s marks the resource as likely replaced: %p", (attribute, value, replacing) => {
    const before = stack(6);
    const after = stack(6);
    (after.resource.azurerm_machine_learning_compute_cluster.cluster as Record<string, unknown>)[attribute] = value;
    const d = diffStack("s", parseSynthStack("s", before, "base.json"), parseSynthStack("s", after, "head.json"));
    expect(d.changed.map((r) => [r.address, r.likelyReplacing])).toEqual([
      ["azurerm_machine_learning_compute_cluster.cluster", replacing ? [attribute] : []],
    ]);
  });

  it("ignores cdktf metadata: a construct path change alone is no change", () => {
    const d = diffStack(
      "s",
      parseSynthStack("s", stack(6, "s/old/path"), "base.json"),
      parseSynthStack("s", stack(6, "s/new/path"), "head.json"),
    );
    expect(d.status).toBe("unchanged");
    expect(d.unchangedCount).toBe(2);
  });

  it("says so when nothing changed at all", () => {
    writeSynthDir(path.join(dir, "base"), { s: stack(6) });
    const out = renderSynthDiff(diffSynth(readSynthDir(path.join(dir, "base")), readSynthDir(path.join(dir, "base"))));
    expect(out).toContain("No changes to the synthesized configuration.");
    expect(out).toContain("Unchanged stack: `s`.");
  });

  it("reads one stack folder, and rejects folders without stacks", () => {
    writeSynthDir(dir, { "serving-dev": stack(6) });
    expect([...readSynthDir(path.join(dir, "stacks", "serving-dev")).keys()]).toEqual(["serving-dev"]);
    expect([...readSynthDir(path.join(dir, "stacks")).keys()]).toEqual(["serving-dev"]);
    fs.mkdirSync(path.join(dir, "empty"));
    expect(() => readSynthDir(path.join(dir, "empty"))).toThrow("no synthesized stacks found (expected stacks/<stack>/cdk.tf.json)");
    expect(() => readSynthDir(path.join(dir, "missing"))).toThrow(ReviewInputError);
  });

  it("rejects a malformed guardrail record", () => {
    const json = { "//": { metadata: { guardrails: { findings: [{ rule: "r", severity: "fatal", path: "p", message: "m", waived: false }] } } } };
    expect(() => parseSynthStack("s", json, "cdk.tf.json")).toThrow(/^malformed guardrails record at \/\/\.metadata\.guardrails\.findings\.0\.severity: /);
  });
});

import { renderPlanReview, renderGuardrails, renderRolloutWarnings, renderBlocked, formatFinding, formatReason } from "../../lib/review/markdown";
import type { OutputEntry, ResourceEntry } from "../../lib/review/plan";
import type { RolloutFinding as RolloutWarning } from "../../lib/review/rollout";
import { SENSITIVE_VALUE } from "../../lib/review/sensitive";
import { parseSynthStack, type SynthStack } from "../../lib/review/synth";
import { stackPlan } from "./helpers";

// Hand-built plans, one per branch of the renderer, with the exact lines expected: what a reviewer reads in the
// pull request comment is the contract, so each section is pinned line by line, written out.

const LABELS: Record<string, string> = { create: "create", update: "update in place", delete: "destroy", replace: "replace", forget: "forget", read: "read", "no-op": "no-op" };

function entry(address: string, kind: ResourceEntry["kind"], extra: Partial<ResourceEntry> = {}): ResourceEntry {
  const [type, name] = address.split(".") as [string, string];
  return {
    address,
    mode: "managed",
    type,
    name,
    actions: [kind],
    kind,
    label: LABELS[kind] ?? kind,
    replacePaths: [],
    importing: false,
    attributes: [],
    ...extra,
  };
}

function output(name: string, kind: OutputEntry["kind"], extra: Partial<OutputEntry> = {}): OutputEntry {
  return { name, actions: [kind], kind, before: null, after: null, attributes: [], ...extra };
}

/** The first line starting with `prefix`. */
function line(text: string, prefix: string): string | undefined {
  return text.split("\n").find((l) => l.startsWith(prefix));
}

/** The lines from `heading` up to the next blank line after its body. */
function section(text: string, heading: string): string[] {
  const lines = text.split("\n");
  const start = lines.findIndex((l) => l.startsWith(heading));
  if (start < 0) throw new Error(`no section ${heading} in:\n${text}`);
  const end = lines.indexOf("", start + 2);
  return lines.slice(start, end < 0 ? undefined : end);
}

const STORAGE = { label: "storage account", risk: "holds data" };

describe("a stack's sections, line by line", () => {
  const richPlan = () =>
    stackPlan("serving-dev", {
      terraformVersion: "1.11.4",
      counts: { import: 1, add: 2, change: 1, destroy: 2, forget: 1 },
      resources: [
        entry("azurerm_role_assignment.old", "delete", { actionReason: "delete_because_no_resource_config" }),
        entry("azurerm_storage_account.ml", "replace", {
          actions: ["delete", "create"],
          stateful: STORAGE,
          actionReason: "replace_because_cannot_update",
          replacePaths: [["name"], ["network_rules", 0, "bypass"]],
          attributes: [{ path: ["name"], before: "stold", after: "stnew" }],
        }),
        entry("azurerm_key_vault.kv", "update", {
          attributes: [
            { path: ["purge_protection_enabled"], before: false, after: true },
            { path: ["tags", "env"], before: "dev", after: SENSITIVE_VALUE },
          ],
        }),
        entry("azapi_resource.endpoint", "create", { azapiType: "Microsoft.MachineLearningServices/workspaces/onlineEndpoints@2025-12-01" }),
        entry("azurerm_monitor_diagnostic_setting.diag", "no-op", { previousAddress: "azurerm_monitor_diagnostic_setting.old" }),
        entry("azurerm_user_assigned_identity.id", "no-op", { importing: true, importId: "/subscriptions/x/id" }),
        entry("azurerm_resource_group.rg", "update", { importing: true, previousAddress: "azurerm_resource_group.before" }),
        entry("azurerm_storage_container.c", "forget", { actionReason: "delete_because_no_resource_config" }),
        { ...entry("azurerm_client_config.current", "read", { actionReason: "read_because_config_unknown" }), address: "data.azurerm_client_config.current", mode: "data" },
        entry("azurerm_log_analytics_workspace.logs", "no-op"),
        entry("azurerm_application_insights.ai", "no-op"),
      ],
      outputs: [
        output("added", "create", { after: "https://x" }),
        output("removed", "delete", { before: 3 }),
        output("renamed", "update", { before: "a", after: "b", attributes: [{ path: [], before: "a", after: "b" }] }),
        output("nested", "update", { before: { a: 1 }, after: { a: 2 }, attributes: [{ path: ["a"], before: 1, after: 2 }] }),
        output("same", "no-op", { before: 1, after: 1 }),
        output("odd", "unrecognised", { actions: ["create", "forget"], before: null, after: 1 }),
      ],
      drift: [
        entry("azurerm_storage_account.gone", "delete"),
        entry("azurerm_key_vault.kv", "update", { attributes: [{ path: ["sku_name"], before: "standard", after: "premium" }] }),
        entry("azurerm_resource_group.rg", "replace", { actions: ["delete", "create"] }),
      ],
    });
  const render = () => renderPlanReview([richPlan()]);

  it("heads the stack with Terraform's summary, imports and forgets included", () => {
    expect(line(render(), "### ")).toBe("### `serving-dev`: Plan: 1 to import, 2 to add, 1 to change, 2 to destroy, 1 to forget.");
  });

  it("lists destructive changes, stateful first, with reason, forcing paths and attributes", () => {
    expect(section(render(), "> [!WARNING]")).toEqual([
      "> [!WARNING]",
      "> **2 destructive changes**, 1 to resources that hold data or identity. Check that each one is intended.",
      ">",
      "> - **replace** `azurerm_storage_account.ml` · **storage account** (holds data)",
      ">   - reason: `replace_because_cannot_update`: an attribute that cannot be updated in place changed",
      ">   - forces replacement: `name`, `network_rules[0].bypass`",
      '>   - `name`: `"stold"` → `"stnew"`',
      "> - **destroy** `azurerm_role_assignment.old`",
      ">   - reason: `delete_because_no_resource_config`: the resource is no longer in the configuration",
    ]);
  });

  it("lists updates with each changed attribute, sensitive values masked as plain text", () => {
    expect(section(render(), "#### Updated in place")).toEqual([
      "#### Updated in place (2)",
      "",
      "- `azurerm_key_vault.kv`",
      "  - `purge_protection_enabled`: `false` → `true`",
      '  - `tags.env`: `"dev"` → (sensitive value)',
      "- `azurerm_resource_group.rg` · moved from `azurerm_resource_group.before` · imported from ID (by identity)",
    ]);
  });

  it("lists creates with their azapi type", () => {
    expect(section(render(), "#### Created")).toEqual([
      "#### Created (1)",
      "",
      "- `azapi_resource.endpoint` · `Microsoft.MachineLearningServices/workspaces/onlineEndpoints@2025-12-01`",
    ]);
  });

  it("lists moves and imports, counting a moved-and-imported resource once", () => {
    expect(section(render(), "#### Moved and imported")).toEqual([
      "#### Moved and imported (3)",
      "",
      "- moved: `azurerm_monitor_diagnostic_setting.old` → `azurerm_monitor_diagnostic_setting.diag` (no other change)",
      "- moved: `azurerm_resource_group.before` → `azurerm_resource_group.rg` (and update in place: see above)",
      "- imported: `azurerm_user_assigned_identity.id` from ID `/subscriptions/x/id` (no other change)",
      "- imported: `azurerm_resource_group.rg` from ID (by identity) (and update in place: see above)",
    ]);
  });

  it("lists forgotten resources under a note that they stay in Azure", () => {
    const lines = render().split("\n");
    const start = lines.indexOf("#### Forgotten (1)");
    expect(lines.slice(start, start + 7)).toEqual([
      "#### Forgotten (1)",
      "",
      "> [!NOTE]",
      "> Terraform stops managing these objects but does not destroy them: they stay in Azure until someone deletes or imports them.",
      "",
      "- `azurerm_storage_container.c`: `delete_because_no_resource_config`: the resource is no longer in the configuration",
      "",
    ]);
  });

  it("lists output changes by kind, leaving unchanged outputs out", () => {
    expect(section(render(), "#### Output changes")).toEqual([
      "#### Output changes (5)",
      "",
      '- `added` (new): `"https://x"`',
      "- `removed` (removed): was `3`",
      '- `renamed`: `"a"` → `"b"`',
      "- `nested`:",
      "  - `nested.a`: `1` → `2`",
      "- `odd` (create, forget): `null` → `1`",
    ]);
  });

  it("collapses data source reads with their reason", () => {
    expect(section(render(), "<details><summary>Data sources")).toEqual([
      "<details><summary>Data sources read during apply (1)</summary>",
      "",
      "- `data.azurerm_client_config.current`: `read_because_config_unknown`: its configuration depends on values known only after apply",
    ]);
  });

  it("collapses drift in words of what already happened", () => {
    expect(section(render(), "<details><summary>Changed outside")).toEqual([
      "<details><summary>Changed outside Terraform since the last apply (3)</summary>",
      "",
      "- `azurerm_storage_account.gone` (deleted)",
      "- `azurerm_key_vault.kv` (changed)",
      '  - `sku_name`: `"standard"` → `"premium"`',
      "- `azurerm_resource_group.rg` (replace)",
    ]);
  });

  it("collapses unchanged resources, and closes with the Terraform version", () => {
    const text = render();
    expect(section(text, "<details><summary>Unchanged")).toEqual([
      "<details><summary>Unchanged (2)</summary>",
      "",
      "- `azurerm_log_analytics_workspace.logs`",
      "- `azurerm_application_insights.ai`",
    ]);
    expect(text.endsWith("<sub>plan-review · Terraform 1.11.4 · from `terraform show -json` · sensitive values masked</sub>\n")).toBe(true);
  });

  it("in compact detail: no attribute lines, whole-value outputs, unchanged as a count", () => {
    // A budget the full review exceeds and the compact one fits.
    const full = render().length;
    const text = renderPlanReview([richPlan()], { maxChars: full - 1 });
    expect(text).toContain("> Attribute-level detail was left out so the review fits in one GitHub comment; the workflow log has the full plan.");
    expect(text).not.toContain("`purge_protection_enabled`");
    expect(text).not.toContain("`sku_name`");
    expect(text).toContain("- `nested`: `{\"a\":1}` → `{\"a\":2}`");
    expect(text).toContain("_2 unchanged._");
    expect(text).not.toContain("Review truncated");
  });
});

describe("stacks with nothing, or little, to show", () => {
  it("says when there is nothing to change, and when no plan was given", () => {
    const text = renderPlanReview([stackPlan("serving-dev")]);
    expect(line(text, "### ")).toBe("### `serving-dev`: No changes.");
    expect(text).toContain("\nYour infrastructure matches the configuration.\n");
    expect(text.endsWith("<sub>plan-review · from `terraform show -json` · sensitive values masked</sub>\n")).toBe(true);
    expect(renderPlanReview([]).split("\n").slice(0, 5)).toEqual(["<!-- plan-review -->", "## Terraform plan review", "", "_No plans were given._", ""]);
  });

  it("an errored plan with no changes is not 'No changes' nor 'matches the configuration'", () => {
    const text = renderPlanReview([stackPlan("serving-dev", { errored: true })]);
    expect(line(text, "### ")).toBe("### `serving-dev`: Plan: 0 to add, 0 to change, 0 to destroy.");
    expect(text).toContain("> Terraform reported errors while planning: this plan is incomplete and cannot be applied.");
    expect(text).not.toContain("matches the configuration");
  });

  it("one destructive change is 'change', without a count of stateful ones", () => {
    const text = renderPlanReview([stackPlan("serving-dev", { resources: [entry("azurerm_role_assignment.a", "delete")] })]);
    expect(text).toContain("> **1 destructive change**. Check that each one is intended.");
  });

  it("an output changed only in an action list it does not know is shown with its actions", () => {
    const text = renderPlanReview([stackPlan("serving-dev", { outputs: [output("x", "read", { actions: ["read"], before: 1, after: 2 })] })]);
    expect(section(text, "#### Output changes")).toEqual(["#### Output changes (1)", "", "- `x` (read): `1` → `2`"]);
  });

  it("several stacks get a summary table: destructive count, and how many hold data or identity", () => {
    const dev = stackPlan("serving-dev", { counts: { import: 0, add: 0, change: 0, destroy: 1, forget: 0 }, resources: [entry("azurerm_role_assignment.a", "delete")] });
    const prod = stackPlan("serving-prod", {
      terraformVersion: "1.12.0",
      counts: { import: 0, add: 1, change: 0, destroy: 1, forget: 0 },
      resources: [entry("azurerm_storage_account.s", "replace", { actions: ["delete", "create"], stateful: STORAGE }), entry("azurerm_key_vault.k", "create")],
    });
    const empty = stackPlan("state-st", { terraformVersion: "1.11.4" });
    const text = renderPlanReview([prod, empty, dev]);
    const lines = text.split("\n");
    const start = lines.indexOf("| Stack | Plan | Destructive |");
    expect(lines.slice(start, start + 6)).toEqual([
      "| Stack | Plan | Destructive |",
      "| --- | --- | --- |",
      "| `serving-dev` | Plan: 0 to add, 0 to change, 1 to destroy. | ⚠️ 1 |",
      "| `serving-prod` | Plan: 1 to add, 0 to change, 1 to destroy. | ⚠️ 1 (1 hold data or identity) |",
      "| `state-st` | No changes. | none |",
      "",
    ]);
    expect(text.endsWith("<sub>plan-review · Terraform 1.11.4, 1.12.0 · from `terraform show -json` · sensitive values masked</sub>\n")).toBe(true);
  });

  it("a deposed object and a note, escaped", () => {
    const text = renderPlanReview([stackPlan("serving-dev", { resources: [entry("azurerm_key_vault.k", "delete", { deposed: "abc123" })] })], { note: "plan *failed* <b>" });
    expect(text.split("\n").slice(3, 6)).toEqual(["> [!CAUTION]", "> plan \\*failed\\* &lt;b&gt;", ""]);
    expect(text).toContain("> - **destroy** `azurerm_key_vault.k` (deposed object `abc123`)");
  });
});

function synthWith(guardrails: unknown, resources: Record<string, Record<string, unknown>> = {}): SynthStack {
  return parseSynthStack("serving-dev", { "//": { metadata: { guardrails } }, resource: resources }, "cdk.tf.json");
}

describe("'No changes' and 'matches the configuration' only when nothing at all changes", () => {
  const zero = { import: 0, add: 0, change: 0, destroy: 0, forget: 0 };
  it.each([
    [{ add: 1, change: 1 }, "Plan: 1 to add, 1 to change, 0 to destroy."],
    [{ change: 1, destroy: 1 }, "Plan: 0 to add, 1 to change, 1 to destroy."],
    [{ destroy: 1, import: 1 }, "Plan: 1 to import, 0 to add, 0 to change, 1 to destroy."],
    [{ import: 1, forget: 1 }, "Plan: 1 to import, 0 to add, 0 to change, 0 to destroy, 1 to forget."],
    [{ forget: 1 }, "Plan: 0 to add, 0 to change, 0 to destroy, 1 to forget."],
  ])("counts %p head the stack with %p", (counts, summary) => {
    expect(line(renderPlanReview([stackPlan("serving-dev", { counts: { ...zero, ...counts } })]), "### ")).toBe(`### \`serving-dev\`: ${summary}`);
  });

  const moved = entry("azurerm_resource_group.m", "no-op", { previousAddress: "azurerm_resource_group.old" });
  const imported = entry("azurerm_resource_group.i", "no-op", { importing: true });
  const read = { ...entry("azurerm_client_config.c", "read"), address: "data.azurerm_client_config.c", mode: "data" };
  it.each([
    ["a destroy and an update", [entry("azurerm_key_vault.a", "delete"), entry("azurerm_key_vault.b", "update")], []],
    ["an update and a create", [entry("azurerm_key_vault.a", "update"), entry("azurerm_key_vault.b", "create")], []],
    ["a create and a move", [entry("azurerm_key_vault.a", "create"), moved], []],
    ["a move and an import", [moved, imported], []],
    ["an import and a forget", [imported, entry("azurerm_key_vault.f", "forget")], []],
    ["a forget and a read", [entry("azurerm_key_vault.f", "forget"), read], []],
    ["a read and an output", [read], [output("o", "create", { after: 1 })]],
  ] as [string, ResourceEntry[], OutputEntry[]][])("%s: the review does not say the infrastructure matches", (_name, resources, outputs) => {
    expect(renderPlanReview([stackPlan("serving-dev", { resources, outputs })])).not.toContain("Your infrastructure matches the configuration.");
  });
});

describe("guardrails from the synthesized stack", () => {
  const finding = (rule: string, severity: "error" | "warning", path: string, waived: boolean, reason?: string) => ({
    rule,
    severity,
    path,
    message: `${rule} at ${path}`,
    waived,
    ...(reason !== undefined ? { reason } : {}),
  });

  it("a table with open errors first, then waived errors, open warnings and waived warnings; then the waivers by rule", () => {
    const lines = renderGuardrails({
      findings: [
        finding("storage-tls", "warning", "s/b", true, "legacy client"),
        finding("endpoint-public", "warning", "s/a", false),
        finding("endpoint-key-auth", "error", "s/z", true, "migrating"),
        finding("endpoint-key-auth", "error", "s/b", false),
        finding("compute-ssh", "error", "s/c", false),
        finding("endpoint-key-auth", "error", "s/a", false),
      ],
      waivers: [
        { rule: "storage-tls", reason: "legacy client" },
        { rule: "endpoint-key-auth", reason: "migrating" },
      ],
    });
    expect(lines).toEqual([
      "#### Guardrails (6 findings, 2 waivers)",
      "",
      "| Severity | Rule | Construct | Finding | Status |",
      "| --- | --- | --- | --- | --- |",
      "| 🛑 error | `compute-ssh` | `s/c` | compute-ssh at s/c | **open** |",
      "| 🛑 error | `endpoint-key-auth` | `s/a` | endpoint-key-auth at s/a | **open** |",
      "| 🛑 error | `endpoint-key-auth` | `s/b` | endpoint-key-auth at s/b | **open** |",
      "| 🛑 error | `endpoint-key-auth` | `s/z` | endpoint-key-auth at s/z | waived: migrating |",
      "| ⚠️ warning | `endpoint-public` | `s/a` | endpoint-public at s/a | **open** |",
      "| ⚠️ warning | `storage-tls` | `s/b` | storage-tls at s/b | waived: legacy client |",
      "",
      "Waivers:",
      "",
      "- `endpoint-key-auth`: migrating",
      "- `storage-tls`: legacy client",
      "",
    ]);
  });

  it("singular counts, no findings, a waived finding without a reason, and no record", () => {
    expect(renderGuardrails({ findings: [], waivers: [{ rule: "storage-tls", reason: "r" }] }).slice(0, 3)).toEqual([
      "#### Guardrails (0 findings, 1 waiver)",
      "",
      "No guardrail findings.",
    ]);
    expect(renderGuardrails({ findings: [finding("compute-ssh", "error", "s/c", true)], waivers: [] })).toEqual([
      "#### Guardrails (1 finding, 0 waivers)",
      "",
      "| Severity | Rule | Construct | Finding | Status |",
      "| --- | --- | --- | --- | --- |",
      "| 🛑 error | `compute-ssh` | `s/c` | compute-ssh at s/c | waived |",
      "",
    ]);
    expect(renderGuardrails(undefined)).toEqual(["_No guardrail record in the synthesized stack._", ""]);
  });

  it("formatFinding: open, waived with and without a reason", () => {
    expect(formatFinding(finding("compute-ssh", "error", "s/c", false))).toBe("`compute-ssh` (error, open): compute-ssh at s/c");
    expect(formatFinding(finding("compute-ssh", "warning", "s/c", true, "why *not*"))).toBe("`compute-ssh` (warning, waived: why \\*not\\*): compute-ssh at s/c");
    expect(formatFinding(finding("compute-ssh", "warning", "s/c", true))).toBe("`compute-ssh` (warning, waived): compute-ssh at s/c");
  });

  it("formatFinding: a record with the config place names it before the message", () => {
    const withPlace = { ...finding("endpoint-key-auth", "error", "s/e", false), source: "config/dev.yaml:12", field: "endpoints[1].auth_mode" };
    expect(formatFinding(withPlace)).toBe("`endpoint-key-auth` (error, open) at `config/dev.yaml:12` `endpoints[1].auth_mode`: endpoint-key-auth at s/e");
    expect(formatFinding({ ...finding("workspace-public", "warning", "s/w", false), source: "config/dev.yaml" })).toBe(
      "`workspace-public` (warning, open) at `config/dev.yaml`: workspace-public at s/w",
    );
  });

  it("a destroyed resource carries its own findings, matched by construct path", () => {
    const synth = synthWith(
      { findings: [finding("storage-tls", "warning", "serving-dev/storage", false), finding("compute-ssh", "error", "serving-dev/other", false)], waivers: [] },
      { azurerm_storage_account: { ml: { "//": { metadata: { path: "serving-dev/storage" } }, name: "st" } } },
    );
    const text = renderPlanReview([stackPlan("serving-dev", { resources: [entry("azurerm_storage_account.ml", "delete")] })], { synth: new Map([["serving-dev", synth]]) });
    expect(text).toContain("> - **destroy** `azurerm_storage_account.ml` · construct `serving-dev/storage`\n>   - guardrail `storage-tls` (warning, open): storage-tls at serving-dev/storage\n\n");
  });

  it("formatReason: a known reason with its meaning, an unknown one as code only", () => {
    expect(formatReason("replace_by_triggers")).toBe("`replace_by_triggers`: a resource in replace_triggered_by changed");
    expect(formatReason("because_of_something_new")).toBe("`because_of_something_new`");
  });
});

describe("rollout warnings", () => {
  const at = { stack: "serving-prod", environment: "prod", address: "azapi_resource.d" };
  const SAFE_ROLLOUT = "https://learn.microsoft.com/azure/machine-learning/how-to-safely-rollout-online-endpoints";
  it("one warning: singular title, each share named, environment and field first in the place", () => {
    const warnings: RolloutWarning[] = [
      { kind: "live-deployment-removed", ...at, field: "endpoint.deployments[name=blue]", deployment: "blue", trafficPercent: 0, mirrorTrafficPercent: 10 },
    ];
    const lines = renderRolloutWarnings(warnings);
    expect(lines.slice(0, 3)).toEqual(["> [!CAUTION]", "> **1 rollout warning**: read it before anything else.", ">"]);
    expect(lines[3]).toMatch(/^> - \*\*Live deployment removed\*\*: `blue` still takes 10% mirror traffic in the base\. Terraform 1\.11 deletes the deployment before/);
    expect(lines[3]).toContain(`(${SAFE_ROLLOUT})`);
    expect(lines[3]).toMatch(/ environment `prod` · field `endpoint\.deployments\[name=blue\]` · `serving-prod` · `azapi_resource\.d`$/);
    expect(lines[4]).toBe("");
    expect(renderRolloutWarnings([])).toEqual([]);
  });

  it("a waived blocked change is a warning that shows the rule and the reason", () => {
    const [line] = renderRolloutWarnings([
      { kind: "egress-changed", ...at, deployment: "blue", before: "Enabled", after: "Disabled", waiver: { rule: "rollout-egress-changed", reason: "blue is drained" } },
    ]).filter((l) => l.startsWith("> - "));
    expect(line).toContain("**Deployment egress changed**: `blue` `Enabled` → `Disabled`.");
    expect(line).toContain("**Waived** (`rollout-egress-changed`): blue is drained.");
  });

  it("both shares, more than three changed attributes, and an azapi replacement", () => {
    const change = (n: number) => ({ path: [`p${n}`], before: n, after: n + 1 });
    const lines = renderRolloutWarnings([
      { kind: "live-deployment-removed", ...at, constructPath: "serving-prod/d", deployment: "blue", trafficPercent: 90, mirrorTrafficPercent: 10 },
      { kind: "immutable-version-changed", ...at, asset: "code", name: "score", version: "3", changes: [change(1), change(2), change(3), change(4), change(5)] },
      { kind: "forced-replacement", ...at, label: "online endpoint", loses: "its scoring URI and keys", rule: "azapi", changes: [change(1)] },
    ] as RolloutWarning[]);
    expect(lines[1]).toBe("> **3 rollout warnings**: read them before anything else.");
    expect(lines[3]).toContain("`blue` still takes 90% of live traffic and 10% mirror traffic in the base.");
    expect(lines[3]).toMatch(/ environment `prod` · `serving-prod` · `azapi_resource\.d` · construct `serving-prod\/d`$/);
    expect(lines[4]).toBe(
      "> - **Changed under the same version**: code `score` version `3`: `p1` `1` → `2`, `p2` `2` → `3`, `p3` `3` → `4` and 2 more. " +
        "Azure code versions are immutable and the update is refused: give the new definition a new version. " +
        "(https://learn.microsoft.com/azure/machine-learning/concept-azure-machine-learning-v2) environment `prod` · `serving-prod` · `azapi_resource.d`",
    );
    expect(lines[5]).toBe(
      "> - **Replaced**: online endpoint (its scoring URI and keys): `p1` `1` → `2` forces a new resource " +
        "(azapi replaces a resource whose name, parent or location changes): Terraform destroys it and creates it again. environment `prod` · `serving-prod` · `azapi_resource.d`",
    );
  });

  it("an instance type changed in place suggests a new deployment and a traffic shift", () => {
    const [line] = renderRolloutWarnings([
      { kind: "instance-type-changed", ...at, field: "endpoint.deployments[name=blue].instance_type", deployment: "blue", before: "Standard_DS3_v2", after: "Standard_F4s_v2" },
    ]).filter((l) => l.startsWith("> - "));
    expect(line).toContain("**Instance type changed in place**: `blue` `Standard_DS3_v2` → `Standard_F4s_v2`.");
    expect(line).toContain("a new deployment with the new instance type, then a traffic shift to it");
    expect(line).toContain(SAFE_ROLLOUT);
  });
});

describe("the Blocked section", () => {
  const at = { stack: "serving-prod", environment: "prod", address: "azapi_resource.ws" };
  it("is empty without blocked changes", () => {
    expect(renderBlocked([])).toEqual([]);
  });

  it("has a heading, a caution block, and per change its rule, environment and field", () => {
    const lines = renderBlocked([{ kind: "network-outbound-changed", ...at, field: "network.outbound", before: "AllowOnlyApprovedOutbound", after: "AllowInternetOutbound" }]);
    expect(lines.slice(0, 4)).toEqual(["### Blocked", "", "> [!CAUTION]", expect.stringMatching(/^> \*\*1 change that Azure refuses\*\*: the apply would fail\. Fix it, or waive it/)]);
    const item = lines.find((l) => l.startsWith("> - "))!;
    expect(item).toContain("**Managed network outbound mode changed**: `AllowOnlyApprovedOutbound` → `AllowInternetOutbound`.");
    expect(item).toContain("Rule `rollout-network-outbound-changed`.");
    expect(item).toContain("environment `prod` · field `network.outbound`");
    expect(item).toContain("https://learn.microsoft.com/azure/machine-learning/how-to-managed-network");
  });
});

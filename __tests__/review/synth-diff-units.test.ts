/**
 * diffSynth / diffStack on small hand-written stacks, and renderSynthDiff's exact lines for each section.
 */

import { SENSITIVE_VALUE } from "../../lib/review/sensitive";
import { parseSynthStack, SynthStack } from "../../lib/review/synth";
import { diffStack, diffSynth, renderSynthDiff } from "../../lib/review/synth-diff";

/** A stack parsed from hand-written cdk.tf.json content. */
function stack(name: string, json: Record<string, unknown>): SynthStack {
  return parseSynthStack(name, json, `${name}/cdk.tf.json`);
}

/** The diff of one stack "s" between two hand-written JSON documents. */
function diffOne(base: Record<string, unknown>, head: Record<string, unknown>) {
  return diffSynth(new Map([["s", stack("s", base)]]), new Map([["s", stack("s", head)]]))[0]!;
}

/** The lines every synth diff starts with (no rollout warnings, no note). */
const HEADER = [
  "<!-- plan-review -->",
  "## Synthesized configuration diff",
  "",
  "> [!NOTE]",
  "> No Terraform plan: this run had no Azure credentials (a fork, for example). This compares the synthesized Terraform JSON of the base branch and this pull request.",
  "> It shows what the configuration asks for, not what Azure will do: drift is not visible, and a replacement the provider forces is flagged only for the ForceNew attributes the review knows (rollout warnings).",
  "",
];
/** The lines every synth diff ends with. */
const FOOTER = ["<sub>plan-review --synth-diff · compares cdktf.out/stacks/*/cdk.tf.json</sub>", ""];

describe("diffSynth on hand-written stacks", () => {
  it("an added resource carries its construct path and stateful kind only when it has them; azapi kinds come from its type", () => {
    const head = {
      resource: {
        azapi_resource: { sa: { "//": { metadata: { path: "s/storage" } }, type: "Microsoft.Storage/storageAccounts@2023-05-01", name: "sa" } },
        azurerm_resource_group: { rg: { name: "rg", location: "westeurope" } },
      },
    };
    expect(diffOne({}, head).added).toStrictEqual([
      { address: "azapi_resource.sa", type: "azapi_resource", constructPath: "s/storage", stateful: { label: "storage account", risk: "holds data" } },
      { address: "azurerm_resource_group.rg", type: "azurerm_resource_group" },
    ]);
  });

  it("a changed resource lists its attribute paths and the changed attributes that usually replace it, without movedFrom", () => {
    const base = { resource: { azurerm_key_vault: { kv: { name: "kv1", location: "westeurope", sku_name: "standard", tags: { team: "a" } } } } };
    const head = { resource: { azurerm_key_vault: { kv: { name: "kv2", location: "northeurope", sku_name: "premium", tags: { team: "b" } } } } };
    expect(diffOne(base, head).changed).toStrictEqual([
      {
        address: "azurerm_key_vault.kv",
        type: "azurerm_key_vault",
        stateful: { label: "key vault", risk: "holds secrets, keys and certificates" },
        attributes: [
          { path: ["location"], before: "westeurope", after: "northeurope" },
          { path: ["name"], before: "kv1", after: "kv2" },
          { path: ["sku_name"], before: "standard", after: "premium" },
          { path: ["tags", "team"], before: "a", after: "b" },
        ],
        likelyReplacing: ["location", "name"],
      },
    ]);
  });

  it("a moved block renames a resource: listed as changed with movedFrom, not as removed and added", () => {
    const base = { resource: { azurerm_resource_group: { old: { name: "rg" } } } };
    const head = { resource: { azurerm_resource_group: { renamed: { name: "rg" } } }, moved: [{ from: "azurerm_resource_group.old", to: "azurerm_resource_group.renamed" }] };
    const d = diffOne(base, head);
    expect([d.added, d.removed, d.unchangedCount, d.status]).toEqual([[], [], 0, "changed"]);
    expect(d.changed).toStrictEqual([
      { address: "azurerm_resource_group.renamed", type: "azurerm_resource_group", attributes: [], likelyReplacing: [], movedFrom: "azurerm_resource_group.old" },
    ]);
  });

  it("a moved block whose source address is still in head is ignored: the target is added, the source compared as itself", () => {
    const base = { resource: { azurerm_resource_group: { old: { name: "rg" } } } };
    const head = {
      resource: { azurerm_resource_group: { old: { name: "rg" }, renamed: { name: "rg2" } } },
      moved: [{ from: "azurerm_resource_group.old", to: "azurerm_resource_group.renamed" }],
    };
    const d = diffOne(base, head);
    expect(d.added).toStrictEqual([{ address: "azurerm_resource_group.renamed", type: "azurerm_resource_group" }]);
    expect([d.removed, d.changed, d.unchangedCount]).toEqual([[], [], 1]);
  });

  it("cdktf's // metadata nested in a resource or in a settings block is not a change", () => {
    const base = { terraform: { "//": { build: "1" }, backend: { local: {} } }, resource: { azurerm_resource_group: { rg: { name: "rg", nested: { "//": "a" } } } } };
    const head = { terraform: { "//": { build: "2" }, backend: { local: {} } }, resource: { azurerm_resource_group: { rg: { name: "rg", nested: { "//": "b" } } } } };
    const d = diffOne(base, head);
    expect([d.status, d.changed, d.settings, d.unchangedCount]).toEqual(["unchanged", [], [], 1]);
  });

  it("outputs: sorted by name; added, removed, changed by path; sensitive ones masked whole; equal ones left out", () => {
    const base = {
      output: {
        b: { value: 1 },
        c: { value: { x: 1, y: 2 } },
        d: { value: "s" },
        e: { value: "k1", sensitive: true },
        f: { value: "same" },
        g: { value: "same-secret", sensitive: true },
      },
    };
    const head = {
      output: {
        a: { value: "new" },
        c: { value: { x: 1, y: 3 } },
        d: { value: "s", sensitive: true },
        e: { value: "k2", sensitive: true },
        f: { value: "same" },
        g: { value: "same-secret", sensitive: true },
      },
    };
    expect(diffOne(base, head).outputs).toStrictEqual([
      { name: "a", kind: "added", attributes: [{ path: [], before: undefined, after: "new" }] },
      { name: "b", kind: "removed", attributes: [{ path: [], before: 1, after: undefined }] },
      { name: "c", kind: "changed", attributes: [{ path: ["y"], before: 2, after: 3 }] },
      { name: "d", kind: "changed", attributes: [{ path: [], before: "s", after: SENSITIVE_VALUE }] },
      { name: "e", kind: "changed", attributes: [{ path: [], before: SENSITIVE_VALUE, after: SENSITIVE_VALUE }] },
    ]);
  });

  it("possible renames: types with both a removed and an added resource, sorted by type (not by address)", () => {
    const base = {
      resource: { azurerm_user_assigned_identity: { old: { name: "id1" } }, azurerm_resource_group: { only: { name: "rg" } } },
      data: { azurerm_key_vault: { old: { name: "kv1" } } },
    };
    const head = {
      resource: { azurerm_user_assigned_identity: { new: { name: "id2" } }, azurerm_resource_group: { only: { name: "rg" } }, azurerm_monitor_action_group: { ag: { name: "ag" } } },
      data: { azurerm_key_vault: { new: { name: "kv2" } } },
    };
    expect(diffOne(base, head).possibleRenames).toEqual(["azurerm_key_vault", "azurerm_user_assigned_identity"]);
  });

  it("status is 'changed' for one removal alone, or for one addition with one output or one setting change", () => {
    const rg = { resource: { azurerm_resource_group: { rg: { name: "rg" } } } };
    const base = new Map([
      ["removal", stack("removal", rg)],
      ["with-output", stack("with-output", { output: { o: { value: 1 } } })],
      ["with-setting", stack("with-setting", { terraform: { required_version: "1.9.0" } })],
    ]);
    const head = new Map([
      ["removal", stack("removal", {})],
      ["with-output", stack("with-output", rg)],
      ["with-setting", stack("with-setting", { ...rg, terraform: { required_version: "1.10.0" } })],
    ]);
    expect(diffSynth(base, head).map((d) => [d.name, d.status, d.added.length, d.removed.length, d.outputs.length, d.settings.length])).toEqual([
      ["removal", "changed", 0, 1, 0, 0],
      ["with-output", "changed", 1, 0, 1, 0],
      ["with-setting", "changed", 1, 0, 0, 1],
    ]);
  });

  it("a new stack reports no settings and takes the head's guardrails; a removed stack takes the base's", () => {
    const guardrails = (rule: string) => ({ "//": { metadata: { guardrails: { findings: [{ rule, severity: "warning", path: "p", message: "m", waived: false }] } } } });
    const base = new Map([["old", stack("old", { ...guardrails("base-rule"), provider: { azurerm: [{ features: {} }] } })]]);
    const head = new Map([["new", stack("new", { ...guardrails("head-rule"), provider: { azurerm: [{ features: {} }] } })]]);
    expect(diffSynth(base, head).map((d) => [d.name, d.status, d.settings, d.guardrails?.findings.map((f) => f.rule)])).toEqual([
      ["new", "added", [], ["head-rule"]],
      ["old", "removed", [], ["base-rule"]],
    ]);
  });

  it("a stack missing on both sides compares as an empty added stack without guardrails", () => {
    expect(diffStack("ghost", undefined, undefined)).toStrictEqual({
      name: "ghost",
      status: "added",
      added: [],
      removed: [],
      changed: [],
      outputs: [],
      settings: [],
      unchangedCount: 0,
      possibleRenames: [],
    });
  });
});

describe("renderSynthDiff lines", () => {
  it("nothing changed: says so and names the unchanged stack", () => {
    const rg = { resource: { azurerm_resource_group: { rg: { name: "rg" } } } };
    const diffs = diffSynth(new Map([["only", stack("only", rg)]]), new Map([["only", stack("only", rg)]]));
    expect(renderSynthDiff(diffs).split("\n")).toEqual([...HEADER, "No changes to the synthesized configuration.", "", "Unchanged stack: `only`.", "", ...FOOTER]);
  });

  it("several unchanged stacks are listed after the changed ones, with a note shown as a caution", () => {
    const rg = { resource: { azurerm_resource_group: { rg: { name: "rg" } } } };
    const base = new Map([
      ["a", stack("a", rg)],
      ["b", stack("b", {})],
      ["c", stack("c", rg)],
    ]);
    const head = new Map([
      ["a", stack("a", rg)],
      ["b", stack("b", rg)],
      ["c", stack("c", rg)],
    ]);
    expect(renderSynthDiff(diffSynth(base, head), { note: "Base synth <b>failed</b>" }).split("\n")).toEqual([
      ...HEADER,
      "> [!CAUTION]",
      "> Base synth &lt;b&gt;failed&lt;/b&gt;",
      "",
      "### `b`: 1 added, 0 removed, 0 changed",
      "",
      "#### Added (1)",
      "",
      "- `azurerm_resource_group.rg`",
      "",
      "Unchanged stacks: `a`, `c`.",
      "",
      ...FOOTER,
    ]);
  });

  it("one removed resource that holds nothing: singular warning without the data list, and the unchanged count", () => {
    const base = { resource: { azurerm_monitor_action_group: { ops: { name: "ops" } }, azurerm_resource_group: { rg: { name: "rg" } } } };
    const head = { resource: { azurerm_resource_group: { rg: { name: "rg" } } } };
    expect(renderSynthDiff([diffOne(base, head)]).split("\n")).toEqual([
      ...HEADER,
      "### `s`: 0 added, 1 removed, 0 changed, 1 unchanged",
      "",
      "> [!WARNING]",
      "> **1 resource removed**: Terraform will destroy it unless a moved or removed block says otherwise.",
      "",
      "#### Removed (1)",
      "",
      "- `azurerm_monitor_action_group.ops`",
      "",
      ...FOOTER,
    ]);
  });

  it("removed resources that hold data and a stateful resource whose name and location change are listed in the warning", () => {
    const base = {
      resource: {
        azurerm_key_vault: { kv: { "//": { metadata: { path: "s/kv" } }, name: "kv1", location: "westeurope" } },
        azurerm_storage_account: { st: { "//": { metadata: { path: "s/st" } }, name: "st" } },
        azurerm_user_assigned_identity: { id: { name: "id" } },
      },
    };
    const head = { resource: { azurerm_key_vault: { kv: { "//": { metadata: { path: "s/kv" } }, name: "kv2", location: "northeurope" } } } };
    expect(renderSynthDiff([diffOne(base, head)]).split("\n")).toEqual([
      ...HEADER,
      "### `s`: 0 added, 2 removed, 1 changed",
      "",
      "> [!WARNING]",
      "> **2 resources removed**: Terraform will destroy them unless a moved or removed block says otherwise.",
      ">",
      "> Resources that hold data or identity:",
      ">",
      "> - removed: `azurerm_storage_account.st` · **storage account** (holds data) · construct `s/st`",
      "> - removed: `azurerm_user_assigned_identity.id` · **user-assigned identity** (identity: a new principal ID breaks its role assignments)",
      "> - may be replaced: `azurerm_key_vault.kv` · **key vault** (holds secrets, keys and certificates) · construct `s/kv`: `location`, `name` changed",
      "",
      "#### Changed (1)",
      "",
      "- `azurerm_key_vault.kv` · **key vault** (holds secrets, keys and certificates) · construct `s/kv`",
      '  - `location`: `"westeurope"` → `"northeurope"`',
      '  - `name`: `"kv1"` → `"kv2"`',
      "",
      "#### Removed (2)",
      "",
      "- `azurerm_storage_account.st` · **storage account** (holds data) · construct `s/st`",
      "- `azurerm_user_assigned_identity.id` · **user-assigned identity** (identity: a new principal ID breaks its role assignments)",
      "",
      ...FOOTER,
    ]);
  });

  it("a stateful resource that may be replaced warns even when nothing is removed", () => {
    const base = { resource: { azurerm_storage_account: { st: { name: "st1" } } } };
    const head = { resource: { azurerm_storage_account: { st: { name: "st2" } } } };
    expect(renderSynthDiff([diffOne(base, head)]).split("\n")).toEqual([
      ...HEADER,
      "### `s`: 0 added, 0 removed, 1 changed",
      "",
      "> [!WARNING]",
      "> **A change may replace a resource that holds data or identity**: the plan shows whether Terraform destroys it.",
      ">",
      "> Resources that hold data or identity:",
      ">",
      "> - may be replaced: `azurerm_storage_account.st` · **storage account** (holds data): `name` changed",
      "",
      "#### Changed (1)",
      "",
      "- `azurerm_storage_account.st` · **storage account** (holds data)",
      '  - `name`: `"st1"` → `"st2"`',
      "",
      ...FOOTER,
    ]);
  });

  it("renames, moves, added and removed resources, outputs, settings and open guardrail findings, in full detail", () => {
    const base = {
      terraform: { required_providers: { azurerm: { version: "4.40.0" } } },
      resource: {
        azurerm_monitor_action_group: { a1: { name: "a1" } },
        azurerm_resource_group: { r1: { name: "r1" } },
        azurerm_role_assignment: { old: { scope: "x", principal_id: "p" } },
      },
      output: { gone: { value: 1 }, nested: { value: { x: 1, y: [1] } }, whole: { value: "a" } },
    };
    const head = {
      "//": {
        metadata: {
          guardrails: {
            findings: [
              { rule: "no-public-ip", severity: "error", path: "s/vm", message: "public IP", waived: false },
              { rule: "tags", severity: "warning", path: "s/rg", message: "missing tags", waived: true, reason: "legacy" },
            ],
          },
        },
      },
      terraform: { required_providers: { azurerm: { version: "4.41.0" } } },
      resource: {
        azurerm_monitor_action_group: { a2: { name: "a2" } },
        azurerm_resource_group: { r2: { name: "r2" } },
        azurerm_role_assignment: { new: { scope: "x", principal_id: "p" } },
      },
      moved: [{ from: "azurerm_role_assignment.old", to: "azurerm_role_assignment.new" }],
      output: { fresh: { value: "n" }, nested: { value: { x: 2, y: [1, 2] } }, whole: { value: "b" } },
    };
    expect(renderSynthDiff([diffOne(base, head)]).split("\n")).toEqual([
      ...HEADER,
      "### `s`: 2 added, 2 removed, 1 changed",
      "",
      "> [!WARNING]",
      "> **2 resources removed**: Terraform will destroy them unless a moved or removed block says otherwise.",
      "",
      "> [!TIP]",
      "> `azurerm_monitor_action_group`, `azurerm_resource_group`: resources of the same type were removed and added. If that is a rename, add a moved block (`resource.moveTo()`) so Terraform keeps the object.",
      "",
      "#### Changed (1)",
      "",
      "- `azurerm_role_assignment.new` · **role assignment** (grants access) · moved from `azurerm_role_assignment.old`",
      "",
      "#### Added (2)",
      "",
      "- `azurerm_monitor_action_group.a2`",
      "- `azurerm_resource_group.r2`",
      "",
      "#### Removed (2)",
      "",
      "- `azurerm_monitor_action_group.a1`",
      "- `azurerm_resource_group.r1`",
      "",
      "#### Outputs (4)",
      "",
      "- `fresh` added",
      "- `gone` removed",
      "- `nested`:",
      "  - `nested.x`: `1` → `2`",
      "  - `nested.y[1]`: `null` → `2`",
      '- `whole`: `"a"` → `"b"`',
      "",
      "<details><summary>Stack settings changed (1): providers, backend, variables</summary>",
      "",
      '- `terraform.required_providers.azurerm.version`: `"4.40.0"` → `"4.41.0"`',
      "",
      "</details>",
      "",
      "Open guardrail findings: 1.",
      "",
      "- `s/vm`: `no-public-ip` (error, open): public IP",
      "",
      ...FOOTER,
    ]);
  });

  it("a new stack and a removed stack are marked in their headings; the removed one explains what happens to its resources", () => {
    const base = new Map([["o", stack("o", { resource: { azurerm_storage_account: { st: { name: "st" } } } })]]);
    const head = new Map([["n", stack("n", { provider: { azurerm: [{ features: {} }] }, resource: { azurerm_resource_group: { rg: { name: "rg" } } } })]]);
    expect(renderSynthDiff(diffSynth(base, head)).split("\n")).toEqual([
      ...HEADER,
      "### `n` (new stack): 1 added, 0 removed, 0 changed",
      "",
      "#### Added (1)",
      "",
      "- `azurerm_resource_group.rg`",
      "",
      "### `o` (stack removed): 0 added, 1 removed, 0 changed",
      "",
      "> [!WARNING]",
      "> **This stack is no longer synthesized.** CI stops deploying it; its resources stay until someone runs `terraform destroy`.",
      ">",
      "> Resources that hold data or identity:",
      ">",
      "> - removed: `azurerm_storage_account.st` · **storage account** (holds data)",
      "",
      "#### Removed (1)",
      "",
      "- `azurerm_storage_account.st` · **storage account** (holds data)",
      "",
      ...FOOTER,
    ]);
  });

  describe("compact fallback", () => {
    function compactCase() {
      const long = (c: string) => c.repeat(100);
      const base = {
        terraform: { required_version: "1.9.0" },
        resource: { azurerm_resource_group: { rg: { name: "rg", tags: { a: long("1") } } } },
        output: { n: { value: { x: long("1") } }, o: { value: long("1") } },
      };
      const head = {
        terraform: { required_version: "1.10.0" },
        resource: { azurerm_resource_group: { rg: { name: "rg", tags: { a: long("2") } } } },
        output: { n: { value: { x: long("2") } }, o: { value: long("2") } },
      };
      return [diffOne(base, head)];
    }
    const COMPACT_SECTION = [
      "### `s`: 0 added, 0 removed, 1 changed",
      "",
      "#### Changed (1)",
      "",
      "- `azurerm_resource_group.rg`",
      "",
      "#### Outputs (2)",
      "",
      "- `n` changed",
      "- `o` changed",
      "",
      "<details><summary>Stack settings changed (1): providers, backend, variables</summary>",
      "",
      "1 changed settings",
      "",
      "</details>",
      "",
    ];

    it("within the limit, every value is shown", () => {
      const ones = "1".repeat(100);
      const twos = "2".repeat(100);
      expect(renderSynthDiff(compactCase()).split("\n")).toEqual([
        ...HEADER,
        "### `s`: 0 added, 0 removed, 1 changed",
        "",
        "#### Changed (1)",
        "",
        "- `azurerm_resource_group.rg`",
        `  - \`tags.a\`: \`"${ones}"\` → \`"${twos}"\``,
        "",
        "#### Outputs (2)",
        "",
        "- `n`:",
        `  - \`n.x\`: \`"${ones}"\` → \`"${twos}"\``,
        `- \`o\`: \`"${ones}"\` → \`"${twos}"\``,
        "",
        "<details><summary>Stack settings changed (1): providers, backend, variables</summary>",
        "",
        '- `terraform.required_version`: `"1.9.0"` → `"1.10.0"`',
        "",
        "</details>",
        "",
        ...FOOTER,
      ]);
    });

    it("over the limit, values are left out and a note says so", () => {
      expect(renderSynthDiff(compactCase(), { maxChars: 1100 }).split("\n")).toEqual([
        ...HEADER,
        "> [!NOTE]",
        "> Attribute values were left out so the review fits in one GitHub comment.",
        "",
        ...COMPACT_SECTION,
        ...FOOTER,
      ]);
    });
  });
});

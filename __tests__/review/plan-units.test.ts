/** Unit tests of lib/review/plan.ts on small hand-written plans: one behaviour per test, exact expected values. */

import {
  classifyPlan,
  compareText,
  countActions,
  parsePlanJson,
  RawPlan,
  redactPlan,
  ReviewInputError,
  sensitiveStringsOf,
  stackNameFromPath,
  summaryLine,
} from "../../lib/review/plan";
import { SecretSet, SENSITIVE_VALUE, UNKNOWN_VALUE } from "../../lib/review/sensitive";

/** Validates hand-written plan JSON the way the CLI reads it. */
function plan(json: Record<string, unknown>): RawPlan {
  return parsePlanJson(JSON.stringify({ format_version: "1.2", ...json }), "plan.json");
}

/** One managed `resource_changes` entry. */
function rc(address: string, change: Record<string, unknown>, extra: Record<string, unknown> = {}): Record<string, unknown> {
  const [type, name] = address.split(".").slice(-2) as [string, string];
  return { address, mode: "managed", type, name, change, ...extra };
}

/** The message of the ReviewInputError parsePlanJson throws for `text`, checking its class, name and source. */
function problem(text: string): string {
  try {
    parsePlanJson(text, "in/plan.json");
  } catch (error) {
    expect(error).toBeInstanceOf(ReviewInputError);
    expect((error as ReviewInputError).source).toBe("in/plan.json");
    return (error as Error).message;
  }
  throw new Error("parsePlanJson accepted the text");
}

describe("parsePlanJson: errors and the usual wrong inputs", () => {
  it("throws errors named ReviewInputError that carry the file name", () => {
    let caught: unknown;
    try {
      parsePlanJson("[]", "plans/x.json");
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(ReviewInputError);
    expect((caught as ReviewInputError).name).toBe("ReviewInputError");
    expect((caught as ReviewInputError).source).toBe("plans/x.json");
    expect(String(caught)).toBe("ReviewInputError: not a Terraform plan: the JSON is not an object");
  });

  it("calls a file of only blank lines and spaces empty", () => {
    expect(problem("  \n\t\n  ")).toBe("file is empty; expected the output of `terraform show -json <planfile>`");
  });

  it("recognises a `terraform plan -json` event log that starts with blank lines", () => {
    const log = '\n\n{"@level":"info","@message":"Terraform 1.11.4","type":"version"}\n{"@level":"info","@message":"Plan: 1 to add","type":"change_summary"}\n';
    expect(problem(log)).toBe("this is the `terraform plan -json` event log, not a plan; use `terraform show -json <planfile>`");
  });

  it("does not take a line that only contains an event object later on for an event log", () => {
    expect(problem('Error: {"@message":"boom"}\n')).toMatch(/^not valid JSON \(/);
  });

  it("takes JSON with values and no plan keys for Terraform state", () => {
    expect(problem(JSON.stringify({ format_version: "1.0", terraform_version: "1.11.4", values: { root_module: {} } }))).toBe(
      "this is Terraform state, not a plan; use `terraform show -json <planfile>`",
    );
  });

  it.each([
    ["planned_values", { planned_values: { root_module: {} } }],
    ["resource_changes", { resource_changes: [] }],
    ["output_changes", { output_changes: {} }],
  ])("does not take a plan with %s and a values key for state", (_key, body) => {
    const parsed = parsePlanJson(JSON.stringify({ format_version: "1.2", values: { root_module: {} }, ...body }), "plan.json");
    expect(parsed.format_version).toBe("1.2");
    expect(parsed["values"]).toEqual({ root_module: {} });
  });

  it("names the path of the first malformed field", () => {
    expect(problem(JSON.stringify({ format_version: "1.2", output_changes: { url: { actions: [] } } }))).toBe(
      "not a valid plan: output_changes.url.actions: Too small: expected array to have >=1 items",
    );
  });
});

describe("sensitiveStringsOf", () => {
  it("collects strings marked sensitive in resource_changes, before and after", () => {
    const raw = plan({
      resource_changes: [
        rc("azurerm_key_vault_secret.db", {
          actions: ["update"],
          before: { name: "db", value: "old-secret-1" },
          after: { name: "db", value: "new-secret-2" },
          before_sensitive: { value: true },
          after_sensitive: { value: true },
        }),
      ],
    });
    expect([...sensitiveStringsOf(raw)]).toEqual(["old-secret-1", "new-secret-2"]);
  });

  it("collects strings marked sensitive in resource_drift", () => {
    const raw = plan({
      resource_drift: [
        rc("azurerm_key_vault_secret.db", {
          actions: ["update"],
          before: { name: "db", value: "drift-secret" },
          after: { name: "db", value: "drift-secret" },
          before_sensitive: { value: true },
          after_sensitive: { value: true },
        }),
      ],
    });
    expect([...sensitiveStringsOf(raw)]).toEqual(["drift-secret"]);
  });

  it("collects sensitive output changes", () => {
    const raw = plan({
      output_changes: {
        conn: { actions: ["update"], before: "conn-old", after: "conn-new", before_sensitive: true, after_sensitive: true },
        url: { actions: ["update"], before: "https://a", after: "https://b", before_sensitive: false, after_sensitive: false },
      },
    });
    expect([...sensitiveStringsOf(raw)]).toEqual(["conn-old", "conn-new"]);
  });

  it("reads prior_state through its values wrapper: sensitive outputs, resources and child modules", () => {
    const raw = plan({
      prior_state: {
        format_version: "1.0",
        terraform_version: "1.11.4",
        values: {
          outputs: {
            token: { sensitive: true, value: "prior-token" },
            url: { sensitive: false, value: "https://visible" },
          },
          root_module: {
            resources: [{ address: "azurerm_x.a", values: { name: "a", password: "prior-pass" }, sensitive_values: { password: true } }],
            child_modules: [
              {
                address: "module.net",
                resources: [{ address: "module.net.azurerm_y.b", values: { key: "child-key", id: "b" }, sensitive_values: { key: true } }],
              },
            ],
          },
        },
      },
    });
    expect([...sensitiveStringsOf(raw)].sort()).toEqual(["child-key", "prior-pass", "prior-token"]);
  });

  it("reads planned_values, which has no values wrapper", () => {
    const raw = plan({
      planned_values: {
        outputs: { key: { sensitive: true, value: "planned-key" } },
        root_module: {
          resources: [{ address: "azurerm_x.a", values: { name: "a", secret: "planned-secret" }, sensitive_values: { secret: true } }],
        },
      },
    });
    expect([...sensitiveStringsOf(raw)].sort()).toEqual(["planned-key", "planned-secret"]);
  });

  it("skips missing and malformed parts of a values tree instead of failing", () => {
    const raw = plan({
      // No root_module here, no outputs in planned_values, a module without resources and a null resource.
      prior_state: { values: { outputs: { token: { sensitive: true, value: "only-output" }, bad: null } } },
      planned_values: {
        root_module: {
          child_modules: [{ resources: [null, { values: { key: "kid-secret" }, sensitive_values: { key: true } }] }, null],
        },
      },
    });
    expect([...sensitiveStringsOf(raw)].sort()).toEqual(["kid-secret", "only-output"]);
  });

  it("collects the values of root variables declared sensitive, and only those", () => {
    const raw = plan({
      variables: { db_password: { value: "var-secret" }, region: { value: "westeurope" }, nothing: "odd" },
      configuration: {
        root_module: {
          variables: {
            db_password: { sensitive: true, description: "admin password" },
            region: { description: "Azure region" },
            unset_secret: { sensitive: true },
            nothing: { sensitive: true },
            odd: null,
          },
        },
      },
    });
    expect([...sensitiveStringsOf(raw)]).toEqual(["var-secret"]);
  });

  it("ignores variables when the configuration does not declare them, and declarations without variables", () => {
    expect([...sensitiveStringsOf(plan({ variables: { db_password: { value: "var-secret" } } }))]).toEqual([]);
    expect([...sensitiveStringsOf(plan({ configuration: { root_module: { variables: { db_password: { sensitive: true } } } } }))]).toEqual([]);
  });
});

describe("classifyPlan: the plan record", () => {
  it("gives an empty plan empty lists, zero counts and no optional fields", () => {
    expect(classifyPlan(plan({}), "serving-dev", "plans/serving-dev.json")).toStrictEqual({
      stack: "serving-dev",
      source: "plans/serving-dev.json",
      formatVersion: "1.2",
      errored: false,
      resources: [],
      drift: [],
      outputs: [],
      counts: { import: 0, add: 0, change: 0, destroy: 0, forget: 0 },
    });
  });

  it("keeps terraform_version, errored, complete and applyable when the plan has them", () => {
    const result = classifyPlan(plan({ terraform_version: "1.11.4", errored: true, complete: false, applyable: false }), "s", "s.json");
    expect(result).toStrictEqual({
      stack: "s",
      source: "s.json",
      formatVersion: "1.2",
      terraformVersion: "1.11.4",
      errored: true,
      complete: false,
      applyable: false,
      resources: [],
      drift: [],
      outputs: [],
      counts: { import: 0, add: 0, change: 0, destroy: 0, forget: 0 },
    });
  });

  it("keeps complete and applyable when true", () => {
    const result = classifyPlan(plan({ complete: true, applyable: true }), "s", "s.json");
    expect(result.complete).toBe(true);
    expect(result.applyable).toBe(true);
    expect("terraformVersion" in result).toBe(false);
  });
});

describe("classifyPlan: resource entries", () => {
  it("builds a create entry with only the fields the change has", () => {
    const raw = plan({
      resource_changes: [
        rc("azurerm_resource_group.main", {
          actions: ["create"],
          before: null,
          after: { name: "rg-serving-dev", location: "westeurope" },
          after_unknown: { id: true },
          before_sensitive: false,
          after_sensitive: {},
        }),
      ],
    });
    expect(classifyPlan(raw, "s", "s.json").resources).toStrictEqual([
      {
        address: "azurerm_resource_group.main",
        mode: "managed",
        type: "azurerm_resource_group",
        name: "main",
        actions: ["create"],
        kind: "create",
        label: "create",
        replacePaths: [],
        importing: false,
        attributes: [],
      },
    ]);
  });

  it("keeps previous and module address, deposed key, action reason, replace paths and import id", () => {
    const raw = plan({
      resource_changes: [
        rc(
          "module.net.azurerm_subnet.app",
          {
            actions: ["delete", "create"],
            before: { name: "app" },
            after: { name: "app2" },
            replace_paths: [["name"]],
            importing: { id: "/subscriptions/0000/resourceGroups/rg/subnets/app" },
          },
          {
            previous_address: "module.net.azurerm_subnet.old",
            module_address: "module.net",
            deposed: "00000001",
            action_reason: "replace_because_cannot_update",
          },
        ),
      ],
    });
    expect(classifyPlan(raw, "s", "s.json").resources).toStrictEqual([
      {
        address: "module.net.azurerm_subnet.app",
        previousAddress: "module.net.azurerm_subnet.old",
        moduleAddress: "module.net",
        mode: "managed",
        type: "azurerm_subnet",
        name: "app",
        deposed: "00000001",
        actions: ["delete", "create"],
        kind: "replace",
        label: "replace (destroy, then create)",
        actionReason: "replace_because_cannot_update",
        replacePaths: [["name"]],
        importing: true,
        importId: "/subscriptions/0000/resourceGroups/rg/subnets/app",
        attributes: [{ path: ["name"], before: "app", after: "app2" }],
      },
    ]);
  });

  /** The attributes of one entry whose size changes from 1 to 2, under the given actions and importing block. */
  const attributesFor = (actions: string[], importing?: unknown): unknown => {
    const change = { actions, before: { size: 1 }, after: { size: 2 }, ...(importing !== undefined ? { importing } : {}) };
    return classifyPlan(plan({ resource_changes: [rc("azurerm_x.a", change)] }), "s", "s.json").resources[0]!.attributes;
  };

  it.each([
    ["an update", ["update"]],
    ["a replacement", ["delete", "create"]],
    ["an unrecognised action list", ["update", "delete"]],
  ])("lists the changed attributes of %s", (_what, actions) => {
    expect(attributesFor(actions)).toEqual([{ path: ["size"], before: 1, after: 2 }]);
  });

  it("lists the attributes of an import that changes nothing else (no-op with importing)", () => {
    expect(attributesFor(["no-op"], { id: "imported-1" })).toEqual([{ path: ["size"], before: 1, after: 2 }]);
  });

  it.each([
    ["a create", ["create"]],
    ["a delete", ["delete"]],
    ["a read", ["read"]],
    ["a forget", ["forget"]],
    ["a no-op", ["no-op"]],
  ])("lists no attributes for %s", (_what, actions) => {
    expect(attributesFor(actions)).toEqual([]);
  });

  it("lists no attributes for a create that carries an importing block", () => {
    expect(attributesFor(["create"], { id: "imported-2" })).toEqual([]);
  });

  it("treats importing: null as no import", () => {
    const raw = plan({ resource_changes: [rc("azurerm_x.a", { actions: ["no-op"], before: { size: 1 }, after: { size: 2 }, importing: null })] });
    const entry = classifyPlan(raw, "s", "s.json").resources[0]!;
    expect(entry.importing).toBe(false);
    expect(entry.attributes).toEqual([]);
    expect("importId" in entry).toBe(false);
  });

  it("masks an import id that is a known secret as the placeholder text", () => {
    const raw = plan({ resource_changes: [rc("azurerm_x.a", { actions: ["no-op"], before: {}, after: {}, importing: { id: "tok-123456" } })] });
    const entry = classifyPlan(raw, "s", "s.json", new SecretSet(["tok-123456"])).resources[0]!;
    expect(entry.importId).toBe("(sensitive value)");
  });

  it("scrubs a secret embedded in an import id, using the plan's own secrets by default", () => {
    const raw = plan({
      resource_changes: [
        rc("azurerm_key_vault_secret.db", {
          actions: ["no-op"],
          before: { value: "s3cr3t-value" },
          after: { value: "s3cr3t-value" },
          before_sensitive: { value: true },
          after_sensitive: { value: true },
          importing: { id: "https://kv.vault.azure.net/secrets/s3cr3t-value" },
        }),
      ],
    });
    expect(classifyPlan(raw, "s", "s.json").resources[0]!.importId).toBe("https://kv.vault.azure.net/secrets/(sensitive value)");
  });

  it("gives an azapi resource its ARM type and statefulness", () => {
    const raw = plan({
      resource_changes: [
        rc("azapi_resource.storage", {
          actions: ["create"],
          before: null,
          after: { type: "Microsoft.Storage/storageAccounts@2023-05-01", name: "stdev" },
        }),
      ],
    });
    const entry = classifyPlan(raw, "s", "s.json").resources[0]!;
    expect(entry.azapiType).toBe("Microsoft.Storage/storageAccounts@2023-05-01");
    expect(entry.stateful).toEqual({ label: "storage account", risk: "holds data" });
  });

  it("takes the azapi type from before when it is unknown after", () => {
    const raw = plan({
      resource_changes: [
        rc("azapi_resource.vault", {
          actions: ["update"],
          before: { type: "Microsoft.KeyVault/vaults@2023-07-01", name: "kv" },
          after: { name: "kv" },
          after_unknown: { type: true },
        }),
      ],
    });
    const entry = classifyPlan(raw, "s", "s.json").resources[0]!;
    expect(entry.azapiType).toBe("Microsoft.KeyVault/vaults@2023-07-01");
    expect(entry.stateful).toEqual({ label: "key vault", risk: "holds secrets, keys and certificates" });
  });

  it("gives no azapi type to other resources that have a type attribute", () => {
    const raw = plan({
      resource_changes: [rc("azurerm_virtual_network_gateway.vpn", { actions: ["create"], before: null, after: { type: "Vpn", name: "vgw" } })],
    });
    const entry = classifyPlan(raw, "s", "s.json").resources[0]!;
    expect("azapiType" in entry).toBe(false);
    expect("stateful" in entry).toBe(false);
  });
});

describe("classifyPlan: sorting", () => {
  const entries = (list: Record<string, unknown>[], key: "resource_changes" | "resource_drift") => {
    const result = classifyPlan(plan({ [key]: list }), "s", "s.json");
    return (key === "resource_changes" ? result.resources : result.drift).map((r) => [r.address, r.deposed ?? "current"]);
  };
  const noop = { actions: ["no-op"], before: {}, after: {} };
  const gone = { actions: ["delete"], before: {}, after: null };

  it("sorts resources and drift by address", () => {
    const list = [rc("azurerm_x.b", noop), rc("azurerm_x.c", noop), rc("azurerm_x.a", noop)];
    const sorted = [
      ["azurerm_x.a", "current"],
      ["azurerm_x.b", "current"],
      ["azurerm_x.c", "current"],
    ];
    expect(entries(list, "resource_changes")).toEqual(sorted);
    expect(entries(list, "resource_drift")).toEqual(sorted);
  });

  it("puts the current object before its deposed ones, whichever comes first", () => {
    const current = rc("azurerm_x.a", noop);
    const deposed = rc("azurerm_x.a", gone, { deposed: "00000001" });
    const expected = [
      ["azurerm_x.a", "current"],
      ["azurerm_x.a", "00000001"],
    ];
    expect(entries([deposed, current], "resource_changes")).toEqual(expected);
    expect(entries([current, deposed], "resource_changes")).toEqual(expected);
  });

  it("sorts deposed objects of one address by their key", () => {
    const list = [rc("azurerm_x.a", gone, { deposed: "0000000b" }), rc("azurerm_x.a", gone, { deposed: "0000000a" }), rc("azurerm_x.0", noop)];
    expect(entries(list, "resource_changes")).toEqual([
      ["azurerm_x.0", "current"],
      ["azurerm_x.a", "0000000a"],
      ["azurerm_x.a", "0000000b"],
    ]);
  });
});

describe("classifyPlan: outputs", () => {
  it("sorts outputs by name", () => {
    const created = { actions: ["create"], before: null, after: "x" };
    const result = classifyPlan(plan({ output_changes: { zeta: created, alpha: created, Mid: created } }), "s", "s.json");
    expect(result.outputs.map((o) => o.name)).toEqual(["Mid", "alpha", "zeta"]);
  });

  it("gives a created output its values and actions but no attributes", () => {
    const result = classifyPlan(plan({ output_changes: { url: { actions: ["create"], before: null, after: "https://x" } } }), "s", "s.json");
    expect(result.outputs).toStrictEqual([{ name: "url", actions: ["create"], kind: "create", before: null, after: "https://x", attributes: [] }]);
  });

  it("diffs an updated output with its unknown and sensitive marks", () => {
    const raw = plan({
      output_changes: {
        count: { actions: ["update"], before: 5, after: 6, before_sensitive: true, after_sensitive: true },
        url: { actions: ["update"], before: "https://a", after: null, after_unknown: true },
      },
    });
    const [count, url] = classifyPlan(raw, "s", "s.json").outputs;
    expect(count).toEqual({
      name: "count",
      actions: ["update"],
      kind: "update",
      before: SENSITIVE_VALUE,
      after: SENSITIVE_VALUE,
      attributes: [{ path: [], before: SENSITIVE_VALUE, after: SENSITIVE_VALUE }],
    });
    expect(url!.after).toBe(UNKNOWN_VALUE);
    expect(url!.attributes).toEqual([{ path: [], before: "https://a", after: UNKNOWN_VALUE }]);
  });
});

describe("counts and the summary line", () => {
  it("counts the resources of a classified plan as Terraform does", () => {
    const raw = plan({
      resource_changes: [
        rc("azurerm_x.a", { actions: ["create"], before: null, after: {} }),
        rc("azurerm_x.b", { actions: ["delete", "create"], before: {}, after: {} }),
        rc("azurerm_x.c", { actions: ["update"], before: {}, after: {} }),
        rc("azurerm_x.d", { actions: ["no-op"], before: {}, after: {}, importing: { id: "d" } }),
        rc("azurerm_x.e", { actions: ["forget"], before: {}, after: null }),
      ],
    });
    expect(classifyPlan(raw, "s", "s.json").counts).toEqual({ import: 1, add: 2, change: 1, destroy: 1, forget: 1 });
  });

  it("counts nothing for data sources, whatever their actions", () => {
    expect(
      countActions([
        { mode: "data", actions: ["create", "delete"], importing: true },
        { mode: "data", actions: ["update", "forget"], importing: false },
      ]),
    ).toEqual({ import: 0, add: 0, change: 0, destroy: 0, forget: 0 });
  });

  it.each([
    [{ import: 0, add: 1, change: 2, destroy: 3, forget: 0 }, "Plan: 1 to add, 2 to change, 3 to destroy."],
    [{ import: 2, add: 0, change: 0, destroy: 0, forget: 0 }, "Plan: 2 to import, 0 to add, 0 to change, 0 to destroy."],
    [{ import: 0, add: 0, change: 0, destroy: 0, forget: 4 }, "Plan: 0 to add, 0 to change, 0 to destroy, 4 to forget."],
  ])("words %j as %s", (counts, line) => {
    expect(summaryLine(counts)).toBe(line);
  });
});

describe("stackNameFromPath", () => {
  it.each([
    ["plans/serving-dev.json.txt", "serving-dev.json.txt"],
    ["plans/serving.planner.json", "serving.planner"],
    ["plans/serving-qa/.json", "serving-qa"],
    ["plans/serving-qa/PLAN.JSON", "serving-qa"],
    ["/plan.json", "plan"],
    ["/tfplan", "tfplan"],
    ["/.json", "plan"],
    ["/terraform.json", "terraform"],
  ])("%s -> %s", (file, stack) => {
    expect(stackNameFromPath(file)).toBe(stack);
  });
});

describe("compareText", () => {
  it("orders by UTF-16 code unit, not by locale", () => {
    expect(compareText("a", "b")).toBe(-1);
    expect(compareText("b", "a")).toBe(1);
    expect(compareText("Z", "a")).toBe(-1);
    expect(compareText("a", "Z")).toBe(1);
    expect(compareText("ab", "a")).toBe(1);
  });

  it("gives 0 for equal strings", () => {
    expect(compareText("same", "same")).toBe(0);
    expect(compareText("", "")).toBe(0);
  });
});

describe("redactPlan", () => {
  it("keeps only format_version from a plan that has nothing else", () => {
    expect(redactPlan(plan({}))).toStrictEqual({ format_version: "1.2" });
  });

  it("keeps the version, status flags, changes, drift and outputs and drops state, variables and configuration", () => {
    const raw = plan({
      terraform_version: "1.11.4",
      errored: false,
      complete: true,
      applyable: true,
      resource_changes: [rc("azurerm_x.a", { actions: ["create"], before: null, after: { name: "a" } })],
      resource_drift: [rc("azurerm_x.b", { actions: ["update"], before: { name: "b" }, after: { name: "b2" } })],
      output_changes: { url: { actions: ["create"], before: null, after: "https://x" } },
      prior_state: { values: {} },
      variables: { region: { value: "westeurope" } },
      configuration: { root_module: {} },
    });
    expect(redactPlan(raw)).toStrictEqual({
      format_version: "1.2",
      terraform_version: "1.11.4",
      resource_changes: [
        { address: "azurerm_x.a", mode: "managed", type: "azurerm_x", name: "a", change: { actions: ["create"], before: null, after: { name: "a" } } },
      ],
      resource_drift: [
        { address: "azurerm_x.b", mode: "managed", type: "azurerm_x", name: "b", change: { actions: ["update"], before: { name: "b" }, after: { name: "b2" } } },
      ],
      output_changes: { url: { actions: ["create"], before: null, after: "https://x" } },
      errored: false,
      complete: true,
      applyable: true,
    });
  });

  /** The redacted change of the only output `out` of a plan. */
  const redactedOutput = (change: Record<string, unknown>): unknown => (redactPlan(plan({ output_changes: { out: change } }))["output_changes"] as Record<string, unknown>)["out"];
  /** The redacted change of the only resource of a plan. */
  const redactedChange = (change: Record<string, unknown>): Record<string, unknown> =>
    ((redactPlan(plan({ resource_changes: [rc("azurerm_x.a", change)] }))["resource_changes"] as Record<string, unknown>[])[0]!["change"] as Record<string, unknown>);

  it("marks a value that became sensitive as a changed secret and keeps the old clear value", () => {
    expect(redactedOutput({ actions: ["update"], before: "plain-old", after: "new-secret", before_sensitive: false, after_sensitive: true })).toStrictEqual({
      actions: ["update"],
      before: "plain-old",
      after: "(sensitive value, changed)",
      before_sensitive: false,
      after_sensitive: true,
    });
  });

  it("replaces a whole object that was sensitive before and keeps its new clear value", () => {
    const change = redactedChange({
      actions: ["update"],
      before: { cfg: { pw: "old-pw-123" }, note: "old" },
      after: { cfg: { pw: "visible-now" }, note: "new" },
      before_sensitive: { cfg: true, note: true },
      after_sensitive: {},
    });
    expect(change["before"]).toStrictEqual({ cfg: "(sensitive value)", note: "(sensitive value)" });
    expect(change["after"]).toStrictEqual({ cfg: { pw: "visible-now" }, note: "new" });
  });

  it("keeps a key on the side it is on when it is only before or only after", () => {
    const change = redactedChange({ actions: ["update"], before: { name: "a", gone: "x" }, after: { name: "a", added: ["y"] } });
    expect(change["before"]).toStrictEqual({ name: "a", gone: "x" });
    expect(change["after"]).toStrictEqual({ name: "a", added: ["y"] });
  });

  it("redacts list elements one by one, with lists growing and shrinking", () => {
    const change = redactedChange({
      actions: ["update"],
      before: { keys: ["a", "s3cr3t-old"], hosts: ["h1", "h2"] },
      after: { keys: ["a", "s3cr3t-new", "c"], hosts: ["h1"] },
      before_sensitive: { keys: [false, true] },
      after_sensitive: { keys: [false, true, false] },
    });
    expect(change["before"]).toStrictEqual({ keys: ["a", "(sensitive value)"], hosts: ["h1", "h2"] });
    expect(change["after"]).toStrictEqual({ keys: ["a", "(sensitive value, changed)", "c"], hosts: ["h1"] });
  });

  it("leaves after out when the change has none", () => {
    const change = redactedChange({ actions: ["delete"], before: { name: "a" } });
    expect(change).toStrictEqual({ actions: ["delete"], before: { name: "a" } });
  });

  it("masks a secret import id and scrubs secrets from generated config", () => {
    const change = redactedChange({
      actions: ["no-op"],
      before: { password: "imp-secret-1" },
      after: { password: "imp-secret-1" },
      before_sensitive: { password: true },
      after_sensitive: { password: true },
      importing: { id: "imp-secret-1" },
      generated_config: 'resource "azurerm_x" "a" {\n  password = "imp-secret-1"\n}',
    });
    expect(change["importing"]).toStrictEqual({ id: "(sensitive value)" });
    expect(change["generated_config"]).toBe('resource "azurerm_x" "a" {\n  password = "(sensitive value)"\n}');
    expect(change["before"]).toStrictEqual({ password: "(sensitive value)" });
    expect(change["after"]).toStrictEqual({ password: "(sensitive value)" });
  });
});

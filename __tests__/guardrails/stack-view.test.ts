import { StorageAccount } from "@cdktf/provider-azurerm/lib/storage-account";
import { DataAzurermClientConfig } from "@cdktf/provider-azurerm/lib/data-azurerm-client-config";
import { TerraformStack, Testing } from "cdktf";
import {
  armTypeOf,
  azapiOfType,
  booleanAt,
  isExpression,
  isRecord,
  lookup,
  numberAt,
  refersTo,
  resourcesOf,
  sameText,
  stringAt,
  UNKNOWN,
  type ResourceView,
} from "../../lib/guardrails/stack-view";
import { FakeAzapiResource, FakeAzapiUpdateResource, newStack } from "./helpers";

// The rules read resources only through these helpers, so each reading is pinned here on its own: what a value is,
// when it counts as absent, and when it is only known at apply time (UNKNOWN, never flagged).

function storage(stack: TerraformStack, id: string, name: string): StorageAccount {
  return new StorageAccount(stack, id, {
    name,
    resourceGroupName: "rg",
    location: "westeurope",
    accountTier: "Standard",
    accountReplicationType: "LRS",
  });
}

describe("resourcesOf", () => {
  it("lists each managed resource with its path, type, address and synthesized attributes, in construct order", () => {
    const stack = newStack("serving-dev");
    const first = storage(stack, "first", "stfirst");
    new DataAzurermClientConfig(stack, "current");
    const second = storage(stack, "second", "stsecond");
    second.accountTier = first.accountTier;

    const views = resourcesOf(stack);

    expect(views.map((v) => [v.path, v.type, v.address])).toEqual([
      ["serving-dev/first", "azurerm_storage_account", "azurerm_storage_account.first"],
      ["serving-dev/second", "azurerm_storage_account", "azurerm_storage_account.second"],
    ]);
    expect(views[0]!.construct).toBe(first);
    expect(views[0]!.attrs).toEqual({
      name: "stfirst",
      resource_group_name: "rg",
      location: "westeurope",
      account_tier: "Standard",
      account_replication_type: "LRS",
    });
    // A reference is resolved to the Terraform expression the rules test for.
    expect(views[1]!.attrs["account_tier"]).toBe("${azurerm_storage_account.first.account_tier}");
    // cdktf's "//" metadata is not an attribute.
    expect(Object.keys(views[1]!.attrs)).not.toContain("//");
  });

  it("leaves out the resources of another stack in the same app", () => {
    const app = Testing.app();
    const dev = newStack("serving-dev", app);
    const prod = newStack("serving-prod", app);
    storage(dev, "dev", "stdev");
    storage(prod, "prod", "stprod");
    expect(resourcesOf(dev).map((v) => v.path)).toEqual(["serving-dev/dev"]);
    expect(resourcesOf(prod).map((v) => v.path)).toEqual(["serving-prod/prod"]);
  });

  it("leaves out a resource moved to another address", () => {
    const stack = newStack();
    const moved = storage(stack, "old", "stold");
    storage(stack, "new", "stnew");
    moved.moveTo("target");
    storage(stack, "target", "sttarget").addMoveTarget("target");
    expect(resourcesOf(stack).map((v) => v.address)).toEqual(["azurerm_storage_account.new", "azurerm_storage_account.target"]);
  });
});

describe("lookup", () => {
  it("walks object keys and returns the value at the end", () => {
    expect(lookup({ a: { b: { c: 3 } } }, ["a", "b", "c"])).toBe(3);
    expect(lookup({ a: { b: false } }, ["a", "b"])).toBe(false);
  });

  it("returns the root itself for an empty path", () => {
    const root = { a: 1 };
    expect(lookup(root, [])).toBe(root);
  });

  it("returns undefined when a step is absent or not an object", () => {
    expect(lookup({ a: {} }, ["a", "b", "c"])).toBeUndefined();
    expect(lookup({ a: 7 }, ["a", "b"])).toBeUndefined();
    expect(lookup({ a: null }, ["a", "b"])).toBeUndefined();
    expect(lookup(undefined, ["a"])).toBeUndefined();
  });

  it("reads a single nested block synthesized as a one-element list as the object", () => {
    expect(lookup({ identity: [{ type: "SystemAssigned" }] }, ["identity", "type"])).toBe("SystemAssigned");
  });

  it("does not unwrap a list of several blocks, or a one-element list of a non-object", () => {
    expect(lookup({ rule: [{ a: 1 }, { a: 2 }] }, ["rule", "a"])).toBeUndefined();
    expect(lookup({ rule: ["x"] }, ["rule", "0"])).toBeUndefined();
    expect(lookup({ rule: [["x"]] }, ["rule", "0"])).toBeUndefined();
  });

  it("returns a list value itself when it is the last step", () => {
    expect(lookup({ ips: ["10.0.0.1"] }, ["ips"])).toEqual(["10.0.0.1"]);
  });

  it("is UNKNOWN when a step, or the value itself, is a Terraform expression", () => {
    expect(lookup({ body: "${jsonencode(var.body)}" }, ["body", "properties"])).toBe(UNKNOWN);
    expect(lookup({ a: { b: "${var.b}" } }, ["a", "b"])).toBe(UNKNOWN);
  });

  it("parses a JSON string body (azapi 1.x style), and reads an unparseable string as absent", () => {
    expect(lookup({ body: '{"properties":{"authMode":"Key"}}' }, ["body", "properties", "authMode"])).toBe("Key");
    expect(lookup({ body: "not json" }, ["body", "properties"])).toBeUndefined();
    expect(lookup({ body: "[1,2]" }, ["body", "0"])).toBeUndefined();
  });
});

describe("booleanAt", () => {
  it.each([
    [true, true],
    [false, false],
    ["true", true],
    ["false", false],
    [undefined, undefined],
    ["${var.flag}", UNKNOWN],
    ["yes", UNKNOWN],
    ["TRUE", UNKNOWN],
    [1, UNKNOWN],
  ])("reads %p as %p", (value, expected) => {
    expect(booleanAt({ flag: value }, ["flag"])).toBe(expected);
  });
});

describe("stringAt", () => {
  it.each([
    ["Key", "Key"],
    ["", ""],
    [undefined, undefined],
    ["${var.mode}", UNKNOWN],
    [3, UNKNOWN],
    [false, UNKNOWN],
    [{ a: 1 }, UNKNOWN],
  ])("reads %p as %p", (value, expected) => {
    expect(stringAt({ mode: value }, ["mode"])).toBe(expected);
  });
});

describe("numberAt", () => {
  it.each([
    [3, 3],
    [0, 0],
    ["3", 3],
    ["42", 42],
    ["-2", -2],
    ["1.5", 1.5],
    ["12.25", 12.25],
    [undefined, undefined],
    ["${var.n}", UNKNOWN],
    ["1.", UNKNOWN],
    [".5", UNKNOWN],
    ["3x", UNKNOWN],
    ["x3", UNKNOWN],
    [" 3", UNKNOWN],
    ["1.5.2", UNKNOWN],
    ["", UNKNOWN],
    [true, UNKNOWN],
  ])("reads %p as %p", (value, expected) => {
    expect(numberAt({ n: value }, ["n"])).toBe(expected);
  });
});

describe("refersTo", () => {
  const address = "azurerm_storage_account.ml";
  it.each([
    ["${azurerm_storage_account.ml.id}", true],
    ["${azurerm_storage_account.ml}", true],
    ["${azurerm_storage_account.ml[0].id}", true],
    ["/x/${azurerm_storage_account.ml.id}/y", true],
    ["${lower(azurerm_storage_account.ml.name)}", true],
    // Another resource whose name starts the same, a data source of the same name, or a longer type.
    ["${azurerm_storage_account.ml2.id}", false],
    ["${azurerm_storage_account.ml_x.id}", false],
    ["${azurerm_storage_account.ml-x.id}", false],
    ["${data.azurerm_storage_account.ml.id}", false],
    ["${xazurerm_storage_account.ml.id}", false],
    ["${my-azurerm_storage_account.ml.id}", false],
    // The dot in the address is a dot, not any character.
    ["${azurerm_storage_accountXml.id}", false],
    // Not an expression, or not a string.
    ["azurerm_storage_account.ml", false],
    [undefined, false],
    [42, false],
  ])("%p refers to it: %p", (value, expected) => {
    expect(refersTo(value, address)).toBe(expected);
  });
});

function view(type: string, attrs: Record<string, unknown>): ResourceView {
  return { construct: undefined as never, path: `p/${type}`, type, address: `${type}.x`, attrs };
}

describe("armTypeOf", () => {
  it.each([
    ["Microsoft.MachineLearningServices/workspaces/onlineEndpoints@2025-12-01", "microsoft.machinelearningservices/workspaces/onlineendpoints"],
    ["Microsoft.Insights/diagnosticSettings", "microsoft.insights/diagnosticsettings"],
    ["${var.type}", undefined],
    [7, undefined],
    [undefined, undefined],
  ])("reads type %p as %p", (type, expected) => {
    expect(armTypeOf(view("azapi_resource", { type }))).toBe(expected);
  });
});

describe("azapiOfType", () => {
  it("keeps azapi resources of the ARM type, in order, whatever the casing and API version", () => {
    const stack = newStack();
    new FakeAzapiResource(stack, "a", { type: "Microsoft.MachineLearningServices/workspaces/onlineEndpoints@2025-12-01" });
    new FakeAzapiResource(stack, "other", { type: "Microsoft.MachineLearningServices/workspaces@2025-12-01" });
    new FakeAzapiUpdateResource(stack, "update", { type: "Microsoft.MachineLearningServices/workspaces/onlineEndpoints@2025-12-01" });
    new FakeAzapiResource(stack, "b", { type: "microsoft.machinelearningservices/workspaces/ONLINEENDPOINTS@2024-04-01" });
    const found = azapiOfType(resourcesOf(stack), "microsoft.machinelearningservices/workspaces/onlineendpoints");
    expect(found.map((r) => r.path)).toEqual(["serving-dev/a", "serving-dev/b"]);
  });
});

describe("sameText", () => {
  it.each([
    ["AMLToken", "amltoken", true],
    ["Key", "Key", true],
    ["Key", "AMLToken", false],
    ["Keys", "Key", false],
    [undefined, "Key", false],
    [UNKNOWN, "Key", false],
  ] as const)("%p equals %p: %p", (value, expected, result) => {
    expect(sameText(value, expected)).toBe(result);
  });
});

describe("isRecord and isExpression", () => {
  it.each([
    [{}, true],
    [{ a: 1 }, true],
    [[], false],
    [null, false],
    ["{}", false],
    [undefined, false],
  ])("isRecord(%p) is %p", (value, expected) => {
    expect(isRecord(value)).toBe(expected);
  });

  it.each([
    ["${var.a}", true],
    ["prefix-${var.a}", true],
    ["$var", false],
    ["{var}", false],
    [["${var.a}"], false],
    [undefined, false],
  ])("isExpression(%p) is %p", (value, expected) => {
    expect(isExpression(value)).toBe(expected);
  });
});

/**
 * HCL output (`hclOutput: true` in cdktf.json) of every azapi binding, compared block by block with the text
 * Terraform would read.
 *
 * The JSON path is covered in bindings.test.ts; the HCL path is written by hand too (synthesizeHclAttributes), and a
 * wrong attribute kind there renders a string unquoted or a block as an attribute, which Terraform refuses.
 */
import { TerraformStack, Testing } from "cdktf";
import {
  AzapiProvider,
  AzapiResource,
  AzapiResourceAction,
  AzapiUpdateResource,
  DataAzapiResource,
  type AzapiOperationProps,
} from "../../lib/azapi";

const PARENT = "/subscriptions/s/resourceGroups/rg";

function newStack(): TerraformStack {
  return new TerraformStack(Testing.app(), "test");
}

/** The lines of one top-level block of the HCL, from its header to its closing brace (cdktf does not indent). */
function hclBlock(hcl: string, header: string): string[] {
  const lines = hcl.split("\n");
  const start = lines.indexOf(`${header} {`);
  if (start < 0) throw new Error(`no block "${header}" in:\n${hcl}`);
  let depth = 0;
  for (let i = start; i < lines.length; i += 1) {
    depth += (lines[i].match(/[{[]/g) ?? []).length - (lines[i].match(/[}\]]/g) ?? []).length;
    if (depth === 0) return lines.slice(start, i + 1);
  }
  throw new Error(`block "${header}" is not closed`);
}

/** Every retry and timeout field set, each with a value no default has. */
const OPERATION_TAIL: Pick<AzapiOperationProps, "locks" | "retry" | "timeouts"> = {
  locks: ["/lock/a", "/lock/b"],
  retry: {
    errorMessageRegex: ["Conflict", "Retry"],
    intervalSeconds: 7,
    maxIntervalSeconds: 90,
    multiplier: 2,
    randomizationFactor: 0.25,
  },
  timeouts: { create: "61m", update: "62m", delete: "63m", read: "4m" },
};

/** The HCL of {@link OPERATION_TAIL}: locks a list of strings, retry an object attribute, timeouts a block. */
const OPERATION_TAIL_HCL = [
  "locks = [",
  '"/lock/a",',
  '"/lock/b"',
  "]",
  "retry = {",
  "error_message_regex = [",
  '"Conflict",',
  '"Retry",',
  "]",
  "interval_seconds = 7",
  "max_interval_seconds = 90",
  "multiplier = 2",
  "randomization_factor = 0.25",
  "}",
  "timeouts {",
  'create = "61m"',
  'update = "62m"',
  'delete = "63m"',
  'read = "4m"',
  "}",
];

describe("HCL of the azapi provider", () => {
  test("renders every argument with its type: strings quoted, booleans bare, tags a map", () => {
    const stack = newStack();
    new AzapiProvider(stack, "azapi", {
      subscriptionId: "sub-1",
      tenantId: "tenant-1",
      useOidc: true,
      useCli: false,
      useMsi: true,
      defaultLocation: "northeurope",
      defaultTags: { CostCenter: "ml", "owner-team": "platform" },
      disableDefaultOutput: false,
      enablePreflight: true,
    });
    expect(hclBlock(Testing.synthHcl(stack), 'provider "azapi"')).toEqual([
      'provider "azapi" {',
      'subscription_id = "sub-1"',
      'tenant_id = "tenant-1"',
      "use_oidc = true",
      "use_cli = false",
      "use_msi = true",
      'default_location = "northeurope"',
      "default_tags = {",
      'CostCenter = "ml"',
      // HCL identifiers may hold hyphens, so cdktf leaves the key unquoted.
      'owner-team = "platform"',
      "}",
      "disable_default_output = false",
      "enable_preflight = true",
      "}",
    ]);
  });

  test("an unconfigured provider renders an empty block", () => {
    const stack = newStack();
    new AzapiProvider(stack, "azapi");
    expect(hclBlock(Testing.synthHcl(stack), 'provider "azapi"')).toEqual(['provider "azapi" {', "}"]);
  });
});

describe("HCL of azapi_resource", () => {
  test("renders every argument, identity and timeouts as blocks", () => {
    const stack = newStack();
    new AzapiResource(stack, "endpoint", {
      type: "Microsoft.Example/things@2025-01-01",
      name: "thing-1",
      parentId: PARENT,
      location: "northeurope",
      body: { properties: { mode: "Key", count: 3, enabled: false, list: ["a"] } },
      identity: { type: "SystemAssigned, UserAssigned", identityIds: ["/uai/1"] },
      tags: { env: "dev" },
      responseExportValues: ["properties.uri"],
      schemaValidationEnabled: false,
      ignoreMissingProperty: false,
      ignoreCasing: true,
      replaceTriggersExternalValues: ["v2"],
      replaceTriggersRefs: ["body.properties.mode"],
      ...OPERATION_TAIL,
    });
    expect(hclBlock(Testing.synthHcl(stack), 'resource "azapi_resource" "endpoint"')).toEqual([
      'resource "azapi_resource" "endpoint" {',
      'type = "Microsoft.Example/things@2025-01-01"',
      'name = "thing-1"',
      `parent_id = "${PARENT}"`,
      'location = "northeurope"',
      "body = {",
      "properties = {",
      'mode = "Key"',
      "count = 3",
      "enabled = false",
      "list = [",
      '"a",',
      "]",
      "}",
      "}",
      "identity {",
      'type = "SystemAssigned, UserAssigned"',
      "identity_ids = [",
      '"/uai/1",',
      "]",
      "}",
      "tags = {",
      'env = "dev"',
      "}",
      "response_export_values = [",
      '"properties.uri",',
      "]",
      "schema_validation_enabled = false",
      "ignore_missing_property = false",
      "ignore_casing = true",
      "replace_triggers_external_values = [",
      '"v2",',
      "]",
      "replace_triggers_refs = [",
      '"body.properties.mode"',
      "]",
      ...OPERATION_TAIL_HCL,
      "}",
    ]);
  });

  test("leaves out every unset argument, and an empty timeouts block", () => {
    const stack = newStack();
    new AzapiResource(stack, "code", { type: "T@1", name: "1", parentId: PARENT, timeouts: {} });
    expect(hclBlock(Testing.synthHcl(stack), 'resource "azapi_resource" "code"')).toEqual([
      'resource "azapi_resource" "code" {',
      'type = "T@1"',
      'name = "1"',
      `parent_id = "${PARENT}"`,
      "}",
    ]);
  });

  test("unset fields inside retry and identity are left out, not printed as undefined", () => {
    const stack = newStack();
    new AzapiResource(stack, "r", {
      type: "T@1",
      name: "r",
      parentId: PARENT,
      identity: { type: "SystemAssigned" },
      retry: { errorMessageRegex: ["Conflict"] },
      timeouts: { delete: "9m" },
    });
    expect(hclBlock(Testing.synthHcl(stack), 'resource "azapi_resource" "r"')).toEqual([
      'resource "azapi_resource" "r" {',
      'type = "T@1"',
      'name = "r"',
      `parent_id = "${PARENT}"`,
      "identity {",
      'type = "SystemAssigned"',
      "}",
      "retry = {",
      "error_message_regex = [",
      '"Conflict",',
      "]",
      "}",
      "timeouts {",
      'delete = "9m"',
      "}",
      "}",
    ]);
  });

  test("a map of response exports renders as an object", () => {
    const stack = newStack();
    new AzapiResource(stack, "e", { type: "T@1", name: "e", parentId: PARENT, responseExportValues: { uri: "properties.uri" } });
    expect(hclBlock(Testing.synthHcl(stack), 'resource "azapi_resource" "e"')).toEqual([
      'resource "azapi_resource" "e" {',
      'type = "T@1"',
      'name = "e"',
      `parent_id = "${PARENT}"`,
      "response_export_values = {",
      'uri = "properties.uri"',
      "}",
      "}",
    ]);
  });
});

describe("HCL of azapi_update_resource", () => {
  test("by resource_id, with every argument", () => {
    const stack = newStack();
    new AzapiUpdateResource(stack, "traffic", {
      type: "T@1",
      resourceId: `${PARENT}/providers/X/things/t`,
      body: { properties: { traffic: { blue: 90 } } },
      responseExportValues: ["properties.traffic"],
      ignoreCasing: false,
      ignoreMissingProperty: true,
      ...OPERATION_TAIL,
    });
    expect(hclBlock(Testing.synthHcl(stack), 'resource "azapi_update_resource" "traffic"')).toEqual([
      'resource "azapi_update_resource" "traffic" {',
      'type = "T@1"',
      `resource_id = "${PARENT}/providers/X/things/t"`,
      "body = {",
      "properties = {",
      "traffic = {",
      "blue = 90",
      "}",
      "}",
      "}",
      "response_export_values = [",
      '"properties.traffic",',
      "]",
      "ignore_casing = false",
      "ignore_missing_property = true",
      ...OPERATION_TAIL_HCL,
      "}",
    ]);
  });

  test("by name and parent_id", () => {
    const stack = newStack();
    new AzapiUpdateResource(stack, "named", { type: "T@1", name: "t", parentId: PARENT });
    expect(hclBlock(Testing.synthHcl(stack), 'resource "azapi_update_resource" "named"')).toEqual([
      'resource "azapi_update_resource" "named" {',
      'type = "T@1"',
      'name = "t"',
      `parent_id = "${PARENT}"`,
      "}",
    ]);
  });
});

describe("HCL of the azapi_resource data source", () => {
  test("by resource_id, with exports", () => {
    const stack = newStack();
    new DataAzapiResource(stack, "ws", { type: "T@1", resourceId: `${PARENT}/x`, responseExportValues: ["properties.a"] });
    expect(hclBlock(Testing.synthHcl(stack), 'data "azapi_resource" "ws"')).toEqual([
      'data "azapi_resource" "ws" {',
      'type = "T@1"',
      `resource_id = "${PARENT}/x"`,
      "response_export_values = [",
      '"properties.a",',
      "]",
      "}",
    ]);
  });

  test("by name and parent_id", () => {
    const stack = newStack();
    new DataAzapiResource(stack, "named", { type: "T@1", name: "x", parentId: PARENT });
    expect(hclBlock(Testing.synthHcl(stack), 'data "azapi_resource" "named"')).toEqual([
      'data "azapi_resource" "named" {',
      'type = "T@1"',
      'name = "x"',
      `parent_id = "${PARENT}"`,
      "}",
    ]);
  });
});

describe("HCL of azapi_resource_action", () => {
  test("renders every argument", () => {
    const stack = newStack();
    new AzapiResourceAction(stack, "act", {
      type: "T@1",
      resourceId: `${PARENT}/x`,
      action: "doIt",
      method: "PATCH",
      body: { flag: true },
      when: "destroy",
      ...OPERATION_TAIL,
    });
    expect(hclBlock(Testing.synthHcl(stack), 'resource "azapi_resource_action" "act"')).toEqual([
      'resource "azapi_resource_action" "act" {',
      'type = "T@1"',
      `resource_id = "${PARENT}/x"`,
      'action = "doIt"',
      'method = "PATCH"',
      "body = {",
      "flag = true",
      "}",
      'when = "destroy"',
      ...OPERATION_TAIL_HCL,
      "}",
    ]);
  });
});

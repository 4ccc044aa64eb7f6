/** Unit tests of lib/review/synth.ts on small hand-written cdk.tf.json documents and folders. */

import * as fs from "node:fs";
import * as path from "node:path";
import { ReviewInputError } from "../../lib/review/plan";
import { constructPathOf, parseSynthStack, readSynthDir } from "../../lib/review/synth";
import { tempDir, writeSynthDir } from "./helpers";

/** The ReviewInputError `run` throws, checked for its class. */
function inputError(run: () => unknown): ReviewInputError {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(ReviewInputError);
    return error as ReviewInputError;
  }
  throw new Error("no error thrown");
}

describe("parseSynthStack", () => {
  it.each([
    ["an array", []],
    ["null", null],
    ["a string", "cdk.tf.json"],
  ])("rejects %s with the file name", (_what, json) => {
    const error = inputError(() => parseSynthStack("serving-dev", json, "stacks/serving-dev/cdk.tf.json"));
    expect(error.source).toBe("stacks/serving-dev/cdk.tf.json");
    expect(error.message).toBe("not a synthesized stack: the JSON is not an object");
  });

  it("indexes resources and data sources by address with their mode, in address order", () => {
    const stack = parseSynthStack(
      "serving-dev",
      {
        resource: { azurerm_storage_account: { st: { name: "stdev" } }, azurerm_key_vault: { kv: { name: "kv-dev" } } },
        data: { azurerm_client_config: { current: {} } },
      },
      "cdk.tf.json",
    );
    expect([...stack.resources.keys()]).toEqual(["azurerm_key_vault.kv", "azurerm_storage_account.st", "data.azurerm_client_config.current"]);
    expect(stack.resources.get("azurerm_storage_account.st")).toStrictEqual({
      address: "azurerm_storage_account.st",
      mode: "managed",
      type: "azurerm_storage_account",
      name: "st",
      config: { name: "stdev" },
    });
    expect(stack.resources.get("data.azurerm_client_config.current")).toStrictEqual({
      address: "data.azurerm_client_config.current",
      mode: "data",
      type: "azurerm_client_config",
      name: "current",
      config: {},
    });
  });

  it("takes the construct path from the // metadata and leaves the metadata out of the config", () => {
    const stack = parseSynthStack(
      "serving-dev",
      {
        resource: {
          azurerm_storage_account: {
            st: { "//": { metadata: { path: "serving-dev/storage/account", uniqueId: "st" } }, name: "stdev" },
            other: { "//": { metadata: { path: 42 } }, name: "other" },
            bare: { "//": "comment", name: "bare" },
          },
        },
      },
      "cdk.tf.json",
    );
    expect(stack.resources.get("azurerm_storage_account.st")).toStrictEqual({
      address: "azurerm_storage_account.st",
      mode: "managed",
      type: "azurerm_storage_account",
      name: "st",
      constructPath: "serving-dev/storage/account",
      config: { name: "stdev" },
    });
    expect("constructPath" in stack.resources.get("azurerm_storage_account.other")!).toBe(false);
    expect(stack.resources.get("azurerm_storage_account.bare")!.config).toStrictEqual({ name: "bare" });
  });

  it("skips resource types and blocks that are not objects", () => {
    const stack = parseSynthStack(
      "s",
      { resource: { azurerm_a: null, azurerm_b: { ok: { name: "ok" }, missing: null, text: "x", list: [1] } }, data: "nothing" },
      "cdk.tf.json",
    );
    expect([...stack.resources.keys()]).toEqual(["azurerm_b.ok"]);
  });

  it("reads outputs in name order with their sensitivity, skipping non-objects", () => {
    const stack = parseSynthStack(
      "s",
      {
        output: {
          zeta: { value: "${azurerm_storage_account.st.id}" },
          alpha: { value: "a", sensitive: true },
          beta: { value: "b", sensitive: "true" },
          broken: null,
        },
      },
      "cdk.tf.json",
    );
    expect([...stack.outputs.entries()]).toEqual([
      ["alpha", { value: "a", sensitive: true }],
      ["beta", { value: "b", sensitive: false }],
      ["zeta", { value: "${azurerm_storage_account.st.id}", sensitive: false }],
    ]);
  });

  it("keeps only moved blocks with a string from and to", () => {
    const stack = parseSynthStack(
      "s",
      {
        moved: [
          { from: "azurerm_x.old", to: "azurerm_x.new" },
          { from: "azurerm_x.a" },
          { to: "azurerm_x.b" },
          { from: 1, to: "azurerm_x.c" },
          { from: "azurerm_x.d", to: null },
          null,
        ],
      },
      "cdk.tf.json",
    );
    expect(stack.moved).toStrictEqual([{ from: "azurerm_x.old", to: "azurerm_x.new" }]);
  });

  it("has no moved blocks, outputs or resources when the stack declares none", () => {
    const stack = parseSynthStack("s", { terraform: {} }, "cdk.tf.json");
    expect(stack.moved).toStrictEqual([]);
    expect(stack.outputs.size).toBe(0);
    expect(stack.resources.size).toBe(0);
  });

  it("keeps the other top-level blocks as settings, in key order", () => {
    const stack = parseSynthStack(
      "s",
      {
        terraform: { required_providers: {} },
        resource: {},
        provider: { azurerm: [{ features: {} }] },
        "//": { metadata: { stackName: "s" } },
        output: {},
        data: {},
        moved: [],
        locals: { env: "dev" },
        variable: { region: { default: "westeurope" } },
      },
      "cdk.tf.json",
    );
    expect(Object.keys(stack.settings)).toEqual(["locals", "provider", "terraform", "variable"]);
    expect(stack.settings).toEqual({
      locals: { env: "dev" },
      provider: { azurerm: [{ features: {} }] },
      terraform: { required_providers: {} },
      variable: { region: { default: "westeurope" } },
    });
  });

  it("has no guardrails field when the stack metadata has no guardrail record", () => {
    const stack = parseSynthStack("s", { "//": { metadata: { stackName: "s" } } }, "cdk.tf.json");
    expect("guardrails" in stack).toBe(false);
  });

  it("reads the guardrail record with defaults for missing lists", () => {
    const stack = parseSynthStack("s", { "//": { metadata: { guardrails: { waivers: [{ rule: "AML001", reason: "dev only" }] } } } }, "cdk.tf.json");
    expect(stack.guardrails).toEqual({ findings: [], waivers: [{ rule: "AML001", reason: "dev only" }] });
  });

  it("names the field of a malformed guardrail record", () => {
    const error = inputError(() => parseSynthStack("s", { "//": { metadata: { guardrails: { findings: [{ rule: "AML001" }] } } } }, "x/cdk.tf.json"));
    expect(error.source).toBe("x/cdk.tf.json");
    expect(error.message).toMatch(/^malformed guardrails record at \/\/\.metadata\.guardrails\.findings\.0\.severity: /);
  });
});

describe("constructPathOf", () => {
  const stackJson = {
    resource: { azurerm_key_vault: { kv: { "//": { metadata: { path: "serving-dev/vault/kv" } } } } },
    data: { azurerm_key_vault: { kv: { "//": { metadata: { path: "serving-dev/vault/lookup" } } } } },
  };

  it("finds the construct path of a managed resource and of a data source with the same type and name", () => {
    const stack = parseSynthStack("serving-dev", stackJson, "cdk.tf.json");
    expect(constructPathOf(stack, { mode: "managed", type: "azurerm_key_vault", name: "kv" })).toBe("serving-dev/vault/kv");
    expect(constructPathOf(stack, { mode: "data", type: "azurerm_key_vault", name: "kv" })).toBe("serving-dev/vault/lookup");
  });

  it("knows nothing of resources inside modules, unknown resources, or without a stack", () => {
    const stack = parseSynthStack("serving-dev", stackJson, "cdk.tf.json");
    expect(constructPathOf(stack, { mode: "managed", type: "azurerm_key_vault", name: "kv", moduleAddress: "module.vault" })).toBeUndefined();
    expect(constructPathOf(stack, { mode: "managed", type: "azurerm_key_vault", name: "other" })).toBeUndefined();
    expect(constructPathOf(undefined, { mode: "managed", type: "azurerm_key_vault", name: "kv" })).toBeUndefined();
  });
});

describe("readSynthDir", () => {
  let dir: string;
  beforeEach(() => {
    dir = tempDir("synth-units-");
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it("reads every stack under stacks/, in name order", () => {
    writeSynthDir(dir, { "serving-prod": { locals: { env: "prod" } }, "serving-dev": { locals: { env: "dev" } } });
    const stacks = readSynthDir(dir);
    expect([...stacks.keys()]).toEqual(["serving-dev", "serving-prod"]);
    expect(stacks.get("serving-dev")!.file).toBe(path.join(dir, "stacks", "serving-dev", "cdk.tf.json"));
    expect(stacks.get("serving-dev")!.settings).toEqual({ locals: { env: "dev" } });
  });

  it("skips folders without a cdk.tf.json and plain files", () => {
    writeSynthDir(dir, { "serving-dev": {} });
    fs.mkdirSync(path.join(dir, "stacks", "notes"));
    fs.writeFileSync(path.join(dir, "stacks", "manifest.json"), "{}");
    expect([...readSynthDir(dir).keys()]).toEqual(["serving-dev"]);
  });

  it("accepts one stack folder and names the stack after it", () => {
    writeSynthDir(dir, { "serving-qa": {} });
    const stacks = readSynthDir(path.join(dir, "stacks", "serving-qa"));
    expect([...stacks.keys()]).toEqual(["serving-qa"]);
  });

  it("reports a missing folder", () => {
    const missing = path.join(dir, "nope");
    const error = inputError(() => readSynthDir(missing));
    expect(error.source).toBe(missing);
    expect(error.message).toBe("no such directory (run `npm run synth` first?)");
  });

  it("reports a file given instead of a folder", () => {
    const file = path.join(dir, "cdk.tf.json");
    fs.writeFileSync(file, "{}");
    const error = inputError(() => readSynthDir(file));
    expect(error.source).toBe(file);
    expect(error.message).toBe("not a directory; expected a cdktf output folder such as cdktf.out");
  });

  it("reports a folder that holds no stack", () => {
    fs.mkdirSync(path.join(dir, "stacks", "empty"), { recursive: true });
    expect(inputError(() => readSynthDir(dir)).message).toBe("no synthesized stacks found (expected stacks/<stack>/cdk.tf.json)");
  });

  it("reports a cdk.tf.json that is not JSON, naming the file", () => {
    fs.mkdirSync(path.join(dir, "stacks", "serving-dev"), { recursive: true });
    const file = path.join(dir, "stacks", "serving-dev", "cdk.tf.json");
    fs.writeFileSync(file, "{ not json");
    const error = inputError(() => readSynthDir(dir));
    expect(error.source).toBe(file);
    expect(error.message).toMatch(/^cannot read synthesized stack \(.+\)$/);
  });
});

import { readFileSync } from "node:fs";
import { join } from "node:path";
import { Testing } from "cdktf";
import { loadEnvironments, type LoadedEnvironment } from "../../lib/config/load";
import { resourceNames, stableHash } from "../../lib/config/names";
import { checkGuardrails, formatGuardrailReport } from "../../lib/guardrails";
import { ServingStack } from "../../lib/stacks/serving-stack";
import { StateStack, stateStacksFrom } from "../../lib/stacks/state-stack";
import { validateSynthesizedAzapiBodies } from "../helpers/azapi-schema";
import { baseConfig, deployment, loadValid } from "../helpers/config-dir";
import { resourceAt } from "../helpers/stacks";
import { perFile } from "../helpers/shared";

/** Test-owned copies of the sample environments: the user's own config/ is never read by tests. */
const fixtures = perFile(() => loadEnvironments({ configDir: join(__dirname, "..", "fixtures", "config") }));
const fixture = (name: string) => fixtures().find((e) => e.name === name)!;

function synth(environment: LoadedEnvironment): any {
  return JSON.parse(Testing.synth(new ServingStack(Testing.app(), environment)));
}

/** Each fixture stack synthesized once for the whole file. */
const fixtureSynths = { dev: perFile(() => synth(fixture("dev"))), prod: perFile(() => synth(fixture("prod"))) };
const synthOf = (name: string): any => fixtureSynths[name as keyof typeof fixtureSynths]();

test("the fixture folder holds the two sample environments", () => {
  expect(fixtures().map((e) => e.name)).toEqual(["dev", "prod"]);
});

describe.each(["dev", "prod"])("fixture environment %s", (name) => {
  test("every azapi body validates against Azure's 2025-12-01 schema", () => {
    expect(validateSynthesizedAzapiBodies(synthOf(name))).toEqual([]);
  });

  test("no synthesized value reads an access key, connection string or secret", () => {
    expect(JSON.stringify(synthOf(name))).not.toMatch(SECRET_REFERENCE);
  });
});

/** References to attributes or actions that carry credentials. */
const SECRET_REFERENCE =
  /\.(primary|secondary)_(access_key|connection_string|blob_connection_string|key)\b|\.(instrumentation_key|connection_string|admin_password|client_secret)\b|listKeys|listSecrets|primaryKey|secondaryKey/;

test("the secret-reference pattern matches each credential attribute it names", () => {
  for (const ref of [
    "${azurerm_storage_account.x.primary_access_key}",
    "${azurerm_storage_account.x.secondary_connection_string}",
    "${azurerm_storage_account.x.primary_blob_connection_string}",
    "${azurerm_application_insights.x.instrumentation_key}",
    "${azurerm_application_insights.x.connection_string}",
    "${azurerm_container_registry.x.admin_password}",
    "listKeys",
    "listSecrets",
  ]) {
    expect(ref).toMatch(SECRET_REFERENCE);
  }
  expect("${azurerm_storage_account.x.primary_blob_endpoint}").not.toMatch(SECRET_REFERENCE);
});

test("fixture state bootstrap stack: no credential in it", () => {
  const [props] = stateStacksFrom(fixtures());
  expect(props.storageAccount).toBe("stchurntfstate01");
  expect(Testing.synth(new StateStack(Testing.app(), props))).not.toMatch(SECRET_REFERENCE);
});

describe("fixture prod: the blue/green rollout as configured", () => {
  test("traffic 90/10, no mirroring, set once after both deployments and the endpoint's settings update", () => {
    const json = synthOf("prod");
    const traffic = resourceAt(json, "azapi_update_resource", "traffic/traffic");
    expect(traffic.body.properties).toEqual({ traffic: { blue: 90, green: 10 }, mirrorTraffic: { blue: 0, green: 0 } });
    expect(traffic.depends_on).toHaveLength(3);
  });

  test("AAD token auth on the endpoint", () => {
    const [endpoint] = Object.values<any>(synthOf("prod").resource.azapi_resource).filter((r) => r.type.includes("/onlineEndpoints@"));
    expect(endpoint.body.properties.authMode).toBe("AADToken");
  });

  test("each deployment is autoscaled within its configured bounds", () => {
    const settings = Object.values<any>(synthOf("prod").resource.azurerm_monitor_autoscale_setting);
    expect(settings.map((s) => s.profile[0].capacity)).toEqual([
      { default: 3, minimum: 3, maximum: 10 },
      { default: 3, minimum: 3, maximum: 6 },
    ]);
  });
});

describe("ServingStack", () => {
  const loaded = perFile(() => loadValid({ "dev.yaml": baseConfig({ subscription_id: "00000000-0000-0000-0000-0000000000aa", tags: { team: "ml" } }) })[0]);
  let env: LoadedEnvironment;
  beforeEach(() => {
    env = loaded();
  });

  test("state lives in the configured account, keyed by stack, with Entra ID auth", () => {
    expect(synth(env).terraform.backend).toEqual({
      azurerm: {
        resource_group_name: "rg-tfstate",
        storage_account_name: "sttfstate01",
        container_name: "tfstate",
        key: "serving-dev.tfstate",
        use_azuread_auth: true,
        subscription_id: "00000000-0000-0000-0000-0000000000aa",
      },
    });
  });

  test("the azurerm provider uses Entra ID for storage and the configured subscription", () => {
    expect(synth(env).provider.azurerm).toEqual([
      {
        features: [{ key_vault: [{ purge_soft_delete_on_destroy: false, recover_soft_deleted_key_vaults: true }] }],
        storage_use_azuread: true,
        subscription_id: "00000000-0000-0000-0000-0000000000aa",
      },
    ]);
  });

  test("names follow CAF abbreviations and the cluster comes from config", () => {
    const json = synth(env);
    const names = resourceNames("churn", "dev", "sttfstate01");
    const nameOf = (type: string) => (Object.values(json.resource[type])[0] as any).name;
    expect(nameOf("azurerm_resource_group")).toBe("rg-churn-dev");
    expect(nameOf("azapi_resource")).toBe("mlw-churn-dev");
    expect(nameOf("azurerm_storage_account")).toBe(names.storageAccount);
    expect(nameOf("azurerm_key_vault")).toBe(names.keyVault);
    expect(nameOf("azurerm_container_registry")).toBe(names.containerRegistry);
    expect(nameOf("azurerm_machine_learning_compute_cluster")).toBe("cpu-cluster");
  });

  test("config tags and the standard tags are on every taggable resource", () => {
    const json = synth(env);
    for (const [type, resources] of Object.entries<any>(json.resource)) {
      for (const resource of Object.values<any>(resources)) {
        if ("tags" in resource) {
          expect({ type, tags: resource.tags }).toEqual({
            type,
            tags: { project: "churn", environment: "dev", "managed-by": "cdktf", team: "ml" },
          });
        }
      }
    }
  });

  test("outputs: workspace, cluster and resource group; without an endpoint, azapi creates only the workspace", () => {
    const json = synth(env);
    expect(Object.keys(json.output).sort()).toEqual(["compute_cluster_id", "resource_group_name", "workspace_id", "workspace_name"]);
    expect(Object.values<any>(json.resource.azapi_resource).map((r) => r.type)).toEqual(["Microsoft.MachineLearningServices/workspaces@2025-12-01"]);
    expect(json.resource.azapi_update_resource).toBeUndefined();
    expect(json.output.workspace_id.value).toMatch(/^\$\{azapi_resource\.ml_workspace_[0-9A-F]{8}\.id\}$/);
    expect(json.provider.azapi).toEqual([{ subscription_id: "00000000-0000-0000-0000-0000000000aa" }]);
  });

  test("with an endpoint: the azapi provider, endpoint outputs and never a key", () => {
    const [withEndpoint] = loadValid({
      "dev.yaml": baseConfig({ endpoint: { name: "churn-dev", auth_mode: "key", deployments: [deployment()] } }),
    });
    const json = synth(withEndpoint);
    expect(json.terraform.required_providers.azapi).toEqual({ source: "Azure/azapi", version: "~> 2.9" });
    expect(Object.keys(json.output).sort()).toEqual([
      "compute_cluster_id",
      "endpoint_name",
      "resource_group_name",
      "scoring_uri",
      "scoring_uris",
      "swagger_uri",
      "swagger_uris",
      "workspace_id",
      "workspace_name",
    ]);
    expect(JSON.stringify(json.output)).not.toMatch(/key|secret|listKeys/i);
    expect(JSON.stringify(json.resource)).not.toMatch(/listKeys|primaryKey|secondaryKey/);
  });

  test("blue/green: each deployment, its autoscale and one traffic update", () => {
    const [bg] = loadValid({
      "prod.yaml": baseConfig({
        endpoint: {
          name: "churn-prod",
          deployments: [
            deployment({ traffic: 90, instance_count: 3, autoscale: { min_instances: 2, max_instances: 6 } }),
            deployment({ name: "green", traffic: 10, model: { name: "churn", version: "4", path: "azureml://m/4/", type: "custom_model" } }),
          ],
        },
      }),
    });
    const json = synth(bg);
    const deployments = Object.values<any>(json.resource.azapi_resource).filter((r) => r.type.includes("/deployments@"));
    expect(deployments.map((d) => [d.name, d.body.sku.capacity, d.lifecycle?.ignore_changes ?? null])).toEqual([
      ["blue", 3, ["body.sku.capacity"]],
      ["green", 1, null],
    ]);
    const models = Object.values<any>(json.resource.azapi_resource).filter((r) => r.type.includes("/models/versions@"));
    expect(models.map((m) => m.name).sort()).toEqual(["3", "4"]);
    const envs = Object.values<any>(json.resource.azapi_resource).filter((r) => r.type.includes("/environments/versions@"));
    expect(envs).toHaveLength(1);
    expect(Object.keys(json.resource.azurerm_monitor_autoscale_setting)).toHaveLength(1);
    const traffic = resourceAt(json, "azapi_update_resource", "traffic/traffic");
    expect(traffic.body.properties.traffic).toEqual({ blue: 90, green: 10 });
    expect(validateSynthesizedAzapiBodies(json)).toEqual([]);
  });
});

describe("guardrails on the serving stack", () => {
  const keyAuth = (waivers: object[]) =>
    loadValid({
      "dev.yaml": baseConfig({ endpoint: { name: "churn-dev", auth_mode: "key", deployments: [deployment()] }, waivers }),
    })[0];

  /** The 1-based line of the first line of `file` that holds `text`. */
  const lineWith = (file: string, text: string) => readFileSync(file, "utf8").split("\n").findIndex((l) => l.includes(text)) + 1;
  const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&");

  test("a key-auth endpoint is refused without a waiver, naming the rule, file:line, field, construct path and how to waive", () => {
    const app = Testing.app();
    const environment = keyAuth([]);
    new ServingStack(app, environment);
    const report = checkGuardrails(app);
    expect(report.hasErrors).toBe(true);
    const line = lineWith(environment.file, "auth_mode: key");
    expect(line).toBeGreaterThan(0);
    expect(formatGuardrailReport(report)).toMatch(
      new RegExp(
        `guardrail error endpoint-key-auth in serving-dev, 1 place:\\n {2}${escape(environment.file)}:${line}: endpoint\\.auth_mode: .* \\(at serving-dev/endpoint/endpoint\\)\\n {2}To waive, .*waivers: \\[\\{ rule: endpoint-key-auth, reason: `,
      ),
    );
  });

  test("listed endpoints: a finding names the endpoint's and the deployment's own lines and fields, and the metadata records them", () => {
    const app = Testing.app();
    const environment = loadValid({
      "dev.yaml": baseConfig({
        endpoints: [
          { name: "churn-a", deployments: [deployment({ instance_count: 2 })] },
          { name: "churn-b", auth_mode: "key", deployments: [deployment({ name: "green", instance_count: 1 })] },
        ],
        // Waived findings keep where they come from; the waiver lets the full synth write the metadata.
        waivers: [{ rule: "endpoint-key-auth", reason: "legacy client without Entra ID" }],
      }),
    })[0];
    const stack = new ServingStack(app, environment);
    const findings = checkGuardrails(app).stacks[0].findings;
    const file = environment.file;
    expect(findings.find((f) => f.rule === "endpoint-key-auth")).toMatchObject({
      path: "serving-dev/endpoint-churn-b/endpoint/endpoint",
      source: `${file}:${lineWith(file, "auth_mode: key")}`,
      field: "endpoints[1].auth_mode",
    });
    expect(findings.filter((f) => f.rule === "single-instance-live").map((f) => [f.field, f.source])).toEqual([
      ["endpoints[1].deployments[0].instance_count", `${file}:${lineWith(file, "instance_count: 1")}`],
    ]);
    // workspace: is not in the file: the finding names the file and the field to add, and no line.
    expect(findings.find((f) => f.rule === "workspace-public")).toMatchObject({ source: file, field: "workspace.public_network_access" });
    // Added metadata fields; the earlier ones keep their names and meanings.
    const outdir = Testing.fullSynth(stack);
    const metadata = JSON.parse(readFileSync(join(outdir, "stacks", "serving-dev", "cdk.tf.json"), "utf8"))["//"].metadata;
    expect(metadata.guardrails.findings).toContainEqual(
      expect.objectContaining({ rule: "endpoint-key-auth", path: "serving-dev/endpoint-churn-b/endpoint/endpoint", field: "endpoints[1].auth_mode", source: `${file}:${lineWith(file, "auth_mode: key")}` }),
    );
  });

  test("a reasoned waiver lets it through, and the waiver is recorded in the stack metadata", () => {
    const app = Testing.app();
    const stack = new ServingStack(app, keyAuth([{ rule: "endpoint-key-auth", reason: "legacy client without Entra ID" }]));
    expect(checkGuardrails(app).hasErrors).toBe(false);
    // Testing.synth leaves out the "//" metadata; the full synth writes it.
    const outdir = Testing.fullSynth(stack);
    const metadata = JSON.parse(readFileSync(join(outdir, "stacks", "serving-dev", "cdk.tf.json"), "utf8"))["//"].metadata;
    expect(metadata.guardrails.waivers).toEqual([{ rule: "endpoint-key-auth", reason: "legacy client without Entra ID" }]);
    expect(metadata.guardrails.findings).toContainEqual(
      expect.objectContaining({ rule: "endpoint-key-auth", severity: "error", waived: true, reason: "legacy client without Entra ID" }),
    );
  });
});

describe("resource names", () => {
  test("globally unique names fit Azure's limits and carry a stable hash", () => {
    const names = resourceNames("abcdefghijkl", "abcdefghij", "sttfstate01");
    expect(names.storageAccount).toMatch(/^[a-z0-9]{3,24}$/);
    expect(names.keyVault).toMatch(/^[a-zA-Z][a-zA-Z0-9-]{1,22}[a-zA-Z0-9]$/);
    expect(names.containerRegistry).toMatch(/^[a-zA-Z0-9]{5,50}$/);
    expect(names.storageAccount.endsWith(stableHash("sttfstate01/abcdefghijkl/abcdefghij"))).toBe(true);
    expect(resourceNames("abcdefghijkl", "abcdefghij", "sttfstate01")).toEqual(names);
  });

  test("another organisation's state account gives other globally unique names", () => {
    const ours = resourceNames("churn", "dev", "stoursstate");
    const theirs = resourceNames("churn", "dev", "sttheirsstate");
    expect(ours.storageAccount).not.toBe(theirs.storageAccount);
    expect(ours.workspace).toBe(theirs.workspace);
  });
});

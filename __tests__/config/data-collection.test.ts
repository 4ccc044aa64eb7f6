import { rmSync } from "node:fs";
import { collectionDataAsset, isPayloadCollection } from "../../lib/config/data-collection";
import { ConfigError } from "../../lib/config/errors";
import { loadEnvironments, type LoadedEnvironment } from "../../lib/config/load";
import { baseConfig, configDir, deployment } from "../helpers/config-dir";

/** Loads a throw-away config folder and removes it again, whatever happens. */
function load(deployments: Record<string, unknown>[], extra: Record<string, unknown> = {}): LoadedEnvironment {
  const dir = configDir({ "dev.yaml": baseConfig({ endpoint: { name: "churn-dev", deployments }, ...extra }) });
  try {
    return loadEnvironments({ configDir: dir, projectRoot: dir })[0];
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The problems a config is rejected with, without the file name and line. */
function problems(deployments: Record<string, unknown>[]): string[] {
  try {
    load(deployments);
  } catch (error) {
    if (error instanceof ConfigError) return error.message.split("\n").map((p) => p.replace(/^dev\.yaml(:\d+)?: /, ""));
    throw error;
  }
  throw new Error("expected the config to be rejected, but it loaded");
}

const collecting = (collections: Record<string, unknown>, rest: Record<string, unknown> = {}) => deployment({ data_collector: { collections, ...rest } });
const AT = "endpoint.deployments[0].data_collector";

/** A custom container: an image with its own routes, no scoring script. */
const tfserving = (collections: Record<string, unknown>) =>
  deployment({
    name: "tfserving",
    code: undefined,
    environment: {
      name: "tfserving",
      version: "1",
      image: "docker.io/tensorflow/serving:2.14.1",
      inference_config: {
        liveness_route: { path: "/v1/models/m", port: 8501 },
        readiness_route: { path: "/v1/models/m", port: 8501 },
        scoring_route: { path: "/v1/models/m:predict", port: 8501 },
      },
    },
    data_collector: { collections },
  });

describe("az ml's data asset of a collection", () => {
  test("defaults: <endpoint>-<deployment>-<collection>, version 1, modelDataCollector/<endpoint>/<deployment>/<collection> on workspaceblobstore", () => {
    expect(collectionDataAsset("churn-prod", "green", "request")).toEqual({
      name: "churn-prod-green-request",
      version: "1",
      path: "azureml://datastores/workspaceblobstore/paths/modelDataCollector/churn-prod/green/request",
    });
  });

  test("each field of data replaces its default alone", () => {
    expect(collectionDataAsset("e", "d", "c", { name: "mine" })).toEqual({ name: "mine", version: "1", path: "azureml://datastores/workspaceblobstore/paths/modelDataCollector/e/d/c" });
    expect(collectionDataAsset("e", "d", "c", { version: "9" })).toMatchObject({ name: "e-d-c", version: "9" });
    expect(collectionDataAsset("e", "d", "c", { path: "azureml://datastores/workspaceblobstore/paths/x" })).toMatchObject({ name: "e-d-c", path: "azureml://datastores/workspaceblobstore/paths/x" });
  });

  test("request and response are payload logging; every other name is custom logging", () => {
    expect(["request", "response", "model_inputs", "model_outputs", "features", "Request"].map(isPayloadCollection)).toEqual([true, true, false, false, false, false]);
  });
});

describe("collections as az ml's YAML has them", () => {
  test("payload logging, custom names, per-collection data and sampling rate; 'True'/'False' strings and booleans", () => {
    const env = load([
      collecting({
        request: { enabled: "True", sampling_rate: 0.1 },
        response: { enabled: "False" },
        features: { enabled: true, data: { name: "churn-features", version: 4, path: "azureml://datastores/workspaceblobstore/paths/monitoring/features" } },
      }),
    ]);
    expect(env.config.endpoints[0].deployments[0].data_collector!.collections).toEqual({
      request: { enabled: true, sampling_rate: 0.1 },
      response: { enabled: false },
      features: { enabled: true, data: { name: "churn-features", version: "4", path: "azureml://datastores/workspaceblobstore/paths/monitoring/features" } },
    });
  });

  test("today's model_inputs/model_outputs configs load as before", () => {
    const env = load([collecting({ model_inputs: { enabled: "True" }, model_outputs: {} }, { sampling_rate: 0.25 })]);
    expect(env.config.endpoints[0].deployments[0].data_collector).toEqual({
      collections: { model_inputs: { enabled: true }, model_outputs: { enabled: false } },
      sampling_rate: 0.25,
      rolling_rate: "hour",
    });
  });

  test("every problem at once: names, bounds, data fields, no collections", () => {
    expect(
      problems([
        collecting({
          "bad name": { enabled: true },
          request: { enabled: true, sampling_rate: 1.5, client_id: "x" },
          features: { enabled: true, data: { name: "-x", version: 1.5, path: "azureml://datastores/mystore/paths/features", type: "uri_file" } },
        }),
        { ...collecting({}), name: "green", traffic: 0 },
      ]),
    ).toEqual([
      `${AT}.collections.bad name: key must be a collection name of 1-64 letters, digits, '_', '.' or '-', not starting with '.' or '-' (got "bad name")`,
      `${AT}.collections.request.sampling_rate: must be <= 1 (got 1.5)`,
      `${AT}.collections.request.client_id: is not a known key (allowed: enabled, sampling_rate, data)`,
      `${AT}.collections.features.data.name: must be 1-255 letters, digits, '.', '_' or '-', starting with a letter or digit (got "-x")`,
      `${AT}.collections.features.data.version: must be quoted: YAML reads 1.5 as a number (got 1.5)`,
      `${AT}.collections.features.data.path: must be azureml://datastores/workspaceblobstore/paths/<path>: the endpoint's identity may write to the default datastore only (got "azureml://datastores/mystore/paths/features")`,
      `${AT}.collections.features.data.type: is not a known key (allowed: name, version, path)`,
      "endpoint.deployments[1].data_collector.collections: must name at least one collection: request and response (payload logging) or the names a scoring script collects (got a mapping)",
    ]);
  });

  test.each(["https://acct.blob.core.windows.net/c/x", "azureml://subscriptions/s/resourcegroups/r/workspaces/w/datastores/workspaceblobstore/paths/x", "azureml://datastores/workspaceblobstore/paths/"])(
    "data.path %s is refused: only the default datastore, in its short form, is where the endpoint may write",
    (path) => {
      const [problem, ...more] = problems([collecting({ request: { enabled: true, data: { path } } })]);
      expect(more).toEqual([]);
      // Long values are cut short in the message, so only their start is compared.
      expect(problem).toMatch(/^endpoint\.deployments\[0\]\.data_collector\.collections\.request\.data\.path: must be azureml:\/\/datastores\/workspaceblobstore\/paths\/<path>: the endpoint's identity may write to the default datastore only \(got "/);
      expect(problem).toContain(`(got "${path.slice(0, 40)}`);
    },
  );
});

describe("the Authorization header is never captured", () => {
  test.each(["Authorization", "authorization", "AUTHORIZATION"])("%s is refused, with every other problem", (header) => {
    expect(problems([collecting({ request: { enabled: true } }, { request_logging: { capture_headers: ["x-request-id", header] } })])).toEqual([
      `${AT}.request_logging.capture_headers[1]: must not be Authorization: it carries the endpoint's key or token, which would be written to the collected data in clear (got "${header}")`,
    ]);
  });

  test("other headers are captured as given", () => {
    const env = load([collecting({ request: { enabled: true } }, { request_logging: { capture_headers: ["x-request-id", "X-Authorization-Scheme"] } })]);
    expect(env.config.endpoints[0].deployments[0].data_collector!.request_logging).toEqual({ capture_headers: ["x-request-id", "X-Authorization-Scheme"] });
  });
});

describe("two collections registering one data asset version", () => {
  test("at two folders: refused, since a version cannot change", () => {
    // Deployment blue's collection x-y and deployment blue-x's collection y both default to churn-dev-blue-x-y.
    expect(problems([collecting({ "x-y": { enabled: true } }), { ...collecting({ y: { enabled: true } }), name: "blue-x", traffic: 0 }])).toEqual([
      "endpoint.deployments[1].data_collector.collections.y.data: must name another data asset version than endpoint.deployments[0].data_collector.collections.x-y: " +
        "both register churn-dev-blue-x-y version 1, at azureml://datastores/workspaceblobstore/paths/modelDataCollector/churn-dev/blue/x-y and " +
        "azureml://datastores/workspaceblobstore/paths/modelDataCollector/churn-dev/blue-x/y, and a version cannot change; give one of them another data.name or data.version",
    ]);
  });

  test("at the same folder: one asset, shared, as az ml reuses one that already exists", () => {
    const data = { name: "shared", path: "azureml://datastores/workspaceblobstore/paths/shared" };
    expect(load([collecting({ request: { enabled: true, data } }), { ...collecting({ request: { enabled: true, data } }), name: "green", traffic: 0 }]).config.endpoints[0].deployments).toHaveLength(2);
  });

  test("another version of the same name is another asset", () => {
    const data = (version: string, path: string) => ({ name: "shared", version, path: `azureml://datastores/workspaceblobstore/paths/${path}` });
    const env = load([collecting({ a: { data: data("1", "a") }, b: { data: data("2", "b") } })]);
    expect(Object.keys(env.config.endpoints[0].deployments[0].data_collector!.collections)).toEqual(["a", "b"]);
  });
});

describe("custom logging on a deployment without a scoring script (warning collector-without-scoring-script)", () => {
  const warningsOf = (d: Record<string, unknown>, extra: Record<string, unknown> = {}) =>
    load([d], extra)
      .warnings.filter((w) => w.id === "collector-without-scoring-script")
      .map((w) => ({ id: w.id, field: w.field, line: w.line, waivedBecause: w.waivedBecause }));

  test("a custom container's enabled custom-logging collections each warn, at their line; payload logging and disabled ones do not", () => {
    const warnings = warningsOf(tfserving({ request: { enabled: true }, model_inputs: { enabled: true }, features: { enabled: "True" }, model_outputs: { enabled: false } }));
    expect(warnings.map((w) => w.field)).toEqual([`${AT}.collections.model_inputs`, `${AT}.collections.features`]);
    for (const w of warnings) expect(w).toMatchObject({ id: "collector-without-scoring-script", line: expect.any(Number), waivedBecause: undefined });
    expect(warnings[1].line).toBeGreaterThan(warnings[0].line!);
  });

  test("the rule names the Collector that would fill the collection, and what to use instead", () => {
    const [warning] = load([tfserving({ model_outputs: { enabled: true } })]).warnings.filter((w) => w.id === "collector-without-scoring-script");
    expect(warning.rule).toBe(
      'collects nothing here: custom logging is filled by Collector(name="model_outputs") from azureml-ai-monitoring in a scoring script, ' +
        "and this deployment runs a container without one (code is not set); collect request and response for payload logging",
    );
  });

  test("with a scoring script, or as an MLflow model Azure ML scores itself, nothing is warned", () => {
    expect(warningsOf(collecting({ model_inputs: { enabled: true }, features: { enabled: true } }))).toEqual([]);
    const mlflow = { name: "churn", version: "3", path: "azureml://datastores/workspaceblobstore/paths/models/churn/3/", type: "mlflow_model" };
    expect(warningsOf(deployment({ model: mlflow, environment: undefined, code: undefined, data_collector: { collections: { model_inputs: { enabled: true } } } }))).toEqual([]);
  });

  test("a waiver silences it with its reason", () => {
    const waivers = [{ rule: "collector-without-scoring-script", reason: "the container logs model_inputs through the MDC sidecar itself" }];
    expect(warningsOf(tfserving({ model_inputs: { enabled: true } }), { waivers })).toEqual([
      expect.objectContaining({ id: "collector-without-scoring-script", waivedBecause: "the container logs model_inputs through the MDC sidecar itself" }),
    ]);
  });
});

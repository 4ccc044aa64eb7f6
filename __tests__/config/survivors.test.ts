import { baseConfig, deployment, loadValid, problemsOf } from "../helpers/config-dir";

/**
 * Edge cases of the config contract that the other config tests leave open: values of the wrong shape where a
 * cross-field rule reads them, exact bounds, and the cases where one rule must step aside for another.
 * Every input is built inside its test.
 */

/** The problems, without the "dev.yaml:<line>: " prefix. */
function rules(files: Record<string, string | object>): string[] {
  return problemsOf(files).map((line) => line.replace(/^dev\.yaml(:\d+)?: /, ""));
}

/** A config with an endpoint of the given deployments (JSON round trip drops keys set to undefined). */
function withEndpoint(deployments: Record<string, unknown>[], extra: Record<string, unknown> = {}): Record<string, string | object> {
  return { "dev.yaml": JSON.parse(JSON.stringify(baseConfig({ endpoint: { name: "churn-dev", deployments }, ...extra }))) };
}

/** A config with one batch endpoint (JSON round trip drops keys set to undefined). */
function withBatch(batch: Record<string, unknown>): Record<string, string | object> {
  return { "dev.yaml": JSON.parse(JSON.stringify(baseConfig({ batch: [{ name: "churn-batch", ...batch }] }))) };
}

/** A batch deployment built from the online one. */
function batchDeployment(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return { ...deployment({ code: { path: "src", scoring_script: "batch_score.py" } }), traffic: undefined, instance_type: undefined, ...overrides };
}

describe("schema: values of the wrong shape where a rule reads them", () => {
  test("an environment with an image and a build without a path: both problems, the clash without a value", () => {
    const env = { name: "e", version: "1", image: "mcr.microsoft.com/azureml/base:latest", build: { dockerfile_path: "Dockerfile" } };
    expect(rules(withEndpoint([deployment({ environment: env, code: undefined })]))).toEqual([
      "endpoint.deployments[0].environment.build.path: is required",
      "endpoint.deployments[0].environment.build: must not be set together with environment.image: give either an image or a Docker build context",
    ]);
  });

  test("an environment with an image and a null build", () => {
    const env = { name: "e", version: "1", image: "mcr.microsoft.com/azureml/base:latest", build: null };
    expect(rules(withEndpoint([deployment({ environment: env, code: undefined })]))).toEqual([
      "endpoint.deployments[0].environment.build: must be a mapping of keys to values (got null)",
      "endpoint.deployments[0].environment.build: must not be set together with environment.image: give either an image or a Docker build context",
    ]);
  });

  test("a null environment is refused as a whole", () => {
    expect(rules(withEndpoint([deployment({ environment: null })]))).toEqual([
      "endpoint.deployments[0].environment: must be azureml:<name>:<version>, an asset id, or a mapping (got null)",
    ]);
  });

  test("batch endpoints that are not mappings get one problem each", () => {
    const files = { "dev.yaml": baseConfig({ batch: ["churn", null, []] }) };
    expect(rules(files)).toEqual([
      'batch[0]: must be a mapping of keys to values (got "churn")',
      "batch[1]: must be a mapping of keys to values (got null)",
      "batch[2]: must be a mapping of keys to values (got an empty list)",
    ]);
  });

  test("default_deployment lists only the deployments that have a name", () => {
    const unnamed = { name: 7, model: { name: "m", version: "1", path: "azureml://x/", type: "mlflow_model" } };
    expect(rules(withBatch({ deployments: [batchDeployment(), "green", unnamed, null] }))).toEqual([
      "batch[0].default_deployment: is required when there is more than one deployment: name the one that jobs without a deployment use (one of blue)",
      'batch[0].deployments[1]: must be a mapping of keys to values (got "green")',
      "batch[0].deployments[2].name: must be a string (got 7)",
      "batch[0].deployments[3]: must be a mapping of keys to values (got null)",
    ]);
    expect(rules(withBatch({ deployments: [batchDeployment(), unnamed], default_deployment: "green" }))).toEqual([
      "batch[0].deployments[1].name: must be a string (got 7)",
      'batch[0].default_deployment: must name one of the deployments (blue) (got "green")',
    ]);
  });

  test("the removed single deployment without a name: no default_deployment hint", () => {
    expect(rules(withBatch({ deployment: "blue" }))).toEqual([
      'batch[0].deployment: must be replaced by a list: write `deployments:` with this deployment as its one item (got "blue")',
    ]);
  });

  test("compute min_nodes against max_nodes only when both are numbers", () => {
    const compute = (nodes: Record<string, unknown>) => ({ "dev.yaml": baseConfig({ compute: { name: "cpu-cluster", vm_size: "STANDARD_D2_V2", ...nodes } }) });
    expect(rules(compute({ min_nodes: "5", max_nodes: 4 }))).toEqual(['compute.min_nodes: must be a number (got "5")']);
    expect(rules(compute({ min_nodes: 3, max_nodes: "2" }))).toEqual(['compute.max_nodes: must be a number (got "2")']);
  });
});

describe("schema: asset versions, tags, asset references, flags", () => {
  const mlflow = (version: string) => deployment({ model: { name: "m", version, path: "azureml://x/", type: "mlflow_model" }, environment: undefined, code: undefined });
  const VERSION_RULE = "must be 1-30 letters, digits, '.', '_' or '-', starting with a letter or digit";

  test("a version of 30 characters is accepted", () => {
    const [env] = loadValid(withEndpoint([mlflow("v23456789.123456789_123456789-")]));
    expect(env.config.endpoints[0].deployments[0].model.version).toBe("v23456789.123456789_123456789-");
  });

  test("a version of 31 characters, one starting with '-' and one with '$' are refused", () => {
    expect(rules(withEndpoint([mlflow("v234567890123456789012345678901"), { ...mlflow("-1"), name: "green", traffic: 0 }, { ...mlflow("1$2"), name: "red", traffic: 0 }]))).toEqual([
      `endpoint.deployments[0].model.version: ${VERSION_RULE} (got "v234567890123456789012345678901")`,
      `endpoint.deployments[1].model.version: ${VERSION_RULE} (got "-1")`,
      `endpoint.deployments[2].model.version: ${VERSION_RULE} (got "1$2")`,
    ]);
  });

  test("at most 40 tags: 40 are accepted, 41 refused", () => {
    const tags = (n: number) => Object.fromEntries(Array.from({ length: n }, (_, i) => [`t${i}`, "x"]));
    const [env] = loadValid({ "dev.yaml": baseConfig({ tags: tags(40) }) });
    expect(Object.keys(env.config.tags)).toHaveLength(40);
    expect(rules({ "dev.yaml": baseConfig({ tags: tags(41) }) })).toEqual(["tags: must have at most 40 tags (got a mapping)"]);
  });

  test("model references: label forms, anchored patterns", () => {
    const GENERIC = "must be azureml:<name>:<version> (a model registered in this workspace), an asset id, or a mapping";
    const models = ["azureml:churn@", "xazureml:churn@latest", "azureml:churn@a\nb", "xazureml:churn:1", "azureml:churn:1:2"];
    const deployments = models.map((model, i) => deployment({ name: `dep${i}`, model, traffic: i === 0 ? 100 : 0 }));
    expect(rules(withEndpoint(deployments))).toEqual([
      'endpoint.deployments[0].model: must pin a version: write azureml:churn:<version>, because @<label> is resolved when Azure deploys, so two synths of the same config could differ (got "azureml:churn@")',
      `endpoint.deployments[1].model: ${GENERIC} (got "xazureml:churn@latest")`,
      `endpoint.deployments[2].model: ${GENERIC} (got "azureml:churn@a\\nb")`,
      `endpoint.deployments[3].model: ${GENERIC} (got "xazureml:churn:1")`,
      `endpoint.deployments[4].model: ${GENERIC} (got "azureml:churn:1:2")`,
    ]);
  });

  test("data collection flags: YAML booleans and the strings az ml writes", () => {
    const collector = (inputs: unknown, outputs: unknown) =>
      deployment({ data_collector: { collections: { model_inputs: { enabled: inputs }, model_outputs: { enabled: outputs } } } });
    const collections = (inputs: unknown, outputs: unknown) => loadValid(withEndpoint([collector(inputs, outputs)]))[0].config.endpoints[0].deployments[0].data_collector!.collections;
    expect(collections("true", "True")).toEqual({ model_inputs: { enabled: true }, model_outputs: { enabled: true } });
    expect(collections(true, "false")).toEqual({ model_inputs: { enabled: true }, model_outputs: { enabled: false } });
    expect(collections(false, "False")).toEqual({ model_inputs: { enabled: false }, model_outputs: { enabled: false } });
  });
});

describe("rules: what a deployment needs besides its model", () => {
  const MODEL_ID = "azureml://registries/azureml/models/churn/versions/1";
  const ENV_ID = "azureml://registries/azureml/environments/sklearn-1.5/versions/1";

  test("a model without a type is a custom model: it needs an environment and a scoring script", () => {
    const d = deployment({ model: { name: "m", version: "1", path: "azureml://x/" }, environment: undefined, code: undefined });
    expect(rules(withEndpoint([d]))).toEqual([
      "endpoint.deployments[0].environment: is required for a custom_model: only mlflow_model deploys without one",
      "endpoint.deployments[0].code: is required for a custom_model: only mlflow_model deploys without a scoring script, and custom containers (environment.inference_config)",
    ]);
  });

  test("online: an environment by id, by name or with inference routes may serve without a scoring script", () => {
    const routes = {
      liveness_route: { path: "/v1/models/m", port: 8501 },
      readiness_route: { path: "/v1/models/m", port: 8501 },
      scoring_route: { path: "/v1/models/m:predict", port: 8501 },
    };
    for (const environment of [{ id: ENV_ID }, "azureml:churn-env:1", { name: "tfserving", version: "1", image: "docker.io/tensorflow/serving:2.14.1", inference_config: routes }]) {
      const [env] = loadValid(withEndpoint([deployment({ environment, code: undefined })]));
      expect(env.config.endpoints[0].deployments[0].code).toBeUndefined();
    }
  });

  test("batch: an environment by id still needs a scoring script", () => {
    expect(rules(withBatch({ deployments: [batchDeployment({ environment: { id: ENV_ID }, code: undefined })] }))).toEqual([
      "batch[0].deployments[0].code: is required for a custom_model: only mlflow_model deploys without a scoring script",
    ]);
  });

  test("a model by id or by registered name needs neither environment nor scoring script", () => {
    for (const model of [{ id: MODEL_ID }, "azureml:churn:3"]) {
      const [env] = loadValid(withEndpoint([deployment({ model, environment: undefined, code: undefined })]));
      expect(env.config.endpoints[0].deployments[0].environment).toBeUndefined();
    }
  });

  test("a model with an id and a local path: only the clash is reported, not the missing path", () => {
    expect(rules(withEndpoint([deployment({ model: { id: MODEL_ID, path: "no-such-folder" } })]))).toEqual([
      'endpoint.deployments[0].model.path: must not be set together with model.id: give either an id or name, version, path, type (got "no-such-folder")',
    ]);
  });

  test("an environment from an image needs a name and a version", () => {
    const d = deployment({ environment: { image: "mcr.microsoft.com/azureml/base:latest" }, code: undefined, model: { id: MODEL_ID } });
    expect(rules(withEndpoint([d]))).toEqual([
      "endpoint.deployments[0].environment.name: is required unless environment.build gives a Docker build context or environment.id names an existing asset",
      "endpoint.deployments[0].environment.version: is required unless environment.build gives a Docker build context or environment.id names an existing asset",
    ]);
  });

  test("a scoring script that is the code folder itself is not inside it", () => {
    expect(rules(withEndpoint([deployment({ code: { path: "src", scoring_script: "." } })]))).toEqual([
      'endpoint.deployments[0].code.scoring_script: must be a path inside code.path (got ".")',
    ]);
  });
});

describe("rules: the same asset name and version mean the same thing", () => {
  const two = (a: Record<string, unknown>, b: Record<string, unknown>) => [deployment({ traffic: 50, ...a }), deployment({ name: "green", traffic: 50, ...b })];

  test("local model folders with the same name, version and content in different places are one model", () => {
    const files = {
      ...withEndpoint(two({ model: { name: "m", version: "1", path: "a/churn" } }, { model: { name: "m", version: "1", path: "b/churn" } })),
      "a/churn/model.json": "{}\n",
      "b/churn/model.json": "{}\n",
    };
    const [env] = loadValid(files);
    expect(env.uploads.size).toBe(2);
  });

  test("local model folders with the same name and version but different content are refused", () => {
    const files = {
      ...withEndpoint(two({ model: { name: "m", version: "1", path: "a/churn" } }, { model: { name: "m", version: "1", path: "b/churn" } })),
      "a/churn/model.json": "{}\n",
      "b/churn/model.json": "[]\n",
    };
    expect(rules(files)).toEqual([
      'endpoint.deployments[1].model.version: must change when the model changes: m version 1 is defined differently at endpoint.deployments.0.model (got "1")',
    ]);
  });

  test("a model without a type and one typed custom_model are the same model", () => {
    const model = { name: "m", version: "1", path: "azureml://x/" };
    expect(loadValid(withEndpoint(two({ model }, { model: { ...model, type: "custom_model" } })))).toHaveLength(1);
  });

  test("a model with an id and a local path takes no part in the comparison", () => {
    const files = {
      ...withEndpoint(two({ model: { id: "azureml://registries/azureml/models/churn/versions/1", path: "a/churn" } }, { model: { path: "a/churn", type: "mlflow_model" } })),
      "a/churn/model.json": "{}\n",
      // An mlflow_model folder needs its MLmodel file.
      "a/churn/MLmodel": "flavors: {}\n",
    };
    expect(rules(files)).toEqual([
      'endpoint.deployments[0].model.path: must not be set together with model.id: give either an id or name, version, path, type (got "a/churn")',
    ]);
  });

  test("an environment with an id and a name takes no part in the comparison", () => {
    const env = { id: "azureml://registries/azureml/environments/sklearn-1.5/versions/1", name: "churn-env", version: "1" };
    expect(rules(withEndpoint(two({ environment: env }, {})))).toEqual([
      'endpoint.deployments[0].environment.name: must not be set together with environment.id: give either an id or name, version, image, build, conda_file, inference_config (got "churn-env")',
    ]);
  });

  test("environments without a version are not compared, only reported", () => {
    const env = (image: string) => ({ name: "e", image });
    expect(rules(withEndpoint(two({ environment: env("mcr.microsoft.com/a:1") }, { environment: env("mcr.microsoft.com/b:1") }), {}))).toEqual([
      "endpoint.deployments[0].environment.version: is required unless environment.build gives a Docker build context or environment.id names an existing asset",
      "endpoint.deployments[1].environment.version: is required unless environment.build gives a Docker build context or environment.id names an existing asset",
    ]);
  });

  test("an environment versioned in the file must change its version; one versioned by its content must change its name", () => {
    const env = (image: string) => ({ name: "e", version: "1", image });
    expect(rules(withEndpoint(two({ environment: env("mcr.microsoft.com/a:1") }, { environment: env("mcr.microsoft.com/b:1") })))).toEqual([
      'endpoint.deployments[1].environment.version: must change when the environment changes: e version 1 is defined differently at endpoint.deployments.0.environment (got "1")',
    ]);
    const docker = "FROM mcr.microsoft.com/azureml/base:latest\n";
    const files = {
      ...withEndpoint(two({ environment: { name: "img", build: { path: "a/img" } } }, { environment: { name: "img", build: { path: "b/img", dockerfile_path: "Dockerfile.dev" } } })),
      "a/img/Dockerfile": docker,
      "a/img/Dockerfile.dev": docker,
      "b/img/Dockerfile": docker,
      "b/img/Dockerfile.dev": docker,
    };
    expect(rules(files)).toEqual([
      expect.stringMatching(
        /^endpoint\.deployments\[1\]\.environment: must be defined the same way as at endpoint\.deployments\.0\.environment: both are img version [0-9a-f]{12} \(the hash of the same content\); give one of them another name or a version$/,
      ),
    ]);
  });
});

describe("network rules: values of the wrong shape", () => {
  const withNetwork = (network: unknown) => ({ "dev.yaml": baseConfig({ network }) });

  test("a client_subnet that is not a mapping gets only the schema's problem", () => {
    expect(rules(withNetwork({ isolation: "private", client_subnet: "snet" }))).toEqual([
      'network.client_subnet: must be a mapping of keys to values (got "snet")',
    ]);
    expect(rules(withNetwork({ isolation: "private", client_subnet: [] }))).toEqual([
      "network.client_subnet: must be a mapping of keys to values (got an empty list)",
    ]);
    expect(rules(withNetwork({ isolation: "private", client_subnet: null }))).toEqual([
      "network.client_subnet: must be a mapping of keys to values (got null)",
    ]);
  });

  test("a null network block", () => {
    expect(rules(withNetwork(null))).toEqual(["network: must be a mapping of keys to values (got null)"]);
  });

  test("an address space that is not CIDR gets only the pattern problem", () => {
    expect(rules(withNetwork({ isolation: "private", client_subnet: { address_space: "10.40.0.5" } }))).toEqual([
      'network.client_subnet.address_space: must be an IPv4 range in CIDR form from /8 to /27, such as 10.40.0.0/24 (private endpoints need about a dozen addresses) (got "10.40.0.5")',
    ]);
  });

  test("repeated host names that are not strings are not reported as repeats", () => {
    expect(rules(withNetwork({ isolation: "private", client_subnet: { address_space: "10.40.0.0/24" }, allowed_fqdns: [5, 5] }))).toEqual([
      "network.allowed_fqdns[0]: must be a string (got 5)",
      "network.allowed_fqdns[1]: must be a string (got 5)",
    ]);
  });
});

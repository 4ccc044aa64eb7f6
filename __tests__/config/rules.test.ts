import { baseConfig, deployment, loadValid, problemsOf } from "../helpers/config-dir";

const ENV_ID = "azureml://registries/azureml/environments/sklearn-1.5/versions/1";

/** A config with an endpoint of the given deployments. */
function withEndpoint(deployments: Record<string, unknown>[], endpoint: Record<string, unknown> = {}) {
  return { "dev.yaml": baseConfig({ endpoint: { name: "churn-dev", deployments, ...endpoint } }) };
}

/** The problems, without the "dev.yaml:<line>: " prefix. */
function rules(files: Record<string, string | object>): string[] {
  return problemsOf(files).map((line) => line.replace(/^dev\.yaml(:\d+)?: /, ""));
}

describe("endpoint block", () => {
  test("defaults and absolute local paths", () => {
    const [env] = loadValid(withEndpoint([deployment()]));
    const endpoint = env.config.endpoints[0];
    expect(endpoint.auth_mode).toBe("aml_token");
    expect(endpoint.public_network_access).toBe(true);
    const d = endpoint.deployments[0];
    expect(d).toMatchObject({ mirror_traffic: 0, app_insights: true, egress_public_network_access: true, instance_count: 1 });
    expect(d.environment!.conda_file).toMatch(/^\/.*\/envs\/churn\.yml$/);
    expect(d.code!.path).toMatch(/^\/.*\/src$/);
    const bundle = env.codeBundles.get(d.code!.path)!;
    expect(bundle.name).toBe("src");
    expect(bundle.files).toEqual(["batch_score.py", "score.py"]);
    expect(bundle.contentHash).toMatch(/^[0-9a-f]{64}$/);
  });

  test("an unquoted numeric version is kept as its digits; a decimal one must be quoted", () => {
    const [env] = loadValid(withEndpoint([deployment({ model: { name: "m", version: 3, path: "azureml://x/", type: "mlflow_model" }, environment: undefined, code: undefined })]));
    expect(env.config.endpoints[0].deployments[0].model.version).toBe("3");
    expect(rules(withEndpoint([deployment({ model: { name: "m", version: 1.1, path: "azureml://x/", type: "mlflow_model" } })]))).toEqual([
      "endpoint.deployments[0].model.version: must be quoted: YAML reads 1.1 as a number (got 1.1)",
    ]);
  });

  test("names: endpoint and deployment rules, unique deployment names", () => {
    expect(rules(withEndpoint([deployment({ name: "Blue--1" }), deployment({ name: "b" })], { name: "9churn" }))).toEqual([
      'endpoint.name: must be 3-32 letters, digits or single hyphens, starting with a letter and ending with a letter or digit (got "9churn")',
      'endpoint.deployments[0].name: must be 3-32 letters, digits or single hyphens, starting with a letter and ending with a letter or digit (got "Blue--1")',
      'endpoint.deployments[1].name: must be 3-32 letters, digits or single hyphens, starting with a letter and ending with a letter or digit (got "b")',
    ]);
    expect(rules(withEndpoint([deployment({ traffic: 50 }), deployment({ traffic: 50 })]))).toEqual([
      'endpoint.deployments[1].name: must be unique: endpoint.deployments[0] has the same name (got "blue")',
    ]);
  });

  test("1 to 20 deployments", () => {
    expect(rules(withEndpoint([]))).toEqual(["endpoint.deployments: must have at least 1 item (got an empty list)"]);
    const many = Array.from({ length: 21 }, (_, i) => deployment({ name: `dep${i}`, traffic: i === 0 ? 100 : 0 }));
    expect(rules(withEndpoint(many))).toEqual(["endpoint.deployments: must have at most 20 items (got a list of 21)"]);
  });

  test("auth mode is a closed set", () => {
    expect(rules(withEndpoint([deployment()], { auth_mode: "token" }))).toEqual([
      'endpoint.auth_mode: must be one of "key", "aml_token", "aad_token" (got "token")',
    ]);
  });

  test("traffic sums to 100 or is all 0", () => {
    expect(rules(withEndpoint([deployment({ traffic: 60 }), deployment({ name: "green", traffic: 30 })]))).toEqual([
      "endpoint.deployments: traffic must add up to 100 across deployments, or be 0 for all (got blue=60, green=30, total 90)",
    ]);
    expect(loadValid(withEndpoint([deployment({ traffic: 0 }), deployment({ name: "green", traffic: 0 })]))).toHaveLength(1);
    expect(rules(withEndpoint([deployment({ traffic: 101 })]))).toEqual([
      "endpoint.deployments[0].traffic: must be <= 100 (got 101)",
    ]);
  });

  test("mirror traffic: one deployment at most, one without live traffic, and only while there is live traffic", () => {
    const blue = deployment({ traffic: 100 });
    expect(rules(withEndpoint([blue, deployment({ name: "green", traffic: 0, mirror_traffic: 10 }), deployment({ name: "red", traffic: 0, mirror_traffic: 5 })]))).toEqual([
      "endpoint.deployments: mirror_traffic may be set on at most one deployment (got green, red)",
    ]);
    expect(rules(withEndpoint([deployment({ traffic: 100, mirror_traffic: 10 })]))).toEqual([
      "endpoint.deployments[0].mirror_traffic: must be 0 on a deployment that takes live traffic (traffic is 100) (got 10)",
    ]);
    expect(rules(withEndpoint([deployment({ traffic: 0 }), deployment({ name: "green", traffic: 0, mirror_traffic: 10 })]))).toEqual([
      "endpoint.deployments[1].mirror_traffic: must be 0 while no deployment takes live traffic: a mirror copies live requests (got 10)",
    ]);
    expect(rules(withEndpoint([blue, deployment({ name: "green", traffic: 0, mirror_traffic: 51 })]))).toEqual([
      "endpoint.deployments[1].mirror_traffic: must be <= 50 (got 51)",
    ]);
    expect(loadValid(withEndpoint([blue, deployment({ name: "green", traffic: 0, mirror_traffic: 10 })]))).toHaveLength(1);
  });

  test("custom and triton models need an environment and code; mlflow may go without", () => {
    const bare = { environment: undefined, code: undefined };
    expect(rules(withEndpoint([deployment(bare)]))).toEqual([
      "endpoint.deployments[0].environment: is required for a custom_model: only mlflow_model deploys without one",
      "endpoint.deployments[0].code: is required for a custom_model: only mlflow_model deploys without a scoring script, and custom containers (environment.inference_config)",
    ]);
    const triton = { name: "t", version: "1", path: "azureml://m/", type: "triton_model" };
    expect(rules(withEndpoint([deployment({ ...bare, model: triton })]))).toHaveLength(2);
    const mlflow = { name: "m", version: "1", path: "azureml://m/", type: "mlflow_model" };
    expect(loadValid(withEndpoint([deployment({ ...bare, model: mlflow })]))).toHaveLength(1);
    expect(rules(withEndpoint([deployment({ model: mlflow, environment: undefined })]))).toEqual([
      "endpoint.deployments[0].environment: is required when code is given: the scoring script runs in it",
    ]);
  });

  test("a model is either an id or name, version and path (type defaults to custom_model, as in az ml)", () => {
    expect(rules(withEndpoint([deployment({ model: { name: "churn" } })]))).toEqual([
      "endpoint.deployments[0].model.version: is required unless model.id names an existing asset",
      "endpoint.deployments[0].model.path: is required unless model.id names an existing asset",
    ]);
    expect(rules(withEndpoint([deployment({ model: { name: "churn", path: "azureml://datastores/workspaceblobstore/paths/m/" } })]))).toEqual([
      "endpoint.deployments[0].model.version: is required unless model.id names an existing asset",
    ]);
    expect(rules(withEndpoint([deployment({ model: { id: "azureml://registries/r/models/m/versions/1", version: "2" } })]))).toEqual([
      'endpoint.deployments[0].model.version: must not be set together with model.id: give either an id or name, version, path, type (got "2")',
    ]);
    expect(rules(withEndpoint([deployment({ model: { id: "churn:3" } })]))).toEqual([
      'endpoint.deployments[0].model.id: must be an ARM id (/subscriptions/.../providers/Microsoft.MachineLearningServices/...) or an azureml:// id (got "churn:3")',
    ]);
    expect(rules(withEndpoint([deployment({ model: { name: "m", version: "1", path: "./model.pkl", type: "custom_model" } })]))).toEqual([
      expect.stringMatching(/^endpoint\.deployments\[0\]\.model\.path: must name an existing local file or folder \(looked for \/.+\/model\.pkl\), or be a storage URI \(azureml:\/\/, https:\/\/, wasbs:\/\/ or abfss:\/\/\) \(got "\.\/model\.pkl"\)$/),
    ]);
  });

  test("local files must exist, and the missing path is named", () => {
    const problems = rules(
      withEndpoint([
        deployment({
          environment: { name: "e", version: "1", image: "mcr.microsoft.com/azureml/base:latest", conda_file: "envs/missing.yml" },
          code: { path: "src", scoring_script: "nope.py" },
        }),
      ]),
    );
    expect(problems).toEqual([
      expect.stringMatching(/^endpoint\.deployments\[0\]\.environment\.conda_file: must name an existing file \(looked for \/.+\/envs\/missing\.yml\) \(got "envs\/missing\.yml"\)$/),
      expect.stringMatching(/^endpoint\.deployments\[0\]\.code\.scoring_script: must name an existing file inside code\.path \(looked for \/.+\/src\/nope\.py\) \(got "nope\.py"\)$/),
    ]);
    expect(rules(withEndpoint([deployment({ code: { path: "nowhere", scoring_script: "score.py" } })]))).toEqual([
      expect.stringMatching(/^endpoint\.deployments\[0\]\.code\.path: must name an existing folder \(looked for \/.+\/nowhere\) \(got "nowhere"\)$/),
    ]);
    expect(rules(withEndpoint([deployment({ code: { path: "src", scoring_script: "../envs/churn.yml" } })]))).toEqual([
      'endpoint.deployments[0].code.scoring_script: must be a path inside code.path (got "../envs/churn.yml")',
    ]);
  });

  test("limits: instance count, request timeout, probes", () => {
    expect(
      rules(
        withEndpoint([
          deployment({
            instance_count: 51,
            request_settings: { request_timeout_ms: 180001 },
            liveness_probe: { period_s: 0 },
          }),
        ]),
      ),
    ).toEqual([
      "endpoint.deployments[0].instance_count: must be <= 50 (got 51)",
      "endpoint.deployments[0].request_settings.request_timeout_ms: must be <= 180000 (got 180001)",
      "endpoint.deployments[0].liveness_probe.period_s: must be >= 1 (got 0)",
    ]);
  });

  test("autoscale bounds around instance_count, and no flapping", () => {
    expect(
      rules(withEndpoint([deployment({ instance_count: 2, autoscale: { min_instances: 3, max_instances: 1, scale_out_cpu_percent: 70, scale_in_cpu_percent: 65 } })])),
    ).toEqual([
      "endpoint.deployments[0].autoscale.min_instances: must be <= instance_count (2) (got 3)",
      "endpoint.deployments[0].autoscale.max_instances: must be >= instance_count (2) (got 1)",
      "endpoint.deployments[0].autoscale.scale_in_cpu_percent: must be at least 10 points below scale_out_cpu_percent (70) so that scaling does not flap (got 65)",
    ]);
    expect(rules(withEndpoint([deployment({ autoscale: { min_instances: 1, max_instances: 51 } })]))).toEqual([
      "endpoint.deployments[0].autoscale.max_instances: must be <= 50 (got 51)",
    ]);
  });

  test("the scale-in threshold may sit exactly 10 points under scale-out, not 9", () => {
    const autoscale = (scaleIn: number) =>
      withEndpoint([deployment({ autoscale: { min_instances: 1, max_instances: 4, scale_out_cpu_percent: 70, scale_in_cpu_percent: scaleIn } })]);
    expect(loadValid(autoscale(60))[0].config.endpoints[0].deployments[0].autoscale!.scale_in_cpu_percent).toBe(60);
    expect(rules(autoscale(61))).toEqual([
      "endpoint.deployments[0].autoscale.scale_in_cpu_percent: must be at least 10 points below scale_out_cpu_percent (70) so that scaling does not flap (got 61)",
    ]);
  });

  test("autoscale bounds may equal instance_count", () => {
    const [env] = loadValid(withEndpoint([deployment({ instance_count: 3, autoscale: { min_instances: 3, max_instances: 3 } })]));
    expect(env.config.endpoints[0].deployments[0].autoscale).toMatchObject({ min_instances: 3, max_instances: 3 });
  });

  test("an environment is an id or name, version and image, and an id takes no conda file", () => {
    expect(rules(withEndpoint([deployment({ environment: { id: ENV_ID, image: "mcr.microsoft.com/azureml/base:latest" } })]))).toEqual([
      'endpoint.deployments[0].environment.image: must not be set together with environment.id: give either an id or name, version, image, build, conda_file, inference_config (got "mcr.microsoft.com/azureml/base:latest")',
    ]);
    expect(rules(withEndpoint([deployment({ environment: { id: ENV_ID, conda_file: "envs/churn.yml" } })]))).toEqual([
      'endpoint.deployments[0].environment.conda_file: must not be set together with environment.id: give either an id or name, version, image, build, conda_file, inference_config (got "envs/churn.yml")',
    ]);
    expect(rules(withEndpoint([deployment({ environment: { name: "e", version: "1" } })]))).toEqual([
      "endpoint.deployments[0].environment.image: is required unless environment.build gives a Docker build context or environment.id names an existing asset",
    ]);
    const [env] = loadValid(withEndpoint([deployment({ environment: { id: ENV_ID } })]));
    expect(env.config.endpoints[0].deployments[0].environment).toEqual({ id: ENV_ID });
  });

  test("deployment and asset names are unique regardless of case", () => {
    expect(rules(withEndpoint([deployment({ traffic: 50 }), deployment({ name: "BLUE", traffic: 50 })]))).toEqual([
      'endpoint.deployments[1].name: must be unique: endpoint.deployments[0] has the same name (got "BLUE")',
    ]);
  });

  test("an environment version means one definition, across case of its name", () => {
    const other = { name: "CHURN-ENV", version: "1", image: "mcr.microsoft.com/azureml/other:latest", conda_file: "envs/churn.yml" };
    expect(rules(withEndpoint([deployment({ traffic: 50 }), deployment({ name: "green", traffic: 50, environment: other })]))).toEqual([
      'endpoint.deployments[1].environment.version: must change when the environment changes: CHURN-ENV version 1 is defined differently at endpoint.deployments.0.environment (got "1")',
    ]);
  });

  test("one asset version means one definition across deployments", () => {
    const other = { name: "churn", version: "3", path: "azureml://elsewhere/", type: "custom_model" };
    expect(rules(withEndpoint([deployment({ traffic: 50 }), deployment({ name: "green", traffic: 50, model: other })]))).toEqual([
      'endpoint.deployments[1].model.version: must change when the model changes: churn version 3 is defined differently at endpoint.deployments.0.model (got "3")',
    ]);
  });

  test("endpoint names are regional DNS names: unique across files in one region", () => {
    const endpoint = { name: "churn", deployments: [deployment()] };
    expect(problemsOf({ "dev.yaml": baseConfig({ endpoint }), "prod.yaml": baseConfig({ endpoint }) })).toEqual([
      'prod.yaml: endpoint.name: must be unique in westeurope: dev.yaml uses it too, and endpoint names are regional DNS names (got "churn")',
    ]);
    expect(loadValid({ "dev.yaml": baseConfig({ endpoint }), "prod.yaml": baseConfig({ endpoint, location: "northeurope" }) })).toHaveLength(2);
  });
});

describe("monitoring and batch blocks", () => {
  const batch = (overrides: Record<string, unknown> = {}) => ({
    name: "churn-batch",
    deployments: [{ ...deployment(), traffic: undefined, instance_type: undefined, instance_count: 2, ...overrides }],
  });
  const strip = (b: ReturnType<typeof batch>) => JSON.parse(JSON.stringify(b));

  test("defaults", () => {
    const [env] = loadValid({ "dev.yaml": baseConfig({ batch: [strip(batch())] }) });
    expect(env.config.batch[0].deployments[0]).toMatchObject({
      max_concurrency_per_instance: 1,
      mini_batch_size: 10,
      retry: { max_retries: 3, timeout_s: 300 },
      error_threshold: -1,
      output_action: "append_row",
      output_file_name: "predictions.csv",
      logging_level: "info",
    });
  });

  test("batch instance_count is bounded by the cluster", () => {
    expect(rules({ "dev.yaml": baseConfig({ batch: [strip(batch({ instance_count: 5 }))] }) })).toEqual([
      "batch[0].deployments[0].instance_count: must be <= compute.max_nodes (4): batch jobs run on that cluster (got 5)",
    ]);
  });

  test("batch instance_count may equal the cluster's max_nodes", () => {
    const [env] = loadValid({ "dev.yaml": baseConfig({ batch: [strip(batch({ instance_count: 4 }))] }) });
    expect(env.config.batch[0].deployments[0].instance_count).toBe(4);
  });

  test("batch names: rule, uniqueness, and not the online endpoint's name", () => {
    expect(rules({ "dev.yaml": baseConfig({ batch: [strip(batch()), strip(batch())] }) })).toEqual([
      'batch[1].name: must be unique in the environment: batch[0] has it too, and both would be <name>.westeurope.inference.ml.azure.com (got "churn-batch")',
    ]);
    expect(
      rules({ "dev.yaml": baseConfig({ endpoint: { name: "churn-batch", deployments: [deployment()] }, batch: [strip(batch())] }) }),
    ).toEqual(['batch[0].name: must be unique in the environment: endpoint has it too, and both would be <name>.westeurope.inference.ml.azure.com (got "churn-batch")']);
  });

  test("batch assets follow the online rules", () => {
    expect(rules({ "dev.yaml": baseConfig({ batch: [strip(batch({ code: undefined }))] }) })).toEqual([
      "batch[0].deployments[0].code: is required for a custom_model: only mlflow_model deploys without a scoring script",
    ]);
  });

  test("retention bounds and e-mail syntax", () => {
    expect(rules({ "dev.yaml": baseConfig({ monitoring: { log_retention_days: 7, alert_emails: ["oncall@example.com", "not-an-address"] } }) })).toEqual([
      "monitoring.log_retention_days: must be >= 30 (got 7)",
      'monitoring.alert_emails[1]: must be an e-mail address (got "not-an-address")',
    ]);
    expect(rules({ "dev.yaml": baseConfig({ monitoring: { alert_emails: ["a@example.com", "A@example.com"] } }) })).toEqual([
      'monitoring.alert_emails[1]: must not repeat monitoring.alert_emails[0] (got "A@example.com")',
    ]);
    expect(rules({ "dev.yaml": baseConfig({ monitoring: { log_retention_days: 731 } }) })).toEqual([
      "monitoring.log_retention_days: must be <= 730 (got 731)",
    ]);
  });
});

describe("waivers", () => {
  test("a known rule with a reason is accepted", () => {
    const [env] = loadValid({ "dev.yaml": baseConfig({ waivers: [{ rule: "endpoint-key-auth", reason: "legacy client" }] }) });
    expect(env.config.waivers).toEqual([{ rule: "endpoint-key-auth", reason: "legacy client" }]);
  });

  test("a waiver without a reason, or with a blank one, is refused", () => {
    expect(rules({ "dev.yaml": baseConfig({ waivers: [{ rule: "endpoint-key-auth" }, { rule: "workspace-public", reason: "   " }] }) })).toEqual([
      "waivers[0].reason: is required",
      'waivers[1].reason: must be a non-empty reason: say why the rule does not apply (got "   ")',
    ]);
  });

  test("an unknown rule is refused with the list of rules", () => {
    expect(rules({ "dev.yaml": baseConfig({ waivers: [{ rule: "no-such-rule", reason: "x" }] }) })[0]).toMatch(
      /^waivers\[0\]\.rule: must be one of "endpoint-key-auth", .*"workspace-public".* \(got "no-such-rule"\)$/,
    );
  });

  test("a rule is waived once", () => {
    const waiver = { rule: "workspace-public", reason: "dev" };
    expect(rules({ "dev.yaml": baseConfig({ waivers: [waiver, waiver] }) })).toEqual([
      'waivers[1].rule: must not repeat a rule already waived at waivers[0] (got "workspace-public")',
    ]);
  });
});

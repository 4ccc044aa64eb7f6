import { createHash } from "node:crypto";
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { readLocalContent } from "../../lib/config/code-bundle";
import { baseConfig, configDir, deployment, loadValid, problemsOf } from "../helpers/config-dir";

/** Files every config below may point at: a model folder with a nested file, and a Docker build context. */
const FILES = {
  "model/churn/model.json": '{"intercept": -1.2}\n',
  "model/churn/preprocessing/features.json": '{"features": ["tenure_months"]}\n',
  "docker/Dockerfile": "FROM mcr.microsoft.com/azureml/openmpi4.1.0-ubuntu22.04:latest\n",
  "docker/requirements.txt": "azureml-inference-server-http\n",
};

const TFSERVING_ROUTES = {
  liveness_route: { path: "/v1/models/half_plus_two", port: 8501 },
  readiness_route: { path: "/v1/models/half_plus_two", port: 8501 },
  scoring_route: { path: "/v1/models/half_plus_two:predict", port: 8501 },
};

function withEndpoint(deployments: Record<string, unknown>[], endpoint: Record<string, unknown> = {}) {
  return { ...FILES, "dev.yaml": baseConfig({ endpoint: { name: "churn-dev", deployments, ...endpoint } }) };
}

function batchDeployment(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return { ...deployment({ code: { path: "src", scoring_script: "batch_score.py" } }), traffic: undefined, instance_type: undefined, instance_count: 2, ...overrides };
}

function withBatch(batch: Record<string, unknown>) {
  return { ...FILES, "dev.yaml": baseConfig({ batch: [JSON.parse(JSON.stringify({ name: "churn-batch", ...batch }))] }) };
}

/** Problems without the file name, which every line starts with. */
const rules = (files: Record<string, string | object>) => problemsOf(files).map((p) => p.replace(/^dev\.yaml(:\d+)?: /, ""));

describe("model.path may be a local file or folder", () => {
  test("a folder without a version: named by its path, versioned by the first 12 hex characters of its content hash", () => {
    const [env] = loadValid(withEndpoint([deployment({ model: { path: "model/churn" } })]));
    const model = env.config.endpoints[0].deployments[0].model;
    const upload = env.uploads.get(model.path!)!;
    expect(model.path).toMatch(/^\/.+\/model\/churn$/);
    expect(upload).toMatchObject({ name: "model-churn", isFile: false, files: ["model.json", "preprocessing/features.json"] });
    expect(upload.contentHash).toMatch(/^[0-9a-f]{64}$/);
    expect(model.version).toBeUndefined();
  });

  test("changed content is a new hash; unchanged content, even elsewhere, is the same one", () => {
    const a = configDir(FILES);
    const b = configDir(FILES);
    const hashOf = (dir: string) => readLocalContent(join(dir, "model/churn"), dir).contentHash;
    expect(hashOf(a)).toBe(hashOf(b));
    writeFileSync(join(b, "model/churn/preprocessing/features.json"), '{"features": []}\n');
    expect(hashOf(b)).not.toBe(hashOf(a));
    writeFileSync(join(b, "model/churn/preprocessing/features.json"), FILES["model/churn/preprocessing/features.json"]);
    expect(hashOf(b)).toBe(hashOf(a));
  });

  test("a renamed file is new content too", () => {
    const dir = configDir({ "model/a/w.bin": "x", "model/b/v.bin": "x" });
    expect(readLocalContent(join(dir, "model/a"), dir).contentHash).not.toBe(readLocalContent(join(dir, "model/b"), dir).contentHash);
  });

  test("large files are hashed in chunks: the per-file digest equals SHA-256 of the whole content", () => {
    const dir = mkdtempSync(join(tmpdir(), "large-model-"));
    // 2.5 MiB of varied bytes, so the hash spans three 1 MiB reads and a partial one.
    const content = Buffer.alloc(2.5 * 1024 * 1024);
    for (let i = 0; i < content.length; i++) content[i] = (i * 31 + (i >> 11)) & 0xff;
    writeFileSync(join(dir, "weights.bin"), content);
    const single = readLocalContent(join(dir, "weights.bin"), dir);
    expect(single).toMatchObject({ isFile: true, root: dir, files: ["weights.bin"], sizeBytes: content.length });
    const digest = createHash("sha256").update(content).digest();
    const expected = createHash("sha256").update("weights.bin").update("\0").update(digest).update("\0").digest("hex");
    expect(single.contentHash).toBe(expected);
  });

  test("a single file is an upload of that file", () => {
    const [env] = loadValid({ ...withEndpoint([deployment({ model: { name: "churn", path: "model/churn/model.json" } })]) });
    expect(env.uploads.get(env.config.endpoints[0].deployments[0].model.path!)).toMatchObject({ isFile: true, files: ["model.json"] });
  });

  test("one name and content-hash version means one model: another description under it is refused, a copy of the content is not", () => {
    const copy = { "copy/churn/model.json": FILES["model/churn/model.json"], "copy/churn/preprocessing/features.json": FILES["model/churn/preprocessing/features.json"] };
    const blue = deployment({ model: { name: "churn", path: "model/churn" }, traffic: 50 });
    const green = (model: Record<string, unknown>) => deployment({ name: "green", model, traffic: 50 });
    expect(rules({ ...copy, ...withEndpoint([blue, green({ name: "churn", path: "model/churn", description: "retrained" })]) })).toEqual([
      expect.stringMatching(/^endpoint\.deployments\[1\]\.model: must be defined the same way as at endpoint\.deployments\.0\.model: both are churn version [0-9a-f]{12} \(the hash of the same content\); give one of them another name or a version$/),
    ]);
    const [env] = loadValid({ ...copy, ...withEndpoint([blue, green({ name: "churn", path: "copy/churn" })]) });
    expect(new Set([...env.uploads.values()].map((u) => u.contentHash)).size).toBe(1);
  });

  test("a storage URI still needs a name and a version, and is not uploaded", () => {
    const [env] = loadValid(withEndpoint([deployment()]));
    expect(env.uploads.size).toBe(0);
  });
});

describe("references by name", () => {
  test("azureml:<name>:<version> for a model and an environment", () => {
    const [env] = loadValid(withEndpoint([deployment({ model: "azureml:churn:3", environment: "azureml:churn-env:12", code: undefined })]));
    const d = env.config.endpoints[0].deployments[0];
    expect(d.model.registered).toEqual({ name: "churn", version: "3" });
    expect(d.environment!.registered).toEqual({ name: "churn-env", version: "12" });
  });

  test("asset ids as strings, and { id } mappings, keep working", () => {
    const id = "azureml://registries/azureml/models/mlflow-model/versions/2";
    const [env] = loadValid(withEndpoint([deployment({ model: id, environment: { id: "azureml://registries/azureml/environments/sklearn-1.5/versions/3" } })]));
    expect(env.config.endpoints[0].deployments[0].model).toEqual({ id });
    expect(env.config.endpoints[0].deployments[0].environment).toMatchObject({ id: "azureml://registries/azureml/environments/sklearn-1.5/versions/3" });
  });

  test("@latest is refused with a message to pin a version", () => {
    expect(rules(withEndpoint([deployment({ model: "azureml:churn@latest" })]))).toEqual([
      'endpoint.deployments[0].model: must pin a version: write azureml:churn:<version>, because @latest is resolved when Azure deploys, so two synths of the same config could differ (got "azureml:churn@latest")',
    ]);
  });

  test("an id through a label is refused the same way, as a string or as { id }", () => {
    const labelled = "azureml://registries/azureml/environments/sklearn-1.5/labels/latest";
    const rule = "must pin a version: an id ending in /labels/<label> is resolved when Azure deploys, so two synths of the same config could differ; end it in /versions/<version>";
    expect(rules(withEndpoint([deployment({ environment: labelled })]))).toEqual([`endpoint.deployments[0].environment: ${rule} (got "${labelled}")`]);
    expect(rules(withEndpoint([deployment({ environment: { id: labelled } })]))).toEqual([`endpoint.deployments[0].environment.id: ${rule} (got "${labelled}")`]);
  });

  test("other strings say what a reference looks like", () => {
    expect(rules(withEndpoint([deployment({ environment: "churn-env:1" })]))).toEqual([
      'endpoint.deployments[0].environment: must be azureml:<name>:<version> (an environment registered in this workspace), an asset id, or a mapping (got "churn-env:1")',
    ]);
    expect(rules(withEndpoint([deployment({ model: 3 })]))).toEqual([
      "endpoint.deployments[0].model: must be azureml:<name>:<version>, an asset id, or a mapping (got 3)",
    ]);
  });

  test("a deployment without a model hears that it is required, not what shapes a model may have", () => {
    expect(rules(withEndpoint([deployment({ model: undefined })]))).toEqual(["endpoint.deployments[0].model: is required"]);
  });

  test("a typo inside a model mapping still gets a hint", () => {
    expect(rules(withEndpoint([deployment({ model: { nme: "churn", path: "model/churn" } })]))).toEqual([
      "endpoint.deployments[0].model.nme: is not a known key; did you mean name?",
    ]);
  });
});

describe("environment build", () => {
  test("dockerfile_path defaults to Dockerfile; name and version come from the context", () => {
    const [env] = loadValid(withEndpoint([deployment({ environment: { build: { path: "docker" } } })]));
    const environment = env.config.endpoints[0].deployments[0].environment!;
    expect(environment.build).toEqual({ path: expect.stringMatching(/\/docker$/), dockerfile_path: "Dockerfile" });
    expect(env.uploads.get(environment.build!.path)).toMatchObject({ name: "docker", files: ["Dockerfile", "requirements.txt"] });
  });

  test("a missing Dockerfile, a Dockerfile outside the context and a missing context", () => {
    expect(rules(withEndpoint([deployment({ environment: { build: { path: "docker", dockerfile_path: "serving.Dockerfile" } } })]))).toEqual([
      expect.stringMatching(/^endpoint\.deployments\[0\]\.environment\.build\.dockerfile_path: must name an existing file inside build\.path: Azure ML builds the image from it \(looked for \/.+\/docker\/serving\.Dockerfile\) \(got "serving\.Dockerfile"\)$/),
    ]);
    expect(rules(withEndpoint([deployment({ environment: { build: { path: "docker", dockerfile_path: "../Dockerfile" } } })]))).toEqual([
      'endpoint.deployments[0].environment.build.dockerfile_path: must be a path inside build.path (got "../Dockerfile")',
    ]);
    expect(rules(withEndpoint([deployment({ environment: { build: { path: "nowhere" } } })]))).toEqual([
      expect.stringMatching(/^endpoint\.deployments\[0\]\.environment\.build\.path: must name an existing folder, the Docker build context \(looked for \/.+\/nowhere\) \(got "nowhere"\)$/),
    ]);
  });

  test("build and image exclude each other; conda_file goes only with image; one of them is needed", () => {
    const image = "mcr.microsoft.com/azureml/openmpi4.1.0-ubuntu22.04:latest";
    expect(rules(withEndpoint([deployment({ environment: { name: "e", version: "1", image, build: { path: "docker" } } })]))).toEqual([
      'endpoint.deployments[0].environment.build: must not be set together with environment.image: give either an image or a Docker build context (got "docker")',
    ]);
    expect(rules(withEndpoint([deployment({ environment: { build: { path: "docker" }, conda_file: "envs/churn.yml" } })]))).toEqual([
      'endpoint.deployments[0].environment.conda_file: must not be set together with environment.build: install it in the Dockerfile instead (got "envs/churn.yml")',
    ]);
    expect(rules(withEndpoint([deployment({ environment: { name: "e", version: "1" } })]))).toEqual([
      "endpoint.deployments[0].environment.image: is required unless environment.build gives a Docker build context or environment.id names an existing asset",
    ]);
  });
});

describe("custom containers", () => {
  const tfserving = (routes: Record<string, unknown> = TFSERVING_ROUTES, extra: Record<string, unknown> = {}) =>
    deployment({
      model: "azureml:half-plus-two:1",
      environment: { name: "tfserving", version: "1", image: "docker.io/tensorflow/serving:2.14.1", inference_config: routes },
      code: undefined,
      model_mount_path: "/var/tfserving-model-mount",
      ...extra,
    });

  test("routes and a model mount path, and no code", () => {
    const [env] = loadValid(withEndpoint([tfserving()]));
    const d = env.config.endpoints[0].deployments[0];
    expect(d.environment!.inference_config).toEqual(TFSERVING_ROUTES);
    expect(d.model_mount_path).toBe("/var/tfserving-model-mount");
    expect(d.code).toBeUndefined();
  });

  test("a model registered here needs no code either when its environment is a custom container", () => {
    expect(loadValid(withEndpoint([tfserving(TFSERVING_ROUTES, { model: { path: "model/churn" } })]))).toHaveLength(1);
  });

  test("ports are 1..65535, paths start with /, the mount path is absolute, and all three routes are needed", () => {
    const routes = { ...TFSERVING_ROUTES, liveness_route: { path: "/", port: 0 }, scoring_route: { path: "score", port: 65536 } };
    expect(rules(withEndpoint([tfserving(routes, { model_mount_path: "models" })]))).toEqual([
      "endpoint.deployments[0].environment.inference_config.liveness_route.port: must be >= 1 (got 0)",
      'endpoint.deployments[0].environment.inference_config.scoring_route.path: must be a URL path starting with / (got "score")',
      "endpoint.deployments[0].environment.inference_config.scoring_route.port: must be <= 65535 (got 65536)",
      'endpoint.deployments[0].model_mount_path: must be an absolute path such as /models (got "models")',
    ]);
    expect(rules(withEndpoint([tfserving({ scoring_route: TFSERVING_ROUTES.scoring_route })]))).toEqual([
      // A missing mapping says what it must hold.
      "endpoint.deployments[0].environment.inference_config.liveness_route: is required: a mapping with at least path and port",
      "endpoint.deployments[0].environment.inference_config.readiness_route: is required: a mapping with at least path and port",
    ]);
  });
});

describe("data collection", () => {
  test("az ml's 'True' strings and YAML booleans; sampling_rate defaults to 1 and rolling_rate to hour", () => {
    const collector = { collections: { model_inputs: { enabled: "True" }, model_outputs: { enabled: false } } };
    const [env] = loadValid(withEndpoint([deployment({ data_collector: collector })]));
    expect(env.config.endpoints[0].deployments[0].data_collector).toEqual({
      collections: { model_inputs: { enabled: true }, model_outputs: { enabled: false } },
      sampling_rate: 1,
      rolling_rate: "hour",
    });
  });

  test("request headers to capture, as az ml's request_logging", () => {
    const collector = { collections: { model_inputs: { enabled: true } }, request_logging: { capture_headers: ["x-request-id", "x-ms-client-request-id"] } };
    const [env] = loadValid(withEndpoint([deployment({ data_collector: collector })]));
    expect(env.config.endpoints[0].deployments[0].data_collector!.request_logging).toEqual({ capture_headers: ["x-request-id", "x-ms-client-request-id"] });
    expect(rules(withEndpoint([deployment({ data_collector: { ...collector, request_logging: { capture_headers: ["bad header"] } } })]))).toEqual([
      'endpoint.deployments[0].data_collector.request_logging.capture_headers[0]: must be an HTTP header name (got "bad header")',
    ]);
  });

  test("bounds and names", () => {
    const collector = { collections: { model_inputs: { enable: true } }, sampling_rate: 1.5, rolling_rate: "week" };
    expect(rules(withEndpoint([deployment({ data_collector: collector })]))).toEqual([
      "endpoint.deployments[0].data_collector.collections.model_inputs.enable: is not a known key; did you mean enabled?",
      "endpoint.deployments[0].data_collector.sampling_rate: must be <= 1 (got 1.5)",
      'endpoint.deployments[0].data_collector.rolling_rate: must be one of "minute", "hour", "day" (got "week")',
    ]);
  });
});

describe("tags and descriptions", () => {
  test("on the endpoint and on deployments", () => {
    const [env] = loadValid(withEndpoint([deployment({ tags: { owner: "serving" }, description: "blue" })], { tags: { tier: "gold" } }));
    expect(env.config.endpoints[0].tags).toEqual({ tier: "gold" });
    expect(env.config.endpoints[0].deployments[0]).toMatchObject({ tags: { owner: "serving" }, description: "blue" });
  });
});

describe("batch deployments", () => {
  test("one deployment needs no default", () => {
    const [env] = loadValid(withBatch({ deployments: [batchDeployment()] }));
    expect(env.config.batch[0].deployments.map((d) => d.name)).toEqual(["blue"]);
    expect(env.config.batch[0].default_deployment).toBeUndefined();
  });

  test("several need a default_deployment from the list, and unique names", () => {
    const two = [batchDeployment(), batchDeployment({ name: "green" })];
    expect(rules(withBatch({ deployments: two }))).toEqual([
      "batch[0].default_deployment: is required when there is more than one deployment: name the one that jobs without a deployment use (one of blue, green)",
    ]);
    expect(rules(withBatch({ deployments: two, default_deployment: "red" }))).toEqual([
      'batch[0].default_deployment: must name one of the deployments (blue, green) (got "red")',
    ]);
    expect(rules(withBatch({ deployments: [batchDeployment(), batchDeployment()], default_deployment: "blue" }))).toEqual([
      'batch[0].deployments[1].name: must be unique: batch.0.deployments[0] has the same name (got "blue")',
    ]);
    expect(loadValid(withBatch({ deployments: two, default_deployment: "green" }))[0].config.batch[0].default_deployment).toBe("green");
  });

  test("the old single deployment is refused with what to write instead", () => {
    expect(rules(withBatch({ deployment: batchDeployment() }))).toEqual([
      "batch[0].deployment: must be replaced by a list: write `deployments:` with this deployment as its one item (and, optionally, `default_deployment: blue`) (got a mapping)",
    ]);
    expect(rules(withBatch({}))).toEqual(["batch[0].deployments: is required: list the endpoint's deployments"]);
  });
});

describe("the acceptance's bad inputs: each with file, line, field, rule and value", () => {
  const lines = [
    "project: churn",
    "location: westeurope",
    "state: { resource_group: rg-tfstate, storage_account: sttfstate01 }",
    "compute: { name: cpu-cluster, vm_size: STANDARD_D2_V2, max_nodes: 4 }",
    "endpoint:",
    "  name: churn-dev",
    "  deployments:",
    "    - name: blue",
    "      model: { path: models/missing }",
    "      environment: { build: { path: model } }",
    "      code: { path: src, scoring_script: score.py }",
    "      instance_type: Standard_DS3_v2",
    "      traffic: 100",
  ];
  const shape = [
    "    - name: green",
    "      model: azureml:churn@latest",
    "      environment:",
    "        name: tfserving",
    "        version: '1'",
    "        image: docker.io/tensorflow/serving:2.14.1",
    "        build: { path: docker }",
    "        inference_config:",
    "          liveness_route: { path: /v1/models/m, port: 8501 }",
    "          readiness_route: { path: /v1/models/m, port: 8501 }",
    "          scoring_route: { path: /v1/models/m:predict, port: 70000 }",
    "      instance_type: Standard_DS3_v2",
    "batch:",
    "  - name: churn-batch",
    "    default_deployment: nightly",
    "    deployments:",
    "      - name: weekly",
    "        model: azureml:churn:3",
    "        environment: azureml:churn-env:1",
    "        code: { path: src, scoring_script: batch_score.py }",
  ];

  test("a missing local model path and a build context without its Dockerfile", () => {
    expect(problemsOf({ ...FILES, "dev.yaml": lines.join("\n") })).toEqual([
      expect.stringMatching(/^dev\.yaml:9: endpoint\.deployments\[0\]\.model\.path: must name an existing local file or folder \(looked for \/.+\/models\/missing\), or be a storage URI \(azureml:\/\/, https:\/\/, wasbs:\/\/ or abfss:\/\/\) \(got "models\/missing"\)$/),
      expect.stringMatching(/^dev\.yaml:10: endpoint\.deployments\[0\]\.environment\.build\.dockerfile_path: must name an existing file inside build\.path: Azure ML builds the image from it \(looked for \/.+\/model\/Dockerfile\) \(got "Dockerfile"\)$/),
    ]);
  });

  // Shape problems are found by the schema, before the rules that read files, so these four come in one go.
  const shapeFiles = { ...FILES, "dev.yaml": [...lines, ...shape].join("\n") };

  test("@latest, image with build, a route port out of range and a default_deployment not in the list, at once", () => {
    expect(problemsOf(shapeFiles)).toEqual([
      'dev.yaml:15: endpoint.deployments[1].model: must pin a version: write azureml:churn:<version>, because @latest is resolved when Azure deploys, so two synths of the same config could differ (got "azureml:churn@latest")',
      'dev.yaml:20: endpoint.deployments[1].environment.build: must not be set together with environment.image: give either an image or a Docker build context (got "docker")',
      "dev.yaml:24: endpoint.deployments[1].environment.inference_config.scoring_route.port: must be <= 65535 (got 70000)",
      'dev.yaml:28: batch[0].default_deployment: must name one of the deployments (weekly) (got "nightly")',
    ]);
  });

  test("the app prints them, without a stack trace, and writes nothing", () => {
    const dir = configDir(shapeFiles);
    const outdir = join(mkdtempSync(join(tmpdir(), "app-out-")), "cdktf.out");
    const run = spawnSync(process.execPath, ["scripts/ts-run.js", "main.ts"], {
      cwd: join(__dirname, "..", ".."),
      env: { ...process.env, SERVING_CONFIG_DIR: dir, CDKTF_OUTDIR: outdir },
      encoding: "utf8",
    });
    expect(run.status).toBe(1);
    expect(run.stderr.split("\n")[0]).toBe("Config is invalid (4 problems):");
    expect(run.stderr).toContain("batch[0].default_deployment: must name one of the deployments (weekly)");
    expect(run.stderr).not.toMatch(/^\s+at /m);
    expect(existsSync(outdir)).toBe(false);
  });
});

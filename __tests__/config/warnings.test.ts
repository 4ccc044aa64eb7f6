import { ConfigError, formatWarning } from "../../lib/config/errors";
import { loadEnvironments } from "../../lib/config/load";
import { configDir, problemsOf as problemsOfFolder } from "../helpers/config-dir";

/**
 * Config warnings: what synthesizes but would fail on a first deploy. Each names file:line, field, rule and value,
 * and a waiver with a reason silences it. The configs are written as YAML text, so that the lines are known.
 */

/** The formatted warnings of `dev.yaml`, as main.ts prints them (the folder is the project root: `dev.yaml:<line>`). */
function warningsOf(yaml: string, files: Record<string, string> = {}): string[] {
  const dir = configDir({ "dev.yaml": yaml, "envs/fraud.yml": CONDA, ...files });
  const [env] = loadEnvironments({ configDir: dir, projectRoot: dir });
  return env.warnings.map(formatWarning);
}

/** The problem lines `dev.yaml` is refused with. */
function problemsOf(yaml: string): string[] {
  return problemsOfFolder({ "dev.yaml": yaml });
}

const HEAD = [
  "project: fraud", // 1
  "location: northeurope", // 2
  "state: { resource_group: rg-fraud-tfstate, storage_account: stfraudstate02 }", // 3
  "compute: { name: gpu-cluster, vm_size: Standard_NC6s_v3, max_nodes: 3 }", // 4
];
const ENV = "{ name: fraud-env, version: '2', image: mcr.microsoft.com/azureml/minimal-ubuntu22.04-py39-cpu-inference:latest, conda_file: envs/fraud.yml }";
const CONDA = ["name: fraud-env", "channels:", "  - conda-forge", "dependencies:", "  - python=3.10", "  - pip:", "      - xgboost==2.1.1"].join("\n");

/** An online endpoint of one deployment (line 8) of the given model, and a batch endpoint of one (line 17). */
function servingWith(onlineModel: string, batchModel: string, tail: string[] = []): string {
  return [
    ...HEAD,
    "endpoint:", // 5
    "  name: fraud-online-k9", // 6
    "  deployments:", // 7
    "    - name: blue", // 8
    `      model: ${onlineModel}`, // 9
    `      environment: ${ENV}`, // 10
    "      code: { path: src, scoring_script: score.py }", // 11
    "      instance_type: Standard_DS3_v2", // 12
    "      instance_count: 2", // 13
    "      traffic: 100", // 14
    "batch:", // 15
    "  - name: fraud-batch-k9", // 16
    "    deployments:", // 17
    "      - name: nightly", // 18
    `        model: ${batchModel}`, // 19
    `        environment: ${ENV}`, // 20
    "        code: { path: src, scoring_script: batch_score.py }", // 21
    "        instance_count: 2", // 22
    ...tail, // 23...
  ].join("\n");
}

const SHORT = "azureml://datastores/workspaceblobstore/paths/models/fraud/7/";
const WAIVE_HINT = (id: string) => `  To waive, add to dev.yaml: waivers: [{ rule: ${id}, reason: "<why this is fine here>" }]`;
const NOT_THERE =
  "points into a datastore of the workspace this stack creates, so nothing is there on a first deploy and the deployment fails; " +
  "use a local path (uploaded by this stack), a registry model (azureml://registries/<registry>/models/<name>/versions/<version>), " +
  "azureml:<name>:<version> registered beforehand, or storage that exists before the apply (https://, wasbs:// or abfss://)";

describe("model-path-not-yet-there: a short datastore path points into the workspace this stack creates", () => {
  test("warned on online and batch deployments, with file:line, field, the alternatives and the value", () => {
    const model = (version: string) => `{ name: fraud, version: '${version}', path: 'azureml://datastores/workspaceblobstore/paths/models/fraud/${version}/' }`;
    expect(warningsOf(servingWith(model("7"), model("6")))).toEqual([
      `warning model-path-not-yet-there: dev.yaml:9: endpoint.deployments[0].model.path: ${NOT_THERE} (got "${SHORT}")\n${WAIVE_HINT("model-path-not-yet-there")}`,
      `warning model-path-not-yet-there: dev.yaml:19: batch[0].deployments[0].model.path: ${NOT_THERE} (got "azureml://datastores/workspaceblobstore/paths/models/fraud/6/")\n${WAIVE_HINT("model-path-not-yet-there")}`,
    ]);
  });

  test.each([
    ["a local folder", "{ name: fraud, path: models/fraud }"],
    ["a registry model", "azureml://registries/azureml/models/fraud-xgb/versions/4"],
    ["a version registered beforehand", "azureml:fraud:7"],
    ["storage that exists before the apply", "{ name: fraud, version: '7', path: 'https://stfraudmodels.blob.core.windows.net/models/fraud/7/' }"],
    ["a datastore of another workspace, by its long URI", "{ name: fraud, version: '7', path: 'azureml://subscriptions/00000000-0000-0000-0000-000000000000/resourcegroups/rg-shared/workspaces/mlw-shared/datastores/models/paths/fraud/7/' }"],
  ])("no warning for %s", (_, model) => {
    expect(warningsOf(servingWith(model, model), { "models/fraud/model.json": '{ "threshold": 0.73 }' })).toEqual([]);
  });

  test("a waiver silences it, with its reason", () => {
    const model = `{ name: fraud, version: '7', path: '${SHORT}' }`;
    const yaml = servingWith(model, "azureml:fraud:7", ["waivers:", "  - rule: model-path-not-yet-there", "    reason: the model is copied into the datastore before each apply"]);
    expect(warningsOf(yaml)).toEqual([
      "warning waived model-path-not-yet-there at dev.yaml:9 endpoint.deployments[0].model.path: the model is copied into the datastore before each apply",
    ]);
  });
});

describe("conda-host-not-allowed: the conda file's channels and pip indexes under approved_only outbound", () => {
  const LOCAL = "{ name: fraud, path: models/fraud }";
  const MODEL_FILES = { "models/fraud/model.json": '{ "threshold": 0.73 }' };
  const network = (lines: string[]) => ["network:", "  isolation: private", "  client_subnet: { address_space: 10.42.0.0/24 }", ...lines];

  test("every unreachable host, once per conda file, at the first conda_file that names it, with the conda file's line", () => {
    const yaml = servingWith(LOCAL, LOCAL, network(["  allowed_fqdns: [pypi.org]"]));
    const fix = "under network.outbound approved_only the environment's image build cannot reach it";
    expect(warningsOf(yaml, MODEL_FILES)).toEqual([
      `warning conda-host-not-allowed: dev.yaml:10: endpoint.deployments[0].environment.conda_file: names channel conda-forge at envs/fraud.yml:3, which downloads from conda.anaconda.org, not in network.allowed_fqdns: ${fix}; add conda.anaconda.org (or *.anaconda.org) to network.allowed_fqdns (got "envs/fraud.yml")\n${WAIVE_HINT("conda-host-not-allowed")}`,
      `warning conda-host-not-allowed: dev.yaml:10: endpoint.deployments[0].environment.conda_file: names pip packages from PyPI at envs/fraud.yml:6, which downloads from files.pythonhosted.org, not in network.allowed_fqdns: ${fix}; add files.pythonhosted.org (or *.pythonhosted.org) to network.allowed_fqdns (got "envs/fraud.yml")\n${WAIVE_HINT("conda-host-not-allowed")}`,
    ]);
  });

  test("defaults needs two hosts, both named; an index URL its own host", () => {
    const conda = ["channels:", "  - defaults", "dependencies:", "  - pip:", "      - -i https://pkgs.fraud.example/simple", "      - xgboost==2.1.1"].join("\n");
    const yaml = servingWith(LOCAL, LOCAL, network(["  allowed_fqdns: [pypi.org]"]));
    expect(warningsOf(yaml, { ...MODEL_FILES, "envs/fraud.yml": conda }).map((w) => w.split("\n")[0])).toEqual([
      expect.stringContaining(
        "names channel defaults at envs/fraud.yml:2, which downloads from conda.anaconda.org and repo.anaconda.com, not in network.allowed_fqdns: under network.outbound approved_only the environment's image build cannot reach them; add conda.anaconda.org (or *.anaconda.org) and repo.anaconda.com (or *.anaconda.com) to network.allowed_fqdns",
      ),
      expect.stringContaining("names pip index https://pkgs.fraud.example/simple at envs/fraud.yml:5, which downloads from pkgs.fraud.example, not in network.allowed_fqdns"),
    ]);
  });

  test("allowed exactly or by a wildcard over their parent domain: no warning", () => {
    const yaml = servingWith(LOCAL, LOCAL, network(["  allowed_fqdns: [conda.anaconda.org, pypi.org, '*.pythonhosted.org']"]));
    expect(warningsOf(yaml, MODEL_FILES)).toEqual([]);
  });

  test.each([
    ["a public environment", []],
    ["a private environment with internet outbound", network(["  outbound: internet"])],
  ])("never in %s", (_, lines) => {
    expect(warningsOf(servingWith(LOCAL, LOCAL, lines), MODEL_FILES)).toEqual([]);
  });

  test("a waiver silences it, with its reason", () => {
    const yaml = servingWith(
      LOCAL,
      LOCAL,
      network(["  allowed_fqdns: [pypi.org, '*.pythonhosted.org']", "waivers:", "  - rule: conda-host-not-allowed", "    reason: the image build goes through our conda mirror"]),
    );
    expect(warningsOf(yaml, MODEL_FILES)).toEqual([
      "warning waived conda-host-not-allowed at dev.yaml:10 endpoint.deployments[0].environment.conda_file: the image build goes through our conda mirror",
    ]);
  });
});

describe("request_settings.max_queue_wait_ms is refused, not dropped", () => {
  const withSettings = (settings: string[]) =>
    [
      ...HEAD,
      "endpoint:", // 5
      "  name: fraud-online-k9", // 6
      "  deployments:", // 7
      "    - name: blue", // 8
      "      model: azureml://registries/azureml/models/fraud-xgb/versions/4", // 9
      "      instance_type: Standard_DS3_v2", // 10
      "      traffic: 100", // 11
      "      request_settings:", // 12
      ...settings.map((line) => `        ${line}`), // 13...
    ].join("\n");

  test("it is deprecated and ignored by managed online endpoints: the error says what to use instead, with every other problem", () => {
    expect(problemsOf(withSettings(["request_timeout_ms: 0", "max_queue_wait_ms: 750"]))).toEqual([
      "dev.yaml:13: endpoint.deployments[0].request_settings.request_timeout_ms: must be >= 1 (got 0)",
      "dev.yaml:14: endpoint.deployments[0].request_settings.max_queue_wait_ms: must be removed: it is deprecated, and managed online endpoints ignore it; " +
        "raise request_timeout_ms to cover a request's wait in the queue, and let autoscale (or more instances) keep the queue short (got 750)",
    ]);
  });

  test("without it the settings load as before", () => {
    const dir = configDir({ "dev.yaml": withSettings(["request_timeout_ms: 90000", "max_concurrent_requests_per_instance: 3"]) });
    const [env] = loadEnvironments({ configDir: dir, projectRoot: dir });
    expect(env.config.endpoints[0].deployments[0].request_settings).toEqual({ request_timeout_ms: 90000, max_concurrent_requests_per_instance: 3 });
  });
});

describe("model-many-files: a local model folder of more files than the documented count", () => {
  const LOCAL = "{ name: fraud, path: models/fraud }";
  /** A model folder of `count` small files. */
  const manyFiles = (count: number) => Object.fromEntries(Array.from({ length: count }, (_, i) => [`models/fraud/shard-${String(i).padStart(4, "0")}.bin`, `${i}`]));
  const MANY =
    "each is uploaded as its own Terraform resource, so synth slows down and every plan refreshes each blob; pack the folder into one archive " +
    "that the scoring script unpacks, or upload it once (az ml model create) and reference it as azureml:<name>:<version>";

  test("warned at 201 files, at each deployment's model.path, with the count and the way out", () => {
    expect(warningsOf(servingWith(LOCAL, LOCAL), manyFiles(201))).toEqual([
      `warning model-many-files: dev.yaml:9: endpoint.deployments[0].model.path: holds 201 files, more than 200: ${MANY} (got "models/fraud")\n${WAIVE_HINT("model-many-files")}`,
      `warning model-many-files: dev.yaml:19: batch[0].deployments[0].model.path: holds 201 files, more than 200: ${MANY} (got "models/fraud")\n${WAIVE_HINT("model-many-files")}`,
    ]);
  });

  test("200 files, the documented count itself, are not warned", () => {
    expect(warningsOf(servingWith(LOCAL, LOCAL), manyFiles(200))).toEqual([]);
  });
});

describe("egress-legacy-isolation: egress_public_network_access false in a public environment", () => {
  const LOCAL = "{ name: fraud, path: models/fraud }";
  const MODEL_FILES = { "models/fraud/model.json": '{ "threshold": 0.73 }' };
  const withEgress = (value: string, tail: string[] = []) =>
    servingWith(LOCAL, LOCAL, tail).replace("      traffic: 100", `      traffic: 100\n      egress_public_network_access: ${value}`);

  test("warned as legacy isolation, at the field's line, with what to do instead", () => {
    expect(warningsOf(withEgress("false"), MODEL_FILES)).toEqual([
      "warning egress-legacy-isolation: dev.yaml:15: endpoint.deployments[0].egress_public_network_access: is legacy network isolation in a public environment: " +
        "Azure ML then creates private endpoints for this deployment alone, and Microsoft recommends the workspace managed virtual network instead; " +
        `set network.isolation: private (whose deployments have no public egress), or remove this line (got false)\n${WAIVE_HINT("egress-legacy-isolation")}`,
    ]);
  });

  test("true in a public environment is not warned", () => {
    expect(warningsOf(withEgress("true"), MODEL_FILES)).toEqual([]);
  });

  test("false in a private environment is what private means: not warned", () => {
    const yaml = withEgress("false", ["network:", "  isolation: private", "  outbound: internet", "  client_subnet: { address_space: 10.42.0.0/24 }"]);
    expect(warningsOf(yaml, MODEL_FILES)).toEqual([]);
  });
});

describe("an mlflow_model needs the MLmodel file at the top of its folder", () => {
  const mlflow = "{ name: fraud, path: models/fraud, type: mlflow_model }";
  const dirWith = (files: Record<string, string>) => configDir({ "dev.yaml": servingWith(mlflow, "azureml:fraud:7"), "envs/fraud.yml": CONDA, ...files });
  const load = (dir: string) => {
    try {
      loadEnvironments({ configDir: dir, projectRoot: dir });
      return [];
    } catch (error) {
      if (error instanceof ConfigError) return error.message.split("\n");
      throw error;
    }
  };

  test("a folder without MLmodel is refused at model.path, naming the folder looked in", () => {
    expect(load(dirWith({ "models/fraud/model.pkl": "x", "models/fraud/sub/MLmodel": "flavors: {}" }))).toEqual([
      expect.stringMatching(/^dev\.yaml:9: endpoint\.deployments\[0\]\.model\.path: must hold an MLmodel file at its top for an mlflow_model \(looked in \/.+\/models\/fraud\): Azure ML reads the flavor and signature from it \(got "models\/fraud"\)$/),
    ]);
  });

  test("a folder with MLmodel at its top loads", () => {
    expect(load(dirWith({ "models/fraud/MLmodel": "flavors:\n  python_function: {}\n", "models/fraud/model.pkl": "x" }))).toEqual([]);
  });

  test("a single file is refused: an MLflow model is a folder", () => {
    const dir = configDir({ "dev.yaml": servingWith("{ name: fraud, path: models/fraud.pkl, type: mlflow_model }", "azureml:fraud:7"), "envs/fraud.yml": CONDA, "models/fraud.pkl": "x" });
    expect(load(dir)).toEqual([
      'dev.yaml:9: endpoint.deployments[0].model.path: must be a folder for an mlflow_model: an MLflow model is a folder with an MLmodel file at its top (got "models/fraud.pkl")',
    ]);
  });
});

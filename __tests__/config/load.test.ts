import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { ConfigError } from "../../lib/config/errors";
import { loadEnvironments, resolveConfigDir } from "../../lib/config/load";
import { baseConfig, configDir, loadValid, problemsOf } from "../helpers/config-dir";

describe("loading the config folder", () => {
  test("applies the documented defaults", () => {
    const [env] = loadValid({ "dev.yaml": baseConfig() });
    expect(env.name).toBe("dev");
    expect(env.config.state.container).toBe("tfstate");
    expect(env.config.state.deployer_principal_ids).toEqual([]);
    expect(env.config.workspace.public_network_access).toBe(true);
    expect(env.config.compute).toEqual({
      existing: false,
      name: "cpu-cluster",
      vm_size: "STANDARD_D2_V2",
      vm_priority: "dedicated",
      min_nodes: 0,
      max_nodes: 4,
      idle_time_before_scale_down: "PT2M",
    });
    expect(env.config.tags).toEqual({});
    expect(env.config.monitoring).toEqual({
      log_retention_days: 30,
      alert_emails: [],
      alerts: { latency_p95_ms: 1000, cpu_percent: 90, throttled_requests_per_minute: 10 },
    });
    expect(env.config.endpoints).toEqual([]);
    expect(env.config.batch).toEqual([]);
  });

  test("reads every *.yaml file, in name order, one environment each", () => {
    const envs = loadValid({ "prod.yaml": baseConfig(), "dev.yaml": baseConfig(), "notes.txt": "ignored" });
    expect(envs.map((e) => e.name)).toEqual(["dev", "prod"]);
  });

  test("resolves the folder relative to the project root, or takes it absolute", () => {
    const root = mkdtempSync(join(tmpdir(), "root-"));
    expect(resolveConfigDir({ projectRoot: root })).toBe(join(root, "config"));
    expect(resolveConfigDir({ projectRoot: root, configDir: "envs/x" })).toBe(join(root, "envs/x"));
    expect(resolveConfigDir({ projectRoot: root, configDir: "/abs/cfg" })).toBe("/abs/cfg");
    // SERVING_CONFIG_DIR set to nothing is unset, not the project root.
    expect(resolveConfigDir({ projectRoot: root, configDir: "" })).toBe(join(root, "config"));
    const dir = configDir({ "qa.yaml": baseConfig() });
    expect(loadEnvironments({ projectRoot: root, configDir: relative(root, dir) }).map((e) => e.name)).toEqual(["qa"]);
  });

  test("a missing folder is one clear problem", () => {
    expect(() => loadEnvironments({ configDir: "/nonexistent/config" })).toThrow(
      "/nonexistent/config: must be a folder of <env>.yaml files (set SERVING_CONFIG_DIR or create config/)",
    );
  });

  test("an empty folder and a .yml file are rejected", () => {
    expect(problemsOf({})).toEqual([expect.stringMatching(/: must contain at least one <env>\.yaml file$/)]);
    expect(problemsOf({ "dev.yaml": baseConfig(), "prod.yml": baseConfig() })).toEqual([
      "prod.yml: must be renamed to end in .yaml: only *.yaml files are read",
    ]);
  });
});

describe("rejecting bad input", () => {
  test("malformed YAML names the file and line", () => {
    const problems = problemsOf({ "dev.yaml": "project: churn\nlocation: westeurope\nstate: [a, b\ncompute: {}\n" });
    expect(problems.length).toBeGreaterThan(0);
    expect(problems[0]).toMatch(/^dev\.yaml:[34]: is not valid YAML: /);
  });

  test("duplicate keys are malformed YAML", () => {
    expect(problemsOf({ "dev.yaml": "project: churn\nproject: other\n" })[0]).toMatch(
      /^dev\.yaml:2: is not valid YAML: Map keys must be unique/,
    );
  });

  test("an alias with no anchor before it is malformed YAML, on the alias's line, not a crash", () => {
    expect(problemsOf({ "dev.yaml": "project: churn\nlocation: westeurope\nstate: *later\ncompute: &later {}\n" })).toEqual([
      "dev.yaml:3: is not valid YAML: Unresolved alias (the anchor must be set before the alias): later",
    ]);
  });

  test("the line is that of the alias with no anchor, not of an earlier alias that has one", () => {
    expect(problemsOf({ "dev.yaml": "project: &p churn\nlocation: *p\nstate: *later\ncompute: &later {}\n" })).toEqual([
      "dev.yaml:3: is not valid YAML: Unresolved alias (the anchor must be set before the alias): later",
    ]);
  });

  test("an alias after its anchor is fine YAML", () => {
    const problems = problemsOf({ "dev.yaml": "project: &p churn\nlocation: *p\n" });
    expect(problems.some((p) => p.includes("not valid YAML"))).toBe(false);
    // The alias resolved: the region check sees the anchored value.
    expect(problems).toContain(
      'dev.yaml:2: location: must be an Azure region name such as westeurope (see `az account list-locations -o table`) (got "churn")',
    );
  });

  test("an empty file says what it must contain", () => {
    expect(problemsOf({ "dev.yaml": "# nothing yet\n" })).toEqual([
      "dev.yaml: is empty: it must be a mapping with at least project, location, state and compute",
    ]);
  });

  test("a bad environment file name", () => {
    expect(problemsOf({ "Prod-EU.yaml": baseConfig() })).toEqual([
      'Prod-EU.yaml: file name must be <env>.yaml with <env> 2-10 lowercase letters or digits, starting with a letter (got "Prod-EU")',
    ]);
  });

  test("missing required fields, each with its line", () => {
    expect(problemsOf({ "dev.yaml": { location: "westeurope", state: { resource_group: "rg" } } })).toEqual([
      "dev.yaml:1: project: is required",
      "dev.yaml:1: compute: is required: the environment's AmlCompute cluster (name, vm_size, max_nodes); only an environment in an existing workspace may go without",
      "dev.yaml:2: state.storage_account: is required",
    ]);
  });

  test("wrong types", () => {
    const problems = problemsOf({
      "dev.yaml": baseConfig({
        tags: ["team"],
        workspace: { public_network_access: "yes" },
        compute: { name: "cpu-cluster", vm_size: "STANDARD_D2_V2", max_nodes: "four" },
      }),
    });
    expect(problems).toEqual([
      'dev.yaml:9: compute.max_nodes: must be a number (got "four")',
      "dev.yaml:10: tags: must be a mapping of keys to values (got a list of 1)",
      'dev.yaml:13: workspace.public_network_access: must be true or false (got "yes")',
    ]);
  });

  test("bad enum values list the allowed ones", () => {
    expect(
      problemsOf({ "dev.yaml": baseConfig({ compute: { name: "cpu", vm_size: "STANDARD_D2_V2", vm_priority: "spot", max_nodes: 1 } }) }),
    ).toEqual(['dev.yaml:9: compute.vm_priority: must be one of "dedicated", "low_priority" (got "spot")']);
  });

  test("unknown keys are errors, with a suggestion for typos", () => {
    const problems = problemsOf({
      "dev.yaml": baseConfig({ tag: { a: "b" }, compute: { name: "cpu", vm_size: "STANDARD_D2_V2", max_nodes: 2, max_node: 3 } }),
    });
    expect(problems).toEqual([
      "dev.yaml:10: compute.max_node: is not a known key; did you mean max_nodes?",
      "dev.yaml:11: tag: is not a known key; did you mean tags?",
    ]);
    expect(problemsOf({ "dev.yaml": baseConfig({ zzzzzzzz: 1 }) })[0]).toMatch(
      /^dev\.yaml:\d+: zzzzzzzz: is not a known key \(allowed: project, location, subscription_id, tags, state, /,
    );
  });

  test("Azure naming rules", () => {
    const problems = problemsOf({
      "dev.yaml": {
        project: "Churn_1",
        location: "westeruope",
        subscription_id: "not-a-uuid",
        state: { resource_group: "rg.", storage_account: "St-01", container: "TF" },
        compute: { name: "cluster-01", vm_size: "STANDARD_D2_V2", max_nodes: 2 },
      },
    });
    expect(problems).toEqual([
      'dev.yaml:1: project: must be 2-12 lowercase letters or digits, starting with a letter (got "Churn_1")',
      'dev.yaml:2: location: must be an Azure region name (did you mean westeurope?) (see `az account list-locations -o table`) (got "westeruope")',
      'dev.yaml:3: subscription_id: must be a UUID like 00000000-0000-0000-0000-000000000000 (got "not-a-uuid")',
      `dev.yaml:5: state.resource_group: must be 1-90 letters, digits, '_', '-', '.', '(' or ')', not ending with '.' (got "rg.")`,
      'dev.yaml:6: state.storage_account: must be 3-24 lowercase letters or digits (got "St-01")',
      'dev.yaml:7: state.container: must be 3-63 lowercase letters, digits or single hyphens, starting and ending with a letter or digit (got "TF")',
      'dev.yaml:9: compute.name: must be 3-24 letters, digits or hyphens, starting with a letter, ending with a letter or digit, and not ending in -<digits> (got "cluster-01")',
    ]);
  });

  test("min_nodes above max_nodes, reported alongside other compute problems", () => {
    expect(
      problemsOf({
        "dev.yaml": baseConfig({ compute: { name: "cpu", vm_size: "STANDARD_D2_V2", vm_priority: "spot", min_nodes: 5, max_nodes: 4 } }),
      }),
    ).toEqual([
      'dev.yaml:9: compute.vm_priority: must be one of "dedicated", "low_priority" (got "spot")',
      "dev.yaml:10: compute.min_nodes: must be <= compute.max_nodes (4) (got 5)",
    ]);
  });

  test("a problem inside a list item is reported at that item's line, and problems read top to bottom", () => {
    const yaml = [
      "project: churn",
      "location: westeurope",
      "state:",
      "  resource_group: rg-tfstate",
      "  storage_account: sttfstate01",
      "compute:",
      "  name: cpu-cluster",
      "  vm_size: STANDARD_D2_V2",
      "  max_nodes: 4",
      "waivers:",
      "  - rule: compute-ssh",
      "    reason: fine",
      "  - rule: compute-local-auth",
      "    reason: 3",
      "bogus: 1",
      "",
    ].join("\n");
    expect(problemsOf({ "qa.yaml": yaml, "dev.yaml": yaml.replace("max_nodes: 4", "max_nodes: 0") })).toEqual([
      "dev.yaml:9: compute.max_nodes: must be >= 1 (got 0)",
      "dev.yaml:14: waivers[1].reason: must be a string (got 3)",
      "dev.yaml:15: bogus: is not a known key (allowed: project, location, subscription_id, tags, state, workspace, compute, endpoint, endpoints, monitoring, batch, network, quota, deploy, waivers)",
      "qa.yaml:14: waivers[1].reason: must be a string (got 3)",
      "qa.yaml:15: bogus: is not a known key (allowed: project, location, subscription_id, tags, state, workspace, compute, endpoint, endpoints, monitoring, batch, network, quota, deploy, waivers)",
    ]);
  });

  test("min_nodes equal to max_nodes is a fixed-size cluster, and accepted", () => {
    const [env] = loadValid({ "dev.yaml": baseConfig({ compute: { name: "cpu", vm_size: "STANDARD_D2_V2", min_nodes: 4, max_nodes: 4 } }) });
    expect([(env.config.compute as { min_nodes: number }).min_nodes, (env.config.compute as { max_nodes: number }).max_nodes]).toEqual([4, 4]);
  });

  test("numeric bounds", () => {
    expect(
      problemsOf({ "dev.yaml": baseConfig({ compute: { name: "cpu", vm_size: "STANDARD_D2_V2", min_nodes: -1, max_nodes: 0.5 } }) }),
    ).toEqual([
      "dev.yaml:9: compute.min_nodes: must be >= 0 (got -1)",
      "dev.yaml:10: compute.max_nodes: must be a whole number (got 0.5)",
    ]);
  });

  test.each([
    ["2 minutes", "must be an ISO-8601 duration such as PT2M or PT120S"],
    ["PT", "must be an ISO-8601 duration such as PT2M or PT120S"],
    ["P1M", "must be an ISO-8601 duration such as PT2M or PT120S"],
    ["PT0S", "must be a duration longer than zero"],
    ["PT1.5S", "must be a whole number of seconds, as az ml sends it (PT90S, not PT1.5S)"],
  ])("a bad ISO duration %p", (value, rule) => {
    expect(
      problemsOf({
        "dev.yaml": baseConfig({ compute: { name: "cpu", vm_size: "STANDARD_D2_V2", max_nodes: 1, idle_time_before_scale_down: value } }),
      }),
    ).toEqual([`dev.yaml:10: compute.idle_time_before_scale_down: ${rule} (got ${JSON.stringify(value)})`]);
  });

  test("every file is validated before anything is returned, and all problems come back together", () => {
    const dir = configDir({
      "dev.yaml": baseConfig({ project: "X" }),
      "prod.yaml": baseConfig({ location: "mars" }),
      "qa.yaml": baseConfig(),
    });
    let caught: unknown;
    try {
      loadEnvironments({ configDir: dir, projectRoot: dir });
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(ConfigError);
    expect((caught as ConfigError).problems.map((p) => [p.file, p.field])).toEqual([
      ["dev.yaml", "project"],
      ["prod.yaml", "location"],
    ]);
  });

  test("environments that share a state account must share its resource group", () => {
    expect(
      problemsOf({
        "dev.yaml": baseConfig(),
        "prod.yaml": baseConfig({ state: { resource_group: "rg-other", storage_account: "sttfstate01" } }),
      }),
    ).toEqual([
      'prod.yaml: state.resource_group: must match dev.yaml (rg-tfstate), which uses the same state.storage_account (got "rg-other")',
    ]);
  });

  test("environments that share a state account must share its container and subscription", () => {
    const state = { resource_group: "rg-tfstate", storage_account: "sttfstate01" };
    expect(
      problemsOf({
        "dev.yaml": baseConfig({ subscription_id: "00000000-0000-0000-0000-00000000000a" }),
        "prod.yaml": baseConfig({ subscription_id: "00000000-0000-0000-0000-00000000000b", state: { ...state, container: "other" } }),
      }),
    ).toEqual([
      'prod.yaml: state.container: must match dev.yaml (tfstate), which uses the same state.storage_account (got "other")',
      'prod.yaml: subscription_id: must match dev.yaml (00000000-0000-0000-0000-00000000000a), which uses the same state.storage_account (got "00000000-0000-0000-0000-00000000000b")',
    ]);
    expect(loadValid({ "dev.yaml": baseConfig(), "prod.yaml": baseConfig({ subscription_id: "00000000-0000-0000-0000-00000000000b" }) })).toHaveLength(2);
  });

  test("tag limits", () => {
    const tooMany = Object.fromEntries(Array.from({ length: 41 }, (_, i) => [`t${i}`, "v"]));
    expect(problemsOf({ "dev.yaml": baseConfig({ tags: tooMany }) })).toEqual([
      "dev.yaml:10: tags: must have at most 40 tags (got a mapping)",
    ]);
    expect(problemsOf({ "dev.yaml": baseConfig({ tags: { "a/b": "x" } }) })).toEqual([
      'dev.yaml:11: tags.a/b: key must be a tag name of 1-512 characters without < > % & \\ ? / (got "a/b")',
    ]);
  });
});

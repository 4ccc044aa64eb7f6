import { basename, dirname } from "node:path";
import { ConfigError } from "../../lib/config/errors";
import { loadEnvironments } from "../../lib/config/load";
import { baseConfig, configDir, deployment, loadValid, problemsOf } from "../helpers/config-dir";

// Loader behaviour the main load tests leave open: which problems are reported together, in which order, and
// that local content is read once per run.

function messageOf(load: () => unknown): string {
  try {
    load();
  } catch (error) {
    if (error instanceof ConfigError) return error.message;
    throw error;
  }
  throw new Error("expected the config to be rejected, but it loaded");
}

describe("the config folder as a whole", () => {
  test("a folder with only a .yml file gets the rename problem alone, not also 'must contain a .yaml file'", () => {
    expect(problemsOf({ "prod.yml": baseConfig() })).toEqual(["prod.yml: must be renamed to end in .yaml: only *.yaml files are read"]);
  });

  test("an empty folder is one problem on the folder itself, with no field", () => {
    const dir = configDir({});
    expect(messageOf(() => loadEnvironments({ configDir: basename(dir), projectRoot: dirname(dir) }))).toBe(
      `${basename(dir)}: must contain at least one <env>.yaml file`,
    );
  });

  test("rules between files run only when every file is valid on its own", () => {
    const files = {
      "dev.yaml": baseConfig(),
      // Would break the shared state account rule, but qa.yaml is rejected first.
      "prod.yaml": baseConfig({ state: { resource_group: "rg-other", storage_account: "sttfstate01" } }),
      "qa.yaml": baseConfig({ project: "X" }),
    };
    expect(problemsOf(files)).toEqual(['qa.yaml:1: project: must be 2-12 lowercase letters or digits, starting with a letter (got "X")']);
  });

  test("a code folder shared by two environments is listed and hashed once: both get the same bundle", () => {
    const envs = loadValid({
      "dev.yaml": baseConfig({ endpoint: { name: "churn-dev", deployments: [deployment()] } }),
      "prod.yaml": baseConfig({ endpoint: { name: "churn-prod", deployments: [deployment()] } }),
    });
    const [dev, prod] = envs;
    const [path] = [...dev.codeBundles.keys()];
    expect(basename(path)).toBe("src");
    expect([...prod.codeBundles.keys()]).toEqual([path]);
    expect(prod.codeBundles.get(path)).toBe(dev.codeBundles.get(path));
  });
});

describe("problem order", () => {
  test("problems are listed by file name, whichever check found them first", () => {
    // .yml files are reported before any .yaml file is read; the list is still in file name order.
    expect(problemsOf({ "zz.yml": "x: 1\n", "mm.yml": "x: 1\n", "aa.yaml": baseConfig({ project: "X" }) })).toEqual([
      'aa.yaml:1: project: must be 2-12 lowercase letters or digits, starting with a letter (got "X")',
      "mm.yml: must be renamed to end in .yaml: only *.yaml files are read",
      "zz.yml: must be renamed to end in .yaml: only *.yaml files are read",
    ]);
  });

  test("within a file, problems are listed by line, not in the order the checks found them", () => {
    // The schema checks tags before compute, but compute comes first in this file.
    const config = baseConfig({ compute: { name: "cpu-cluster", vm_size: "STANDARD_D2_V2", max_nodes: "four" }, tags: ["team"] });
    expect(problemsOf({ "dev.yaml": config })).toEqual([
      'dev.yaml:9: compute.max_nodes: must be a number (got "four")',
      "dev.yaml:10: tags: must be a mapping of keys to values (got a list of 1)",
    ]);
  });
});

import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { stringify } from "yaml";
import { ConfigError } from "../../lib/config/errors";
import { loadEnvironments, type LoadedEnvironment } from "../../lib/config/load";

/** A minimal valid environment config; tests override parts of it. */
export function baseConfig(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    project: "churn",
    location: "westeurope",
    state: { resource_group: "rg-tfstate", storage_account: "sttfstate01" },
    compute: { name: "cpu-cluster", vm_size: "STANDARD_D2_V2", max_nodes: 4 },
    ...overrides,
  };
}

/** A valid online deployment block; tests override parts of it. */
export function deployment(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    name: "blue",
    model: { name: "churn", version: "3", path: "azureml://datastores/workspaceblobstore/paths/models/churn/3/", type: "custom_model" },
    environment: { name: "churn-env", version: "1", image: "mcr.microsoft.com/azureml/openmpi4.1.0-ubuntu22.04:latest", conda_file: "envs/churn.yml" },
    code: { path: "src", scoring_script: "score.py" },
    instance_type: "Standard_DS3_v2",
    instance_count: 1,
    traffic: 100,
    ...overrides,
  };
}

/** Writes a throw-away folder holding `files` (relative path → content); returns its path. */
export function tempFolder(files: Record<string, string>, prefix = "files-"): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  for (const [rel, content] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, rel)), { recursive: true });
    writeFileSync(join(dir, rel), content);
  }
  return dir;
}

/**
 * Writes a throw-away config folder: `files` maps relative paths to YAML text or to objects (stringified).
 * A `src/score.py`, `src/batch_score.py` and `envs/churn.yml` are always present, for configs that point at them.
 */
export function configDir(files: Record<string, string | object>): string {
  const dir = mkdtempSync(join(tmpdir(), "serving-config-"));
  const all: Record<string, string | object> = {
    "src/score.py": "def init():\n    pass\n\ndef run(data):\n    return data\n",
    "src/batch_score.py": "def init():\n    pass\n\ndef run(batch):\n    return batch\n",
    "envs/churn.yml": "name: churn\ndependencies:\n  - python=3.11\n",
    ...files,
  };
  for (const [rel, content] of Object.entries(all)) {
    const path = join(dir, rel);
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, typeof content === "string" ? content : stringify(content));
  }
  return dir;
}

/** Loads a config folder; fails the test with the problems if it is rejected. */
export function loadValid(files: Record<string, string | object>): LoadedEnvironment[] {
  return loadEnvironments({ configDir: configDir(files) });
}

/** The problem lines a config folder is rejected with (relative to the folder); fails the test if it is accepted. */
export function problemsOf(files: Record<string, string | object>): string[] {
  return problemsOfDir(configDir(files));
}

/** {@link problemsOf} for a folder that already exists (a test that adds links or files before loading it). */
export function problemsOfDir(dir: string): string[] {
  try {
    loadEnvironments({ configDir: dir, projectRoot: dir });
  } catch (error) {
    if (error instanceof ConfigError) return error.message.split("\n");
    throw error;
  }
  throw new Error("expected the config to be rejected, but it loaded");
}

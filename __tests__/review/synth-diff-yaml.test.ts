/**
 * The synth diff as a YAML user reads it: content-addressed blobs are no rename, a changed conda file shows its
 * lines, and long values are cut where they differ.
 */

import { join } from "node:path";
import { formatValuePair } from "../../lib/review/markdown";
import { parseSynthStack } from "../../lib/review/synth";
import { changedLines, diffStack, renderSynthDiff } from "../../lib/review/synth-diff";
import { tempFolder } from "../helpers/config-dir";

const HASH_A = "a".repeat(64);
const HASH_B = "b".repeat(64);

/** A blob of a local model uploaded under its content hash, as ModelAssets names it. */
function blob(hash: string) {
  return { azurerm_storage_blob: { [`upload-models-churn-${hash.slice(0, 12)}-file-model--pkl`]: { name: `models/churn/${hash}/churn/model.pkl`, type: "Block" } } };
}

describe("content-addressed blobs", () => {
  const base = parseSynthStack("s", { resource: blob(HASH_A) }, "base/s/cdk.tf.json");
  const head = parseSynthStack("s", { resource: blob(HASH_B) }, "head/s/cdk.tf.json");

  test("a blob replaced by one of new content is no possible rename, and the review says why it is replaced", () => {
    const d = diffStack("s", base, head);
    expect(d.possibleRenames).toEqual([]);
    expect(d.contentReplaced).toBe(1);
    const text = renderSynthDiff([d]);
    expect(text).not.toContain("moveTo");
    expect(text).toContain("> 1 blob is uploaded under a new content hash: a local model, code folder or build context changed");
  });

  test("blobs named without a content hash keep the rename tip", () => {
    const plain = (name: string) => ({ resource: { azurerm_storage_blob: { [name]: { name: `models/${name}.pkl`, type: "Block" } } } });
    const d = diffStack("s", parseSynthStack("s", plain("old"), "b/cdk.tf.json"), parseSynthStack("s", plain("new"), "h/cdk.tf.json"));
    expect(d.possibleRenames).toEqual(["azurerm_storage_blob"]);
    expect(d.contentReplaced).toBeUndefined();
    expect(renderSynthDiff([d])).toContain("resource.moveTo()");
  });
});

describe("a changed conda file", () => {
  const env = (asset: string) => ({
    resource: { azapi_resource: { env: { type: "Microsoft.MachineLearningServices/workspaces/environments/versions@2025-12-01", body: { properties: { condaFile: `\${file("${asset}")}` } } } } },
  });
  const conda = (python: string) => `name: churn\ndependencies:\n  - python=${python}\n  - pip\n`;

  test("shows the lines that changed, removed before added, beside the two asset paths", () => {
    const root = tempFolder({
      "base/stacks/s/assets/env-conda/1111/churn.yml": conda("3.11"),
      "head/stacks/s/assets/env-conda/2222/churn.yml": conda("3.12"),
    }, "synth-");
    const d = diffStack(
      "s",
      parseSynthStack("s", env("assets/env-conda/1111/churn.yml"), join(root, "base/stacks/s/cdk.tf.json")),
      parseSynthStack("s", env("assets/env-conda/2222/churn.yml"), join(root, "head/stacks/s/cdk.tf.json")),
    );
    expect(d.changed[0]!.fileChanges).toEqual([{ attribute: "body.properties.condaFile", file: "churn.yml", lines: ["-   - python=3.11", "+   - python=3.12"] }]);
    const lines = renderSynthDiff([d]).split("\n");
    const at = lines.indexOf("  - `body.properties.condaFile` reads `churn.yml`, whose lines changed:");
    expect(at).toBeGreaterThan(0);
    expect(lines.slice(at + 1, at + 3)).toEqual(["    - `-   - python=3.11`", "    - `+   - python=3.12`"]);
  });

  test("without the asset files (an artifact without assets) the paths alone are shown", () => {
    const d = diffStack("s", parseSynthStack("s", env("assets/x/1111/churn.yml"), "/nowhere/base/cdk.tf.json"), parseSynthStack("s", env("assets/x/2222/churn.yml"), "/nowhere/head/cdk.tf.json"));
    expect(d.changed[0]!.fileChanges).toBeUndefined();
    expect(d.changed[0]!.attributes).toHaveLength(1);
  });

  test("changedLines: a line diff in file order", () => {
    expect(changedLines(["a", "b", "c"], ["a", "c", "d"])).toEqual(["- b", "+ d"]);
    expect(changedLines(["x"], ["x"])).toEqual([]);
    expect(changedLines([], ["n"])).toEqual(["+ n"]);
    expect(changedLines(["o"], [])).toEqual(["- o"]);
  });
});

describe("long values are cut where they differ", () => {
  const uri = (version: string) => `https://stchurn.blob.core.windows.net/${"models/churn/".repeat(12)}${version}/model.pkl`;

  test("two long URIs that differ near the end show the differing part", () => {
    const [before, after] = formatValuePair(uri("v1"), uri("v2"));
    expect(before).toMatch(/^`….*v1\/model\.pkl"`$/);
    expect(after).toMatch(/^`….*v2\/model\.pkl"`$/);
    expect(before.length).toBeLessThanOrEqual(162);
  });

  test("short values and values that differ early are shown from the start", () => {
    expect(formatValuePair("a", "b")).toEqual(['`"a"`', '`"b"`']);
    const [before] = formatValuePair(`x${uri("v1")}`, `y${uri("v1")}`);
    expect(before.startsWith('`"x')).toBe(true);
    expect(before.endsWith("…`")).toBe(true);
  });
});

describe("guardrail records with the config place", () => {
  const record = (extra: Record<string, unknown>) => ({
    "//": { metadata: { guardrails: { findings: [{ rule: "endpoint-key-auth", severity: "error", path: "s/e", message: "m", waived: false, ...extra }], waivers: [] } } },
  });

  test("source and field are read when present, and an older record without them still reads", () => {
    const place = { source: "config/dev.yaml:12", field: "endpoint.auth_mode" };
    expect(parseSynthStack("s", record(place), "s/cdk.tf.json").guardrails!.findings[0]).toMatchObject(place);
    const older = parseSynthStack("s", record({}), "s/cdk.tf.json").guardrails!.findings[0]!;
    expect(older.source).toBeUndefined();
    expect(older.rule).toBe("endpoint-key-auth");
  });
});

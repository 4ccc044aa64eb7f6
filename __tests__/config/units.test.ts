import { symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { readCodeBundle } from "../../lib/config/code-bundle";
import { isoDurationSeconds, msToIsoDuration, secondsToIsoDuration } from "../../lib/config/duration";
import { ConfigError, fieldPath, formatProblem, showValue } from "../../lib/config/errors";
import { resourceNames, stableHash } from "../../lib/config/names";
import { tempFolder } from "../helpers/config-dir";

describe("resourceNames", () => {
  test("CAF-style names, with a hash of state account, project and environment on the globally unique ones", () => {
    expect(resourceNames("churn", "dev", "stchurntfstate01")).toEqual({
      resourceGroup: "rg-churn-dev",
      logAnalytics: "log-churn-dev",
      appInsights: "appi-churn-dev",
      keyVault: "kvchurndevef5788",
      storageAccount: "stchurndevef5788",
      virtualNetwork: "vnet-churn-dev",
      containerRegistry: "crchurndevef5788",
      workspace: "mlw-churn-dev",
      actionGroup: "ag-churn-dev",
    });
  });

  test("storage and key vault names keep 16 characters of project and environment, so they fit 24", () => {
    const names = resourceNames("abcdefghijkl", "abcdefghij", "sttfstate01");
    expect(names.keyVault).toBe("kvabcdefghijklabcd589523");
    expect(names.storageAccount).toBe("stabcdefghijklabcd589523");
    expect(names.containerRegistry).toBe("crabcdefghijklabcdefghij589523");
  });

  test("stableHash is the start of the SHA-256, 6 characters unless told", () => {
    expect(stableHash("abc")).toBe("ba7816");
    expect(stableHash("abc", 10)).toBe("ba7816bf8f");
  });
});

describe("config errors", () => {
  test.each<[unknown, string]>([
    [null, "null"],
    [[], "an empty list"],
    [[1, 2], "a list of 2"],
    [{ a: 1 }, "a mapping"],
    ["text", '"text"'],
    [42, "42"],
    [true, "true"],
    [undefined, "undefined"],
    ["x".repeat(78), `"${"x".repeat(78)}"`],
    ["x".repeat(79), `"${"x".repeat(76)}...`],
  ])("showValue(%p) is %s", (value, shown) => {
    expect(showValue(value)).toBe(shown);
  });

  test("formatProblem: file, line, field, rule and value, each only when known", () => {
    expect(formatProblem({ file: "dev.yaml", line: 3, field: "a.b", rule: "must be short", value: "long", hasValue: true })).toBe(
      'dev.yaml:3: a.b: must be short (got "long")',
    );
    expect(formatProblem({ file: "dev.yaml", field: "a", rule: "is required" })).toBe("dev.yaml: a: is required");
    expect(formatProblem({ file: "config", field: "", rule: "must contain a file" })).toBe("config: must contain a file");
    expect(formatProblem({ file: "dev.yaml", line: 1, field: "a", rule: "must not be null", value: null, hasValue: true })).toBe(
      "dev.yaml:1: a: must not be null (got null)",
    );
  });

  test("ConfigError lists every problem, one per line", () => {
    const error = new ConfigError([
      { file: "a.yaml", field: "x", rule: "r1" },
      { file: "b.yaml", line: 2, field: "y", rule: "r2", value: 1, hasValue: true },
    ]);
    expect(error.name).toBe("ConfigError");
    expect(error.message).toBe("a.yaml: x: r1\nb.yaml:2: y: r2 (got 1)");
    expect(error.problems).toHaveLength(2);
  });

  test("fieldPath puts list indexes in brackets", () => {
    expect(fieldPath(["endpoint", "deployments", 0, "traffic"])).toBe("endpoint.deployments[0].traffic");
    expect(fieldPath([0, "a"])).toBe("[0].a");
    expect(fieldPath([])).toBe("");
  });
});

describe("durations", () => {
  test.each<[string, number | undefined]>([
    ["PT2M", 120],
    ["PT1H30M", 5400],
    ["P1D", 86400],
    ["P1W", 604800],
    ["P1DT1H1M1S", 90061],
    ["PT1.5S", 1.5],
    ["PT1.25S", 1.25],
    ["P10W", 6048000],
    ["P12D", 1036800],
    ["PT12H", 43200],
    ["PT90S", 90],
    ["xP1D", undefined],
    ["PT0S", 0],
    ["P", undefined],
    ["PT", undefined],
    ["P1DT", undefined],
    ["P1M", undefined],
    ["PT-5M", undefined],
    ["2 minutes", undefined],
  ])("isoDurationSeconds(%s) = %p", (text, seconds) => {
    expect(isoDurationSeconds(text)).toBe(seconds);
  });

  test("milliseconds and seconds the way az ml sends them", () => {
    expect(msToIsoDuration(60000)).toBe("PT1M");
    expect(msToIsoDuration(1500)).toBe("PT1.5S");
    expect(msToIsoDuration(1)).toBe("PT0.001S");
    expect(msToIsoDuration(1250)).toBe("PT1.25S");
    expect(secondsToIsoDuration(300)).toBe("PT5M");
  });
});

describe("readCodeBundle", () => {
  const folder = (files: Record<string, string>) => tempFolder(files, "bundle-");

  test("lists files sorted, skips caches and VCS folders, sums sizes, names the asset after its relative path", () => {
    const root = folder({
      "config/../shared/src/b.py": "bb",
      "shared/src/a.py": "a",
      "shared/src/pkg/c.py": "ccc",
      "shared/src/__pycache__/a.cpython-311.pyc": "x",
      "shared/src/x.pyc": "x",
      "shared/src/.git/HEAD": "x",
      "shared/src/node_modules/m.js": "x",
      "config/dev.yaml": "",
    });
    const bundle = readCodeBundle(join(root, "shared", "src"), join(root, "config"));
    expect(bundle.files).toEqual(["a.py", "b.py", "pkg/c.py"]);
    expect(bundle.sizeBytes).toBe(6);
    expect(bundle.name).toBe("shared-src");
    expect(bundle.contentHash).toMatch(/^[0-9a-f]{64}$/);
  });

  test("follows a symlinked folder", () => {
    const root = folder({ "real/x.py": "x", "src/a.py": "a" });
    symlinkSync(join(root, "real"), join(root, "src", "linked"));
    expect(readCodeBundle(join(root, "src"), root).files).toEqual(["a.py", "linked/x.py"]);
  });

  test("a symlinked file is a file: listed and hashed by its content, not walked as a folder (ENOTDIR)", () => {
    const root = folder({ "shared/util.py": "u", "src/a.py": "a" });
    symlinkSync(join(root, "shared", "util.py"), join(root, "src", "util.py"));
    const linked = readCodeBundle(join(root, "src"), root);
    expect(linked.files).toEqual(["a.py", "util.py"]);
    expect(linked.sizeBytes).toBe(2);
    expect(linked.brokenLinks).toBeUndefined();
    // The same files as plain copies: the link changes nothing that is uploaded.
    expect(readCodeBundle(folder({ "a.py": "a", "util.py": "u" }), root).contentHash).toBe(linked.contentHash);
  });

  test("a link to nothing is left out of the files and named, not a crash", () => {
    const root = folder({ "src/a.py": "a" });
    symlinkSync(join(root, "gone.py"), join(root, "src", "gone.py"));
    const bundle = readCodeBundle(join(root, "src"), root);
    expect(bundle.files).toEqual(["a.py"]);
    expect(bundle.brokenLinks).toEqual(["gone.py"]);
  });

  test("the hash covers paths and contents: a rename or an edit is a new version, a copy the same", () => {
    const hash = (files: Record<string, string>) => readCodeBundle(folder(files), tmpdir()).contentHash;
    const base = hash({ "a.py": "1", "b.py": "2" });
    expect(hash({ "a.py": "1", "b.py": "2" })).toBe(base);
    expect(hash({ "a.py": "1", "c.py": "2" })).not.toBe(base);
    expect(hash({ "a.py": "1", "b.py": "3" })).not.toBe(base);
    expect(hash({ "a.py": "12" })).not.toBe(hash({ "a.py": "1", "b.py": "2" }));
  });

  test("a folder that is the config folder itself, or only dots, is named code", () => {
    const root = folder({ "a.py": "1" });
    expect(readCodeBundle(root, root).name).toBe("code");
    expect(readCodeBundle(join(root), join(root, "x")).name).toBe("code");
  });

  test("odd characters in the path become single hyphens; leading ones are dropped", () => {
    const root = folder({ "_my code!/a.py": "1", "__a  b/a.py": "1" });
    expect(readCodeBundle(join(root, "_my code!"), root).name).toBe("my-code-");
    expect(readCodeBundle(join(root, "__a  b"), root).name).toBe("a-b");
  });

  test("names stop at 255 characters", () => {
    const long = `${"a".repeat(200)}/${"b".repeat(100)}`;
    const root = folder({ [`${long}/x.py`]: "1" });
    expect(readCodeBundle(join(root, long), root).name).toBe(`${"a".repeat(200)}-${"b".repeat(54)}`);
  });

  test("files are sorted as whole paths, not folder by folder", () => {
    expect(readCodeBundle(folder({ "a/z.py": "1", "a-b.py": "2" }), tmpdir()).files).toEqual(["a-b.py", "a/z.py"]);
  });
});

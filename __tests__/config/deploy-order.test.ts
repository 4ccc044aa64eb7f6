import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { deployMatrix, deployWaves, MAX_WAVES } from "../../lib/config/deploy-order";
import { baseConfig, configDir, loadValid, problemsOf } from "../helpers/config-dir";

const ROOT = join(__dirname, "..", "..");
const env = (deploy?: Record<string, unknown>) => baseConfig(deploy ? { deploy } : {});

describe("deploy in config", () => {
  it("defaults to no predecessors and the environment's own name as GitHub environment", () => {
    const [e] = loadValid({ "dev.yaml": env() });
    expect(e!.config.deploy).toEqual({ after: [] });
  });

  it("after must name environments of the folder, at the entry's line", () => {
    expect(problemsOf({ "dev.yaml": env(), "prod.yaml": env({ after: ["dev", "stage"] }) })).toEqual([
      'prod.yaml:13: deploy.after[1]: must name an environment of this folder (dev, prod) (got "stage")',
    ]);
  });

  it("after must not name the environment itself, or repeat a name", () => {
    expect(problemsOf({ "dev.yaml": env(), "prod.yaml": env({ after: ["prod", "dev", "dev"] }) })).toEqual([
      'prod.yaml:12: deploy.after[0]: must not name the environment itself (got "prod")',
      'prod.yaml:14: deploy.after[2]: must not repeat deploy.after[1] (got "dev")',
    ]);
  });

  it("a cycle is reported at each of its entries, naming the loop, together with the other problems", () => {
    expect(
      problemsOf({ "aa.yaml": env({ after: ["cc"] }), "bb.yaml": env({ after: ["aa"] }), "cc.yaml": env({ after: ["bb", "zz"] }) }),
    ).toEqual([
      'aa.yaml:12: deploy.after[0]: must not form a cycle (aa → cc → bb → aa deploys after itself) (got "cc")',
      'bb.yaml:12: deploy.after[0]: must not form a cycle (aa → cc → bb → aa deploys after itself) (got "aa")',
      'cc.yaml:12: deploy.after[0]: must not form a cycle (aa → cc → bb → aa deploys after itself) (got "bb")',
      'cc.yaml:13: deploy.after[1]: must name an environment of this folder (aa, bb, cc) (got "zz")',
    ]);
  });

  it("after entries are environment names, environment a GitHub environment name, and nothing else is accepted", () => {
    expect(problemsOf({ "dev.yaml": env({ after: ["Prod"], environment: "a b", approve: true }) })).toEqual([
      'dev.yaml:12: deploy.after[0]: must be an environment name: 2-10 lowercase letters or digits, starting with a letter (got "Prod")',
      "dev.yaml:13: deploy.environment: must be a GitHub environment name: 1-100 letters, digits, '.', '_' or '-' (got \"a b\")",
      "dev.yaml:14: deploy.approve: is not a known key (allowed: after, environment)",
    ]);
  });
});

describe("deploy waves", () => {
  const node = (name: string, after: string[] = [], githubEnvironment?: string) => ({ name, file: `${name}.yaml`, after, githubEnvironment });

  it("first those that wait for nobody, then each after all it names, sorted by name within a wave", () => {
    const waves = deployWaves([node("prod", ["stage"]), node("stage", ["dev", "qa"]), node("qa"), node("dev"), node("lab")]);
    expect(waves.map((w) => w.map((n) => n.name))).toEqual([["dev", "lab", "qa"], ["stage"], ["prod"]]);
  });

  it("the matrix has one entry list per wave job, the stack, and the GitHub environment (default: the name)", () => {
    const matrix = deployMatrix([node("dev"), node("prod", ["dev"], "production")]);
    expect(matrix).toHaveLength(MAX_WAVES);
    expect(matrix[0]).toEqual([{ name: "dev", stack: "serving-dev", github_environment: "dev" }]);
    expect(matrix[1]).toEqual([{ name: "prod", stack: "serving-prod", github_environment: "production" }]);
    expect(matrix.slice(2)).toEqual([[], [], []]);
  });

  it("a chain longer than the workflow's waves is refused, saying how to fix it", () => {
    const chain = Array.from({ length: MAX_WAVES + 1 }, (_, i) => node(`e${i}`, i === 0 ? [] : [`e${i - 1}`]));
    expect(() => deployMatrix(chain)).toThrow(`deploy.yml has ${MAX_WAVES} waves: shorten the chain`);
    expect(() => deployMatrix(chain.slice(0, MAX_WAVES))).not.toThrow();
  });

  it("a cycle that reached it is an error, not a loop", () => {
    expect(() => deployWaves([node("aa", ["bb"]), node("bb", ["aa"])])).toThrow("deploy.after has a cycle or an unknown name among aa, bb");
  });
});

describe("scripts/deploy-matrix.ts", () => {
  const run = (dir: string, extra: Record<string, string> = {}) =>
    spawnSync(process.execPath, ["scripts/ts-run.js", "scripts/deploy-matrix.ts"], {
      cwd: ROOT,
      env: { ...process.env, SERVING_CONFIG_DIR: dir, GITHUB_OUTPUT: "", ...extra },
      encoding: "utf8",
    });

  it("prints each wave's matrix as a GITHUB_OUTPUT line, and appends them to GITHUB_OUTPUT", () => {
    const dir = configDir({ "dev.yaml": env(), "prod.yaml": env({ after: ["dev"], environment: "production" }) });
    const out = mkdtempSync(join(tmpdir(), "deploy-matrix-"));
    try {
      const result = run(dir, { GITHUB_OUTPUT: join(out, "output") });
      expect(result.status).toBe(0);
      const expected = [
        'wave1=[{"name":"dev","stack":"serving-dev","github_environment":"dev"}]',
        'wave2=[{"name":"prod","stack":"serving-prod","github_environment":"production"}]',
        "wave3=[]",
        "wave4=[]",
        "wave5=[]",
      ];
      expect(result.stdout.trimEnd().split("\n")).toEqual(expected);
      expect(readFileSync(join(out, "output"), "utf8").trimEnd().split("\n")).toEqual(expected);
    } finally {
      rmSync(out, { recursive: true, force: true });
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("an invalid config prints its problems with file and line, and exits 1", () => {
    const dir = configDir({ "dev.yaml": env({ after: ["nope"] }) });
    try {
      const result = run(dir);
      expect(result.status).toBe(1);
      expect(result.stdout).toBe("");
      expect(result.stderr).toMatch(/^deploy-matrix: config is invalid:\n.*dev\.yaml:12: deploy\.after\[0\]: must name an environment of this folder \(dev\) \(got "nope"\)\n$/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

import * as fs from "node:fs";
import * as path from "node:path";
import { parseDocument } from "yaml";
import { MAX_WAVES } from "../../lib/config/deploy-order";
import { MARKER } from "../../lib/review/markdown";
import { REPO } from "./helpers";

const WORKFLOWS = path.join(REPO, ".github/workflows");

type Step = { name?: string; id?: string; uses?: string; run?: string; with?: Record<string, unknown>; env?: Record<string, string>; if?: string; "working-directory"?: string };
type Job = {
  steps?: Step[];
  needs?: string | string[];
  uses?: string;
  with?: Record<string, unknown>;
  env?: Record<string, string>;
  environment?: string;
  concurrency?: { group: string; "cancel-in-progress"?: boolean };
  strategy?: { matrix?: Record<string, unknown> };
  permissions?: Record<string, string>;
  if?: string;
};
type Workflow = { name: string; on: Record<string, any>; jobs: Record<string, Job>; env?: Record<string, string> };

function load(file: string): Workflow {
  const doc = parseDocument(fs.readFileSync(path.join(WORKFLOWS, file), "utf8"));
  expect(doc.errors).toEqual([]);
  return doc.toJS() as Workflow;
}

const files = fs.readdirSync(WORKFLOWS).filter((f) => /\.ya?ml$/.test(f)).sort();
const workflows = new Map(files.map((f) => [f, load(f)]));
const steps = (w: Workflow): Step[] => Object.values(w.jobs).flatMap((j) => j.steps ?? []);
const runs = (w: Workflow): string => steps(w).map((s) => s.run ?? "").join("\n");

/** Script names in `npm run [flags] <name>` commands. */
function npmRunScripts(script: string): string[] {
  return [...script.matchAll(/\bnpm\s+run(?:-script)?\s+(?:--?[\w-]+\s+)*([\w:.-]+)/g)].map((m) => m[1]!);
}

describe("workflow files", () => {
  it("exist and parse as YAML with triggers and jobs", () => {
    expect(files).toEqual(expect.arrayContaining(["deploy-stack.yml", "deploy.yml", "plan-review-comment.yml", "pull-request.yml"]));
    for (const w of workflows.values()) {
      expect(typeof w.name).toBe("string");
      expect(Object.keys(w.on).length).toBeGreaterThan(0);
      expect(Object.keys(w.jobs).length).toBeGreaterThan(0);
    }
  });

  it("only run npm scripts that package.json defines (read now, not remembered)", () => {
    const scripts = Object.keys(JSON.parse(fs.readFileSync(path.join(REPO, "package.json"), "utf8")).scripts);
    const used = new Set([...workflows.values()].flatMap((w) => npmRunScripts(runs(w))));
    expect([...used]).toEqual(expect.arrayContaining(["plan-review", "synth"]));
    const missing = [...used].filter((name) => !scripts.includes(name));
    expect(missing).toEqual([]);
  });

  it("recognise npm run with flags", () => {
    expect(npmRunScripts('npm run --silent plan-review -- --redact "$X"\nnpm run synth')).toEqual(["plan-review", "synth"]);
  });

  it("use the marker the review prints", () => {
    expect(workflows.get("pull-request.yml")!.jobs["review"]!.env!["MARKER"]).toBe(MARKER);
    const comment = workflows.get("plan-review-comment.yml")!.jobs["comment"]!.steps!.find((s) => s.uses?.startsWith("actions/github-script"))!;
    expect(comment.env!["MARKER"]).toBe(MARKER);
  });

  it("never post raw plan JSON: plan-review on the plan job output is always --redact", () => {
    const plan = workflows.get("pull-request.yml")!.jobs["plan"]!;
    const reviewRuns = (plan.steps ?? []).map((s) => s.run ?? "").filter((r) => r.includes("plan-review"));
    expect(reviewRuns).toHaveLength(1);
    expect(reviewRuns[0]).toContain("--redact");
    const uploads = (plan.steps ?? []).filter((s) => s.uses?.startsWith("actions/upload-artifact"));
    expect(uploads.map((s) => s.with!["path"])).toEqual(["plans/${{ matrix.stack }}.json"]);
  });
});

describe("supply chain", () => {
  const uses = [...workflows.entries()].flatMap(([file, w]) =>
    Object.values(w.jobs).flatMap((j) => [j.uses, ...(j.steps ?? []).map((s) => s.uses)]).filter((u): u is string => u !== undefined).map((u) => ({ file, u })),
  );

  it("pins every action to a full commit SHA; only local reusable workflows go by path", () => {
    expect(uses.length).toBeGreaterThan(20);
    const unpinned = uses.filter(({ u }) => !u.startsWith("./.github/") && !/^[\w.-]+\/[\w./-]+@[0-9a-f]{40}$/.test(u));
    expect(unpinned).toEqual([]);
  });

  it("names the tag of every pinned SHA in a comment on the same line, the same tag for the same SHA", () => {
    const lines = files.flatMap((f) => fs.readFileSync(path.join(WORKFLOWS, f), "utf8").split("\n")).filter((l) => /\buses:\s+[^.]/.test(l));
    const tagged = lines.map((l) => /uses:\s+(\S+@[0-9a-f]{40}) # (v\d+(?:\.\d+){0,2})$/.exec(l.trim()) ?? l);
    expect(tagged.filter((t) => typeof t === "string")).toEqual([]);
    const tagBySha = new Map<string, Set<string>>();
    for (const m of tagged as RegExpExecArray[]) tagBySha.set(m[1], (tagBySha.get(m[1]) ?? new Set()).add(m[2]));
    expect([...tagBySha.values()].filter((t) => t.size > 1)).toEqual([]);
  });

  it("has Dependabot keep the actions and the npm packages current", () => {
    const config = parseDocument(fs.readFileSync(path.join(REPO, ".github", "dependabot.yml"), "utf8")).toJS() as { version: number; updates: { "package-ecosystem": string; directory: string }[] };
    expect(config.version).toBe(2);
    expect(config.updates.map((u) => [u["package-ecosystem"], u.directory])).toEqual([["github-actions", "/"], ["npm", "/"]]);
  });

  it("uploads the synth output without the copies of local models", () => {
    const upload = workflows.get("pull-request.yml")!.jobs["test"]!.steps!.find((s) => s.uses?.startsWith("actions/upload-artifact"))!;
    expect(String(upload.with!["path"]).trim().split("\n")).toEqual(["cdktf.out/", "!cdktf.out/stacks/*/assets/"]);
  });
});

describe("pull-request.yml", () => {
  const w = workflows.get("pull-request.yml")!;

  it("runs on pull_request: npm ci, npm test, synth", () => {
    expect(Object.keys(w.on)).toEqual(["pull_request"]);
    const test = (w.jobs["test"]!.steps ?? []).map((s) => s.run).filter(Boolean);
    expect(test.slice(0, 3)).toEqual(["npm ci", "npm test", "npm run synth"]);
  });

  it("plans each serving stack in a matrix job with OIDC login", () => {
    const plan = w.jobs["plan"]!;
    expect(plan.needs).toBe("test");
    expect(plan.strategy!.matrix!["stack"]).toBe("${{ fromJSON(needs.test.outputs.stacks) }}");
    expect(plan.permissions).toEqual({ contents: "read", "id-token": "write" });
    const login = plan.steps!.find((s) => s.uses?.startsWith("azure/login@"))!;
    expect(login.with).toEqual({
      "client-id": "${{ secrets.AZURE_CLIENT_ID }}",
      "tenant-id": "${{ secrets.AZURE_TENANT_ID }}",
      "subscription-id": "${{ secrets.AZURE_SUBSCRIPTION_ID }}",
    });
    expect(plan.env!["ARM_USE_OIDC"]).toBe("true");
    expect(plan.env!["ARM_USE_AZUREAD"]).toBe("true");
    const tf = plan.steps!.filter((s) => s.run?.startsWith("terraform"));
    expect(tf.map((s) => s.run!.split(" ").slice(0, 2).join(" "))).toEqual(["terraform init", "terraform plan", "terraform show"]);
    expect(tf[1]!.run).toContain("-out=tfplan");
    expect(tf[2]!.run).toContain("show -json tfplan");
    for (const s of tf) expect(s["working-directory"]).toBe("cdktf.out/stacks/${{ matrix.stack }}");
    // The plan synthesizes its own cdktf.out (with the model copies terraform plan reads) instead of the artifact.
    const synth = plan.steps!.findIndex((s) => s.run === "npm run synth");
    expect(synth).toBeGreaterThan(-1);
    expect(synth).toBeLessThan(plan.steps!.findIndex((s) => s.run?.startsWith("terraform init")));
    expect(plan.steps!.filter((s) => s.uses?.startsWith("actions/download-artifact"))).toEqual([]);
    expect(w.jobs["test"]!.steps!.find((s) => s.run?.includes("serving-*"))).toBeDefined();
  });

  it("posts one sticky comment, found by the marker, and falls back to --synth-diff without credentials", () => {
    const review = w.jobs["review"]!;
    expect(review.needs).toEqual(["test", "plan"]);
    const write = review.steps!.find((s) => s.name === "Write the review")!.run!;
    expect(write).toContain("--synth-diff base/cdktf.out cdktf.out");
    expect(write).toContain("--synth-dir cdktf.out");
    const base = review.steps!.find((s) => s.uses?.startsWith("actions/checkout") && s.with?.["path"] === "base")!;
    expect(base.with!["ref"]).toBe("${{ github.event.pull_request.base.sha }}");
    expect(base.if).toBeUndefined();
    const synthBase = review.steps!.find((s) => s["working-directory"] === "base")!;
    expect(synthBase.run).toBe("npm ci\nnpm run synth\n");
    const post = review.steps!.find((s) => s.uses?.startsWith("actions/github-script"))!;
    const script = String(post.with!["script"]);
    expect(script).toContain("process.env.MARKER");
    expect(script).toContain("updateComment");
    expect(script).toContain("createComment");
  });
});

describe("deploy.yml", () => {
  const w = workflows.get("deploy.yml")!;
  const stack = workflows.get("deploy-stack.yml")!;

  it("runs on push to main", () => {
    expect(w.on).toEqual({ push: { branches: ["main"] } });
  });

  it("names no environment: every environment name and GitHub environment comes from config, through the plan job", () => {
    const text = fs.readFileSync(path.join(WORKFLOWS, "deploy.yml"), "utf8");
    // The names of the sample and fixture environments, and any literal environment: value.
    const envNames = ["dev", "prod", "staging", "production", ...fs.readdirSync(path.join(REPO, "config")).filter((f) => f.endsWith(".yaml")).map((f) => f.slice(0, -5))];
    for (const name of new Set(envNames)) expect(text).not.toMatch(new RegExp(`\\b${name}\\b`));
    for (const job of Object.values(w.jobs)) {
      for (const value of [job.environment, ...Object.values(job.with ?? {})]) {
        if (value !== undefined) expect(String(value)).toMatch(/^\$\{\{ .* \}\}$/);
      }
    }
  });

  it("computes the waves from config with scripts/deploy-matrix.ts after the tests pass", () => {
    const plan = w.jobs["plan"]!;
    expect(plan.needs).toBe("test");
    expect(plan.steps!.map((s) => s.run ?? s.uses)).toContain("node scripts/ts-run.js scripts/deploy-matrix.ts");
    expect(Object.keys((plan as { outputs?: Record<string, string> }).outputs ?? {})).toEqual(Array.from({ length: MAX_WAVES }, (_, i) => `wave${i + 1}`));
  });

  it.each(Array.from({ length: MAX_WAVES }, (_, i) => i + 1))("wave %i deploys its matrix through deploy-stack.yml after every earlier wave", (n) => {
    const job = w.jobs[`wave${n}`]!;
    expect(job.needs).toEqual(["plan", ...Array.from({ length: n - 1 }, (_, i) => `wave${i + 1}`)]);
    expect(job.uses).toBe("./.github/workflows/deploy-stack.yml");
    expect(job.strategy).toEqual({ "fail-fast": false, matrix: { include: `\${{ fromJSON(needs.plan.outputs.wave${n}) }}` } });
    expect(job.with).toEqual({ environment: "${{ matrix.name }}", github_environment: "${{ matrix.github_environment }}" });
    expect(job.if).toBe(`\${{ !cancelled() && !contains(needs.*.result, 'failure') && needs.plan.outputs.wave${n} != '[]' }}`);
    expect(job.permissions).toEqual({ contents: "read", "id-token": "write" });
  });

  it("has no other jobs", () => {
    expect(Object.keys(w.jobs)).toEqual(["test", "plan", ...Array.from({ length: MAX_WAVES }, (_, i) => `wave${i + 1}`)]);
  });

  it("deploys in a protected environment with one concurrency group per environment, never cancelled", () => {
    const job = stack.jobs["deploy"]!;
    expect(Object.keys(stack.on)).toEqual(["workflow_call"]);
    expect(job.environment).toBe("${{ inputs.github_environment }}");
    expect(job.concurrency).toEqual({ group: "deploy-${{ inputs.environment }}", "cancel-in-progress": false });
  });

  it("synthesizes, then inits and applies in the stack folder with OIDC", () => {
    const job = stack.jobs["deploy"]!;
    expect(job.env).toMatchObject({ ARM_USE_OIDC: "true", ARM_USE_AZUREAD: "true", STACK: "serving-${{ inputs.environment }}" });
    const commands = job.steps!.map((s) => s.run ?? s.uses ?? "");
    const order = ["npm ci", "npm run synth", "terraform init -input=false", "terraform apply -input=false tfplan"].map((c) => commands.indexOf(c));
    expect(order.every((i) => i >= 0)).toBe(true);
    expect([...order].sort((a, b) => a - b)).toEqual(order);
    for (const s of job.steps!.filter((x) => x.run?.startsWith("terraform "))) {
      expect(s["working-directory"]).toBe("cdktf.out/stacks/serving-${{ inputs.environment }}");
    }
  });
});

describe("pull-request.yml rollout warnings", () => {
  const review = workflows.get("pull-request.yml")!.jobs["review"]!;

  it("synthesizes the base branch on both paths and gives it to the plan review as --synth-base when it synthesized", () => {
    const synthBase = review.steps!.find((s) => s["working-directory"] === "base")!;
    expect(synthBase.if).toBeUndefined();
    expect((synthBase as Record<string, unknown>)["continue-on-error"]).toBe("${{ env.AZURE == 'true' }}");
    const write = review.steps!.find((s) => s.name === "Write the review")!.run!;
    expect(write).toContain("if [ -f base/cdktf.out/manifest.json ]; then base=(--synth-base base/cdktf.out); fi");
    expect(write).toContain('--synth-dir cdktf.out "${base[@]}"');
  });
});

describe("the cdktf CLI", () => {
  // `npm run synth` of a base branch from before scripts/synth.js is `cdktf synth`.
  it("runs with CHECKPOINT_DISABLE=1 in every job that synthesizes or calls it", () => {
    const calls = (j: Job) => (j.steps ?? []).some((s) => /\bcdktf\s|npm run (--silent )?synth\b/.test(s.run ?? ""));
    const without = [...workflows].flatMap(([file, w]) =>
      Object.entries(w.jobs)
        .filter(([, j]) => calls(j) && w.env?.["CHECKPOINT_DISABLE"] !== "1" && j.env?.["CHECKPOINT_DISABLE"] !== "1")
        .map(([name]) => `${file}: ${name}`),
    );
    expect(without).toEqual([]);
    expect([...workflows.values()].some((w) => Object.values(w.jobs).some(calls))).toBe(true);
  });
});

describe("pull-request.yml and a Blocked review (exit status 3)", () => {
  const review = workflows.get("pull-request.yml")!.jobs["review"]!;
  const names = review.steps!.map((s) => s.name ?? s.uses ?? "");

  it("keeps status 3 to post the review, and fails on any other status at once", () => {
    const write = review.steps!.find((s) => s.name === "Write the review")!.run!;
    expect(write.match(/plan-review -- .*> review\.md \|\| status=\$\?/g)).toHaveLength(2);
    expect(write).toContain('if [ "$status" -ne 0 ] && [ "$status" -ne 3 ]; then exit "$status"; fi');
    expect(write).toContain('echo "blocked=$([ "$status" -eq 3 ] && echo true || echo false)" >> "$GITHUB_OUTPUT"');
  });

  it("fails the job as its last step, after the comment is posted or handed over", () => {
    const last = review.steps![review.steps!.length - 1]!;
    expect(last).toMatchObject({ name: "Fail on changes Azure refuses", if: "steps.review.outputs.blocked == 'true'" });
    expect(last.run).toContain("exit 1");
    expect(review.steps!.find((s) => s.name === "Write the review")).toMatchObject({ id: "review" });
    expect(names.indexOf("Post or update the sticky comment")).toBeLessThan(names.length - 1);
  });
});

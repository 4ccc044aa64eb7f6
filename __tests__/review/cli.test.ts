import * as fs from "node:fs";
import * as path from "node:path";
import * as review from "../../lib/review";
import { deepFreeze, loadPlanJson, PLANS, planPath, rawPlan, runCli, SYNTH, tempDir } from "./helpers";

describe("plan-review PLAN.json...", () => {
  it("prints the Markdown review on stdout and exits 0", () => {
    const { code, stdout, stderr } = runCli([planPath("serving-prod")]);
    expect(code).toBe(0);
    expect(stderr).toBe("");
    expect(stdout.split("\n").slice(0, 2)).toEqual([review.MARKER, "## Terraform plan review"]);
    expect(stdout).toContain("### `serving-prod`: Plan: 4 to add, 0 to change, 0 to destroy.");
  });

  it("reviews several stacks in one comment, with --synth-dir", () => {
    const { code, stdout } = runCli(["--synth-dir", path.join(SYNTH, "plans"), planPath("serving-prod"), planPath("serving-dev")]);
    expect(code).toBe(0);
    expect(stdout.indexOf("### `serving-dev`")).toBeLessThan(stdout.indexOf("### `serving-prod`"));
    expect(stdout).toContain("· construct `serving-dev/ml/workspace`");
    expect(stdout).toContain("#### Guardrails (2 findings, 1 waiver)");
    expect(stdout).not.toContain("SECRET-");
  });

  it("takes --note and --max-chars", () => {
    const { code, stdout } = runCli([`--note=plan of serving-qa failed`, "--max-chars", "3000", planPath("serving-dev")]);
    expect(code).toBe(0);
    expect(stdout.length).toBeLessThanOrEqual(3000);
    expect(stdout).toContain("> plan of serving-qa failed");
    expect(stdout).toContain("Attribute-level detail was left out");
    expect(stdout).not.toContain("input.max_node_count");
    const cut = runCli(["--max-chars=1500", planPath("serving-dev")]).stdout;
    expect(cut.length).toBeLessThanOrEqual(1500);
    expect(cut).toContain("**Review truncated:**");
  });
});

describe("plan-review --synth-diff BASE HEAD", () => {
  it("prints the synth diff", () => {
    const { code, stdout, stderr } = runCli(["--synth-diff", path.join(SYNTH, "base"), path.join(SYNTH, "head")]);
    expect([code, stderr]).toEqual([0, ""]);
    expect(stdout).toContain("## Synthesized configuration diff");
    expect(stdout).toContain("  - `scale_settings.max_node_count`: `6` → `8`");
  });
});

describe("plan-review --redact", () => {
  let dir: string;
  beforeAll(() => {
    dir = tempDir();
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it("writes plan JSON without secrets that reviews to the same Markdown", () => {
    const redacted = runCli(["--redact", planPath("serving-dev")]);
    expect(redacted.code).toBe(0);
    expect(redacted.stdout).not.toContain("SECRET-");
    const file = path.join(dir, "serving-dev.json");
    fs.writeFileSync(file, redacted.stdout);
    expect(runCli([file]).stdout).toBe(runCli([planPath("serving-dev")]).stdout);
  });
});

describe("errors: one line on stderr, exit 2, no stack trace", () => {
  let dir: string;
  beforeAll(() => {
    dir = tempDir();
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  function expectError(argv: string[], line: string): void {
    const { code, stdout, stderr } = runCli(argv);
    expect(code).toBe(2);
    expect(stdout).toBe("");
    expect(stderr).toBe(`${line}\n`);
    expect(stderr).not.toMatch(/\n\s+at /);
  }

  it("unreadable path", () => {
    const missing = path.join(dir, "missing.json");
    expectError([missing], `plan-review: ${missing}: cannot read: no such file`);
    expectError([dir], `plan-review: ${dir}: is a directory, not a plan JSON file`);
  });

  it("a text plan passed by mistake", () => {
    const text = path.join(PLANS, "serving-dev.txt");
    expectError([text], `plan-review: ${text}: this is a text plan, not JSON; use \`terraform show -json <planfile>\``);
  });

  it("format_version 2.0", () => {
    const file = path.join(dir, "serving-dev.json");
    fs.writeFileSync(file, JSON.stringify({ ...loadPlanJson("serving-dev"), format_version: "2.0" }));
    expectError([file], `plan-review: ${file}: unsupported format_version "2.0"; plan-review reads format 1.x`);
  });

  it("not JSON", () => {
    const file = path.join(dir, "garbage.json");
    fs.writeFileSync(file, "{ this is not json");
    const { code, stderr } = runCli([file]);
    expect(code).toBe(2);
    expect(stderr).toMatch(new RegExp(`^plan-review: ${file.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}: not valid JSON \\(.+\\)\\n$`));
  });

  it("stops at the first bad file even after good ones", () => {
    const missing = path.join(dir, "nope.json");
    expectError([planPath("serving-prod"), missing], `plan-review: ${missing}: cannot read: no such file`);
  });

  it("two plans for one stack", () => {
    const copy = path.join(dir, "stacks", "serving-prod", "plan.json");
    fs.mkdirSync(path.dirname(copy), { recursive: true });
    fs.copyFileSync(planPath("serving-prod"), copy);
    expectError(
      [planPath("serving-prod"), copy],
      `plan-review: ${copy}: stack "serving-prod" is already given by ${planPath("serving-prod")}; name plan files after their stacks`,
    );
  });

  it("a missing --synth-dir", () => {
    const missing = path.join(dir, "cdktf.out");
    expectError(["--synth-dir", missing, planPath("serving-prod")], `plan-review: ${missing}: no such directory (run \`npm run synth\` first?)`);
  });

  it("usage errors", () => {
    expectError([], "plan-review: no plan files given (see plan-review --help)");
    expectError(["--bogus", "x.json"], "plan-review: unknown option --bogus (see plan-review --help)");
    expectError(["--synth-diff", "only-one"], "plan-review: --synth-diff needs exactly two folders: BASE_DIR HEAD_DIR (see plan-review --help)");
    expectError(["--synth-dir"], "plan-review: --synth-dir needs a value (see plan-review --help)");
    expectError(["--max-chars", "lots", "x.json"], 'plan-review: --max-chars must be a whole number of at least 1000, not "lots" (see plan-review --help)');
  });

  it("--max-chars takes 1000 at the least, not 999 nor a fraction", () => {
    expectError(["--max-chars", "999", "x.json"], 'plan-review: --max-chars must be a whole number of at least 1000, not "999" (see plan-review --help)');
    expectError(["--max-chars=1000.5", "x.json"], 'plan-review: --max-chars must be a whole number of at least 1000, not "1000.5" (see plan-review --help)');
    const { code, stdout } = runCli(["--max-chars", "1000", planPath("serving-dev")]);
    expect(code).toBe(0);
    expect(stdout.length).toBeLessThanOrEqual(1000);
  });

  it("--help prints usage and exits 0", () => {
    const { code, stdout } = runCli(["--help"]);
    expect(code).toBe(0);
    expect(stdout).toMatch(/^Usage:\n {2}plan-review \[--synth-dir DIR \[--synth-base DIR\]\]/);
  });
});

describe("argument forms and plan file encodings", () => {
  let dir: string;
  beforeEach(() => {
    dir = tempDir();
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  const plain = () => runCli([planPath("serving-dev")]).stdout;

  function expectUsage(argv: string[], message: string): void {
    expect(runCli(argv)).toEqual({ code: 2, stdout: "", stderr: `plan-review: ${message} (see plan-review --help)\n` });
  }

  it("reads a plan written as UTF-16 with a byte order mark (PowerShell's >) like the UTF-8 one", () => {
    const file = path.join(dir, "serving-dev.json");
    const text = fs.readFileSync(planPath("serving-dev"), "utf8");
    fs.writeFileSync(file, Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, "utf16le")]));
    expect(runCli([file])).toEqual({ code: 0, stdout: plain(), stderr: "" });
  });

  it("reads a UTF-8 plan with a byte order mark", () => {
    const file = path.join(dir, "serving-dev.json");
    fs.writeFileSync(file, `\uFEFF${fs.readFileSync(planPath("serving-dev"), "utf8")}`);
    expect(runCli([file])).toEqual({ code: 0, stdout: plain(), stderr: "" });
  });

  it("takes option values after = or as the next argument, and files after --", () => {
    const spaced = runCli(["--note", "n", "--max-chars", "5000", planPath("serving-dev")]).stdout;
    expect(runCli(["--note=n", "--max-chars=5000", planPath("serving-dev")]).stdout).toBe(spaced);
    expect(runCli(["--note=a=b", planPath("serving-dev")]).stdout).toContain("> a=b");
    expect(runCli(["--", planPath("serving-dev")]).stdout).toBe(plain());
    // After --, an argument that looks like an option is a file.
    const dashed = path.join(dir, "--serving-dev.json");
    fs.copyFileSync(planPath("serving-dev"), dashed);
    expect(runCli(["--", dashed]).code).toBe(0);
  });

  it("takes - as a file name, not an option", () => {
    expect(runCli(["-"]).stderr).toBe("plan-review: -: cannot read: no such file\n");
  });

  it("-h prints the usage, even after other arguments", () => {
    expect(runCli(["-h"])).toEqual({ code: 0, stdout: review.USAGE, stderr: "" });
    expect(runCli(["--bogus-later-is-not-read", "--help"]).code).toBe(2);
    expect(runCli(["x.json", "--help"])).toEqual({ code: 0, stdout: review.USAGE, stderr: "" });
  });

  it("refuses modes that cannot be combined, and options that belong to another mode", () => {
    expectUsage(["--synth-diff", "--redact", "a", "b"], "--synth-diff and --redact cannot be combined");
    expectUsage(["--redact", "--synth-diff", "a", "b"], "--redact and --synth-diff cannot be combined");
    expectUsage(["--synth-diff", "--synth-dir", "x", "a", "b"], "--synth-dir applies to plans, not to --synth-diff");
    expectUsage(["--synth-diff", "a", "b", "c"], "--synth-diff needs exactly two folders: BASE_DIR HEAD_DIR");
    expectUsage(["--redact", "a.json", "b.json"], "--redact takes exactly one plan file");
    expectUsage(["--redact"], "--redact takes exactly one plan file");
    expectUsage(["--synth-base", "b", "--synth-diff", "x", "y"], "--synth-base needs --synth-dir and plan files: it compares the base branch's synth with that one");
    expectUsage(["--note"], "--note needs a value");
    expectUsage(["--synth-base"], "--synth-base needs a value");
    expectUsage(["--max-chars"], "--max-chars needs a value");
  });

  it("a repeated mode is the same mode", () => {
    expect(runCli(["--redact", "--redact", planPath("serving-dev")]).code).toBe(0);
  });

  it("--redact and --synth-diff report unreadable input as input errors", () => {
    const missing = path.join(dir, "missing.json");
    expect(runCli(["--redact", missing])).toEqual({ code: 2, stdout: "", stderr: `plan-review: ${missing}: cannot read: no such file\n` });
    const notJson = path.join(dir, "serving-dev.json");
    fs.writeFileSync(notJson, "[]");
    expect(runCli(["--redact", notJson]).code).toBe(2);
  });

  it("a bug is exit 1 with one line, not a usage error", () => {
    const io = { stdout: () => { throw new Error("stdout closed"); }, stderr: jest.fn() };
    expect(review.main([planPath("serving-dev")], io)).toBe(1);
    expect(io.stderr).toHaveBeenCalledWith("plan-review: internal error: stdout closed\n");
    const text = { stdout: () => { throw "not an Error"; }, stderr: jest.fn() };
    expect(review.main(["--help"], text)).toBe(1);
    expect(text.stderr).toHaveBeenCalledWith("plan-review: internal error: not an Error\n");
  });
});

describe("the module's exported functions are pure", () => {
  it("import has no side effects and rendering neither mutates its input nor writes anywhere", () => {
    const writes = jest.spyOn(process.stdout, "write");
    const errors = jest.spyOn(process.stderr, "write");
    try {
      const raw = deepFreeze(rawPlan("serving-dev"));
      const first = review.classifyPlan(raw, "serving-dev", "a");
      const again = review.classifyPlan(raw, "serving-dev", "a");
      expect(again).toEqual(first);
      deepFreeze(first);
      const synth = review.readSynthDir(path.join(SYNTH, "plans"));
      const markdown = review.renderPlanReview([first], { synth });
      expect(review.renderPlanReview([first], { synth })).toBe(markdown);

      const base = review.readSynthDir(path.join(SYNTH, "base"));
      const head = review.readSynthDir(path.join(SYNTH, "head"));
      const diffs = deepFreeze(review.diffSynth(base, head));
      expect(review.renderSynthDiff(diffs)).toBe(review.renderSynthDiff(review.diffSynth(base, head)));
      expect(review.redactPlan(raw)).toEqual(review.redactPlan(raw));
      expect(writes).not.toHaveBeenCalled();
      expect(errors).not.toHaveBeenCalled();
    } finally {
      writes.mockRestore();
      errors.mockRestore();
    }
  });

  it("index.ts only re-exports: every export is defined in one of the modules", () => {
    const modules = ["cli", "diff", "force-new", "markdown", "plan", "rollout", "sensitive", "stateful", "synth", "synth-diff"].map((m) =>
      require(path.join(__dirname, "../../lib/review", m)),
    );
    for (const [name, value] of Object.entries(review)) {
      expect(modules.some((m) => m[name] === value)).toBe(true);
    }
    expect(Object.keys(review)).toEqual(expect.arrayContaining(["main", "renderPlanReview", "diffSynth", "parsePlanJson", "MARKER"]));
  });
});

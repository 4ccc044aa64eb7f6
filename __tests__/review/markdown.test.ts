import * as path from "node:path";
import { code, esc, GITHUB_COMMENT_LIMIT, MARKER, renderPlanReview, truncateMarkdown } from "../../lib/review/markdown";
import { classifyPlan } from "../../lib/review/plan";
import { readSynthDir } from "../../lib/review/synth";
import { alertBlock, classify, loadPlanJson, rawPlan, resourceChange, stackSection, SYNTH } from "./helpers";
import { perFile } from "../helpers/shared";

const devFixture = perFile(() => classifyPlan(rawPlan("serving-dev"), "serving-dev", "serving-dev.json"));
let dev: ReturnType<typeof devFixture>;
beforeEach(() => {
  dev = devFixture();
});
const prodFixture = perFile(() => classifyPlan(rawPlan("serving-prod"), "serving-prod", "serving-prod.json"));
let prod: ReturnType<typeof prodFixture>;
beforeEach(() => {
  prod = prodFixture();
});
const stateFixture = perFile(() => classifyPlan(rawPlan("state-sttfstatedev"), "state-sttfstatedev", "state-sttfstatedev.json"));
let state: ReturnType<typeof stateFixture>;
beforeEach(() => {
  state = stateFixture();
});
const reviewFixture = perFile(() => renderPlanReview([dev]));
let review: ReturnType<typeof reviewFixture>;
beforeEach(() => {
  review = reviewFixture();
});

describe("plan review layout", () => {
  it("starts with the hidden marker", () => {
    expect(review.split("\n")[0]).toBe(MARKER);
    expect(MARKER).toBe("<!-- plan-review -->");
  });

  it("heads each stack with Terraform's summary line and sorts stacks by name", () => {
    const all = renderPlanReview([state, prod, dev]);
    const headings = all.split("\n").filter((l) => l.startsWith("### "));
    expect(headings).toEqual([
      "### `serving-dev`: Plan: 2 to import, 6 to add, 5 to change, 6 to destroy, 1 to forget.",
      "### `serving-prod`: Plan: 4 to add, 0 to change, 0 to destroy.",
      "### `state-sttfstatedev`: No changes.",
    ]);
    expect(all).toContain("| `serving-dev` | Plan: 2 to import, 6 to add, 5 to change, 6 to destroy, 1 to forget. | ⚠️ 6 |");
    expect(all).toContain("| `serving-prod` | Plan: 4 to add, 0 to change, 0 to destroy. | none |");
    expect(stackSection(all, "state-sttfstatedev")).toContain("Your infrastructure matches the configuration.");
  });

  it("puts destructive changes first, then updates, then creates", () => {
    const warning = review.indexOf("> [!WARNING]");
    const updates = review.indexOf("#### Updated in place (5)");
    const creates = review.indexOf("#### Created (2)");
    expect(warning).toBeGreaterThan(0);
    expect(warning).toBeLessThan(updates);
    expect(updates).toBeLessThan(creates);
  });

  it("lists every delete and replace in the warning block, with action_reason and replace_paths", () => {
    const block = alertBlock(review, "WARNING");
    expect(block[0]).toBe("**6 destructive changes**. Check that each one is intended.");
    const items = block.filter((l) => l.startsWith("- **"));
    expect(items).toEqual([
      "- **replace (create, then destroy)** `terraform_data.endpoint`",
      '- **destroy** `terraform_data.models["legacy"]`',
      "- **destroy** `terraform_data.storage`",
      "- **replace (destroy, then create)** `terraform_data.tainted`",
      "- **replace (destroy, then create)** `terraform_data.triggered`",
      "- **replace (destroy, then create)** `terraform_data.workspace`",
    ]);
    const workspace = block.slice(block.indexOf("- **replace (destroy, then create)** `terraform_data.workspace`"));
    expect(workspace).toContain("  - reason: `replace_because_cannot_update`: an attribute that cannot be updated in place changed");
    expect(workspace).toContain("  - forces replacement: `triggers_replace`");
    expect(workspace).toContain('  - `triggers_replace[0]`: `"westeurope"` → `"northeurope"`');
    expect(block).toContain("  - reason: `replace_because_tainted`: the object is tainted (a previous apply failed part-way)");
    expect(block).toContain("  - reason: `replace_by_triggers`: a resource in replace_triggered_by changed");
    expect(block).toContain("  - reason: `delete_because_each_key`: the key is no longer in for_each");
  });

  it("shows updates as changed attribute paths with before → after", () => {
    const section = review.slice(review.indexOf("#### Updated in place"), review.indexOf("#### Created"));
    expect(section).toContain("- `terraform_data.cluster`\n  - `input.max_node_count`: `6` → `8`\n");
    expect(section).toContain('- `input.region`: `"westeurope"` → `"northeurope"`');
    expect(section).not.toContain("min_node_count`:");
  });

  it("lists creates", () => {
    const section = review.slice(review.indexOf("#### Created"), review.indexOf("#### Moved"));
    expect(section.split("\n").filter((l) => l.startsWith("- "))).toEqual(["- `terraform_data.fresh`", '- `terraform_data.models["churn"]`']);
  });

  it("collapses no-op resources in <details>", () => {
    expect(review).toContain('<details><summary>Unchanged (2)</summary>\n\n- `terraform_data.keep`\n- `terraform_data.models["fraud"]`\n\n</details>');
  });

  it("flags moves and imports, including those with no other change", () => {
    expect(review).toContain("#### Moved and imported (3)");
    expect(review).toContain("- moved: `terraform_data.old_identity` → `terraform_data.identity` (no other change)");
    expect(review).toContain("- imported: `terraform_data.adopted_as_is` from ID `adopted-002` (no other change)");
    expect(review).toContain("- imported: `terraform_data.adopted` from ID `adopted-001` (and update in place: see above)");
    expect(review).toContain("- `terraform_data.adopted` · imported from ID `adopted-001`");
  });

  it("lists forgotten resources apart from destroyed ones", () => {
    const forgotten = review.slice(review.indexOf("#### Forgotten (1)"));
    expect(alertBlock(forgotten, "NOTE")[0]).toMatch(/^Terraform stops managing these objects but does not destroy them/);
    expect(forgotten).toContain("- `terraform_data.forgotten`: `delete_because_no_resource_config`");
    expect(alertBlock(review, "WARNING").join("\n")).not.toContain("forgotten");
  });

  it("collapses data source reads", () => {
    expect(review).toContain(
      "<details><summary>Data sources read during apply (1)</summary>\n\n- `data.terraform_remote_state.shared`: `read_because_config_unknown`",
    );
  });

  it("lists output changes, leaving unchanged outputs out", () => {
    const outputs = review.slice(review.indexOf("#### Output changes (5)"));
    expect(outputs).toContain("- `fresh_id` (new): (known after apply)");
    expect(outputs).toContain('- `retired` (removed): was `"going away"`');
    expect(outputs).toContain('- `scoring_uri`: `"https://old.example.org/score"` → `"https://new.example.org/score"`');
    expect(outputs).toContain("- `settings`:\n  - `settings.replicas`: `2` → `3`");
    expect(outputs).not.toContain("`unchanged`");
  });

  it("is deterministic", () => {
    expect(renderPlanReview([prod, dev])).toBe(renderPlanReview([dev, prod]));
  });
});

describe("--synth-dir", () => {
  const synthFixture = perFile(() => readSynthDir(path.join(SYNTH, "plans")));
  let synth: ReturnType<typeof synthFixture>;
  beforeEach(() => {
    synth = synthFixture();
  });
  const withSynthFixture = perFile(() => renderPlanReview([dev, prod], { synth }));
  let withSynth: ReturnType<typeof withSynthFixture>;
  beforeEach(() => {
    withSynth = withSynthFixture();
  });

  it("shows each resource's construct path", () => {
    expect(withSynth).toContain("- `terraform_data.cluster` · construct `serving-dev/compute/cluster`\n");
    expect(withSynth).toContain("- `terraform_data.replica[0]` · construct `serving-prod/serving/replica`");
    expect(withSynth).toContain("- `data.terraform_remote_state.shared` · construct `serving-dev/shared/state`");
  });

  it("shows guardrail findings and waivers, open errors first", () => {
    const section = stackSection(withSynth, "serving-dev");
    const table = section.slice(section.indexOf("#### Guardrails (2 findings, 1 waiver)"));
    const rows = table.split("\n").filter((l) => l.startsWith("| 🛑") || l.startsWith("| ⚠️"));
    expect(rows).toEqual([
      "| 🛑 error | `endpoint-public-access` | `serving-dev/serving/endpoint` | public\\_network\\_access is Enabled \\| expected Disabled | **open** |",
      "| ⚠️ warning | `stateful-lock` | `serving-dev/ml/workspace` | Stateful resource has no CanNotDelete management lock | waived: dev is rebuilt nightly |",
    ]);
    expect(table).toContain("Waivers:\n\n- `stateful-lock`: dev is rebuilt nightly");
  });

  it("puts a destroyed resource's guardrail findings next to it", () => {
    expect(alertBlock(withSynth, "WARNING")).toContain(
      "  - guardrail `stateful-lock` (warning, waived: dev is rebuilt nightly): Stateful resource has no CanNotDelete management lock",
    );
  });

  it("says when a stack has no guardrail record or no synthesized stack", () => {
    expect(stackSection(withSynth, "serving-prod")).toContain("_No guardrail record in the synthesized stack._");
    const missing = renderPlanReview([{ ...prod, stack: "serving-qa" }], { synth });
    expect(missing).toContain("_No synthesized stack `serving-qa` in the --synth-dir folder: construct paths and guardrails are not shown._");
  });

  it("does not look up resources inside modules", () => {
    const json = loadPlanJson("serving-dev");
    const rc = resourceChange(json, "terraform_data.cluster");
    rc["module_address"] = "module.inner";
    rc["address"] = "module.inner.terraform_data.cluster";
    const text = renderPlanReview([classify(json)], { synth });
    expect(text).toContain("- `module.inner.terraform_data.cluster`\n");
  });
});

describe("hand-written plans derived from the fixtures", () => {
  it("shows drift in a collapsed block", () => {
    const json = loadPlanJson("serving-dev");
    const drifted = structuredClone(resourceChange(json, "terraform_data.keep"));
    drifted["change"]["actions"] = ["update"];
    drifted["change"]["after"]["input"] = "edited in the portal";
    json["resource_drift"] = [drifted];
    const text = renderPlanReview([classify(json)]);
    expect(text).toContain(
      '<details><summary>Changed outside Terraform since the last apply (1)</summary>\n\n- `terraform_data.keep` (changed)\n  - `input`: `"unchanged"` → `"edited in the portal"`',
    );
  });

  it("warns about an errored plan", () => {
    const json = loadPlanJson("serving-prod");
    json["errored"] = true;
    expect(alertBlock(renderPlanReview([classify(json, "serving-prod")]), "CAUTION")).toEqual([
      "Terraform reported errors while planning: this plan is incomplete and cannot be applied.",
    ]);
  });

  it("notes deferred changes of a complete-but-partial plan, and only then", () => {
    const deferred = loadPlanJson("serving-prod");
    deferred["complete"] = false;
    const text = renderPlanReview([classify(deferred, "serving-prod")]);
    expect(alertBlock(text, "NOTE")).toEqual(["Terraform deferred some changes: another plan and apply will be needed after this one."]);
    expect(text).not.toContain("[!CAUTION]");

    const complete = loadPlanJson("serving-prod");
    complete["complete"] = true;
    expect(renderPlanReview([classify(complete, "serving-prod")])).not.toContain("deferred");

    // An errored plan is incomplete too; the error says more than the deferral.
    const errored = loadPlanJson("serving-prod");
    errored["complete"] = false;
    errored["errored"] = true;
    const erroredText = renderPlanReview([classify(errored, "serving-prod")]);
    expect(erroredText).toContain("[!CAUTION]");
    expect(erroredText).not.toContain("deferred");
  });

  it("adds a --note under the title, escaped", () => {
    expect(alertBlock(renderPlanReview([prod], { note: "planning <failed> for serving-qa" }), "CAUTION")).toEqual([
      "planning &lt;failed&gt; for serving-qa",
    ]);
  });

  it("puts an action list it does not know in the warning block", () => {
    const json = loadPlanJson("serving-dev");
    resourceChange(json, "terraform_data.cluster")["change"]["actions"] = ["update", "delete"];
    const block = alertBlock(renderPlanReview([classify(json)]), "WARNING");
    expect(block[0]).toBe("**7 destructive changes**. Check that each one is intended.");
    expect(block).toContain("- **unrecognised actions \\[update, delete\\]** `terraform_data.cluster`");
    expect(block).toContain("  - `input.max_node_count`: `6` → `8`");
  });

  it("shows a deposed object being destroyed", () => {
    const json = loadPlanJson("serving-dev");
    const rc = resourceChange(json, "terraform_data.storage");
    rc["deposed"] = "00000001";
    expect(alertBlock(renderPlanReview([classify(json)]), "WARNING")).toContain("- **destroy** `terraform_data.storage` (deposed object `00000001`)");
  });
});

describe("truncation", () => {
  /** serving-dev with `copies` extra updated resources carrying long values. */
  function bigPlan(copies: number, valueLength: number) {
    const json = loadPlanJson("serving-dev");
    const template = resourceChange(json, "terraform_data.cluster");
    for (let i = 0; i < copies; i++) {
      const rc = structuredClone(template);
      rc["address"] = `terraform_data.bulk_${String(i).padStart(5, "0")}`;
      rc["name"] = `bulk_${String(i).padStart(5, "0")}`;
      rc["change"]["after"]["input"]["vm_size"] = `Standard_${"x".repeat(valueLength)}_${i}`;
      json["resource_changes"].push(rc);
    }
    return classify(json);
  }

  it("keeps a plan that fits untouched", () => {
    expect(review.length).toBeLessThan(GITHUB_COMMENT_LIMIT);
    expect(review).not.toContain("Review truncated");
    expect(review).not.toContain("Attribute-level detail was left out");
  });

  it("first drops attribute detail when that is enough to fit", () => {
    const text = renderPlanReview([bigPlan(400, 100)]);
    expect(text.length).toBeLessThanOrEqual(65_000);
    expect(text.startsWith(`${MARKER}\n`)).toBe(true);
    expect(text).toContain("Attribute-level detail was left out so the review fits in one GitHub comment");
    expect(text).toContain("- `terraform_data.bulk_00399`");
    expect(text).not.toContain("`input.vm_size`");
    expect(text).not.toContain("Review truncated");
  });

  it("cuts a review over 65,536 characters with a note, under the limit, keeping the marker", () => {
    const big = bigPlan(3000, 10);
    expect(renderPlanReview([big], { maxChars: 10_000_000 }).length).toBeGreaterThan(3 * GITHUB_COMMENT_LIMIT);
    const text = renderPlanReview([big]);
    expect(text.length).toBeLessThan(GITHUB_COMMENT_LIMIT);
    expect(text.startsWith(`${MARKER}\n`)).toBe(true);
    expect(text).toMatch(/> \*\*Review truncated:\*\* [\d,]+ more characters did not fit in GitHub's 65,536-character comment limit\./);
    expect((text.match(/<details>/g) ?? []).length).toBe((text.match(/<\/details>/g) ?? []).length);
    // Destructive changes come first, so they survive the cut.
    expect(alertBlock(text, "WARNING")[0]).toBe("**6 destructive changes**. Check that each one is intended.");
  });

  it("honours a smaller budget and closes open <details>", () => {
    const text = truncateMarkdown(`${MARKER}\n<details><summary>x</summary>\n\n${"- line\n".repeat(2000)}</details>\n`, 3000);
    expect(text.length).toBeLessThanOrEqual(3000);
    expect(text).toMatch(/\n<\/details>\n/);
    expect(text.split("\n")[0]).toBe(MARKER);
  });
});

describe("Markdown escaping", () => {
  it("keeps code spans intact around backticks and pipes", () => {
    expect(code("a`b")).toBe("``a`b``");
    expect(code("x|y")).toBe("`x\\|y`");
    expect(esc("*bold* <b> [link](x) a|b")).toBe("\\*bold\\* &lt;b&gt; \\[link\\](x) a\\|b");
  });
});

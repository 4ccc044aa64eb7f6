import {
  code,
  esc,
  fitToLimit,
  formatValue,
  isWholeValueChange,
  quote,
  renderAttributeLines,
  renderPlanReview,
  statefulTag,
  stringify,
  truncateMarkdown,
} from "../../lib/review/markdown";
import { SENSITIVE_VALUE, UNKNOWN_VALUE } from "../../lib/review/sensitive";
import { stackPlan } from "./helpers";

// The Markdown building blocks of every review, each pinned with written-out expected text.

describe("code", () => {
  it.each([
    ["plain", "`plain`"],
    ["a`b", "``a`b``"],
    ["a``b`c", "```a``b`c```"],
    ["`start", "`` `start ``"],
    ["end`", "`` end` ``"],
    ["", "`  `"],
    ["x|y|z", "`x\\|y\\|z`"],
    ["line1\nline2\r\nline3", "`line1↵line2↵line3`"],
    ["a\rb", "`a\rb`"],
  ])("code(%p) is %p", (text, expected) => {
    expect(code(text)).toBe(expected);
  });
});

describe("esc", () => {
  it.each([
    ["a & b", "a &amp; b"],
    ["<b>x</b>", "&lt;b&gt;x&lt;/b&gt;"],
    ["a\\b", "a\\\\b"],
    ["`x`", "\\`x\\`"],
    ["*x* _y_ ~z~", "\\*x\\* \\_y\\_ \\~z\\~"],
    ["[l](u)", "\\[l\\](u)"],
    ["a|b", "a\\|b"],
    ["one\ntwo\r\nthree", "one two three"],
  ])("esc(%p) is %p", (text, expected) => {
    expect(esc(text)).toBe(expected);
  });
});

describe("stringify and formatValue", () => {
  it.each([
    [undefined, "null"],
    [null, "null"],
    [3, "3"],
    ["s", '"s"'],
    [true, "true"],
    [[1, null, "a"], '[1,null,"a"]'],
    [{ b: 1, a: { d: 2, c: [3] } }, '{"a":{"c":[3],"d":2},"b":1}'],
    [{ k: SENSITIVE_VALUE }, '{"k":(sensitive value)}'],
    [[UNKNOWN_VALUE], "[(known after apply)]"],
    [SENSITIVE_VALUE, "(sensitive value)"],
    [() => 1, "null"],
  ])("stringify(%p) is %p", (value, expected) => {
    expect(stringify(value)).toBe(expected);
  });

  it("formats a placeholder as plain text and anything else as code", () => {
    expect(formatValue(SENSITIVE_VALUE)).toBe("(sensitive value)");
    expect(formatValue(UNKNOWN_VALUE)).toBe("(known after apply)");
    expect(formatValue("x")).toBe('`"x"`');
    expect(formatValue(undefined)).toBe("`null`");
  });

  it("cuts a value longer than its budget with an ellipsis, and keeps one that fits exactly", () => {
    expect(formatValue("abcdefgh", 10)).toBe('`"abcdefgh"`');
    expect(formatValue("abcdefghi", 10)).toBe('`"abcdefgh…`');
    // The default budget is 160 characters of JSON text.
    expect(formatValue("x".repeat(158))).toBe(`\`"${"x".repeat(158)}"\``);
    expect(formatValue("x".repeat(159))).toBe(`\`"${"x".repeat(158)}…\``);
  });
});

describe("renderAttributeLines", () => {
  it("one line per change with its full path, the whole value named when the path is empty", () => {
    expect(
      renderAttributeLines(
        [
          { path: ["a", 0, "b"], before: 1, after: 2 },
          { path: [], before: "x", after: SENSITIVE_VALUE },
        ],
        "  ",
        ["out"],
      ),
    ).toEqual(["  - `out.a[0].b`: `1` → `2`", '  - `out`: `"x"` → (sensitive value)']);
    expect(renderAttributeLines([{ path: [], before: 1, after: 2 }], "")).toEqual(["- `(whole value)`: `1` → `2`"]);
  });

  it("lists 30 changes, then says how many more", () => {
    const changes = (n: number) => Array.from({ length: n }, (_, i) => ({ path: [`k${i}`], before: i, after: i + 1 }));
    expect(renderAttributeLines(changes(30), "")).toHaveLength(30);
    const lines = renderAttributeLines(changes(33), "  ");
    expect(lines).toHaveLength(31);
    expect(lines[29]).toBe("  - `k29`: `29` → `30`");
    expect(lines[30]).toBe("  - … and 3 more changed attributes");
  });
});

describe("small helpers", () => {
  it("isWholeValueChange: exactly one change, at the root", () => {
    expect(isWholeValueChange([{ path: [], before: 1, after: 2 }])).toBe(true);
    expect(isWholeValueChange([{ path: ["a"], before: 1, after: 2 }])).toBe(false);
    expect(isWholeValueChange([])).toBe(false);
    expect(
      isWholeValueChange([
        { path: [], before: 1, after: 2 },
        { path: [], before: 1, after: 2 },
      ]),
    ).toBe(false);
  });

  it("statefulTag names what is lost, escaped, and is empty for a stateless resource", () => {
    expect(statefulTag({ label: "key_vault", risk: "holds *secrets*" })).toBe(" · **key\\_vault** (holds \\*secrets\\*)");
    expect(statefulTag(undefined)).toBe("");
  });

  it("quote prefixes each line and turns blank lines into a bare >", () => {
    expect(quote(["a", "", "b"])).toEqual(["> a", ">", "> b"]);
  });
});

describe("fitToLimit and truncateMarkdown", () => {
  const build = (full: string, compact: string) => (detail: "full" | "compact") => (detail === "full" ? full : compact);

  it("keeps the full text when it fits exactly, else the compact one when it fits exactly", () => {
    expect(fitToLimit(build("12345", "123"), 5)).toBe("12345");
    expect(fitToLimit(build("123456", "123"), 5)).toBe("123");
    expect(fitToLimit(build("123456", "12345"), 5)).toBe("12345");
  });

  it("cuts at a line boundary, closes open <details> and says how much was left out", () => {
    // 21 + 30 + 1 characters of head, then 200 lines of 7 and the closing tag: 1,463 characters.
    const text = `<!-- plan-review -->\n<details><summary>x</summary>\n\n${"- line\n".repeat(200)}</details>\n`;
    const cut = truncateMarkdown(text, 1200);
    // The budget keeps room for the note and for closing 20 open <details>: 103 lines fit, cut after the 103rd.
    expect(cut.split("\n").filter((l) => l === "- line")).toHaveLength(103);
    expect(cut.startsWith("<!-- plan-review -->\n<details><summary>x</summary>\n\n- line\n")).toBe(true);
    expect(
      cut.endsWith(
        "- line\n- line\n\n</details>\n\n> [!CAUTION]\n" +
          "> **Review truncated:** 691 more characters did not fit in GitHub's 65,536-character comment limit.\n" +
          "> Run `npm run plan-review` on the plan JSON, or read the workflow log, for the rest.\n",
      ),
    ).toBe(true);
    expect(cut).toHaveLength(985);
  });

  it("closes no <details> that were already closed", () => {
    const text = `<!-- plan-review -->\n<details><summary>x</summary>\n\n- a\n\n</details>\n${"- more\n".repeat(400)}`;
    const cut = truncateMarkdown(text, 1500);
    expect(cut.match(/<\/details>/g)).toHaveLength(1);
    expect(cut).toContain("- more\n\n\n> [!CAUTION]\n");
  });

  it("with no room for any line, keeps the marker and the note", () => {
    const cut = truncateMarkdown(`<!-- plan-review -->\n${"x".repeat(5000)}\n`, 400);
    expect(cut).toBe(
      "<!-- plan-review -->\n\n> [!CAUTION]\n> **Review truncated:** 5,022 more characters did not fit in GitHub's 65,536-character comment limit.\n" +
        "> Run `npm run plan-review` on the plan JSON, or read the workflow log, for the rest.\n",
    );
  });

  it("when even the note does not fit, returns the marker and as much of the note as fits", () => {
    const cut = truncateMarkdown(`<!-- plan-review -->\n${"x".repeat(5000)}\n`, 60);
    expect(cut).toBe("<!-- plan-review -->\n\n> [!CAUTION]\n> **Review truncated:** 5");
  });
});

describe("whole reviews, written out", () => {
  it("a plan with no changes: no section at all", () => {
    expect(renderPlanReview([stackPlan("serving-dev", { terraformVersion: "1.11.4" })])).toBe(
      [
        "<!-- plan-review -->",
        "## Terraform plan review",
        "",
        "### `serving-dev`: No changes.",
        "",
        "Your infrastructure matches the configuration.",
        "",
        "<sub>plan-review · Terraform 1.11.4 · from `terraform show -json` · sensitive values masked</sub>",
        "",
      ].join("\n"),
    );
  });

  it("a deferred plan with one unchanged resource and no synth", () => {
    const plan = stackPlan("serving-dev", {
      complete: false,
      resources: [
        {
          address: "azurerm_resource_group.rg",
          mode: "managed",
          type: "azurerm_resource_group",
          name: "rg",
          actions: ["no-op"],
          kind: "no-op",
          label: "no change",
          replacePaths: [],
          importing: false,
          attributes: [],
        },
      ],
    });
    expect(renderPlanReview([plan]).split("\n")).toEqual([
      "<!-- plan-review -->",
      "## Terraform plan review",
      "",
      "### `serving-dev`: No changes.",
      "",
      "> [!NOTE]",
      "> Terraform deferred some changes: another plan and apply will be needed after this one.",
      "",
      "Your infrastructure matches the configuration.",
      "",
      "<details><summary>Unchanged (1)</summary>",
      "",
      "- `azurerm_resource_group.rg`",
      "",
      "</details>",
      "",
      "<sub>plan-review · from `terraform show -json` · sensitive values masked</sub>",
      "",
    ]);
  });

  it("a stack missing from the synth folder says so, and gets no guardrail table", () => {
    const text = renderPlanReview([stackPlan("serving-dev")], { synth: new Map() });
    expect(text).toContain("\n_No synthesized stack `serving-dev` in the --synth-dir folder: construct paths and guardrails are not shown._\n\n");
    expect(text).not.toContain("Guardrails");
    expect(renderPlanReview([stackPlan("serving-dev")])).not.toContain("No synthesized stack");
  });
});

import { diffValues, formatPath } from "../../lib/review/diff";
import { renderPlanReview } from "../../lib/review/markdown";
import { classifyPlan, parsePlanJson, redactPlan, sensitiveStringsOf } from "../../lib/review/plan";
import { redact, SecretSet, SENSITIVE_VALUE, UNKNOWN_VALUE } from "../../lib/review/sensitive";
import { classify, loadPlanJson, rawPlan, resourceChange } from "./helpers";
import { perFile } from "../helpers/shared";

describe("redact", () => {
  it("masks nested sensitive map keys and list items", () => {
    const value = { region: "westeurope", hosts: ["public", "token-123"], creds: { user: "u", password: "p" } };
    const mask = { hosts: [false, true], creds: { password: true } };
    expect(redact(value, mask)).toEqual({
      creds: { password: SENSITIVE_VALUE, user: "u" },
      hosts: ["public", SENSITIVE_VALUE],
      region: "westeurope",
    });
  });

  it("masks a whole value marked true, whatever its shape", () => {
    expect(redact({ a: ["x"] }, true)).toBe(SENSITIVE_VALUE);
    expect(redact("plain", false)).toBe("plain");
  });

  it("fills in unknown values that the plan leaves out", () => {
    expect(redact({ known: "k" }, {}, { later: true })).toEqual({ known: "k", later: UNKNOWN_VALUE });
    expect(redact(null, undefined, { config: { path: true } })).toEqual({ config: { path: UNKNOWN_VALUE } });
  });
});

describe("diffValues with masks", () => {
  it("reports a sensitive leaf without its values and an unknown one as known after apply", () => {
    const changes = diffValues(
      { api_key: "old-secret", region: "a", later: "x" },
      { api_key: "new-secret", region: "b" },
      { beforeSensitive: { api_key: true }, afterSensitive: { api_key: true }, afterUnknown: { later: true } },
    );
    expect(changes.map((c) => [formatPath(c.path), c.before, c.after])).toEqual([
      ["api_key", SENSITIVE_VALUE, SENSITIVE_VALUE],
      ["later", "x", UNKNOWN_VALUE],
      ["region", "a", "b"],
    ]);
  });

  it("reports a value that only became sensitive", () => {
    const [change] = diffValues({ k: "same" }, { k: "same" }, { afterSensitive: { k: true } });
    expect(change).toEqual({ path: ["k"], before: "same", after: SENSITIVE_VALUE });
  });

  it("formats paths like Terraform", () => {
    expect(formatPath(["scale_settings", 0, "max_node_count"])).toBe("scale_settings[0].max_node_count");
    expect(formatPath(["tags", "cost.center"])).toBe('tags["cost.center"]');
  });
});

describe("SecretSet", () => {
  it("masks exact matches of any length, and embedded secrets of six characters or more", () => {
    const secrets = new SecretSet(["abc", "hunter22"]);
    expect(secrets.mask("abc")).toBe(SENSITIVE_VALUE);
    expect(secrets.mask("xabcx")).toBe("xabcx");
    expect(secrets.mask({ conn: "Password=hunter22;Host=db" })).toEqual({ conn: "Password=(sensitive value);Host=db" });
  });

  it("the embedded-secret floor is exactly six characters: five are matched whole only, six anywhere", () => {
    const secrets = new SecretSet(["s3cr3", "s3cr3t", ""]);
    expect(secrets.size).toBe(2);
    expect(secrets.mask("s3cr3")).toBe(SENSITIVE_VALUE);
    expect(secrets.scrub("key=s3cr3;")).toBe("key=s3cr3;");
    expect(secrets.scrub("key=s3cr3t;")).toBe("key=(sensitive value);");
    expect(secrets.mask(["s3cr3t", { deep: ["x-s3cr3t-x"] }, 8, true])).toEqual([SENSITIVE_VALUE, { deep: ["x-(sensitive value)-x"] }, 8, true]);
  });

  it("replaces a secret that contains another one whole, whatever order they were given in", () => {
    for (const order of [["abcdef", "abcdefgh"], ["abcdefgh", "abcdef"]]) {
      expect(new SecretSet(order).scrub("x abcdefgh y abcdef z")).toBe("x (sensitive value) y (sensitive value) z");
    }
  });
});

describe("sensitive values in the real serving-dev plan", () => {
  const planFixture = perFile(() => rawPlan("serving-dev"));
  let plan: ReturnType<typeof planFixture>;
  beforeEach(() => {
    plan = planFixture();
  });
  const reviewFixture = perFile(() => renderPlanReview([classifyPlan(plan, "serving-dev", "serving-dev.json")]));
  let review: ReturnType<typeof reviewFixture>;
  beforeEach(() => {
    review = reviewFixture();
  });

  it("has secrets in clear text in the plan JSON itself (the reason for masking)", () => {
    expect(JSON.stringify(plan)).toContain("SECRET-whole-v1");
    expect(sensitiveStringsOf(plan)).toEqual(
      new Set(["SECRET-api-key-v1", "SECRET-api-key-v2", "SECRET-host-token", "SECRET-whole-v1", "SECRET-whole-v2", "SECRET-output-v1", "SECRET-output-v2"]),
    );
  });

  it("never prints a sensitive value", () => {
    expect(review).not.toContain("SECRET-");
  });

  it("masks nested map keys, list items and whole values", () => {
    expect(review).toContain("- `input.api_key`: (sensitive value) → (sensitive value)");
    expect(review).toContain(
      '- `output`: `{"api_key":(sensitive value),"hosts":["public.example.org",(sensitive value)],"region":"westeurope"}` → (known after apply)',
    );
    expect(review).toContain("- `input`: (sensitive value) → (sensitive value)");
  });

  it("masks a copy Terraform itself prints: terraform_data echoes the whole-value secret into unmarked `output`", () => {
    const whole = resourceChange(loadPlanJson("serving-dev"), "terraform_data.whole");
    expect(whole["before_sensitive"]).toBeUndefined();
    expect(whole["change"]["before_sensitive"]).toEqual({ input: true });
    expect(whole["change"]["before"]["output"]).toBe("SECRET-whole-v1");
    expect(review).toContain("- `output`: (sensitive value) → (known after apply)");
  });

  it("masks unknown values as known after apply", () => {
    expect(review).toContain('- `input.later`: `"old-id"` → (known after apply)');
  });

  it("masks sensitive outputs", () => {
    expect(review).toContain("- `api_key`: (sensitive value) → (sensitive value)");
    const prod = renderPlanReview([classifyPlan(rawPlan("serving-prod"), "serving-prod", "x")]);
    expect(prod).toContain("- `client_secret` (new): (sensitive value)");
    expect(prod).not.toContain("SECRET-");
  });

  it("masks by value across stacks when given one SecretSet", () => {
    // serving-prod reads a serving-dev secret (say through remote state) into an unmarked output.
    const json = loadPlanJson("serving-prod");
    json["output_changes"]["dev_key"] = {
      actions: ["create"],
      before: null,
      after: "key=SECRET-api-key-v1",
      after_unknown: false,
      before_sensitive: false,
      after_sensitive: false,
    };
    expect(renderPlanReview([classify(json, "serving-prod")])).toContain("- `dev_key` (new): `\"key=SECRET-api-key-v1\"`");
    const shared = new SecretSet(sensitiveStringsOf(plan));
    const prod = classifyPlan(parsePlanJson(JSON.stringify(json), "p"), "serving-prod", "p", shared);
    expect(renderPlanReview([prod], { secrets: shared })).toContain("- `dev_key` (new): `\"key=(sensitive value)\"`");
  });
});

describe("redactPlan", () => {
  const redactedFixture = perFile(() => redactPlan(rawPlan("serving-dev")));
  let redacted: ReturnType<typeof redactedFixture>;
  beforeEach(() => {
    redacted = redactedFixture();
  });

  it("drops every secret, prior state and variables", () => {
    const text = JSON.stringify(redacted);
    expect(text).not.toContain("SECRET-");
    expect(Object.keys(redacted).sort()).toEqual(["applyable", "complete", "errored", "format_version", "output_changes", "resource_changes", "terraform_version"]);
  });

  it("keeps the masks, so the review of the redacted plan is the same text", () => {
    const original = renderPlanReview([classifyPlan(rawPlan("serving-dev"), "serving-dev", "a")]);
    expect(renderPlanReview([classify(redacted, "serving-dev")])).toBe(original);
  });
});

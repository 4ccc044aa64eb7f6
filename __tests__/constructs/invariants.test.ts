import { PropsChecker, PropsError } from "../../lib/constructs/invariants";

/** The error `check` throws, or fails the test if it throws none. */
function errorOf(check: PropsChecker): PropsError {
  try {
    check.throwIfInvalid();
  } catch (error) {
    expect(error).toBeInstanceOf(PropsError);
    return error as PropsError;
  }
  throw new Error("expected a PropsError");
}

describe("PropsChecker", () => {
  test("collects every problem and throws them as one error, one line each, in order", () => {
    const error = errorOf(
      new PropsChecker("Widget")
        .wholeNumber("count", 0, 1, 5)
        .that(false, "name", "must be short", "a-very-long-name")
        .wholeNumber("size", 2, 1, 5)
        .positiveDuration("idle", "PT-5M"),
    );
    expect(error.name).toBe("PropsError");
    expect(error.construct).toBe("Widget");
    expect(error.message).toBe(
      [
        "Widget: count: must be a whole number from 1 to 5 (got 0)",
        'Widget: name: must be short (got "a-very-long-name")',
        'Widget: idle: must be an ISO-8601 duration longer than zero, such as PT2M (got "PT-5M")',
      ].join("\n"),
    );
    expect(error.problems).toEqual([
      { field: "count", rule: "must be a whole number from 1 to 5", value: 0 },
      { field: "name", rule: "must be short", value: "a-very-long-name" },
      { field: "idle", rule: "must be an ISO-8601 duration longer than zero, such as PT2M", value: "PT-5M" },
    ]);
  });

  test("throws nothing when every check passes", () => {
    expect(() => new PropsChecker("Widget").wholeNumber("count", 3, 1, 5).that(true, "x", "rule", 1).throwIfInvalid()).not.toThrow();
  });

  test.each([
    [1, true],
    [5, true],
    [0, false],
    [6, false],
    [2.5, false],
    [Number.NaN, false],
  ])("wholeNumber from 1 to 5: %p is accepted: %p", (value, ok) => {
    const check = new PropsChecker("W").wholeNumber("n", value, 1, 5);
    if (ok) expect(() => check.throwIfInvalid()).not.toThrow();
    else expect(() => check.throwIfInvalid()).toThrow(/^W: n: must be a whole number from 1 to 5 \(got /);
  });

  test("wholeNumber without a maximum: only the floor", () => {
    expect(() => new PropsChecker("W").wholeNumber("n", 1e9, -1).throwIfInvalid()).not.toThrow();
    expect(() => new PropsChecker("W").wholeNumber("n", -1, -1).throwIfInvalid()).not.toThrow();
    expect(() => new PropsChecker("W").wholeNumber("n", -2, -1).throwIfInvalid()).toThrow("W: n: must be a whole number >= -1 (got -2)");
  });

  test("optionalWholeNumber skips undefined and checks anything else", () => {
    expect(() => new PropsChecker("W").optionalWholeNumber("n", undefined, 1, 5).throwIfInvalid()).not.toThrow();
    expect(() => new PropsChecker("W").optionalWholeNumber("n", 0, 1, 5).throwIfInvalid()).toThrow("W: n: must be a whole number from 1 to 5 (got 0)");
  });

  test.each([
    ["PT2M", true],
    ["PT1S", true],
    ["P1D", true],
    ["PT0S", false],
    ["PT0M", false],
    ["PT-5M", false],
    ["5m", false],
    ["P", false],
  ])("positiveDuration: %s is accepted: %p", (value, ok) => {
    const check = new PropsChecker("W").positiveDuration("d", value);
    if (ok) expect(() => check.throwIfInvalid()).not.toThrow();
    else expect(() => check.throwIfInvalid()).toThrow(`W: d: must be an ISO-8601 duration longer than zero, such as PT2M (got "${value}")`);
  });
});

describe("PropsError", () => {
  test("a single problem, the way constructs that throw directly report it", () => {
    const error = new PropsError("StateStorage", "principalId", "must be a literal object id, not a token", "${TfToken[TOKEN.1]}");
    expect(error.message).toBe('StateStorage: principalId: must be a literal object id, not a token (got "${TfToken[TOKEN.1]}")');
    expect(error.problems).toEqual([{ field: "principalId", rule: "must be a literal object id, not a token", value: "${TfToken[TOKEN.1]}" }]);
  });

  test("a problem without a value has no (got ...) part", () => {
    expect(new PropsError("OnlineDeployment", "environmentId", "is required when code is given", undefined).message).toBe(
      "OnlineDeployment: environmentId: is required when code is given",
    );
  });
});

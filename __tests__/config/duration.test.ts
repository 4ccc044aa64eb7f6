import { canonicalIsoDuration, isoDurationSeconds, minutesToIsoDuration, msToIsoDuration, secondsToIsoDuration } from "../../lib/config/duration";

// Expected values are Python's isodate.duration_isoformat(timedelta(...)), which the azure-ai-ml SDK sends.
describe("durations in the form az ml sends", () => {
  test.each([
    [90, "PT1M30S"],
    [300, "PT5M"],
    [5, "PT5S"],
    [3600, "PT1H"],
    [3661, "PT1H1M1S"],
    [86400, "P1D"],
    [90000, "P1DT1H"],
    [0, "P0D"],
    [0.5, "PT0.5S"],
    [60.25, "PT1M0.25S"],
  ])("%s s → %s", (seconds, iso) => {
    expect(secondsToIsoDuration(seconds)).toBe(iso);
  });

  test.each([
    [60000, "PT1M"],
    [5000, "PT5S"],
    [1500, "PT1.5S"],
    [180000, "PT3M"],
    [1, "PT0.001S"],
  ])("%s ms → %s", (ms, iso) => {
    expect(msToIsoDuration(ms)).toBe(iso);
  });

  test("minutes: 5 → PT5M, 90 → PT1H30M", () => {
    expect(minutesToIsoDuration(5)).toBe("PT5M");
    expect(minutesToIsoDuration(90)).toBe("PT1H30M");
  });

  test.each([-1, Number.NaN, Number.POSITIVE_INFINITY])("refuses %s", (ms) => {
    expect(() => msToIsoDuration(ms)).toThrow(`a duration must be a finite number of milliseconds >= 0 (got ${ms})`);
  });

  test("rewrites a written duration in canonical form, and leaves a non-duration alone", () => {
    expect(canonicalIsoDuration("PT120S")).toBe("PT2M");
    expect(canonicalIsoDuration("PT90M")).toBe("PT1H30M");
    expect(canonicalIsoDuration("P1W")).toBe("P7D");
    expect(canonicalIsoDuration("PT2M")).toBe("PT2M");
    expect(canonicalIsoDuration("2 minutes")).toBeUndefined();
    expect(isoDurationSeconds("PT1H1M1.5S")).toBe(3661.5);
  });

  test.each([
    ["P12W", 12 * 604800],
    ["P10D", 10 * 86400],
    ["P2DT3H", 2 * 86400 + 3 * 3600],
    ["PT12H", 12 * 3600],
    ["PT15M", 900],
    ["PT1.25S", 1.25],
    ["PT0.5S", 0.5],
  ])("reads %s as %p seconds", (value, seconds) => {
    expect(isoDurationSeconds(value)).toBe(seconds);
  });

  test.each(["P", "PT", "xPT1M", "PT1M ", "P1Y", "PT-5M", "PDT1H", "PT1.S"])("%p is not a duration it takes", (value) => {
    expect(isoDurationSeconds(value)).toBeUndefined();
  });
});

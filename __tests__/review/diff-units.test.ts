/** Unit tests of lib/review/diff.ts: structural equality, attribute diffs under Terraform's masks, and path text. */

import { deepEqual, diffValues, formatPath } from "../../lib/review/diff";
import { Masked, SENSITIVE_VALUE, UNKNOWN_VALUE } from "../../lib/review/sensitive";

describe("deepEqual", () => {
  it("treats a missing value as equal to null, on either side", () => {
    expect(deepEqual(undefined, null)).toBe(true);
    expect(deepEqual(null, undefined)).toBe(true);
    expect(deepEqual(undefined, undefined)).toBe(true);
  });

  it("never treats a masked placeholder as equal to a value or another placeholder", () => {
    expect(deepEqual(SENSITIVE_VALUE, "(sensitive value)")).toBe(false);
    expect(deepEqual("(known after apply)", UNKNOWN_VALUE)).toBe(false);
    expect(deepEqual(SENSITIVE_VALUE, UNKNOWN_VALUE)).toBe(false);
    expect(deepEqual(new Masked("x"), new Masked("x"))).toBe(false);
    expect(deepEqual(SENSITIVE_VALUE, SENSITIVE_VALUE)).toBe(true);
  });

  it("compares lists item by item", () => {
    expect(deepEqual([], [])).toBe(true);
    expect(deepEqual(["a", 1], ["a", 1])).toBe(true);
    expect(deepEqual([["x"], { k: "v" }], [["x"], { k: "v" }])).toBe(true);
  });

  it("tells lists apart by any differing item, not only the first", () => {
    expect(deepEqual(["a"], ["b"])).toBe(false);
    expect(deepEqual(["a", "b"], ["a", "c"])).toBe(false);
  });

  it("tells lists of different length apart even when one is a prefix of the other", () => {
    expect(deepEqual(["a"], ["a", "b"])).toBe(false);
    expect(deepEqual(["a", "b"], ["a"])).toBe(false);
  });

  it("does not treat a list as equal to a string with the same characters", () => {
    expect(deepEqual(["a"], "a")).toBe(false);
    expect(deepEqual("a", ["a"])).toBe(false);
    expect(deepEqual([], "")).toBe(false);
  });

  it("compares objects key by key", () => {
    expect(deepEqual({}, {})).toBe(true);
    expect(deepEqual({ a: 1, b: { c: "x" } }, { b: { c: "x" }, a: 1 })).toBe(true);
  });

  it("tells objects apart by a differing value or a key only one side has", () => {
    expect(deepEqual({ a: 1 }, { a: 2 })).toBe(false);
    expect(deepEqual({ a: 1 }, { a: 1, b: 2 })).toBe(false);
    expect(deepEqual({ a: 1, b: 2 }, { a: 1 })).toBe(false);
  });

  it("treats a key holding null as equal to a missing key", () => {
    expect(deepEqual({ a: 1, b: null }, { a: 1 })).toBe(true);
  });

  it("does not treat an object as equal to a list or a scalar", () => {
    expect(deepEqual({}, [])).toBe(false);
    expect(deepEqual({ a: 1 }, "x")).toBe(false);
  });
});

describe("diffValues: unknown values", () => {
  it("reports a subtree that is unknown as a whole as one change at its root", () => {
    expect(diffValues({ a: 1 }, { a: 1 }, { afterUnknown: true })).toEqual([{ path: [], before: { a: 1 }, after: UNKNOWN_VALUE }]);
  });

  it("reports an unknown attribute that neither side holds yet", () => {
    expect(diffValues({ a: 1 }, { a: 1 }, { afterUnknown: { b: true } })).toStrictEqual([{ path: ["b"], before: undefined, after: UNKNOWN_VALUE }]);
  });

  it("reports an attribute with an unknown part inside an object or list mask", () => {
    expect(diffValues({ a: 1 }, { a: 1 }, { afterUnknown: { b: { c: true } } })).toStrictEqual([
      { path: ["b"], before: undefined, after: { c: UNKNOWN_VALUE } },
    ]);
    expect(diffValues({ a: 1 }, { a: 1 }, { afterUnknown: { b: [true] } })).toStrictEqual([
      { path: ["b"], before: undefined, after: [UNKNOWN_VALUE] },
    ]);
  });

  it("reports nothing for an unknown mask that marks nothing", () => {
    expect(diffValues({ a: 1 }, { a: 1 }, { afterUnknown: { a: false, b: false, c: {} } })).toEqual([]);
  });

  it("does not add attributes for keys the unknown mask marks false, even if another mask names them", () => {
    expect(diffValues({ a: 1 }, { a: 1 }, { beforeSensitive: { b: true }, afterUnknown: { b: false } })).toEqual([]);
  });

  it("walks an object that becomes null when parts of it are unknown", () => {
    expect(diffValues({ a: 1 }, null, { afterUnknown: { b: true } })).toStrictEqual([
      { path: ["a"], before: 1, after: undefined },
      { path: ["b"], before: undefined, after: UNKNOWN_VALUE },
    ]);
  });

  it("reports an equal leaf whose unknown mask marks a nested part", () => {
    expect(diffValues(null, null, { afterUnknown: { a: true } })).toEqual([{ path: [], before: null, after: { a: UNKNOWN_VALUE } }]);
    expect(diffValues(null, null, { afterUnknown: { a: false, b: true } })).toEqual([
      { path: [], before: null, after: { b: UNKNOWN_VALUE } },
    ]);
    expect(diffValues(null, null, { afterUnknown: [false, true] })).toEqual([{ path: [], before: null, after: [undefined, UNKNOWN_VALUE] }]);
    expect(diffValues(null, null, { afterUnknown: [true] })).toEqual([{ path: [], before: null, after: [UNKNOWN_VALUE] }]);
  });

  it("reports nothing for an equal leaf whose unknown mask marks nothing", () => {
    expect(diffValues(null, null, { afterUnknown: { a: false } })).toEqual([]);
    expect(diffValues(null, null, { afterUnknown: [false, false] })).toEqual([]);
  });

  it("reports list items that only the unknown mask knows about", () => {
    expect(diffValues([], [], { afterUnknown: [false, true] })).toStrictEqual([{ path: [1], before: undefined, after: UNKNOWN_VALUE }]);
  });
});

describe("diffValues: sensitive values", () => {
  it("reports a value that stopped being sensitive, hiding only its old value", () => {
    expect(diffValues("same", "same", { beforeSensitive: true })).toEqual([{ path: [], before: SENSITIVE_VALUE, after: "same" }]);
    expect(diffValues({ k: "old" }, { k: "new" }, { beforeSensitive: { k: true } })).toEqual([
      { path: ["k"], before: SENSITIVE_VALUE, after: "new" },
    ]);
  });

  it("reports a value that became sensitive, hiding only its new value", () => {
    expect(diffValues("old", "new", { afterSensitive: true })).toEqual([{ path: [], before: "old", after: SENSITIVE_VALUE }]);
  });

  it("reports a changed sensitive value without either value", () => {
    expect(diffValues("old", "new", { beforeSensitive: true, afterSensitive: true })).toEqual([
      { path: [], before: SENSITIVE_VALUE, after: SENSITIVE_VALUE },
    ]);
  });

  it("reports nothing for a sensitive value that stayed the same", () => {
    expect(diffValues("same", "same", { beforeSensitive: true, afterSensitive: true })).toEqual([]);
    expect(diffValues({ k: "s" }, { k: "s" }, { beforeSensitive: { k: true }, afterSensitive: { k: true } })).toEqual([]);
  });
});

describe("diffValues: objects and lists", () => {
  it("reports an object replaced by a scalar as one change at its root", () => {
    expect(diffValues({ a: 1 }, "x")).toEqual([{ path: [], before: { a: 1 }, after: "x" }]);
    expect(diffValues({ a: 1 }, "x", { afterUnknown: {} })).toEqual([{ path: [], before: { a: 1 }, after: "x" }]);
  });

  it("reports an object replaced by null as one change at its root when nothing is unknown", () => {
    expect(diffValues({ a: 1 }, null)).toEqual([{ path: [], before: { a: 1 }, after: null }]);
  });

  it("reports a list replaced by a string as one change at its root", () => {
    expect(diffValues(["a"], "b")).toEqual([{ path: [], before: ["a"], after: "b" }]);
    expect(diffValues(null, ["a"])).toEqual([{ path: [], before: null, after: ["a"] }]);
  });

  it("reports items added at the end of a list by index", () => {
    expect(diffValues(["a"], ["a", "b"])).toStrictEqual([{ path: [1], before: undefined, after: "b" }]);
    expect(diffValues(["a", "b"], ["a"])).toStrictEqual([{ path: [1], before: "b", after: undefined }]);
  });

  it("walks only the indices the lists or a list mask hold", () => {
    expect(diffValues(["a"], ["a"], { afterUnknown: { "1": true } })).toEqual([]);
    expect(diffValues(["a"], ["a"], { beforeSensitive: { "1": true } })).toEqual([]);
  });
});

describe("diffValues: ignored keys", () => {
  const ignoreKeys = (): ReadonlySet<string> => new Set(["//"]);

  it("skips ignored keys while walking objects", () => {
    expect(diffValues({ "//": "old", a: 1 }, { "//": "new", a: 1 }, {}, { ignoreKeys: ignoreKeys() })).toEqual([]);
  });

  it("drops ignored keys from an object reported as a whole", () => {
    expect(diffValues({ "//": "meta", a: 1, b: { "//": "m", c: 2 } }, null, {}, { ignoreKeys: ignoreKeys() })).toStrictEqual([
      { path: [], before: { a: 1, b: { c: 2 } }, after: null },
    ]);
  });

  it("drops ignored keys from objects inside a list reported as a whole", () => {
    expect(diffValues([{ "//": "meta", a: 1 }, "s"], "x", {}, { ignoreKeys: ignoreKeys() })).toStrictEqual([
      { path: [], before: [{ a: 1 }, "s"], after: "x" },
    ]);
  });

  it("keeps every key when nothing is ignored", () => {
    expect(diffValues({ "//": "meta", a: 1 }, null)).toStrictEqual([{ path: [], before: { "//": "meta", a: 1 }, after: null }]);
  });
});

describe("formatPath", () => {
  it("writes list indices in brackets", () => {
    expect(formatPath([0])).toBe("[0]");
    expect(formatPath(["rules", 12, "port"])).toBe("rules[12].port");
  });

  it("quotes keys that are not identifiers", () => {
    expect(formatPath(["tags", "1st"])).toBe('tags["1st"]');
    expect(formatPath(["tags", "a b"])).toBe('tags["a b"]');
  });

  it("writes an empty path as empty text", () => {
    expect(formatPath([])).toBe("");
  });
});

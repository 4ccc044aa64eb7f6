import * as z from "zod";
import { allowedKeys, closestKey, ruleOf } from "../../lib/config/issues";

/** The rule text of the first issue `schema` reports for `value`. */
function ruleFor(schema: z.ZodType, value: unknown): string {
  const result = schema.safeParse(value, { reportInput: true });
  if (result.success) throw new Error("expected a zod issue");
  return ruleOf(result.error.issues[0]);
}

describe("ruleOf: zod's issues, rephrased to follow a field name", () => {
  test.each<[string, z.ZodType, unknown, string]>([
    ["a missing value", z.string(), undefined, "is required"],
    ["a mapping", z.object({}), 1, "must be a mapping of keys to values"],
    ["a record", z.record(z.string(), z.string()), 1, "must be a mapping of keys to values"],
    ["a list", z.array(z.string()), 1, "must be a list"],
    ["a string", z.string(), 1, "must be a string"],
    ["a number", z.number(), "x", "must be a number"],
    ["a boolean", z.boolean(), "x", "must be true or false"],
    ["another type", z.bigint(), "x", "must be of type bigint"],
    ["an empty string", z.string().min(1), "", "must not be empty"],
    ["a short string", z.string().min(3), "ab", "must be at least 3 characters"],
    ["a long string", z.string().max(3), "abcd", "must be at most 3 characters"],
    ["an empty list", z.array(z.string()).min(1), [], "must have at least 1 item"],
    ["a short list", z.array(z.string()).min(2), ["a"], "must have at least 2 items"],
    ["a long list", z.array(z.string()).max(1), ["a", "b"], "must have at most 1 items"],
    ["a small set", z.set(z.string()).min(2), new Set(["a"]), "must have at least 2 items"],
    ["a big set", z.set(z.string()).max(1), new Set(["a", "b"]), "must have at most 1 items"],
    ["a small number", z.number().min(1), 0, "must be >= 1"],
    ["a number not above", z.number().gt(1), 1, "must be > 1"],
    ["a big number", z.number().max(5), 6, "must be <= 5"],
    ["a number not below", z.number().lt(5), 5, "must be < 5"],
    ["a value not in the set", z.enum(["a", "b"]), "c", 'must be one of "a", "b"'],
    ["a bad key", z.record(z.string().min(2), z.string()), { x: "y" }, "key must be at least 2 characters"],
    ["a bad map element", z.map(z.string(), z.number()), new Map([["a", "x"]]), "must be a number"],
    ["a union of shapes", z.union([z.string(), z.number()]), true, "has the wrong shape"],
    ["a custom message", z.string().refine(() => false, { message: "must be nice" }), "x", "must be nice"],
    ["zod's own message otherwise", z.string().refine(() => false, { message: "Not nice" }), "x", "Not nice"],
  ])("%s", (_, schema, value, rule) => {
    expect(ruleFor(schema, value)).toBe(rule);
  });

  test("a project message starting with 'must ' is kept as written, whatever the issue code", () => {
    expect(ruleFor(z.number().min(1, { message: "must be positive" }), 0)).toBe("must be positive");
    expect(ruleFor(z.number().min(1, { message: "should be positive must " }), 0)).toBe("must be >= 1");
  });

  test("an inclusive bound zod leaves unset counts as inclusive", () => {
    expect(ruleOf({ code: "too_small", origin: "number", minimum: 3, input: 1, message: "x", path: [] } as z.core.$ZodIssue)).toBe("must be >= 3");
    expect(ruleOf({ code: "too_big", origin: "number", maximum: 3, input: 4, message: "x", path: [] } as z.core.$ZodIssue)).toBe("must be <= 3");
  });

  test("an expected whole number", () => {
    expect(ruleOf({ code: "invalid_type", expected: "int", input: "x", message: "x", path: [] } as z.core.$ZodIssue)).toBe("must be a whole number");
  });

  test("invalid keys and elements without inner issues", () => {
    expect(ruleOf({ code: "invalid_key", origin: "record", issues: [], input: {}, message: "x", path: [] } as z.core.$ZodIssue)).toBe("has an invalid key");
    expect(ruleOf({ code: "invalid_element", origin: "map", key: "k", issues: [], input: {}, message: "x", path: [] } as z.core.$ZodIssue)).toBe(
      "has an invalid element",
    );
  });
});

describe("allowedKeys", () => {
  const schema = z.object({
    a: z.string(),
    nested: z.object({ x: z.number(), y: z.number() }).optional(),
    list: z.array(z.object({ name: z.string() })).default([]),
    nullable: z.object({ n: z.string() }).nullable(),
    piped: z.object({ p: z.string() }).transform((v) => v),
    leaf: z.string(),
  });

  test.each<[PropertyKey[], string[]]>([
    [[], ["a", "nested", "list", "nullable", "piped", "leaf"]],
    [["nested"], ["x", "y"]],
    [["list", 0], ["name"]],
    [["nullable"], ["n"]],
    [["piped"], ["p"]],
    [["leaf"], []],
    [["leaf", "deeper"], []],
    [["leaf", "deeper", "still"], []],
    [["missing"], []],
  ])("at %p: %p", (path, keys) => {
    expect(allowedKeys(schema, path)).toEqual(keys);
  });
});

describe("closestKey", () => {
  test("the nearest allowed key by edit distance, case-insensitively", () => {
    expect(closestKey("max_node", ["max_nodes", "min_nodes"])).toBe("max_nodes");
    expect(closestKey("VM_SIZE", ["vm_size", "vm_priority"])).toBe("vm_size");
  });

  test("the first of equally near keys", () => {
    expect(closestKey("ab", ["ax", "ay"])).toBe("ax");
  });

  test("within 2 edits, or a third of a long key's length; otherwise none", () => {
    expect(closestKey("abcd", ["abxy"])).toBe("abxy");
    expect(closestKey("abcd", ["axyz"])).toBeUndefined();
    expect(closestKey("abcdefghijkl", ["abcdefghxyzw"])).toBe("abcdefghxyzw");
    expect(closestKey("abcdefghijkl", ["abcdefgvwxyz"])).toBeUndefined();
    expect(closestKey("anything", [])).toBeUndefined();
  });

  test("counts every character of both keys", () => {
    expect(closestKey("abc", ["abcxy"])).toBe("abcxy");
    expect(closestKey("abcxy", ["abc"])).toBe("abc");
    expect(closestKey("zzzzzzzzz", ["zzzzzz"])).toBe("zzzzzz");
    expect(closestKey("zzzzzzzz", ["zzzz"])).toBeUndefined();
  });
});

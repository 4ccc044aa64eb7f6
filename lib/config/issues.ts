import * as z from "zod";

/** The rule text for one zod issue, phrased to follow the field name. */
export function ruleOf(issue: z.core.$ZodIssue): string {
  // A missing field is missing, whatever shapes it could have had (a union's message lists them).
  if (issue.input === undefined && (issue.code === "invalid_type" || issue.code === "invalid_union")) return "is required";
  // Messages written in this project's schema already read "must ..."; zod's defaults get rephrased below.
  if (issue.message.startsWith("must ")) return issue.message;
  switch (issue.code) {
    case "invalid_type":
      return `must be ${describeType(issue.expected)}`;
    case "too_small":
      return boundRule(issue.origin, issue.minimum, issue.inclusive ?? true, "min");
    case "too_big":
      return boundRule(issue.origin, issue.maximum, issue.inclusive ?? true, "max");
    case "invalid_value":
      return `must be one of ${issue.values.map((v) => JSON.stringify(v)).join(", ")}`;
    case "invalid_key": {
      const inner = issue.issues[0];
      return inner ? `key ${ruleOf(inner)}` : "has an invalid key";
    }
    case "invalid_element": {
      const inner = issue.issues[0];
      return inner ? ruleOf(inner) : "has an invalid element";
    }
    case "invalid_union":
      return "has the wrong shape";
    default:
      return issue.message;
  }
}

function describeType(expected: string): string {
  switch (expected) {
    case "int":
      return "a whole number";
    case "object":
    case "record":
      return "a mapping of keys to values";
    case "array":
      return "a list";
    case "string":
      return "a string";
    case "number":
      return "a number";
    case "boolean":
      return "true or false";
    default:
      return `of type ${expected}`;
  }
}

function boundRule(origin: string, bound: number | bigint, inclusive: boolean, side: "min" | "max"): string {
  const n = Number(bound);
  switch (origin) {
    case "string":
      return side === "min"
        ? n === 1
          ? "must not be empty"
          : `must be at least ${n} characters`
        : `must be at most ${n} characters`;
    case "array":
    case "set":
      return side === "min" ? `must have at least ${n} item${n === 1 ? "" : "s"}` : `must have at most ${n} items`;
    default: {
      const op = side === "min" ? (inclusive ? ">=" : ">") : inclusive ? "<=" : "<";
      return `must be ${op} ${n}`;
    }
  }
}

/**
 * The issues of the one branch a value was meant for, when a union (string or mapping) fails; other unions stay.
 *
 * A branch whose only complaint is the value's type at the top was not meant: a mapping given for
 * `azureml:<name>:<version>` should hear what is wrong with the mapping, not that it is not a string.
 */
export function unionBranchIssues(issue: z.core.$ZodIssue): z.core.$ZodIssue[] {
  if (issue.code !== "invalid_union") return [issue];
  const meant = issue.errors.filter((branch) => !branch.some((i) => i.code === "invalid_type" && i.path.length === 0));
  if (meant.length !== 1) return [issue];
  return meant[0].flatMap((i) => unionBranchIssues({ ...i, path: [...issue.path, ...i.path] } as z.core.$ZodIssue));
}

/** The keys an object schema allows at `path`, for "did you mean" hints on unknown keys. */
export function allowedKeys(schema: z.ZodType, path: readonly PropertyKey[]): string[] {
  let current: z.ZodType | undefined = schema;
  for (const part of path) {
    current = unwrap(current);
    if (current instanceof z.ZodUnion) current = objectOption(current);
    if (current instanceof z.ZodObject) {
      current = (current.shape as Record<string, z.ZodType>)[String(part)];
    } else if (current instanceof z.ZodArray) {
      current = current.element as z.ZodType;
    } else if (current instanceof z.ZodRecord) {
      // Any key of a record (data collector collections) holds the same kind of value.
      current = current.valueType as z.ZodType;
    } else {
      return [];
    }
  }
  current = unwrap(current);
  if (current instanceof z.ZodUnion) current = objectOption(current);
  return current instanceof z.ZodObject ? Object.keys(current.shape) : [];
}

/** The mapping option of a union such as "string or mapping". */
function objectOption(union: z.ZodUnion): z.ZodType | undefined {
  return (union.options as z.ZodType[]).map(unwrap).find((option) => option instanceof z.ZodObject);
}

function unwrap(schema: z.ZodType | undefined): z.ZodType | undefined {
  let current = schema;
  for (;;) {
    if (current instanceof z.ZodOptional || current instanceof z.ZodDefault || current instanceof z.ZodNullable) {
      current = current.unwrap() as z.ZodType;
    } else if (current instanceof z.ZodPipe) {
      current = current.in as z.ZodType;
    } else {
      return current;
    }
  }
}

/** The closest allowed key by edit distance, if it is close enough to be a likely typo. */
export function closestKey(key: string, allowed: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const candidate of allowed) {
    const d = editDistance(key.toLowerCase(), candidate.toLowerCase());
    if (d < bestDistance) {
      best = candidate;
      bestDistance = d;
    }
  }
  return bestDistance <= Math.max(2, Math.floor(key.length / 3)) ? best : undefined;
}

/** Levenshtein distance between two strings: the fewest single-character edits that turn one into the other. */
export function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    previous = current;
  }
  return previous[b.length];
}

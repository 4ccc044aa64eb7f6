import { isoDurationSeconds } from "../config/duration";

/**
 * Invariants that constructs check on their own props, in the same "field: rule (got value)" style as config errors.
 *
 * Config validation already guarantees these for the app; they protect direct users of the construct library.
 * Like aws-cdk's validation, a construct collects every invalid prop and throws once, listing them all.
 */

/** One invalid prop. */
export interface PropsProblem {
  /** The prop, as a path from the props object (e.g. `retry.timeoutSeconds`). */
  readonly field: string;
  /** What the value must be, e.g. "must be a whole number from 1 to 50". */
  readonly rule: string;
  readonly value: unknown;
}

/** Invalid construct props: one line per problem, `<Construct>: <field>: <rule> (got <value>)`. */
export class PropsError extends Error {
  readonly construct: string;
  readonly problems: readonly PropsProblem[];

  constructor(construct: string, problems: readonly PropsProblem[]);
  constructor(construct: string, field: string, rule: string, value: unknown);
  constructor(construct: string, fieldOrProblems: string | readonly PropsProblem[], rule?: string, value?: unknown) {
    const problems = typeof fieldOrProblems === "string" ? [{ field: fieldOrProblems, rule: rule!, value }] : fieldOrProblems;
    super(problems.map((p) => `${construct}: ${p.field}: ${p.rule}${shownValue(p.value)}`).join("\n"));
    this.name = "PropsError";
    this.construct = construct;
    this.problems = problems;
  }
}

function shownValue(value: unknown): string {
  return value === undefined ? "" : ` (got ${JSON.stringify(value)})`;
}

/**
 * Collects the invalid props of one construct; {@link PropsChecker.throwIfInvalid} throws them all as one PropsError.
 *
 * ```ts
 * const check = new PropsChecker("ComputeCluster");
 * check.wholeNumber("maxNodes", props.maxNodes, 1, 1000);
 * check.that(minNodes <= props.maxNodes, "minNodes", `must be <= maxNodes (${props.maxNodes})`, minNodes);
 * check.throwIfInvalid();
 * ```
 */
export class PropsChecker {
  private readonly problems: PropsProblem[] = [];

  constructor(private readonly construct: string) {}

  /** Records a problem unless `ok`. */
  that(ok: boolean, field: string, rule: string, value: unknown): this {
    if (!ok) this.problems.push({ field, rule, value });
    return this;
  }

  /** A whole number from `min` to `max` (no upper bound when `max` is left out). */
  wholeNumber(field: string, value: number, min: number, max?: number): this {
    const ok = Number.isInteger(value) && value >= min && (max === undefined || value <= max);
    const rule = max === undefined ? `must be a whole number >= ${min}` : `must be a whole number from ${min} to ${max}`;
    return this.that(ok, field, rule, value);
  }

  /** A whole number from `min` to `max`, or undefined (the prop is optional). */
  optionalWholeNumber(field: string, value: number | undefined, min: number, max?: number): this {
    return value === undefined ? this : this.wholeNumber(field, value, min, max);
  }

  /** An ISO-8601 duration longer than zero, such as PT2M. */
  positiveDuration(field: string, value: string): this {
    const seconds = isoDurationSeconds(value);
    return this.that(seconds !== undefined && seconds > 0, field, "must be an ISO-8601 duration longer than zero, such as PT2M", value);
  }

  /** Throws one PropsError listing every problem recorded so far, if there is any. */
  throwIfInvalid(): void {
    if (this.problems.length > 0) throw new PropsError(this.construct, [...this.problems]);
  }
}

import type { ConfigWarningId } from "../guardrails/rule-ids";

/** One problem found in a config file: where it is, which field, which rule, which value. */
export interface ConfigProblem {
  /** Path of the file, as shown to the user (relative to the working directory when inside it). */
  readonly file: string;
  /** 1-based line of the field in the file, when it can be located. */
  readonly line?: number;
  /** Dotted field path, e.g. `endpoint.deployments[0].traffic`; empty for the file as a whole. */
  readonly field: string;
  /** The rule, phrased to follow the field name: "must be >= 1". */
  readonly rule: string;
  /** The value received; omitted when the field is missing. */
  readonly value?: unknown;
  /** True when a value was received (so that `undefined`/`null` values still print). */
  readonly hasValue?: boolean;
}

/** Something in a config file that synthesizes but will likely not deploy or not behave as meant; never stops a synth. */
export interface ConfigWarning extends ConfigProblem {
  /** The warning's id, which `waivers` may name. */
  readonly id: ConfigWarningId;
  /** The reason of the waiver that silences it, when one does. */
  readonly waivedBecause?: string;
}

/** Thrown when config files break the contract; carries every problem, not just the first. */
export class ConfigError extends Error {
  constructor(readonly problems: readonly ConfigProblem[]) {
    super(problems.map(formatProblem).join("\n"));
    this.name = "ConfigError";
  }
}

/** Renders a received value briefly: strings quoted, objects summarised, long values cut. */
export function showValue(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return value.length === 0 ? "an empty list" : `a list of ${value.length}`;
  if (typeof value === "object") return "a mapping";
  const text = typeof value === "string" ? JSON.stringify(value) : String(value);
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

/** `file:line: field: rule (got value)`, the one line a user reads per problem. */
export function formatProblem(problem: ConfigProblem): string {
  const where = problem.line === undefined ? problem.file : `${problem.file}:${problem.line}`;
  const field = problem.field === "" ? "" : ` ${problem.field}:`;
  const got = problem.hasValue ? ` (got ${showValue(problem.value)})` : "";
  return `${where}:${field} ${problem.rule}${got}`;
}

/** Dotted path with list indexes in brackets: ["a", 0, "b"] → "a[0].b". */
export function fieldPath(path: readonly PropertyKey[]): string {
  return path.reduce<string>((text, part) => {
    if (typeof part === "number") return `${text}[${part}]`;
    return text === "" ? String(part) : `${text}.${String(part)}`;
  }, "");
}

/**
 * `warning <id>: file:line: field: rule (got value)` and how to waive it, or one line saying it was waived and why.
 */
export function formatWarning(warning: ConfigWarning): string {
  if (warning.waivedBecause !== undefined) {
    const where = warning.line === undefined ? warning.file : `${warning.file}:${warning.line}`;
    return `warning waived ${warning.id} at ${where}${warning.field === "" ? "" : ` ${warning.field}`}: ${warning.waivedBecause}`;
  }
  return `warning ${warning.id}: ${formatProblem(warning)}\n  To waive, add to ${warning.file}: waivers: [{ rule: ${warning.id}, reason: "<why this is fine here>" }]`;
}

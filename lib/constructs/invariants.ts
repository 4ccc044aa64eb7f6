/**
 * Invariants that constructs check on their own props, in the same "field: rule (got value)" style as config errors.
 *
 * Config validation already guarantees these for the app; they protect direct users of the construct library.
 */
export class PropsError extends Error {
  constructor(construct: string, field: string, rule: string, value: unknown) {
    super(`${construct}: ${field}: ${rule} (got ${JSON.stringify(value)})`);
    this.name = "PropsError";
  }
}

/** Throws unless `min <= value <= max` and `value` is a whole number. */
export function assertInRange(field: string, value: number, min: number, max: number, construct = "props"): void {
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new PropsError(construct, field, `must be a whole number from ${min} to ${max}`, value);
  }
}

/**
 * Masking of sensitive and unknown values in Terraform plan JSON.
 *
 * `terraform show -json` prints sensitive values in clear text and only marks
 * them in the parallel `before_sensitive` / `after_sensitive` trees, so every
 * value that reaches the review goes through this module first.
 */

/** A placeholder that renders as its label, never as a value. */
export class Masked {
  constructor(readonly label: string) {}
  toString(): string {
    return this.label;
  }
}

/** Stands in for a value marked sensitive (or equal to one that is). */
export const SENSITIVE_VALUE = new Masked("(sensitive value)");
/** Stands in for a value Terraform only learns during apply. */
export const UNKNOWN_VALUE = new Masked("(known after apply)");

/**
 * Shortest secret that is also masked where it appears inside a longer string.
 * Shorter ones are masked only as whole values: replacing every "on" or "1" in
 * the review would make it unreadable without protecting anything real.
 */
export const MIN_EMBEDDED_SECRET_LENGTH = 6;

/** True for a JSON object (not null, not an array). */
export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value) && !(value instanceof Masked);
}

/** The mask of one child of a value: `true` covers the whole subtree. */
export function maskAt(mask: unknown, key: string | number): unknown {
  if (mask === true) return true;
  if (Array.isArray(mask)) return typeof key === "number" ? mask[key] : undefined;
  if (isPlainObject(mask)) return Object.prototype.hasOwnProperty.call(mask, key) ? mask[String(key)] : undefined;
  return undefined;
}

/** True when a mask tree marks anything at all. */
export function maskHasTrue(mask: unknown): boolean {
  if (mask === true) return true;
  if (Array.isArray(mask)) return mask.some(maskHasTrue);
  if (isPlainObject(mask)) return Object.values(mask).some(maskHasTrue);
  return false;
}

/**
 * A copy of `value` with sensitive parts replaced by SENSITIVE_VALUE and unknown
 * parts by UNKNOWN_VALUE, following Terraform's mask trees.
 */
export function redact(value: unknown, sensitive?: unknown, unknown?: unknown): unknown {
  if (sensitive === true) return SENSITIVE_VALUE;
  if (unknown === true) return UNKNOWN_VALUE;
  if (Array.isArray(value) || (Array.isArray(unknown) && maskHasTrue(unknown) && value == null)) {
    const items = Array.isArray(value) ? value : [];
    const length = Math.max(items.length, Array.isArray(unknown) ? unknown.length : 0);
    const out: unknown[] = [];
    for (let i = 0; i < length; i++) out.push(redact(items[i], maskAt(sensitive, i), maskAt(unknown, i)));
    return out;
  }
  if (isPlainObject(value) || (isPlainObject(unknown) && maskHasTrue(unknown) && value == null)) {
    const object = isPlainObject(value) ? value : {};
    const keys = new Set(Object.keys(object));
    if (isPlainObject(unknown)) for (const [k, m] of Object.entries(unknown)) if (maskHasTrue(m)) keys.add(k);
    const out: Record<string, unknown> = {};
    for (const key of [...keys].sort()) out[key] = redact(object[key], maskAt(sensitive, key), maskAt(unknown, key));
    return out;
  }
  return value;
}

/**
 * Adds every string under the sensitive parts of `value` to `into`.
 * Numbers and booleans are left out: masking every `8` or `true` in the review
 * because one sensitive number was 8 would hide more than it protects.
 */
export function collectSensitiveStrings(value: unknown, sensitive: unknown, into: Set<string>): void {
  if (sensitive === true) {
    collectAllStrings(value, into);
    return;
  }
  if (Array.isArray(value)) value.forEach((item, i) => collectSensitiveStrings(item, maskAt(sensitive, i), into));
  else if (isPlainObject(value)) for (const [k, v] of Object.entries(value)) collectSensitiveStrings(v, maskAt(sensitive, k), into);
}

function collectAllStrings(value: unknown, into: Set<string>): void {
  if (typeof value === "string") {
    if (value.length > 0) into.add(value);
  } else if (Array.isArray(value)) {
    for (const item of value) collectAllStrings(item, into);
  } else if (isPlainObject(value)) {
    for (const item of Object.values(value)) collectAllStrings(item, into);
  }
}

/**
 * Secret strings known from one or more plans.
 *
 * Terraform only marks the attribute a sensitive value was assigned to; when a
 * provider echoes it into another attribute (terraform_data's `output`, a
 * connection string) the copy is unmarked and `terraform plan` itself prints it.
 * Masking by value as well as by mask closes that hole.
 */
export class SecretSet {
  private readonly exact: ReadonlySet<string>;
  private readonly embedded: readonly string[];

  constructor(secrets: Iterable<string>) {
    const all = new Set([...secrets].filter((s) => s.length > 0));
    this.exact = all;
    // Longest first, so a secret that contains another one is replaced whole.
    this.embedded = [...all].filter((s) => s.length >= MIN_EMBEDDED_SECRET_LENGTH).sort((a, b) => b.length - a.length || (a < b ? -1 : 1));
  }

  /** Number of distinct secrets. */
  get size(): number {
    return this.exact.size;
  }

  /** A copy of a (possibly already redacted) value with secret strings masked. */
  mask(value: unknown): unknown {
    if (typeof value === "string") {
      if (this.exact.has(value)) return SENSITIVE_VALUE;
      return this.scrub(value);
    }
    if (Array.isArray(value)) return value.map((item) => this.mask(item));
    if (isPlainObject(value)) {
      const out: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(value)) out[k] = this.mask(v);
      return out;
    }
    return value;
  }

  /** `text` with every embedded secret replaced by "(sensitive value)". */
  scrub(text: string): string {
    let out = text;
    for (const secret of this.embedded) if (out.includes(secret)) out = out.split(secret).join(SENSITIVE_VALUE.label);
    return out;
  }
}

/** Attribute-level differences between two JSON values, with Terraform's masks applied. */

import { isPlainObject, maskAt, Masked, redact, SENSITIVE_VALUE, UNKNOWN_VALUE } from "./sensitive";

/** One step of an attribute path: an object key or a list index. */
export type PathStep = string | number;

/** One changed leaf (or a subtree that changed as a whole). Values are already masked. */
export interface AttributeChange {
  readonly path: readonly PathStep[];
  readonly before: unknown;
  readonly after: unknown;
}

/** Terraform's mask trees for one change. */
export interface DiffMasks {
  readonly beforeSensitive?: unknown;
  readonly afterSensitive?: unknown;
  readonly afterUnknown?: unknown;
}

/** Options for diffValues. */
export interface DiffOptions {
  /** Object keys skipped at any depth (cdktf's "//" metadata). */
  readonly ignoreKeys?: ReadonlySet<string>;
}

/** Structural equality for JSON values; a missing value equals null. */
export function deepEqual(a: unknown, b: unknown): boolean {
  const x = a === undefined ? null : a;
  const y = b === undefined ? null : b;
  if (x === y) return true;
  if (x instanceof Masked || y instanceof Masked) return false;
  if (Array.isArray(x) && Array.isArray(y)) return x.length === y.length && x.every((item, i) => deepEqual(item, y[i]));
  if (isPlainObject(x) && isPlainObject(y)) {
    const keys = new Set([...Object.keys(x), ...Object.keys(y)]);
    for (const key of keys) if (!deepEqual(x[key], y[key])) return false;
    return true;
  }
  return false;
}

/**
 * The changed attribute paths between `before` and `after`, sorted as they are
 * walked (object keys alphabetically, list items by index).
 *
 * A subtree that is sensitive or unknown on either side is reported as one
 * change at its root, so its contents never appear.
 */
export function diffValues(before: unknown, after: unknown, masks: DiffMasks = {}, options: DiffOptions = {}): AttributeChange[] {
  const out: AttributeChange[] = [];
  walk(before, after, masks.beforeSensitive, masks.afterSensitive, masks.afterUnknown, [], out, options.ignoreKeys ?? new Set());
  return out;
}

function walk(
  before: unknown,
  after: unknown,
  bs: unknown,
  as: unknown,
  au: unknown,
  path: PathStep[],
  out: AttributeChange[],
  ignore: ReadonlySet<string>,
): void {
  if (au === true) {
    out.push({ path, before: redact(before, bs), after: UNKNOWN_VALUE });
    return;
  }
  if (bs === true || as === true) {
    if (bs !== as || !deepEqual(before, after)) {
      out.push({ path, before: bs === true ? SENSITIVE_VALUE : redact(before, bs), after: as === true ? SENSITIVE_VALUE : redact(after, as, au) });
    }
    return;
  }
  if (isPlainObject(before) && (isPlainObject(after) || (after == null && isPlainObject(au)))) {
    const afterObject = isPlainObject(after) ? after : {};
    const keys = new Set([...Object.keys(before), ...Object.keys(afterObject)]);
    if (isPlainObject(au)) for (const [k, m] of Object.entries(au)) if (m === true || isPlainObject(m) || Array.isArray(m)) keys.add(k);
    for (const key of [...keys].sort()) {
      if (ignore.has(key)) continue;
      walk(before[key], afterObject[key], maskAt(bs, key), maskAt(as, key), maskAt(au, key), [...path, key], out, ignore);
    }
    return;
  }
  if (Array.isArray(before) && Array.isArray(after)) {
    const length = Math.max(before.length, after.length, Array.isArray(au) ? au.length : 0);
    for (let i = 0; i < length; i++) walk(before[i], after[i], maskAt(bs, i), maskAt(as, i), maskAt(au, i), [...path, i], out, ignore);
    return;
  }
  if (!deepEqual(before, after) || hasUnknown(au)) {
    out.push({ path, before: redact(stripIgnored(before, ignore), bs), after: redact(stripIgnored(after, ignore), as, au) });
  }
}

function hasUnknown(mask: unknown): boolean {
  if (mask === true) return true;
  if (Array.isArray(mask)) return mask.some(hasUnknown);
  if (isPlainObject(mask)) return Object.values(mask).some(hasUnknown);
  return false;
}

function stripIgnored(value: unknown, ignore: ReadonlySet<string>): unknown {
  if (ignore.size === 0) return value;
  if (Array.isArray(value)) return value.map((item) => stripIgnored(item, ignore));
  if (isPlainObject(value)) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) if (!ignore.has(k)) out[k] = stripIgnored(v, ignore);
    return out;
  }
  return value;
}

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_-]*$/;

/** Terraform-style path text: `scale_settings[0].max_node_count`, `tags.cost-center` (HCL names may hold dashes), `tags["cost center"]`. */
export function formatPath(path: readonly PathStep[]): string {
  let text = "";
  for (const step of path) {
    if (typeof step === "number") text += `[${step}]`;
    else if (IDENTIFIER.test(step)) text += text === "" ? step : `.${step}`;
    else text += `[${JSON.stringify(step)}]`;
  }
  return text;
}

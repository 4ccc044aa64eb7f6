/**
 * Seconds in an ISO-8601 duration (PnDTnHnMnS, weeks allowed), or undefined if it is not one.
 *
 * Years and months are rejected: their length depends on the calendar, and no Azure ML setting takes them.
 */
export function isoDurationSeconds(value: string): number | undefined {
  const match = /^P(?:(\d+)W)?(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:\.\d+)?)S)?)?$/.exec(value);
  if (!match || value === "P" || value.endsWith("T")) {
    return undefined;
  }
  const [, weeks, days, hours, minutes, seconds] = match;
  return (
    Number(weeks ?? 0) * 604800 +
    Number(days ?? 0) * 86400 +
    Number(hours ?? 0) * 3600 +
    Number(minutes ?? 0) * 60 +
    Number(seconds ?? 0)
  );
}

/**
 * The ISO-8601 duration of a number of milliseconds, in the canonical form that `az ml` sends and Azure returns.
 *
 * That form is Python isodate's `duration_isoformat(timedelta(...))`, which the azure-ai-ml SDK uses for every
 * duration (`to_iso_duration_format`, `to_iso_duration_format_ms`): largest units first, zero units left out,
 * fractions of a second without trailing zeros. 90 s → PT1M30S, 300 s → PT5M, 3600 s → PT1H, 500 ms → PT0.5S,
 * 1 day → P1D. azapi compares the body it sent with the one Azure returns, so any other spelling of the same
 * duration (PT90S) would show as a change on every plan.
 */
export function msToIsoDuration(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) {
    throw new RangeError(`a duration must be a finite number of milliseconds >= 0 (got ${ms})`);
  }
  // Whole microseconds, as timedelta stores them.
  const totalUs = Math.round(ms * 1000);
  const us = totalUs % 1_000_000;
  const totalSeconds = (totalUs - us) / 1_000_000;
  const seconds = totalSeconds % 60;
  const minutes = Math.floor(totalSeconds / 60) % 60;
  const hours = Math.floor(totalSeconds / 3600) % 24;
  const days = Math.floor(totalSeconds / 86400);
  let out = "P";
  if (days > 0) out += `${days}D`;
  if (hours > 0 || minutes > 0 || seconds > 0 || us > 0) {
    out += "T";
    if (hours > 0) out += `${hours}H`;
    if (minutes > 0) out += `${minutes}M`;
    if (seconds > 0 || us > 0) {
      out += us > 0 ? `${seconds}.${String(us).padStart(6, "0").replace(/0+$/, "")}S` : `${seconds}S`;
    }
  }
  // isodate writes a zero duration as P0D.
  return out === "P" ? "P0D" : out;
}

/** The canonical ISO-8601 duration of a number of seconds (see {@link msToIsoDuration}): 90 → PT1M30S. */
export function secondsToIsoDuration(seconds: number): string {
  return msToIsoDuration(seconds * 1000);
}

/** The canonical ISO-8601 duration of a number of minutes (see {@link msToIsoDuration}): 90 → PT1H30M. */
export function minutesToIsoDuration(minutes: number): string {
  return msToIsoDuration(minutes * 60_000);
}

/** An ISO-8601 duration rewritten in canonical form (PT120S → PT2M), or undefined if it is not one. */
export function canonicalIsoDuration(value: string): string | undefined {
  const seconds = isoDurationSeconds(value);
  return seconds === undefined ? undefined : secondsToIsoDuration(seconds);
}

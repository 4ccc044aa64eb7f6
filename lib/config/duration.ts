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

/** ISO-8601 duration for a number of milliseconds, as Azure ML's request settings expect (e.g. 60000 → PT60S). */
export function msToIsoDuration(ms: number): string {
  const seconds = ms / 1000;
  return `PT${Number.isInteger(seconds) ? seconds : seconds.toFixed(3).replace(/0+$/, "")}S`;
}

/** ISO-8601 duration for whole seconds (e.g. 300 → PT300S). */
export function secondsToIsoDuration(seconds: number): string {
  return `PT${seconds}S`;
}

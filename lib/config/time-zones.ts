/**
 * Time zones of autoscale schedules.
 *
 * Azure Monitor autoscale takes Windows time zone names ("W. Europe Standard Time"), not IANA names. The config
 * accepts both: a Windows name from the list Azure documents is sent as written, and an IANA name from the map
 * below is sent as its Windows name (the mapping of Unicode CLDR's windowsZones.xml, for the zones listed). Any other
 * name is refused rather than guessed, because a wrong zone shifts every schedule by hours.
 *
 * Source of the Windows names: the `timeZone` description of RecurrentSchedule in Azure's autoscale REST API
 * (Microsoft.Insights autoscaleSettings, "Some examples of valid time zones are: ..."), which lists the names below.
 */

/** The Windows time zone names Azure autoscale documents. */
export const WINDOWS_TIME_ZONES: readonly string[] = [
  "Dateline Standard Time", "UTC-11", "Hawaiian Standard Time", "Alaskan Standard Time", "Pacific Standard Time (Mexico)",
  "Pacific Standard Time", "US Mountain Standard Time", "Mountain Standard Time (Mexico)", "Mountain Standard Time",
  "Central America Standard Time", "Central Standard Time", "Central Standard Time (Mexico)", "Canada Central Standard Time",
  "SA Pacific Standard Time", "Eastern Standard Time", "US Eastern Standard Time", "Venezuela Standard Time",
  "Paraguay Standard Time", "Atlantic Standard Time", "Central Brazilian Standard Time", "SA Western Standard Time",
  "Pacific SA Standard Time", "Newfoundland Standard Time", "E. South America Standard Time", "Argentina Standard Time",
  "SA Eastern Standard Time", "Greenland Standard Time", "Montevideo Standard Time", "Bahia Standard Time", "UTC-02",
  "Mid-Atlantic Standard Time", "Azores Standard Time", "Cape Verde Standard Time", "Morocco Standard Time", "UTC",
  "GMT Standard Time", "Greenwich Standard Time", "W. Europe Standard Time", "Central Europe Standard Time",
  "Romance Standard Time", "Central European Standard Time", "W. Central Africa Standard Time", "Namibia Standard Time",
  "Jordan Standard Time", "GTB Standard Time", "Middle East Standard Time", "Egypt Standard Time", "Syria Standard Time",
  "E. Europe Standard Time", "South Africa Standard Time", "FLE Standard Time", "Turkey Standard Time", "Israel Standard Time",
  "Kaliningrad Standard Time", "Libya Standard Time", "Arabic Standard Time", "Arab Standard Time", "Belarus Standard Time",
  "Russian Standard Time", "E. Africa Standard Time", "Iran Standard Time", "Arabian Standard Time", "Azerbaijan Standard Time",
  "Russia Time Zone 3", "Mauritius Standard Time", "Georgian Standard Time", "Caucasus Standard Time",
  "Afghanistan Standard Time", "West Asia Standard Time", "Ekaterinburg Standard Time", "Pakistan Standard Time",
  "India Standard Time", "Sri Lanka Standard Time", "Nepal Standard Time", "Central Asia Standard Time",
  "Bangladesh Standard Time", "N. Central Asia Standard Time", "Myanmar Standard Time", "SE Asia Standard Time",
  "North Asia Standard Time", "China Standard Time", "North Asia East Standard Time", "Singapore Standard Time",
  "W. Australia Standard Time", "Taipei Standard Time", "Ulaanbaatar Standard Time", "Tokyo Standard Time",
  "Korea Standard Time", "Yakutsk Standard Time", "Cen. Australia Standard Time", "AUS Central Standard Time",
  "E. Australia Standard Time", "AUS Eastern Standard Time", "West Pacific Standard Time", "Tasmania Standard Time",
  "Magadan Standard Time", "Vladivostok Standard Time", "Russia Time Zone 10", "Central Pacific Standard Time",
  "Russia Time Zone 11", "New Zealand Standard Time", "UTC+12", "Fiji Standard Time", "Kamchatka Standard Time",
  "Tonga Standard Time", "Samoa Standard Time", "Line Islands Standard Time",
];

/** IANA zones and their Windows names (CLDR windowsZones.xml), for the regions Azure ML serves from. */
export const IANA_TO_WINDOWS: Readonly<Record<string, string>> = {
  UTC: "UTC",
  "Etc/UTC": "UTC",
  "Europe/London": "GMT Standard Time",
  "Europe/Dublin": "GMT Standard Time",
  "Europe/Lisbon": "GMT Standard Time",
  "Europe/Amsterdam": "W. Europe Standard Time",
  "Europe/Berlin": "W. Europe Standard Time",
  "Europe/Zurich": "W. Europe Standard Time",
  "Europe/Rome": "W. Europe Standard Time",
  "Europe/Stockholm": "W. Europe Standard Time",
  "Europe/Vienna": "W. Europe Standard Time",
  "Europe/Oslo": "W. Europe Standard Time",
  "Europe/Paris": "Romance Standard Time",
  "Europe/Brussels": "Romance Standard Time",
  "Europe/Madrid": "Romance Standard Time",
  "Europe/Copenhagen": "Romance Standard Time",
  "Europe/Warsaw": "Central European Standard Time",
  "Europe/Prague": "Central Europe Standard Time",
  "Europe/Budapest": "Central Europe Standard Time",
  "Europe/Helsinki": "FLE Standard Time",
  "Europe/Kiev": "FLE Standard Time",
  "Europe/Kyiv": "FLE Standard Time",
  "Europe/Athens": "GTB Standard Time",
  "Europe/Bucharest": "GTB Standard Time",
  "Europe/Istanbul": "Turkey Standard Time",
  "Europe/Moscow": "Russian Standard Time",
  "Africa/Johannesburg": "South Africa Standard Time",
  "Africa/Cairo": "Egypt Standard Time",
  "Africa/Nairobi": "E. Africa Standard Time",
  "Asia/Jerusalem": "Israel Standard Time",
  "Asia/Dubai": "Arabian Standard Time",
  "Asia/Qatar": "Arab Standard Time",
  "Asia/Riyadh": "Arab Standard Time",
  "Asia/Kolkata": "India Standard Time",
  "Asia/Calcutta": "India Standard Time",
  "Asia/Singapore": "Singapore Standard Time",
  "Asia/Hong_Kong": "China Standard Time",
  "Asia/Shanghai": "China Standard Time",
  "Asia/Taipei": "Taipei Standard Time",
  "Asia/Tokyo": "Tokyo Standard Time",
  "Asia/Seoul": "Korea Standard Time",
  "Asia/Jakarta": "SE Asia Standard Time",
  "Asia/Bangkok": "SE Asia Standard Time",
  "Australia/Perth": "W. Australia Standard Time",
  "Australia/Adelaide": "Cen. Australia Standard Time",
  "Australia/Darwin": "AUS Central Standard Time",
  "Australia/Brisbane": "E. Australia Standard Time",
  "Australia/Sydney": "AUS Eastern Standard Time",
  "Australia/Melbourne": "AUS Eastern Standard Time",
  "Pacific/Auckland": "New Zealand Standard Time",
  "America/Sao_Paulo": "E. South America Standard Time",
  "America/Argentina/Buenos_Aires": "Argentina Standard Time",
  "America/Bogota": "SA Pacific Standard Time",
  "America/Mexico_City": "Central Standard Time (Mexico)",
  "America/New_York": "Eastern Standard Time",
  "America/Toronto": "Eastern Standard Time",
  "America/Chicago": "Central Standard Time",
  "America/Denver": "Mountain Standard Time",
  "America/Phoenix": "US Mountain Standard Time",
  "America/Los_Angeles": "Pacific Standard Time",
  "America/Vancouver": "Pacific Standard Time",
  "America/Anchorage": "Alaskan Standard Time",
  "Pacific/Honolulu": "Hawaiian Standard Time",
};

const WINDOWS_BY_KEY = new Map(WINDOWS_TIME_ZONES.map((z) => [z.toLowerCase(), z]));
const IANA_BY_KEY = new Map(Object.entries(IANA_TO_WINDOWS).map(([iana, windows]) => [iana.toLowerCase(), windows]));

/** The Windows name Azure autoscale takes for `zone` (a Windows or a mapped IANA name, any casing), or undefined. */
export function windowsTimeZone(zone: string): string | undefined {
  const key = zone.trim().toLowerCase();
  return WINDOWS_BY_KEY.get(key) ?? IANA_BY_KEY.get(key);
}

/**
 * The network block against its mode, and the public-access fields a private mode rules out.
 *
 * Run by the schema as a refinement of the whole file that also runs when other fields are wrong, so that a
 * contradiction is reported together with every other problem. It reads the file as parsed so far: any field may
 * still be missing or of the wrong type (the schema reports those), so every read is checked.
 */

/** Reports one problem at a field path; `value` is what the file says there. */
export type NetworkReport = (path: readonly PropertyKey[], rule: string, ...value: [unknown?]) => void;

export function checkNetwork(file: unknown, report: NetworkReport): void {
  const config = record(file);
  const network = record(config.network);
  const at = (...rest: PropertyKey[]) => ["network", ...rest];
  const fqdns = strings(network.allowed_fqdns);
  const ranges = strings(network.deployer_ip_ranges);
  if (network.isolation !== "private") {
    const privateOnly: [string, unknown, boolean][] = [
      ["outbound", network.outbound, network.outbound !== undefined],
      ["allowed_fqdns", network.allowed_fqdns, fqdns.length > 0],
      ["client_subnet", network.client_subnet, network.client_subnet !== undefined],
      ["deployer_ip_ranges", network.deployer_ip_ranges, ranges.length > 0],
    ];
    // Only for a public mode, not for a mistyped one: the schema reports that.
    if (network.isolation === undefined || network.isolation === "public") {
      for (const [field, value, isSet] of privateOnly) {
        if (isSet) report(at(field), "must not be set unless network.isolation is private", value);
      }
    }
    return;
  }

  const subnet = network.client_subnet;
  if (subnet === undefined) {
    report(at("client_subnet"), "is required when network.isolation is private: give address_space (a new VNet) or id (an existing subnet) for the private endpoints");
  } else if (isRecord(subnet)) {
    const space = subnet.address_space;
    if ((space === undefined) === (subnet.id === undefined)) {
      report(at("client_subnet"), "must have exactly one of address_space (create a VNet and subnet) or id (use an existing subnet)");
    } else if (typeof space === "string" && CIDR.test(space) && !isNetworkAddress(space)) {
      report(at("client_subnet", "address_space"), `must start at its network address (${networkAddress(space)})`, space);
    }
  }

  if (network.outbound === "internet" && fqdns.length > 0) {
    report(at("allowed_fqdns"), "must be left out unless network.outbound is approved_only: with internet outbound every host is reachable already", network.allowed_fqdns);
  }
  reportRepeats(fqdns, at("allowed_fqdns"), report);
  ranges.forEach((range, i) => {
    if (!ADDRESS_OR_CIDR.test(range)) return;
    if (isPrivateRange(range)) {
      report(at("deployer_ip_ranges", i), "must be a public address range: the storage firewall ignores private (RFC 1918) addresses; reach storage from inside the VNet instead", range);
    } else if (range.includes("/") && !isNetworkAddress(range)) {
      report(at("deployer_ip_ranges", i), `must start at its network address (${networkAddress(range)})`, range);
    }
  });
  reportRepeats(ranges, at("deployer_ip_ranges"), report);

  if (record(config.workspace).public_network_access === true) {
    report(["workspace", "public_network_access"], "must be false (or left out) when network.isolation is private: the workspace is then reached through its private endpoint only", true);
  }
  const endpoints: [PropertyKey[], unknown][] = [
    [["endpoint"], config.endpoint],
    ...(Array.isArray(config.endpoints) ? config.endpoints.map((e, i): [PropertyKey[], unknown] => [["endpoints", i], e]) : []),
  ];
  for (const [path, endpoint] of endpoints) {
    if (record(endpoint).public_network_access === true) {
      report([...path, "public_network_access"], "must be false (or left out) when network.isolation is private: callers reach the endpoint through the workspace's private endpoint", true);
    }
  }
}

/** The shapes the arithmetic below needs; anything else is left to the schema's own messages. */
const CIDR = /^\d{1,3}(\.\d{1,3}){3}\/\d{1,2}$/;
const ADDRESS_OR_CIDR = /^\d{1,3}(\.\d{1,3}){3}(\/\d{1,2})?$/;

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function record(value: unknown): Record<string, unknown> {
  return isRecord(value) ? value : {};
}

/** The string items of a list (their positions kept), or none when it is not a list. */
function strings(value: unknown): string[] {
  return Array.isArray(value) ? value.map((v) => (typeof v === "string" ? v : "")) : [];
}

function reportRepeats(values: readonly string[], at: PropertyKey[], report: NetworkReport): void {
  const seen = new Map<string, number>();
  values.forEach((value, i) => {
    if (value === "") return;
    const first = seen.get(value);
    if (first === undefined) seen.set(value, i);
    else report([...at, i], `must not repeat ${at.join(".")}[${first}]`, value);
  });
}

/** An IPv4 address as a 32-bit unsigned number. */
function ipv4Number(address: string): number {
  return address.split(".").reduce((n, octet) => n * 256 + Number(octet), 0);
}

/** The first address of a CIDR range, with its prefix: 10.40.0.5/24 → 10.40.0.0/24. */
function networkAddress(cidr: string): string {
  const [address, prefix] = cidr.split("/");
  const bits = Number(prefix);
  const size = 2 ** (32 - bits);
  const start = Math.floor(ipv4Number(address) / size) * size;
  const octets = [24, 16, 8, 0].map((shift) => Math.floor(start / 2 ** shift) % 256);
  return `${octets.join(".")}/${bits}`;
}

function isNetworkAddress(cidr: string): boolean {
  return networkAddress(cidr) === cidr;
}

/** Whether an address or range lies in 10.0.0.0/8, 172.16.0.0/12 or 192.168.0.0/16. */
function isPrivateRange(range: string): boolean {
  const n = ipv4Number(range.split("/")[0]);
  const within = (base: string, bits: number) => Math.floor(n / 2 ** (32 - bits)) === Math.floor(ipv4Number(base) / 2 ** (32 - bits));
  return within("10.0.0.0", 8) || within("172.16.0.0", 12) || within("192.168.0.0", 16);
}

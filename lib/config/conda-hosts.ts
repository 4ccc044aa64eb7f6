import { isMap, isScalar, isSeq, LineCounter, parseDocument } from "yaml";

/** One place in a conda file that makes the image build download from the internet, and the hosts it needs. */
export interface CondaSource {
  /** What the file names there, as a user reads it: `channel conda-forge`, `pip index https://...`. */
  readonly what: string;
  /** 1-based line in the conda file. */
  readonly line: number;
  /** Host names the build downloads from, lower case. */
  readonly hosts: readonly string[];
}

/** Where pip downloads from when no `--index-url` replaces its default index (PyPI): the index and its files. */
const PYPI_HOSTS = ["pypi.org", "files.pythonhosted.org"];

/** Where `conda.anaconda.org/<channel>` channels (conda-forge, pytorch, ...) and `defaults` download from. */
const ANACONDA_ORG = "conda.anaconda.org";
const ANACONDA_COM = "repo.anaconda.com";

/**
 * The channels and package indexes a conda file (as Azure ML builds environments from it) downloads from, with
 * their lines.
 *
 * Channels: `defaults` is Anaconda's repository and conda.anaconda.org, `nodefaults` names none, a URL its own
 * host, and any other name a channel on conda.anaconda.org (conda-forge, pytorch); a `<channel>::<package>`
 * dependency names its channel the same way. pip: a non-empty `pip:` list downloads from PyPI (pypi.org and
 * files.pythonhosted.org) unless an `--index-url` (`-i`) line replaces it; `--extra-index-url` adds a host and
 * keeps PyPI, as pip does. Conda's own configuration (`.condarc` in the image) is not seen here.
 *
 * A file that is not a YAML mapping yields nothing: its problems are Azure's to report.
 */
export function condaSources(text: string): CondaSource[] {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false });
  if (doc.errors.length > 0 || !isMap(doc.contents)) return [];
  const lineOf = (node: unknown) => lineCounter.linePos((node as { range?: [number] }).range?.[0] ?? 0).line;
  const sources: CondaSource[] = [];

  const channels = doc.contents.get("channels", true);
  if (isSeq(channels)) {
    for (const item of channels.items) {
      if (isScalar(item) && typeof item.value === "string") {
        sources.push({ what: `channel ${item.value}`, line: lineOf(item), hosts: channelHosts(item.value) });
      }
    }
  }

  const dependencies = doc.contents.get("dependencies", true);
  if (isSeq(dependencies)) {
    for (const item of dependencies.items) {
      if (isScalar(item) && typeof item.value === "string" && item.value.includes("::")) {
        const channel = item.value.slice(0, item.value.indexOf("::")).trim();
        sources.push({ what: `channel ${channel} (in ${item.value})`, line: lineOf(item), hosts: channelHosts(channel) });
      } else if (isMap(item)) {
        const pair = item.items.find((p) => isScalar(p.key) && p.key.value === "pip");
        if (pair && isSeq(pair.value)) sources.push(...pipSources(pair.value.items, lineOf(pair.key), lineOf));
      }
    }
  }
  return sources.filter((s) => s.hosts.length > 0);
}

/** The hosts of the pip list's indexes: PyPI unless replaced, and every index a line names. */
function pipSources(items: readonly unknown[], pipLine: number, lineOf: (node: unknown) => number): CondaSource[] {
  const sources: CondaSource[] = [];
  let replaced = false;
  let packages = 0;
  for (const item of items) {
    if (!isScalar(item) || typeof item.value !== "string") continue;
    const entry = item.value.trim();
    const index = /^(--index-url|--extra-index-url|-i)(?:\s*=\s*|\s+)(\S+)/.exec(entry);
    if (index) {
      if (index[1] !== "--extra-index-url") replaced = true;
      const host = urlHost(index[2]);
      if (host) sources.push({ what: `pip index ${index[2]}`, line: lineOf(item), hosts: [host] });
    } else if (!entry.startsWith("-")) {
      packages++;
    }
  }
  if (packages > 0 && !replaced) sources.unshift({ what: "pip packages from PyPI", line: pipLine, hosts: PYPI_HOSTS });
  // An index that nothing is installed from is never reached.
  return packages > 0 ? sources : [];
}

function channelHosts(channel: string): string[] {
  if (channel === "defaults") return [ANACONDA_ORG, ANACONDA_COM];
  if (channel === "nodefaults") return [];
  if (channel.includes("://")) {
    const host = urlHost(channel);
    return host ? [host] : [];
  }
  return [ANACONDA_ORG];
}

/** The host of an http(s) URL, lower case; nothing for file:// and other local channels, or text that is no URL. */
function urlHost(url: string): string | undefined {
  try {
    const parsed = new URL(url);
    return (parsed.protocol === "https:" || parsed.protocol === "http:") && parsed.hostname !== "" ? parsed.hostname.toLowerCase() : undefined;
  } catch {
    return undefined;
  }
}

/** Whether `network.allowed_fqdns` lets the managed network reach `host`: the name itself, or `*.<parent>` of it. */
export function hostAllowed(host: string, allowed: readonly string[]): boolean {
  return allowed.some((fqdn) => fqdn === host || (fqdn.startsWith("*.") && host.endsWith(fqdn.slice(1))));
}

/**
 * The order CI deploys environments in, from each config's `deploy.after`: checked across files (every name an
 * environment of the folder, no cycles), and grouped in waves. A wave deploys in parallel once the waves before it
 * have deployed; an environment is in the first wave after every environment it names.
 */
import type { ConfigProblem } from "./errors";

/** What the order needs of one environment. */
export interface DeployNode {
  readonly name: string;
  /** The file, as shown in messages. */
  readonly file: string;
  readonly after: readonly string[];
  /** The line of each `deploy.after` entry, when known. */
  readonly afterLines?: readonly (number | undefined)[];
}

/** Every problem of the `deploy.after` lists of a folder, each at its file and line. */
export function checkDeployOrder(nodes: readonly DeployNode[]): ConfigProblem[] {
  const byName = new Map(nodes.map((n) => [n.name, n]));
  const known = [...byName.keys()].sort().join(", ");
  const problems: ConfigProblem[] = [];
  const at = (n: DeployNode, i: number) => ({ file: n.file, ...(n.afterLines?.[i] !== undefined ? { line: n.afterLines[i] } : {}), field: `deploy.after[${i}]` });
  for (const n of nodes) {
    const seen = new Map<string, number>();
    n.after.forEach((name, i) => {
      if (name === n.name) {
        problems.push({ ...at(n, i), rule: "must not name the environment itself", value: name, hasValue: true });
      } else if (!byName.has(name)) {
        problems.push({ ...at(n, i), rule: `must name an environment of this folder (${known})`, value: name, hasValue: true });
      } else if (seen.has(name)) {
        problems.push({ ...at(n, i), rule: `must not repeat deploy.after[${seen.get(name)}]`, value: name, hasValue: true });
      }
      if (!seen.has(name)) seen.set(name, i);
    });
  }
  // A cycle is reported at every entry on it, each naming the whole loop, so the user sees where to cut it.
  for (const cycle of cyclesOf(nodes, byName)) {
    const loop = [...cycle, cycle[0]!].join(" → ");
    cycle.forEach((name, k) => {
      const n = byName.get(name)!;
      const i = n.after.indexOf(cycle[(k + 1) % cycle.length]!);
      problems.push({ ...at(n, i), rule: `must not form a cycle (${loop} deploys after itself)`, value: n.after[i], hasValue: true });
    });
  }
  return problems;
}

/** Each simple cycle once, as the names along it (starting from its smallest name), in name order. */
function cyclesOf(nodes: readonly DeployNode[], byName: ReadonlyMap<string, DeployNode>): string[][] {
  const found = new Map<string, string[]>();
  const visit = (path: string[]): void => {
    const last = byName.get(path[path.length - 1]!)!;
    for (const next of last.after) {
      if (next === last.name || !byName.has(next)) continue;
      const k = path.indexOf(next);
      if (k >= 0) {
        const cycle = path.slice(k);
        const start = cycle.indexOf([...cycle].sort()[0]!);
        const canonical = [...cycle.slice(start), ...cycle.slice(0, start)];
        found.set(canonical.join("\n"), canonical);
      } else {
        visit([...path, next]);
      }
    }
  };
  for (const n of [...nodes].sort((a, b) => (a.name < b.name ? -1 : 1))) visit([n.name]);
  return [...found.keys()].sort().map((key) => found.get(key)!);
}

/**
 * The environments in waves: the first holds those that name nobody, each later one those whose `after` are all in
 * earlier waves. Names are sorted within a wave, so the result does not depend on file order.
 * @throws Error when the order has a cycle or an unknown name (checkDeployOrder reports those first)
 */
export function deployWaves<N extends DeployNode>(nodes: readonly N[]): N[][] {
  const waves: N[][] = [];
  const placed = new Set<string>();
  let rest = [...nodes].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  while (rest.length > 0) {
    const wave = rest.filter((n) => n.after.every((a) => placed.has(a)));
    if (wave.length === 0) throw new Error(`deploy.after has a cycle or an unknown name among ${rest.map((n) => n.name).join(", ")}`);
    for (const n of wave) placed.add(n.name);
    rest = rest.filter((n) => !placed.has(n.name));
    waves.push(wave);
  }
  return waves;
}

/** How many waves deploy.yml has jobs for; a deeper `deploy.after` chain is refused by deployMatrix. */
export const MAX_WAVES = 5;

/** One matrix entry of deploy.yml: the environment, its stack, and the GitHub environment that gates it. */
export interface DeployTarget {
  readonly name: string;
  readonly stack: string;
  readonly github_environment: string;
}

/**
 * The matrix of each of the {@link MAX_WAVES} wave jobs of deploy.yml, empty for waves with no environment.
 * @throws Error when the chain of `deploy.after` is deeper than MAX_WAVES
 */
export function deployMatrix(nodes: readonly (DeployNode & { readonly githubEnvironment?: string })[]): DeployTarget[][] {
  const waves = deployWaves(nodes);
  if (waves.length > MAX_WAVES) {
    throw new Error(
      `deploy.after chains ${waves.length} environments one after the other (${waves.map((w) => w.map((n) => n.name).join(" + ")).join(" → ")}); ` +
        `deploy.yml has ${MAX_WAVES} waves: shorten the chain, or add wave jobs to deploy.yml and raise MAX_WAVES`,
    );
  }
  return Array.from({ length: MAX_WAVES }, (_, i) =>
    (waves[i] ?? []).map((n) => ({ name: n.name, stack: `serving-${n.name}`, github_environment: n.githubEnvironment ?? n.name })),
  );
}

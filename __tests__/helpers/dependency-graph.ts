/**
 * Terraform's dependency graph of a synthesized stack, for asking "does A wait for B?".
 *
 * Terraform orders operations by the references in a resource's arguments (`${azurerm_x.y.id}`) and by its
 * `depends_on`. This helper builds the same edges from the cdk.tf.json that cdktf writes, so tests assert apply
 * order instead of trusting it. `lifecycle` is left out: `replace_triggered_by` decides replacement, not order.
 */
export class DependencyGraph {
  /** Resource and data source addresses (`azurerm_x.name`, `data.azurerm_x.name`) to the addresses they use. */
  private readonly edges = new Map<string, Set<string>>();
  /** Construct path (without the stack) of each address, from cdktf's metadata, when the JSON has it. */
  private readonly paths = new Map<string, string>();

  constructor(stackJson: any) {
    const blocks: [string, Record<string, Record<string, any>> | undefined][] = [
      ["", stackJson.resource],
      ["data.", stackJson.data],
    ];
    for (const [prefix, byType] of blocks) {
      for (const [type, byName] of Object.entries(byType ?? {})) {
        for (const [name, config] of Object.entries(byName)) {
          const address = `${prefix}${type}.${name}`;
          this.edges.set(address, new Set());
          const path: string | undefined = config?.["//"]?.metadata?.path;
          if (path) this.paths.set(address, path.split("/").slice(1).join("/"));
        }
      }
    }
    for (const [prefix, byType] of blocks) {
      for (const [type, byName] of Object.entries(byType ?? {})) {
        for (const [name, config] of Object.entries(byName)) {
          const from = `${prefix}${type}.${name}`;
          const { depends_on: dependsOn, lifecycle: _lifecycle, "//": _meta, ...args } = config;
          for (const to of [...referencesIn(args), ...((dependsOn as string[] | undefined) ?? [])]) {
            if (this.edges.has(to) && to !== from) this.edges.get(from)!.add(to);
          }
        }
      }
    }
  }

  /** Every address in the stack. */
  get addresses(): string[] {
    return [...this.edges.keys()];
  }

  /** The addresses of one resource type, e.g. `azurerm_storage_blob` (data sources: `data.azurerm_client_config`). */
  ofType(type: string): string[] {
    return this.addresses.filter((a) => a.slice(0, a.lastIndexOf(".")) === type);
  }

  /**
   * The one address whose construct path (without the stack name) is `path` or ends with `/<path>`.
   * Needs the JSON of a full synth (cdktf's `//` metadata), as `app.synth()` or `Testing.synth(stack, true)` writes.
   */
  at(path: string): string {
    const matches = [...this.paths].filter(([, p]) => p === path || p.endsWith(`/${path}`)).map(([a]) => a);
    if (matches.length !== 1) throw new Error(`expected one resource at ${path}, found ${matches.join(", ") || "none"}`);
    return matches[0];
  }

  /** What `address` uses directly. */
  direct(address: string): string[] {
    return [...this.known(address)];
  }

  /** Whether applying `a` waits for `b`: `a` depends on `b` directly or through others. */
  waitsFor(a: string, b: string): boolean {
    const seen = new Set<string>();
    const stack = [...this.known(a)];
    while (stack.length > 0) {
      const next = stack.pop()!;
      if (next === b) return true;
      if (seen.has(next)) continue;
      seen.add(next);
      stack.push(...this.known(next));
    }
    return false;
  }

  private known(address: string): Set<string> {
    const edges = this.edges.get(address);
    if (!edges) throw new Error(`no resource ${address} in the stack (has: ${this.addresses.join(", ")})`);
    return edges;
  }
}

/** Resource addresses referenced inside `${...}` expressions anywhere in a value. */
function referencesIn(value: unknown): string[] {
  if (typeof value === "string") return expressionsIn(value).flatMap(addressesIn);
  if (Array.isArray(value)) return value.flatMap(referencesIn);
  if (value && typeof value === "object") return Object.values(value).flatMap(referencesIn);
  return [];
}

/** The bodies of the `${...}` interpolations in a string, nested braces included. */
function expressionsIn(text: string): string[] {
  const out: string[] = [];
  for (let start = text.indexOf("${"); start >= 0; start = text.indexOf("${", start + 2)) {
    let depth = 0;
    for (let i = start + 1; i < text.length; i++) {
      if (text[i] === "{") depth++;
      else if (text[i] === "}" && --depth === 0) {
        out.push(text.slice(start + 2, i));
        break;
      }
    }
  }
  return out;
}

/** `type.name` and `data.type.name` references in one expression (string literals inside it are skipped). */
function addressesIn(expression: string): string[] {
  const code = expression.replace(/"(?:[^"\\]|\\.)*"/g, '""');
  return [...code.matchAll(/(?<![\w.])((?:data\.)?[a-z][a-z0-9_]*\.[A-Za-z_][\w-]*)/g)].map((m) => m[1]);
}

import { spawnSync } from "node:child_process";
import { cpSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

/**
 * `terraform validate` of a synthesized stack without its providers, which cannot be downloaded here.
 *
 * Every resource and data source becomes a built-in `terraform_data` whose `input` carries its arguments, and every
 * reference is rewritten to it (`azurerm_x.y.id` → `terraform_data.azurerm_x__y.output.id`). What Terraform still
 * checks is what the providers would not: the JSON syntax of every expression and template, functions and their
 * arity, `depends_on` and `replace_triggered_by` forms, references to undeclared resources, and instance keys on
 * resources with `count`. Argument names and types are the providers' part and are not checked.
 */

/** The terraform binary, or undefined when none is on PATH. */
export function terraformBinary(): string | undefined {
  const bin = process.env.TERRAFORM ?? "terraform";
  return spawnSync(bin, ["version"], { stdio: "ignore" }).status === 0 ? bin : undefined;
}

const META = new Set(["depends_on", "lifecycle", "count", "for_each", "provider", "//"]);

/** The stack JSON rewritten onto terraform_data (see the module comment). */
export function onTerraformData(stack: any, options: { readonly asModule?: boolean } = {}): any {
  const renames = new Map<string, string>();
  for (const [prefix, block] of [["", stack.resource], ["data.", stack.data]] as const) {
    for (const [type, byName] of Object.entries((block ?? {}) as Record<string, object>)) {
      for (const name of Object.keys(byName)) renames.set(`${prefix}${type}.${name}`, `${prefix ? "data__" : ""}${type}__${name}`);
    }
  }
  const address = (a: string) => (renames.has(a) ? `terraform_data.${renames.get(a)}` : a);
  // As a child module, file paths resolve from the root's folder, so they are made relative to the module's own.
  const paths = (code: string) => (options.asModule ? code.replace(/\b(file\w*)\("(?!\$\{path\.module\})/g, '$1("${path.module}/') : code);
  const expression = (code: string) =>
    paths(code).replace(/(?<![\w.])((?:data\.)?[a-z][a-z0-9_]*\.[A-Za-z_][\w-]*)(\.|\[|\b)/g, (whole, ref: string, next: string) =>
      renames.has(ref) ? `${address(ref)}${next === "." || next === "[" ? ".output" : ""}${next}` : whole,
    );
  const rewrite = (value: unknown): unknown => {
    if (typeof value === "string") return value.replace(/\$\{((?:[^{}]|\{[^{}]*\})*)\}/g, (_, code: string) => `\${${expression(code)}}`);
    if (Array.isArray(value)) return value.map(rewrite);
    if (value && typeof value === "object") return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, rewrite(v)]));
    return value;
  };

  const resources: Record<string, any> = {};
  for (const [prefix, block] of [["", stack.resource], ["data.", stack.data]] as const) {
    for (const [type, byName] of Object.entries((block ?? {}) as Record<string, Record<string, any>>)) {
      for (const [name, config] of Object.entries(byName)) {
        const input = Object.fromEntries(Object.entries(config).filter(([k]) => !META.has(k)));
        const out: any = { input: rewrite(input) };
        if (config.count !== undefined) out.count = rewrite(config.count);
        if (config.depends_on) out.depends_on = config.depends_on.map(address);
        const { ignore_changes: _ignored, replace_triggered_by: triggers, ...lifecycle } = config.lifecycle ?? {};
        // ignore_changes names provider attributes, which terraform_data does not have; the rest keeps its meaning.
        if (triggers) lifecycle.replace_triggered_by = triggers.map(address);
        if (Object.keys(lifecycle).length > 0) out.lifecycle = lifecycle;
        resources[renames.get(`${prefix}${type}.${name}`)!] = out;
      }
    }
  }
  const outputs = Object.fromEntries(
    Object.entries((stack.output ?? {}) as Record<string, any>).map(([name, o]) => [
      name,
      { ...o, value: rewrite(o.value), ...(o.depends_on ? { depends_on: o.depends_on.map(address) } : {}) },
    ]),
  );
  return {
    ...(stack.variable ? { variable: stack.variable } : {}),
    ...(stack.locals ? { locals: rewrite(stack.locals) } : {}),
    resource: { terraform_data: resources },
    ...(Object.keys(outputs).length > 0 ? { output: outputs } : {}),
  };
}

/** One synthesized stack: its name, its cdk.tf.json as parsed, and its folder (assets included). */
export interface SynthesizedStack {
  readonly name: string;
  readonly json: any;
  readonly dir: string;
}

/**
 * Validates stacks on terraform_data with one `terraform init` and one `terraform validate`: each stack is a child
 * module of one root, so Terraform reads all of them at once. Returns Terraform's error diagnostics per stack name,
 * empty when a stack is valid.
 */
export function validateOffline(stacks: readonly SynthesizedStack[], terraform: string): Map<string, string[]> {
  const work = mkdtempSync(join(tmpdir(), "tf-offline-"));
  const found = new Map<string, string[]>(stacks.map((s) => [s.name, []]));
  try {
    for (const stack of stacks) {
      const dir = join(work, stack.name);
      cpSync(stack.dir, dir, { recursive: true });
      rmSync(join(dir, "cdk.tf.json"));
      writeFileSync(join(dir, "main.tf.json"), JSON.stringify(onTerraformData(stack.json, { asModule: true }), null, 2));
    }
    writeFileSync(join(work, "main.tf.json"), JSON.stringify({ module: Object.fromEntries(stacks.map((s) => [s.name, { source: `./${s.name}` }])) }));
    const env = { ...process.env, CHECKPOINT_DISABLE: "1", TF_IN_AUTOMATION: "1", TF_INPUT: "0", TF_CLI_CONFIG_FILE: "/dev/null" };
    // init parses the configuration too, and stops at the first syntax error, naming the file (`<stack>/main.tf.json`).
    const init = spawnSync(terraform, ["init", "-backend=false", "-input=false", "-no-color"], { cwd: work, env, encoding: "utf8" });
    if (init.status !== 0) {
      const text = `terraform init failed: ${init.stderr.trim() || init.stdout.trim()}`;
      const named = stacks.filter((s) => text.includes(`${s.name}/`));
      for (const stack of named.length > 0 ? named : stacks) found.get(stack.name)!.push(text);
      return found;
    }
    const result = spawnSync(terraform, ["validate", "-json", "-no-color"], { cwd: work, env, encoding: "utf8" });
    const report = JSON.parse(result.stdout) as { diagnostics: { severity: string; summary: string; detail?: string; range?: { filename: string; start: { line: number } } }[] };
    for (const d of report.diagnostics.filter((x) => x.severity === "error")) {
      const file = d.range?.filename ?? "?";
      const owner = stacks.find((s) => file.startsWith(`${s.name}/`))?.name;
      const line = `${d.summary}: ${d.detail ?? ""} (${file}:${d.range?.start.line ?? "?"})`;
      for (const [name, list] of found) if (owner === undefined || owner === name) list.push(line);
    }
    return found;
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

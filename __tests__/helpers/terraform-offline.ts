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
export function onTerraformData(stack: any): any {
  const renames = new Map<string, string>();
  for (const [prefix, block] of [["", stack.resource], ["data.", stack.data]] as const) {
    for (const [type, byName] of Object.entries((block ?? {}) as Record<string, object>)) {
      for (const name of Object.keys(byName)) renames.set(`${prefix}${type}.${name}`, `${prefix ? "data__" : ""}${type}__${name}`);
    }
  }
  const address = (a: string) => (renames.has(a) ? `terraform_data.${renames.get(a)}` : a);
  const expression = (code: string) =>
    code.replace(/(?<![\w.])((?:data\.)?[a-z][a-z0-9_]*\.[A-Za-z_][\w-]*)(\.|\[|\b)/g, (whole, ref: string, next: string) =>
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

/**
 * Validates the stack in `stackDir` (a cdktf.out/stacks/<name> folder, assets included) on terraform_data.
 * Returns Terraform's diagnostics, empty when it is valid.
 */
export function validateOffline(stack: any, stackDir: string, terraform: string): string[] {
  const work = mkdtempSync(join(tmpdir(), "tf-offline-"));
  try {
    cpSync(stackDir, work, { recursive: true });
    rmSync(join(work, "cdk.tf.json"));
    writeFileSync(join(work, "main.tf.json"), JSON.stringify(onTerraformData(stack), null, 2));
    const env = { ...process.env, CHECKPOINT_DISABLE: "1", TF_IN_AUTOMATION: "1", TF_INPUT: "0", TF_CLI_CONFIG_FILE: "/dev/null" };
    // init parses the configuration too, and stops at the first syntax error it finds.
    const init = spawnSync(terraform, ["init", "-backend=false", "-input=false", "-no-color"], { cwd: work, env, encoding: "utf8" });
    if (init.status !== 0) return [`terraform init failed: ${init.stderr.trim() || init.stdout.trim()}`];
    const result = spawnSync(terraform, ["validate", "-json", "-no-color"], { cwd: work, env, encoding: "utf8" });
    const report = JSON.parse(result.stdout) as { diagnostics: { severity: string; summary: string; detail?: string; range?: { filename: string; start: { line: number } } }[] };
    return report.diagnostics
      .filter((d) => d.severity === "error")
      .map((d) => `${d.summary}: ${d.detail ?? ""} (${d.range?.filename ?? "?"}:${d.range?.start.line ?? "?"})`);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

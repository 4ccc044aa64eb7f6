import { Aspects, TerraformStack } from "cdktf";
import type { IConstruct } from "constructs";
import { isBlocking, type GuardrailFinding, type GuardrailReport, type GuardrailWaiver, type StackGuardrails } from "./findings";
import { formatCapacityTable } from "./capacity";
import { GuardrailAspect, waiverHint, type GuardrailAspectOptions } from "./guardrail-aspect";
import { GuardrailRecord } from "./guardrail-record";
import { RULE_IDS, type RuleId } from "./rule-ids";
import { GUARDRAIL_RULES } from "./rules";

/** Construct id of the metadata record under each stack. */
const RECORD_ID = "guardrails";

/**
 * Puts the guardrail rules on a stack, with the stack's waivers, and records the outcome in its synthesized metadata.
 *
 * Call once per stack, in its constructor or right after it. A waiver covers every finding of its rule in the stack.
 * @throws Error when guardrails are already applied to the stack
 */
export function applyGuardrails(
  stack: TerraformStack,
  waivers: readonly GuardrailWaiver[] = [],
  options: GuardrailAspectOptions = {},
): GuardrailAspect {
  if (guardrailsOf(stack)) {
    throw new Error(`Guardrails are already applied to stack ${stack.node.id}: call applyGuardrails once per stack`);
  }
  const aspect = new GuardrailAspect(stack, [...waivers], options);
  Aspects.of(stack).add(aspect);
  new GuardrailRecord(stack, RECORD_ID, {
    outcome: () => aspect.evaluate(),
    ...(options.rolloutWaivers ? { rolloutWaivers: options.rolloutWaivers } : {}),
  });
  return aspect;
}

/** The guardrails applied to `stack`, if any. */
export function guardrailsOf(stack: TerraformStack): GuardrailAspect | undefined {
  return Aspects.of(stack).all.find((a): a is GuardrailAspect => a instanceof GuardrailAspect);
}

/**
 * Runs the guardrails of every stack under `scope` (usually the App) and returns all findings.
 *
 * Call it before `app.synth()`: cdktf writes stacks one after the other, so an error found while synthesizing a later
 * stack would come after earlier stacks were already written. Stacks without `applyGuardrails` get the rules with
 * no waivers, so no stack goes unchecked.
 */
export function checkGuardrails(scope: IConstruct): GuardrailReport {
  const stacks = scope.node
    .findAll()
    .filter((node): node is TerraformStack => TerraformStack.isStack(node))
    .sort((a, b) => (a.node.id < b.node.id ? -1 : a.node.id > b.node.id ? 1 : 0));
  const results: StackGuardrails[] = stacks.map((stack) => (guardrailsOf(stack) ?? applyGuardrails(stack)).evaluate());
  return { stacks: results, hasErrors: results.some((s) => s.findings.some(isBlocking)) };
}

/**
 * The report as text for the terminal: one entry per rule and stack, listing every place the rule applies, then what
 * each rule guards against and how to fix it, once per rule.
 *
 * Entries come in this order: errors, warnings, waived findings, waivers that matched nothing, what was not
 * checked. Empty when there is nothing to say. Ends with a summary line when the synth must stop.
 */
export function formatGuardrailReport(report: GuardrailReport): string {
  const errors: string[] = [];
  const warnings: string[] = [];
  const waived: string[] = [];
  const unused: string[] = [];
  const notChecked: string[] = [];
  const explained = new Set<RuleId>();
  let errorCount = 0;
  for (const stack of report.stacks) {
    for (const [id, findings] of byRule(stack.findings)) {
      const rule = GUARDRAIL_RULES[id];
      const places = findings.map((f) => f.path);
      if (findings[0]!.waived) {
        waived.push(`guardrail waived ${id} at ${places.join(", ")}: ${findings[0]!.reason}`);
        continue;
      }
      explained.add(id);
      const count = `${places.length} ${places.length === 1 ? "place" : "places"}`;
      const entry = [
        `guardrail ${rule.severity} ${id} in ${stack.stack}, ${count}:`,
        // The file, line and field when the finding comes from a config file, as config errors name them; the
        // construct path stays, for whoever reads the synthesized JSON.
        ...findings.map((f) => (f.source !== undefined ? `  ${f.source}: ${f.field}: ${detailOf(f)} (at ${f.path})` : `  ${f.path}: ${detailOf(f)}`)),
        `  To waive, ${waiverHint(id, stack.configFile)}`,
      ].join("\n");
      if (rule.severity === "error") {
        errors.push(entry);
        errorCount += findings.length;
      } else {
        warnings.push(entry);
      }
    }
    for (const item of stack.notChecked ?? []) notChecked.push(`guardrail note: not checked in ${stack.stack}: ${item}`);
    for (const w of stack.waivers) {
      if (!stack.findings.some((f) => f.rule === w.rule)) {
        unused.push(
          `guardrail note: the waiver of ${w.rule} in ${stack.configFile ?? stack.stack} matches no finding in ${stack.stack}; remove it if it is no longer needed`,
        );
      }
    }
  }
  const lines = [...errors, ...warnings, ...waived, ...unused, ...notChecked];
  if (explained.size > 0) {
    lines.push("Why these rules, and the fix:");
    for (const id of RULE_IDS.filter((r) => explained.has(r))) lines.push(`  ${id}: ${GUARDRAIL_RULES[id].why} Fix: ${GUARDRAIL_RULES[id].fix}`);
  }
  if (errorCount > 0) {
    lines.push(
      `${errorCount} guardrail error${errorCount === 1 ? "" : "s"}: no stack was written. Fix each one, or waive it with a reason in the config file.`,
    );
  }
  return lines.join("\n");
}

/** Findings grouped by rule, in rule order; each group in path order. */
function byRule(findings: readonly GuardrailFinding[]): Map<RuleId, GuardrailFinding[]> {
  const groups = new Map<RuleId, GuardrailFinding[]>();
  for (const id of RULE_IDS) {
    const group = findings.filter((f) => f.rule === id);
    if (group.length > 0) groups.set(id, group);
  }
  return groups;
}

/** What is wrong at one place: the finding's message without the rule's explanation, which is printed once. */
function detailOf(finding: GuardrailFinding): string {
  const why = `. ${GUARDRAIL_RULES[finding.rule].why}`;
  return finding.message.endsWith(why) ? finding.message.slice(0, -why.length) : finding.message;
}

/**
 * The capacity table of every stack that has one, as terminal text: quota cores per VM family at the fewest, the
 * starting and the most instances. Information, not a warning: going over a configured quota is the quota-exceeded
 * rule's error.
 */
export function formatCapacityReport(report: GuardrailReport): string {
  return report.stacks
    .filter((s) => s.capacity !== undefined)
    .map((s) => formatCapacityTable(s.stack, s.capacity!, s.configFile))
    .join("\n");
}

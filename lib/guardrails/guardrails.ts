import { Aspects, TerraformStack } from "cdktf";
import type { IConstruct } from "constructs";
import { isBlocking, type GuardrailReport, type GuardrailWaiver, type StackGuardrails } from "./findings";
import { GuardrailAspect, waiverHint, type GuardrailAspectOptions } from "./guardrail-aspect";
import { GuardrailRecord } from "./guardrail-record";
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
  new GuardrailRecord(stack, RECORD_ID, { outcome: () => aspect.evaluate() });
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
 * The report as lines for stderr: errors, then warnings, then waived findings, then waivers that matched nothing.
 *
 * Empty when there is nothing to say. Ends with a summary line when the synth must stop.
 */
export function formatGuardrailReport(report: GuardrailReport): string {
  const errors: string[] = [];
  const warnings: string[] = [];
  const waived: string[] = [];
  const unused: string[] = [];
  for (const stack of report.stacks) {
    for (const f of stack.findings) {
      const rule = GUARDRAIL_RULES[f.rule];
      if (f.waived) {
        waived.push(`guardrail waived ${f.rule} at ${f.path}: ${f.reason}`);
      } else if (f.severity === "error") {
        errors.push(`guardrail error ${f.rule} at ${f.path}: ${f.message} Fix: ${rule.fix} To waive, ${waiverHint(f.rule, stack.configFile)}`);
      } else {
        warnings.push(`guardrail warning ${f.rule} at ${f.path}: ${f.message} Fix: ${rule.fix} (or waive: ${waiverHint(f.rule, stack.configFile)})`);
      }
    }
    for (const w of stack.waivers) {
      if (!stack.findings.some((f) => f.rule === w.rule)) {
        unused.push(
          `guardrail note: the waiver of ${w.rule} in ${stack.configFile ?? stack.stack} matches no finding in ${stack.stack}; remove it if it is no longer needed`,
        );
      }
    }
  }
  const lines = [...errors, ...warnings, ...waived, ...unused];
  if (errors.length > 0) {
    lines.push(
      `${errors.length} guardrail error${errors.length === 1 ? "" : "s"}: no stack was written. Fix each one, or waive it with a reason in the config file.`,
    );
  }
  return lines.join("\n");
}

import { Annotations, TerraformStack, type IAspect } from "cdktf";
import type { IConstruct } from "constructs";
import { capacityTable, capacityUses } from "./capacity";
import { CHECKS } from "./checks";
import type { GuardrailFinding, GuardrailWaiver, StackGuardrails } from "./findings";
import type { RolloutWaiver } from "./guardrail-record";
import { RULE_IDS } from "./rule-ids";
import { GUARDRAIL_RULES } from "./rules";
import { resourcesOf } from "./stack-view";

/** Options of {@link GuardrailAspect}. */
export interface GuardrailAspectOptions {
  /**
   * The config file the stack's waivers live in, as shown in messages (e.g. "config/dev.yaml").
   * @default messages say "the environment's config file"
   */
  readonly configFile?: string;
  /**
   * What the rules cannot see because the stack does not create it, e.g. the network settings of an existing
   * workspace; reported once per stack as "not checked".
   * @default []
   */
  readonly notChecked?: readonly string[];
  /**
   * Waivers of rollout rules, only recorded in the stack's metadata for the plan review (see GuardrailRecord); the
   * guardrail rules never see them, so the report never calls them unused.
   * @default none
   */
  readonly rolloutWaivers?: readonly RolloutWaiver[];
  /**
   * Quota cores per VM family, as the config's `quota` gives them (see the quota-exceeded rule).
   * @default {} (the capacity table is information only)
   */
  readonly quota?: Readonly<Record<string, number>>;
  /**
   * Where each key of `quota` is written, e.g. "config/prod.yaml:42", named in quota-exceeded findings.
   * @default findings name no place
   */
  readonly quotaSources?: Readonly<Record<string, string>>;
  /**
   * Whether the environment is production-like (live deployments need 3 instances, see single-instance-live).
   * @default false
   */
  readonly productionLike?: boolean;
}

/**
 * Checks every guardrail rule against one stack, applying the stack's waivers.
 *
 * Several rules need the whole stack (traffic maps, autoscale settings, diagnostic settings), so the rules run once,
 * when the aspect visits the stack node itself, over all resources below it. The outcome is kept: `App.synth()` and
 * `checkGuardrails()` may both visit, and findings and annotations must not double. Each unwaived error is also an
 * error annotation on its resource, which makes cdktf refuse to write the stack (`Testing.fullSynth` throws too).
 */
export class GuardrailAspect implements IAspect {
  private outcome?: StackGuardrails;

  constructor(
    readonly stack: TerraformStack,
    readonly waivers: readonly GuardrailWaiver[],
    private readonly options: GuardrailAspectOptions = {},
  ) {}

  visit(node: IConstruct): void {
    if (node === this.stack) this.evaluate();
  }

  /** Runs the rules on the first call and returns the same outcome afterwards. */
  evaluate(): StackGuardrails {
    if (this.outcome) return this.outcome;
    const findings: GuardrailFinding[] = [];
    const resources = resourcesOf(this.stack);
    const context = { quota: this.options.quota, quotaSources: this.options.quotaSources, productionLike: this.options.productionLike };
    for (const id of RULE_IDS) {
      const rule = GUARDRAIL_RULES[id];
      const waiver = this.waivers.find((w) => w.rule === id);
      for (const { resource, detail } of CHECKS[id](resources, context)) {
        const message = `${detail}. ${rule.why}`;
        findings.push({
          rule: id,
          severity: rule.severity,
          path: resource.path,
          message,
          waived: waiver !== undefined,
          ...(waiver ? { reason: waiver.reason } : {}),
        });
        if (rule.severity === "error" && !waiver) {
          Annotations.of(resource.construct).addError(
            `guardrail ${id}: ${message} Fix: ${rule.fix} To waive, ${waiverHint(id, this.options.configFile)}`,
          );
        }
      }
    }
    const order = (f: GuardrailFinding) => RULE_IDS.indexOf(f.rule);
    findings.sort((a, b) => (a.path === b.path ? order(a) - order(b) : a.path < b.path ? -1 : 1));
    const uses = capacityUses(resources).map((l) => l.use);
    this.outcome = {
      stack: this.stack.node.id,
      ...(this.options.configFile !== undefined ? { configFile: this.options.configFile } : {}),
      ...(uses.length > 0 ? { capacity: capacityTable(uses, this.options.quota) } : {}),
      findings,
      waivers: this.waivers.map((w) => ({ rule: w.rule, reason: w.reason })),
      ...(this.options.notChecked && this.options.notChecked.length > 0 ? { notChecked: [...this.options.notChecked] } : {}),
    };
    return this.outcome;
  }
}

/** How to waive `rule`, as a config snippet to paste. */
export function waiverHint(rule: string, configFile: string | undefined): string {
  return `add to ${configFile ?? "the environment's config file"}: waivers: [{ rule: ${rule}, reason: "<why this risk is accepted here>" }]`;
}

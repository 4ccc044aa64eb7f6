import { TerraformElement } from "cdktf";
import { Construct } from "constructs";
import type { StackGuardrails } from "./findings";
import type { RolloutRuleId } from "./rule-ids";

/** A reasoned waiver of a rollout rule: the plan review shows the blocked change as a warning with this reason. */
export interface RolloutWaiver {
  readonly rule: RolloutRuleId;
  readonly reason: string;
}

/** Properties of {@link GuardrailRecord}. */
export interface GuardrailRecordProps {
  /** Produces the stack's guardrail outcome; called when the stack is synthesized. */
  readonly outcome: () => StackGuardrails;
  /**
   * Waivers of rollout rules, recorded at `cdk.tf.json["//"].metadata.rollout.waivers` for the plan review, which reads
   * synthesized stacks, not YAML. Left out of the guardrail record: no guardrail finding can use them.
   * @default none (no `rollout` metadata is written)
   */
  readonly rolloutWaivers?: readonly RolloutWaiver[];
}

/**
 * Writes a stack's guardrail findings and waivers to `cdk.tf.json["//"].metadata.guardrails`, and its capacity
 * table to `cdk.tf.json["//"].metadata.capacity`.
 *
 * cdktf deep-merges every element's `toMetadata()` into the stack metadata, so this element adds no Terraform
 * configuration, only `{ findings: [...], waivers: [...], notChecked?: [...] }` for reviewers and the plan-review tool.
 */
export class GuardrailRecord extends TerraformElement {
  private readonly outcome: () => StackGuardrails;
  private readonly rolloutWaivers: readonly RolloutWaiver[];

  constructor(scope: Construct, id: string, props: GuardrailRecordProps) {
    super(scope, id);
    this.outcome = props.outcome;
    this.rolloutWaivers = props.rolloutWaivers ?? [];
  }

  override toMetadata(): {
    guardrails: { findings: object[]; waivers: object[]; notChecked?: string[] };
    rollout?: { waivers: object[] };
    capacity?: object;
  } {
    const outcome = this.outcome();
    return {
      // Only when there are some, so that stacks without rollout waivers synthesize exactly as before.
      ...(this.rolloutWaivers.length > 0 ? { rollout: { waivers: this.rolloutWaivers.map((w) => ({ rule: w.rule, reason: w.reason })) } } : {}),
      // The capacity table, for the plan review: what the review tool prints per environment.
      ...(outcome.capacity ? { capacity: outcome.capacity } : {}),
      guardrails: {
        findings: outcome.findings.map((f) => ({
          rule: f.rule,
          severity: f.severity,
          path: f.path,
          message: f.message,
          waived: f.waived,
          ...(f.waived && f.reason !== undefined ? { reason: f.reason } : {}),
          // Added fields, only when known: readers of the earlier contract see the fields they know unchanged.
          ...(f.source !== undefined ? { source: f.source } : {}),
          ...(f.field !== undefined ? { field: f.field } : {}),
        })),
        waivers: outcome.waivers.map((w) => ({ rule: w.rule, reason: w.reason })),
        ...(outcome.notChecked ? { notChecked: [...outcome.notChecked] } : {}),
      },
    };
  }
}

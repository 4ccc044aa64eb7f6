import { TerraformElement } from "cdktf";
import { Construct } from "constructs";
import type { StackGuardrails } from "./findings";

/** Properties of {@link GuardrailRecord}. */
export interface GuardrailRecordProps {
  /** Produces the stack's guardrail outcome; called when the stack is synthesized. */
  readonly outcome: () => StackGuardrails;
}

/**
 * Writes a stack's guardrail findings and waivers to `cdk.tf.json["//"].metadata.guardrails`, and its capacity
 * table to `cdk.tf.json["//"].metadata.capacity`.
 *
 * cdktf deep-merges every element's `toMetadata()` into the stack metadata, so this element adds no Terraform
 * configuration, only `{ findings: [...], waivers: [...] }` for reviewers and the plan-review tool.
 */
export class GuardrailRecord extends TerraformElement {
  private readonly outcome: () => StackGuardrails;

  constructor(scope: Construct, id: string, props: GuardrailRecordProps) {
    super(scope, id);
    this.outcome = props.outcome;
  }

  override toMetadata(): { guardrails: { findings: object[]; waivers: object[] }; capacity?: object } {
    const outcome = this.outcome();
    return {
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
        })),
        waivers: outcome.waivers.map((w) => ({ rule: w.rule, reason: w.reason })),
      },
    };
  }
}

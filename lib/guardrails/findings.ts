import type { CapacityTable } from "./capacity";
import type { RuleId } from "./rule-ids";
import type { GuardrailSeverity } from "./rules";

/** A reasoned exception from config `waivers`; it covers every finding of its rule in one stack (environment). */
export interface GuardrailWaiver {
  readonly rule: RuleId;
  readonly reason: string;
}

/**
 * One rule violated by one resource.
 *
 * This is also the shape recorded at `cdk.tf.json["//"].metadata.guardrails.findings[]`, a contract with the
 * plan-review tool: keep the field names and meanings.
 */
export interface GuardrailFinding {
  readonly rule: RuleId;
  readonly severity: GuardrailSeverity;
  /** Construct path of the offending resource, e.g. "serving-dev/endpoint/deployment-blue". */
  readonly path: string;
  /** What is wrong and why it matters. */
  readonly message: string;
  readonly waived: boolean;
  /** The waiver's reason; present only when `waived`. */
  readonly reason?: string;
  /**
   * Where the offending setting is written, as config errors name it: `config/dev.yaml:12`, or the file alone when
   * the line is unknown; absent for resources not built from a config file. Optional: readers of older metadata
   * find none.
   */
  readonly source?: string;
  /** The YAML field the finding is about, e.g. `endpoints[1].auth_mode`; present with `source`. */
  readonly field?: string;
}

/** The guardrail outcome of one stack. */
export interface StackGuardrails {
  /** Stack name, e.g. "serving-dev". */
  readonly stack: string;
  /** The config file the waivers come from, as shown in messages; absent for stacks not built from one. */
  readonly configFile?: string;
  /** Sorted by construct path, then by rule order. */
  readonly findings: readonly GuardrailFinding[];
  /** Quota cores per VM family; absent for stacks without online deployments or a cluster. */
  readonly capacity?: CapacityTable;
  /** Waivers in effect for the stack, whether or not a finding used them. */
  readonly waivers: readonly GuardrailWaiver[];
  /** What the rules cannot see in this stack (resources it does not create), each said once; absent when none. */
  readonly notChecked?: readonly string[];
}

/** The guardrail outcome of a whole app. */
export interface GuardrailReport {
  /** In stack name order. */
  readonly stacks: readonly StackGuardrails[];
  /** True when any stack has an error finding that no waiver covers: the synth must stop. */
  readonly hasErrors: boolean;
}

/** Whether a finding stops the synth. */
export function isBlocking(finding: GuardrailFinding): boolean {
  return finding.severity === "error" && !finding.waived;
}

import { Annotations, TerraformStack, type IAspect } from "cdktf";
import type { IConstruct } from "constructs";
import { capacityTable, capacityUses } from "./capacity";
import { CHECKS } from "./checks";
import type { GuardrailFinding, GuardrailWaiver, StackGuardrails } from "./findings";
import type { RolloutWaiver } from "./guardrail-record";
import { fieldPath } from "../config/errors";
import { RULE_IDS, type RuleId } from "./rule-ids";
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
  /**
   * Where the stack's constructs come from in the config file, so that a finding names `file:line: field` as config
   * errors do. The stack fills it while it builds, so it may be empty when the guardrails are applied.
   * @default findings name only their construct path
   */
  readonly configSources?: ConfigSources;
}

/** Construct paths mapped to the YAML they were built from (see {@link GuardrailAspectOptions.configSources}). */
export interface ConfigSources {
  /** Construct path (`node.path`) → YAML path of the section it was built from, e.g. ["endpoints", 1, "deployments", 0]. */
  readonly places: ReadonlyMap<string, readonly PropertyKey[]>;
  /**
   * The 1-based line of a YAML path in the config file (its deepest part written there).
   * @default no line
   */
  readonly lineOf?: (path: readonly PropertyKey[]) => number | undefined;
}

/**
 * The YAML field each rule is about, below the section its resource was built from. Rules about what the code builds
 * rather than what the file says (TLS, key vault settings) have none: their finding names the section alone.
 */
const RULE_FIELDS: Partial<Record<RuleId, string>> = {
  "endpoint-key-auth": "auth_mode",
  "endpoint-public": "public_network_access",
  "single-instance-live": "instance_count",
  "deployment-egress-public": "egress_public_network_access",
  "workspace-public": "public_network_access",
  "storage-shared-key": "storage_shared_key_access",
  "quota-exceeded": "instance_type",
};

/** Where a finding at `constructPath` is written in the config: the section of the longest registered path above it. */
function sourceOf(constructPath: string, rule: RuleId, configFile: string | undefined, sources: ConfigSources | undefined): { source: string; field: string } | undefined {
  if (!sources || configFile === undefined) return undefined;
  let best: readonly PropertyKey[] | undefined;
  let bestLength = -1;
  for (const [rawPath, yaml] of sources.places) {
    // Resource paths leave out the `Default` ids (see resourcesOf), and so do these.
    const path = rawPath.replace(/\/Default(?=\/|$)/g, "");
    if ((constructPath === path || constructPath.startsWith(`${path}/`)) && path.length > bestLength) {
      best = yaml;
      bestLength = path.length;
    }
  }
  if (!best) return undefined;
  const fieldName = RULE_FIELDS[rule];
  const at = fieldName === undefined ? best : [...best, fieldName];
  const line = sources.lineOf?.(at);
  return { source: line === undefined ? configFile : `${configFile}:${line}`, field: fieldPath(at) };
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
          ...sourceOf(resource.path, id, this.options.configFile, this.options.configSources),
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

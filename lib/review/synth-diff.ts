/**
 * A review without credentials: compares the synthesized Terraform JSON of two
 * checkouts (base and head) instead of planning against Azure.
 */

import { AttributeChange, diffValues } from "./diff";
import {
  code,
  DEFAULT_MAX_CHARS,
  details,
  Detail,
  esc,
  fitToLimit,
  formatFinding,
  formatValue,
  isWholeValueChange,
  MARKER,
  quote,
  renderAttributeLines,
  renderBlocked,
  renderRolloutWarnings,
  statefulTag,
} from "./markdown";
import { compareText } from "./plan";
import type { RolloutFinding } from "./rollout";
import { SENSITIVE_VALUE } from "./sensitive";
import { LIKELY_REPLACING_ATTRIBUTES, StatefulKind, statefulKind } from "./stateful";
import { SynthResource, SynthStack } from "./synth";

/** cdktf's construct metadata: never a change to infrastructure. */
const IGNORED_KEYS: ReadonlySet<string> = new Set(["//"]);

/** A resource present in base and head whose configuration differs. */
export interface ResourceDiff {
  readonly address: string;
  readonly type: string;
  readonly constructPath?: string;
  readonly stateful?: StatefulKind;
  readonly attributes: readonly AttributeChange[];
  /** Changed top-level attributes that usually force replacement (name, location...). */
  readonly likelyReplacing: readonly string[];
  /** Set when a moved block in head renamed it. */
  readonly movedFrom?: string;
}

/** A resource only in base or only in head. */
export interface ResourceRef {
  readonly address: string;
  readonly type: string;
  readonly constructPath?: string;
  readonly stateful?: StatefulKind;
}

/** Output changes of one stack; sensitive outputs are masked. */
export interface OutputDiff {
  readonly name: string;
  readonly kind: "added" | "removed" | "changed";
  readonly attributes: readonly AttributeChange[];
}

/** The comparison of one stack. */
export interface StackDiff {
  readonly name: string;
  readonly status: "added" | "removed" | "changed" | "unchanged";
  readonly added: readonly ResourceRef[];
  readonly removed: readonly ResourceRef[];
  readonly changed: readonly ResourceDiff[];
  readonly outputs: readonly OutputDiff[];
  /** Changes to terraform/provider/variable/locals blocks. */
  readonly settings: readonly AttributeChange[];
  readonly unchangedCount: number;
  /** Types with both a removed and an added resource: possibly a rename without a moved block. */
  readonly possibleRenames: readonly string[];
  /** Guardrail findings of the head stack (base for a removed stack). */
  readonly guardrails?: SynthStack["guardrails"];
}

function ref(r: SynthResource): ResourceRef {
  const stateful = statefulKind(r.type, typeof r.config["type"] === "string" ? r.config["type"] : undefined);
  return {
    address: r.address,
    type: r.type,
    ...(r.constructPath !== undefined ? { constructPath: r.constructPath } : {}),
    ...(stateful !== undefined ? { stateful } : {}),
  };
}

/** Compares one stack; either side may be missing (stack added or removed). */
export function diffStack(name: string, base: SynthStack | undefined, head: SynthStack | undefined): StackDiff {
  const baseResources = base?.resources ?? new Map<string, SynthResource>();
  const headResources = head?.resources ?? new Map<string, SynthResource>();
  const movedTo = new Map<string, string>();
  for (const m of head?.moved ?? []) if (baseResources.has(m.from) && !headResources.has(m.from) && headResources.has(m.to)) movedTo.set(m.to, m.from);

  const added: ResourceRef[] = [];
  const removed: ResourceRef[] = [];
  const changed: ResourceDiff[] = [];
  let unchangedCount = 0;
  const movedAway = new Set(movedTo.values());

  for (const [address, h] of headResources) {
    const from = movedTo.get(address);
    const b = baseResources.get(from ?? address);
    if (!b) {
      added.push(ref(h));
      continue;
    }
    const attributes = diffValues(b.config, h.config, {}, { ignoreKeys: IGNORED_KEYS });
    if (attributes.length === 0 && from === undefined) {
      unchangedCount++;
      continue;
    }
    const likelyReplacing = [
      ...new Set(attributes.map((a) => a.path[0]).filter((p): p is string => typeof p === "string" && LIKELY_REPLACING_ATTRIBUTES.has(p))),
    ];
    changed.push({
      ...ref(h),
      attributes,
      likelyReplacing,
      ...(from !== undefined ? { movedFrom: from } : {}),
    });
  }
  for (const [address, b] of baseResources) if (!headResources.has(address) && !movedAway.has(address)) removed.push(ref(b));

  const outputs: OutputDiff[] = [];
  const outputNames = [...new Set([...(base?.outputs.keys() ?? []), ...(head?.outputs.keys() ?? [])])].sort(compareText);
  for (const outputName of outputNames) {
    const b = base?.outputs.get(outputName);
    const h = head?.outputs.get(outputName);
    // A sensitive output's expression is masked whole: it may be a literal secret.
    const value = (o: typeof b): unknown => (o === undefined ? undefined : o.sensitive ? SENSITIVE_VALUE : o.value);
    if (b && h && !b.sensitive && !h.sensitive) {
      const attributes = diffValues(b.value, h.value);
      if (attributes.length > 0) outputs.push({ name: outputName, kind: "changed", attributes });
    } else if (b && h) {
      if (b.sensitive !== h.sensitive || JSON.stringify(b.value) !== JSON.stringify(h.value)) {
        outputs.push({ name: outputName, kind: "changed", attributes: [{ path: [], before: value(b), after: value(h) }] });
      }
    } else if (b || h) {
      outputs.push({ name: outputName, kind: b ? "removed" : "added", attributes: [{ path: [], before: value(b), after: value(h) }] });
    }
  }

  const settings = diffValues(base?.settings ?? {}, head?.settings ?? {}, {}, { ignoreKeys: IGNORED_KEYS });
  const removedTypes = new Set(removed.map((r) => r.type));
  const possibleRenames = [...new Set(added.map((r) => r.type).filter((t) => removedTypes.has(t)))].sort(compareText);
  const status = !base ? "added" : !head ? "removed" : added.length + removed.length + changed.length + outputs.length + settings.length > 0 ? "changed" : "unchanged";
  const guardrails = (head ?? base)?.guardrails;
  return {
    name,
    status,
    added,
    removed,
    changed,
    outputs,
    settings: base && head ? settings : [],
    unchangedCount,
    possibleRenames,
    ...(guardrails !== undefined ? { guardrails } : {}),
  };
}

/** Compares every stack of two synth folders, sorted by stack name. */
export function diffSynth(base: ReadonlyMap<string, SynthStack>, head: ReadonlyMap<string, SynthStack>): StackDiff[] {
  const names = [...new Set([...base.keys(), ...head.keys()])].sort(compareText);
  return names.map((name) => diffStack(name, base.get(name), head.get(name)));
}

/** Options for renderSynthDiff. */
export interface SynthDiffOptions {
  readonly note?: string;
  readonly maxChars?: number;
  /** Rollout warnings between the same two synths (`reviewRollout`), shown above everything but `blocked`. */
  readonly rollout?: readonly RolloutFinding[];
  /** Changes between the same two synths that Azure refuses (`reviewRollout`), shown above everything else. */
  readonly blocked?: readonly RolloutFinding[];
}

/** Renders the synth diff as Markdown with the same marker and limit as the plan review. */
export function renderSynthDiff(diffs: readonly StackDiff[], options: SynthDiffOptions = {}): string {
  return fitToLimit((detail) => buildSynthDiff(diffs, options, detail), options.maxChars ?? DEFAULT_MAX_CHARS);
}

function buildSynthDiff(diffs: readonly StackDiff[], options: SynthDiffOptions, detail: Detail): string {
  const lines: string[] = [
    MARKER,
    "## Synthesized configuration diff",
    "",
    ...renderBlocked(options.blocked ?? []),
    ...renderRolloutWarnings(options.rollout ?? []),
  ];
  lines.push(
    ...quote([
      "[!NOTE]",
      "No Terraform plan: this run had no Azure credentials (a fork, for example). This compares the synthesized Terraform JSON of the base branch and this pull request.",
      "It shows what the configuration asks for, not what Azure will do: drift is not visible, and a replacement the provider forces is flagged only for the ForceNew attributes the review knows (rollout warnings).",
    ]),
    "",
  );
  if (options.note) lines.push("> [!CAUTION]", `> ${esc(options.note)}`, "");
  if (detail === "compact") lines.push("> [!NOTE]", "> Attribute values were left out so the review fits in one GitHub comment.", "");

  const touched = diffs.filter((d) => d.status !== "unchanged");
  const unchanged = diffs.filter((d) => d.status === "unchanged");
  if (touched.length === 0) lines.push("No changes to the synthesized configuration.", "");
  for (const d of touched) lines.push(...renderStackDiff(d, detail));
  if (unchanged.length > 0) {
    lines.push(`Unchanged ${unchanged.length === 1 ? "stack" : "stacks"}: ${unchanged.map((d) => code(d.name)).join(", ")}.`, "");
  }
  lines.push("<sub>plan-review --synth-diff · compares cdktf.out/stacks/*/cdk.tf.json</sub>", "");
  return lines.join("\n");
}

function stackCounts(d: StackDiff): string {
  const parts = [`${d.added.length} added`, `${d.removed.length} removed`, `${d.changed.length} changed`];
  return `${parts.join(", ")}${d.unchangedCount > 0 ? `, ${d.unchangedCount} unchanged` : ""}`;
}

function refText(r: ResourceRef): string {
  return `${code(r.address)}${statefulTag(r.stateful)}${r.constructPath !== undefined ? ` · construct ${code(r.constructPath)}` : ""}`;
}

function renderStackDiff(d: StackDiff, detail: Detail): string[] {
  const status = d.status === "added" ? " (new stack)" : d.status === "removed" ? " (stack removed)" : "";
  const lines: string[] = [`### ${code(d.name)}${status}: ${stackCounts(d)}`, ""];

  const warnings: string[] = [];
  for (const r of d.removed.filter((x) => x.stateful)) warnings.push(`- removed: ${refText(r)}`);
  for (const r of d.changed.filter((x) => x.stateful && x.likelyReplacing.length > 0)) {
    warnings.push(`- may be replaced: ${refText(r)}: ${r.likelyReplacing.map(code).join(", ")} changed`);
  }
  if (warnings.length > 0 || d.removed.length > 0) {
    const body = [
      d.status === "removed"
        ? "**This stack is no longer synthesized.** CI stops deploying it; its resources stay until someone runs `terraform destroy`."
        : d.removed.length === 0
          ? "**A change may replace a resource that holds data or identity**: the plan shows whether Terraform destroys it."
          : `**${d.removed.length} ${d.removed.length === 1 ? "resource" : "resources"} removed**: Terraform will destroy ${
              d.removed.length === 1 ? "it" : "them"
            } unless a moved or removed block says otherwise.`,
    ];
    if (warnings.length > 0) body.push("", "Resources that hold data or identity:", "", ...warnings);
    lines.push(...quote(["[!WARNING]", ...body]), "");
  }
  if (d.possibleRenames.length > 0) {
    lines.push(
      `> [!TIP]`,
      `> ${d.possibleRenames.map(code).join(", ")}: resources of the same type were removed and added. If that is a rename, add a moved block (\`resource.moveTo()\`) so Terraform keeps the object.`,
      "",
    );
  }

  if (d.changed.length > 0) {
    lines.push(`#### Changed (${d.changed.length})`, "");
    for (const r of d.changed) {
      lines.push(`- ${refText(r)}${r.movedFrom !== undefined ? ` · moved from ${code(r.movedFrom)}` : ""}`);
      if (detail === "full") lines.push(...renderAttributeLines(r.attributes, "  "));
    }
    lines.push("");
  }
  if (d.added.length > 0) {
    lines.push(`#### Added (${d.added.length})`, "", ...d.added.map((r) => `- ${refText(r)}`), "");
  }
  if (d.removed.length > 0) {
    lines.push(`#### Removed (${d.removed.length})`, "", ...d.removed.map((r) => `- ${refText(r)}`), "");
  }
  if (d.outputs.length > 0) {
    lines.push(`#### Outputs (${d.outputs.length})`, "");
    for (const o of d.outputs) {
      const change = o.attributes[0];
      if (o.kind !== "changed" || detail === "compact") lines.push(`- ${code(o.name)} ${o.kind}`);
      else if (isWholeValueChange(o.attributes) && change) lines.push(`- ${code(o.name)}: ${formatValue(change.before)} → ${formatValue(change.after)}`);
      else lines.push(`- ${code(o.name)}:`, ...renderAttributeLines(o.attributes, "  ", [o.name]));
    }
    lines.push("");
  }
  if (d.settings.length > 0) {
    const body = detail === "full" ? renderAttributeLines(d.settings, "") : [`${d.settings.length} changed settings`];
    lines.push(...details(`Stack settings changed (${d.settings.length}): providers, backend, variables`, body), "");
  }
  const open = d.guardrails?.findings.filter((f) => !f.waived) ?? [];
  if (open.length > 0) {
    lines.push(`Open guardrail findings: ${open.length}.`, "", ...open.map((f) => `- ${code(f.path)}: ${formatFinding(f)}`), "");
  }
  return lines;
}

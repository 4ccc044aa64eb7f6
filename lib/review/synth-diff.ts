/**
 * A review without credentials: compares the synthesized Terraform JSON of two
 * checkouts (base and head) instead of planning against Azure.
 */

import * as fs from "node:fs";
import * as path from "node:path";
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
  /** Files the configuration reads (`${file("assets/…")}`, a conda file) whose lines changed, by attribute. */
  readonly fileChanges?: readonly FileChange[];
}

/** The changed lines of a file an attribute reads with `${file(...)}`: what a hash in its asset path stands for. */
export interface FileChange {
  readonly attribute: string;
  /** The file's name, e.g. churn.yml. */
  readonly file: string;
  /** Changed lines in file order, each `- old` or `+ new`. */
  readonly lines: readonly string[];
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
  /** Blobs uploaded under a new content hash because a local model, code or build context changed. */
  readonly contentReplaced?: number;
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
    const fileChanges = base && head ? attributes.flatMap((a) => fileChangeOf(a, base.file, head.file)) : [];
    changed.push({
      ...ref(h),
      attributes,
      likelyReplacing,
      ...(from !== undefined ? { movedFrom: from } : {}),
      ...(fileChanges.length > 0 ? { fileChanges } : {}),
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
  // Blobs named by their content's hash are replaced whenever the content changes: that is no rename to keep.
  const isContentAddressed = (r: ResourceRef, side: ReadonlyMap<string, SynthResource>) => contentAddressed(side.get(r.address));
  const renameCandidates = (refs: readonly ResourceRef[], side: ReadonlyMap<string, SynthResource>) =>
    new Set(refs.filter((r) => !isContentAddressed(r, side)).map((r) => r.type));
  const removedTypes = renameCandidates(removed, baseResources);
  const possibleRenames = [...renameCandidates(added, headResources)].filter((t) => removedTypes.has(t)).sort(compareText);
  const replacedContent = added.filter((r) => isContentAddressed(r, headResources)).length;
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
    ...(replacedContent > 0 && removed.some((r) => isContentAddressed(r, baseResources)) ? { contentReplaced: replacedContent } : {}),
    ...(guardrails !== undefined ? { guardrails } : {}),
  };
}

/** A blob whose name holds a 64-hex content hash: a local model, code or build context uploaded by its content. */
function contentAddressed(r: SynthResource | undefined): boolean {
  const name = r?.config["name"];
  return r?.type === "azurerm_storage_blob" && typeof name === "string" && /(^|\/)[0-9a-f]{64}(\/|$)/.test(name);
}

/** `${file("assets/…/churn.yml")}`: the path of a file the configuration reads, relative to the stack's folder. */
const FILE_REFERENCE = /^\$\{file\("([^"]+)"\)\}$/;

/** The changed lines behind an attribute that reads a file on both sides, when both files are there to read. */
function fileChangeOf(change: AttributeChange, baseFile: string, headFile: string): FileChange[] {
  const before = typeof change.before === "string" ? FILE_REFERENCE.exec(change.before)?.[1] : undefined;
  const after = typeof change.after === "string" ? FILE_REFERENCE.exec(change.after)?.[1] : undefined;
  if (before === undefined || after === undefined) return [];
  const read = (stackFile: string, rel: string) => {
    try {
      return fs.readFileSync(path.resolve(path.dirname(stackFile), rel), "utf8");
    } catch {
      // An artifact without its assets (CI keeps model bytes out): the hashes alone are shown, as before.
      return undefined;
    }
  };
  const a = read(baseFile, before);
  const b = read(headFile, after);
  if (a === undefined || b === undefined || a === b) return [];
  return [{ attribute: change.path.map(String).join("."), file: path.basename(after), lines: changedLines(a.split(/\r?\n/), b.split(/\r?\n/)) }];
}

/** The lines that differ between two texts, `- old` and `+ new`, in file order (a longest-common-subsequence diff). */
export function changedLines(a: readonly string[], b: readonly string[]): string[] {
  // Conda files are tens of lines; a table of their lengths is small.
  const common: number[][] = Array.from({ length: a.length + 1 }, () => new Array<number>(b.length + 1).fill(0));
  for (let i = a.length - 1; i >= 0; i--) {
    for (let j = b.length - 1; j >= 0; j--) {
      common[i]![j] = a[i] === b[j] ? common[i + 1]![j + 1]! + 1 : Math.max(common[i + 1]![j]!, common[i]![j + 1]!);
    }
  }
  const lines: string[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    if (i < a.length && j < b.length && a[i] === b[j]) {
      i++;
      j++;
    } else if (i < a.length && (j === b.length || common[i + 1]![j]! >= common[i]![j + 1]!)) {
      // Removed before added, as a unified diff reads.
      lines.push(`- ${a[i++]}`);
    } else {
      lines.push(`+ ${b[j++]}`);
    }
  }
  return lines;
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
  if (d.contentReplaced !== undefined) {
    lines.push(
      "> [!NOTE]",
      `> ${d.contentReplaced} ${d.contentReplaced === 1 ? "blob is" : "blobs are"} uploaded under a new content hash: a local model, code folder or build context changed, and the copies of the old content are removed once nothing uses them. Nothing to do.`,
      "",
    );
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
      if (detail === "full") lines.push(...renderAttributeLines(r.attributes, "  "), ...renderFileChanges(r.fileChanges ?? []));
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

/** Changed lines shown at most per file, so that a rewritten file does not push the rest of the review out. */
const FILE_LINES = 20;

/** The changed lines of each file an attribute reads: what its new hash means (a conda file's packages). */
function renderFileChanges(changes: readonly FileChange[]): string[] {
  return changes.flatMap((c) => [
    `  - ${code(c.attribute)} reads ${code(c.file)}, whose lines changed:`,
    ...c.lines.slice(0, FILE_LINES).map((line) => `    - ${code(line)}`),
    ...(c.lines.length > FILE_LINES ? [`    - … and ${c.lines.length - FILE_LINES} more changed lines`] : []),
  ]);
}

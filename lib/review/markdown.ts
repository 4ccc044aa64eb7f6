/** GitHub-flavoured Markdown for plan reviews, and the helpers the synth diff shares. */

import { AttributeChange, formatPath, PathStep } from "./diff";
import { OutputEntry, ResourceEntry, StackPlan, summaryLine } from "./plan";
import { refusal, type RolloutFinding } from "./rollout";
import { isPlainObject, Masked, SecretSet } from "./sensitive";
import { StatefulKind } from "./stateful";
import { Capacity, constructPathOf, GuardrailFinding, Guardrails, SynthStack } from "./synth";

/** Hidden first line that CI searches for to update one PR comment in place. */
export const MARKER = "<!-- plan-review -->";
/** GitHub's limit for an issue or PR comment body. */
export const GITHUB_COMMENT_LIMIT = 65_536;
/**
 * Default budget: a little under the limit, because GitHub counts characters of
 * the body it stores and a client may turn "\n" into "\r\n" on the way.
 */
export const DEFAULT_MAX_CHARS = 65_000;

/** How much a renderer includes: "compact" drops attribute-level detail to fit the limit. */
export type Detail = "full" | "compact";

/** Changed attributes listed per resource before "… and N more". */
export const ATTRIBUTES_PER_RESOURCE = 30;
/** Characters of one rendered value before it is cut with "…". */
export const VALUE_CHARS = 160;

/** An inline code span that survives backticks and pipes in its text. */
export function code(text: string): string {
  const flat = text.replace(/\r?\n/g, "↵");
  const longest = Math.max(0, ...[...flat.matchAll(/`+/g)].map((m) => m[0].length));
  const fence = "`".repeat(longest + 1);
  const pad = flat.startsWith("`") || flat.endsWith("`") || flat === "" ? " " : "";
  // Pipes would split a table row even inside a code span.
  return `${fence}${pad}${flat.replace(/\|/g, "\\|")}${pad}${fence}`;
}

/** Plain text made inert: no Markdown emphasis, links, HTML or table breaks. */
export function esc(text: string): string {
  return text
    .replace(/\r?\n/g, " ")
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/[\\`*_[\]|~]/g, "\\$&");
}

/** JSON-like text of a masked value: placeholders appear bare, e.g. `{"key":(sensitive value)}`. */
export function stringify(value: unknown): string {
  if (value instanceof Masked) return value.label;
  if (value === undefined || value === null) return "null";
  if (Array.isArray(value)) return `[${value.map(stringify).join(",")}]`;
  if (isPlainObject(value)) {
    return `{${Object.keys(value)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${stringify(value[k])}`)
      .join(",")}}`;
  }
  return JSON.stringify(value) ?? "null";
}

/** One value for a Markdown line: placeholders as plain text, anything else as code. */
export function formatValue(value: unknown, maxChars = VALUE_CHARS): string {
  if (value instanceof Masked) return value.label;
  const text = stringify(value);
  return code(text.length > maxChars ? `${text.slice(0, maxChars - 1)}…` : text);
}

/**
 * Before and after for one Markdown line. Long values are cut around where they first differ, not at their start: two
 * URIs that differ in a version or hash near the end would otherwise read as the same `https://…` twice.
 */
export function formatValuePair(before: unknown, after: unknown, maxChars = VALUE_CHARS): [string, string] {
  if (before instanceof Masked || after instanceof Masked) return [formatValue(before, maxChars), formatValue(after, maxChars)];
  const a = stringify(before);
  const b = stringify(after);
  if (a.length <= maxChars && b.length <= maxChars) return [code(a), code(b)];
  let same = 0;
  while (same < a.length && same < b.length && a[same] === b[same]) same++;
  // Some context before the first difference, so the reader sees which part of the value it is in.
  const start = same > maxChars / 2 ? same - Math.floor(maxChars / 4) : 0;
  const cut = (text: string) => {
    const shown = start > 0 ? `…${text.slice(start)}` : text;
    return code(shown.length > maxChars ? `${shown.slice(0, maxChars - 1)}…` : shown);
  };
  return [cut(a), cut(b)];
}

/** `- path: before → after` lines, capped at ATTRIBUTES_PER_RESOURCE. */
export function renderAttributeLines(changes: readonly AttributeChange[], indent: string, prefix: readonly PathStep[] = []): string[] {
  const lines = changes.slice(0, ATTRIBUTES_PER_RESOURCE).map((c) => {
    const name = formatPath([...prefix, ...c.path]);
    const [before, after] = formatValuePair(c.before, c.after);
    return `${indent}- ${code(name === "" ? "(whole value)" : name)}: ${before} → ${after}`;
  });
  if (changes.length > ATTRIBUTES_PER_RESOURCE) lines.push(`${indent}- … and ${changes.length - ATTRIBUTES_PER_RESOURCE} more changed attributes`);
  return lines;
}

/** True when a diff is one change of the whole value (a scalar, or a masked value). */
export function isWholeValueChange(changes: readonly AttributeChange[]): boolean {
  return changes.length === 1 && changes[0]!.path.length === 0;
}

/** " · **storage account** (holds data)" for a stateful resource. */
export function statefulTag(kind: StatefulKind | undefined): string {
  return kind ? ` · **${esc(kind.label)}** (${esc(kind.risk)})` : "";
}

/** A collapsed block; the blank line lets Markdown render inside it. */
export function details(summary: string, body: readonly string[]): string[] {
  return [`<details><summary>${summary}</summary>`, "", ...body, "", "</details>"];
}

/** Prefixes every line so a block renders inside a GitHub alert. */
export function quote(lines: readonly string[]): string[] {
  return lines.map((line) => (line === "" ? ">" : `> ${line}`));
}

/**
 * Renders with full detail, falls back to compact detail, and as a last resort
 * cuts at a line boundary, closing open `<details>` and saying so.
 * The marker is the first line, so it always survives.
 */
export function fitToLimit(build: (detail: Detail) => string, maxChars: number): string {
  const full = build("full");
  if (full.length <= maxChars) return full;
  const compact = build("compact");
  if (compact.length <= maxChars) return compact;
  return truncateMarkdown(compact, maxChars);
}

/** Cuts Markdown to at most `maxChars`, keeping whole lines and appending a note. */
export function truncateMarkdown(text: string, maxChars: number): string {
  const note = (omitted: number): string =>
    [
      "",
      "> [!CAUTION]",
      `> **Review truncated:** ${omitted.toLocaleString("en-US")} more characters did not fit in GitHub's ${GITHUB_COMMENT_LIMIT.toLocaleString("en-US")}-character comment limit.`,
      "> Run `npm run plan-review` on the plan JSON, or read the workflow log, for the rest.",
      "",
    ].join("\n");
  const reserve = note(text.length).length + "\n</details>".length * 20 + 2;
  const cut = text.lastIndexOf("\n", Math.max(0, maxChars - reserve));
  // Not even the first line (the marker) fits with the note: keep the marker, so CI still finds the comment.
  if (cut <= 0) return `${MARKER}\n${note(text.length)}`.slice(0, maxChars);
  let kept = text.slice(0, cut);
  const open = (kept.match(/<details>/g) ?? []).length - (kept.match(/<\/details>/g) ?? []).length;
  kept += "\n" + "\n</details>".repeat(Math.max(0, Math.min(open, 20)));
  const result = `${kept}\n${note(text.length - cut)}`;
  return result.length <= maxChars ? result : `${MARKER}\n${note(text.length)}`.slice(0, maxChars);
}

/** Options for renderPlanReview. */
export interface PlanReviewOptions {
  /** Synthesized stacks (from --synth-dir): adds construct paths and guardrail findings. */
  readonly synth?: ReadonlyMap<string, SynthStack>;
  /** Extra caution shown under the title, e.g. "planning failed for serving-prod". */
  readonly note?: string;
  /** Output budget in characters; defaults to DEFAULT_MAX_CHARS. */
  readonly maxChars?: number;
  /** Masks secret strings anywhere in the text, as a last line of defence. */
  readonly secrets?: SecretSet;
  /** Rollout warnings between the base and head synths (--synth-base), shown above everything but `blocked`. */
  readonly rollout?: readonly RolloutFinding[];
  /** Changes between the base and head synths that Azure refuses (`reviewRollout`), shown above everything else. */
  readonly blocked?: readonly RolloutFinding[];
}

const REASONS: Readonly<Record<string, string>> = {
  replace_because_tainted: "the object is tainted (a previous apply failed part-way)",
  replace_because_cannot_update: "an attribute that cannot be updated in place changed",
  replace_by_request: "replacement was requested with -replace",
  replace_by_triggers: "a resource in replace_triggered_by changed",
  delete_because_no_resource_config: "the resource is no longer in the configuration",
  delete_because_no_module: "its module is no longer in the configuration",
  delete_because_wrong_repetition: "count/for_each was added or removed",
  delete_because_count_index: "the count index is out of range",
  delete_because_each_key: "the key is no longer in for_each",
  delete_because_no_move_target: "a moved block points to an address that is not in the configuration",
  read_because_config_unknown: "its configuration depends on values known only after apply",
  read_because_dependency_pending: "it depends on a resource with pending changes",
  read_because_check_nested: "it is used by a check block",
};

/** action_reason as code plus what it means. */
export function formatReason(reason: string): string {
  const meaning = REASONS[reason];
  return meaning ? `${code(reason)}: ${meaning}` : code(reason);
}

const isDestructive = (r: ResourceEntry): boolean => r.kind === "delete" || r.kind === "replace" || r.kind === "unrecognised";

/**
 * Renders one Markdown review for one or more stack plans (sorted by stack name).
 * Pure: same input, same text.
 */
export function renderPlanReview(plans: readonly StackPlan[], options: PlanReviewOptions = {}): string {
  const sorted = [...plans].sort((a, b) => (a.stack < b.stack ? -1 : a.stack > b.stack ? 1 : 0));
  const scrub = (text: string): string => (options.secrets ? options.secrets.scrub(text) : text);
  return fitToLimit((detail) => scrub(buildPlanReview(sorted, options, detail)), options.maxChars ?? DEFAULT_MAX_CHARS);
}

function buildPlanReview(plans: readonly StackPlan[], options: PlanReviewOptions, detail: Detail): string {
  const lines: string[] = [
    MARKER,
    "## Terraform plan review",
    "",
    ...renderBlocked(options.blocked ?? []),
    ...renderRolloutWarnings(options.rollout ?? []),
  ];
  if (options.note) lines.push("> [!CAUTION]", `> ${esc(options.note)}`, "");
  if (detail === "compact") {
    lines.push("> [!NOTE]", "> Attribute-level detail was left out so the review fits in one GitHub comment; the workflow log has the full plan.", "");
  }
  if (plans.length === 0) lines.push("_No plans were given._", "");
  if (plans.length > 1) {
    lines.push("| Stack | Plan | Destructive |", "| --- | --- | --- |");
    for (const plan of plans) {
      const destructive = plan.resources.filter(isDestructive);
      const stateful = destructive.filter((r) => r.stateful).length;
      const cell = destructive.length === 0 ? "none" : `⚠️ ${destructive.length}${stateful > 0 ? ` (${stateful} hold data or identity)` : ""}`;
      lines.push(`| ${code(plan.stack)} | ${summaryText(plan)} | ${cell} |`);
    }
    lines.push("");
  }
  for (const plan of plans) lines.push(...renderStack(plan, options, detail));
  const versions = [...new Set(plans.map((p) => p.terraformVersion).filter((v): v is string => v !== undefined))].sort();
  lines.push(
    `<sub>plan-review${versions.length > 0 ? ` · Terraform ${versions.join(", ")}` : ""} · from \`terraform show -json\` · sensitive values masked</sub>`,
    "",
  );
  return lines.join("\n");
}

function summaryText(plan: StackPlan): string {
  const c = plan.counts;
  const nothing = c.add + c.change + c.destroy + c.import + c.forget === 0;
  return nothing && !plan.errored ? "No changes." : summaryLine(c);
}

function renderStack(plan: StackPlan, options: PlanReviewOptions, detail: Detail): string[] {
  const synth = options.synth?.get(plan.stack);
  const lines: string[] = [`### ${code(plan.stack)}: ${summaryText(plan)}`, ""];
  const head = (r: ResourceEntry): string => entryHead(r, synth);

  if (plan.errored) {
    lines.push("> [!CAUTION]", "> Terraform reported errors while planning: this plan is incomplete and cannot be applied.", "");
  } else if (plan.complete === false) {
    lines.push("> [!NOTE]", "> Terraform deferred some changes: another plan and apply will be needed after this one.", "");
  }
  if (options.synth && !synth) {
    lines.push(`_No synthesized stack ${code(plan.stack)} in the --synth-dir folder: construct paths and guardrails are not shown._`, "");
  }

  const managed = plan.resources.filter((r) => r.mode === "managed");
  const destructive = plan.resources
    .filter(isDestructive)
    .sort((a, b) => Number(!a.stateful) - Number(!b.stateful) || (a.address < b.address ? -1 : a.address > b.address ? 1 : 0));
  const updates = managed.filter((r) => r.kind === "update");
  const creates = managed.filter((r) => r.kind === "create");
  const moved = plan.resources.filter((r) => r.previousAddress !== undefined);
  const imports = plan.resources.filter((r) => r.importing);
  const forgets = plan.resources.filter((r) => r.kind === "forget");
  const reads = plan.resources.filter((r) => r.kind === "read");
  const unchanged = plan.resources.filter((r) => r.kind === "no-op" && !r.importing && r.previousAddress === undefined);
  const outputs = plan.outputs.filter((o) => o.kind !== "no-op");

  const nothing = destructive.length + updates.length + creates.length + moved.length + imports.length + forgets.length + reads.length + outputs.length === 0;
  if (nothing && !plan.errored) lines.push("Your infrastructure matches the configuration.", "");

  if (destructive.length > 0) {
    const stateful = destructive.filter((r) => r.stateful);
    const body: string[] = [
      `**${destructive.length} destructive ${destructive.length === 1 ? "change" : "changes"}**${
        stateful.length > 0 ? `, ${stateful.length} to resources that hold data or identity` : ""
      }. Check that each one is intended.`,
      "",
    ];
    for (const r of destructive) {
      body.push(`- **${esc(r.label)}** ${head(r)}`);
      if (r.actionReason) body.push(`  - reason: ${formatReason(r.actionReason)}`);
      if (r.replacePaths.length > 0) body.push(`  - forces replacement: ${r.replacePaths.map((p) => code(formatPath(p))).join(", ")}`);
      for (const finding of findingsFor(synth, r)) body.push(`  - guardrail ${formatFinding(finding)}`);
      if (detail === "full" && r.attributes.length > 0) body.push(...renderAttributeLines(r.attributes, "  "));
    }
    lines.push(...quote(["[!WARNING]", ...body]), "");
  }

  if (updates.length > 0) {
    lines.push(`#### Updated in place (${updates.length})`, "");
    for (const r of updates) {
      lines.push(`- ${head(r)}`);
      if (detail === "full") lines.push(...renderAttributeLines(r.attributes, "  "));
    }
    lines.push("");
  }

  if (creates.length > 0) {
    lines.push(`#### Created (${creates.length})`, "");
    for (const r of creates) lines.push(`- ${head(r)}`);
    lines.push("");
  }

  if (moved.length > 0 || imports.length > 0) {
    lines.push(`#### Moved and imported (${moved.length + imports.filter((r) => r.previousAddress === undefined).length})`, "");
    for (const r of moved) lines.push(`- moved: ${code(r.previousAddress!)} → ${code(r.address)}${alsoDoes(r)}`);
    for (const r of imports) lines.push(`- imported: ${code(r.address)} from ID ${r.importId !== undefined ? code(r.importId) : "(by identity)"}${alsoDoes(r)}`);
    lines.push("");
  }

  if (forgets.length > 0) {
    lines.push(`#### Forgotten (${forgets.length})`, "");
    lines.push(
      ...quote([
        "[!NOTE]",
        "Terraform stops managing these objects but does not destroy them: they stay in Azure until someone deletes or imports them.",
      ]),
      "",
    );
    for (const r of forgets) lines.push(`- ${head(r)}${r.actionReason ? `: ${formatReason(r.actionReason)}` : ""}`);
    lines.push("");
  }

  if (outputs.length > 0) {
    lines.push(`#### Output changes (${outputs.length})`, "");
    for (const o of outputs) lines.push(...renderOutput(o, detail));
    lines.push("");
  }

  if (reads.length > 0) {
    lines.push(
      ...details(
        `Data sources read during apply (${reads.length})`,
        reads.map((r) => `- ${head(r)}${r.actionReason ? `: ${formatReason(r.actionReason)}` : ""}`),
      ),
      "",
    );
  }

  if (plan.drift.length > 0) {
    const body: string[] = [];
    for (const r of plan.drift) {
      // Drift already happened: "destroy" would read as something this plan does.
      const what = r.kind === "delete" ? "deleted" : r.kind === "update" ? "changed" : esc(r.label);
      body.push(`- ${head(r)} (${what})`);
      if (detail === "full") body.push(...renderAttributeLines(r.attributes, "  "));
    }
    lines.push(...details(`Changed outside Terraform since the last apply (${plan.drift.length})`, body), "");
  }

  if (unchanged.length > 0) {
    if (detail === "full") lines.push(...details(`Unchanged (${unchanged.length})`, unchanged.map((r) => `- ${head(r)}`)), "");
    else lines.push(`_${unchanged.length} unchanged._`, "");
  }

  if (synth) lines.push(...renderGuardrails(synth.guardrails));
  if (synth?.capacity) lines.push(...renderCapacity(synth.capacity));
  return lines;
}

/**
 * The capacity table of one stack: quota cores per VM family at the fewest, starting and most instances, online
 * deployments with Azure ML's 20 % upgrade reserve (ceil(1.2 × N) × vCPUs) and the cluster's nodes, summed.
 */
export function renderCapacity(capacity: Capacity): string[] {
  const lines = [
    "#### Capacity (quota cores per VM family)",
    "",
    "| VM family | Cores at min | At start | At max | Quota | Used by |",
    "| --- | ---: | ---: | ---: | --- | --- |",
  ];
  for (const f of capacity.families) {
    const quota = f.quota === undefined ? "-" : f.cores.max > f.quota ? `**${f.quota}: exceeded**` : String(f.quota);
    lines.push(`| ${code(f.family)} | ${f.cores.min} | ${f.cores.start} | ${f.cores.max} | ${quota} | ${f.usedBy.map(code).join(", ")} |`);
  }
  lines.push("");
  for (const u of capacity.uses) {
    const range = u.instances.min === u.instances.max ? `${u.instances.max}` : `${u.instances.min}..${u.instances.max} (start ${u.instances.start})`;
    const reserve = u.upgradeReserve && u.kind === "online-deployment" && u.vCpus !== undefined && u.cores !== undefined
      ? `, ceil(1.2 × ${u.instances.max}) = ${u.cores.max / u.vCpus} with the upgrade reserve`
      : "";
    const cores = u.cores === undefined ? " (size unknown to the review: not counted)" : ` → ${u.cores.max} cores at most`;
    lines.push(`- ${code(u.name)}: ${range} × ${code(u.vmSize)}${u.vCpus !== undefined ? ` (${u.vCpus} vCPUs)` : ""}${reserve}${cores}`);
  }
  lines.push("");
  return lines;
}

function entryHead(r: ResourceEntry, synth: SynthStack | undefined): string {
  let text = code(r.address);
  if (r.deposed !== undefined) text += ` (deposed object ${code(r.deposed)})`;
  text += statefulTag(r.stateful);
  if (r.azapiType !== undefined) text += ` · ${code(r.azapiType)}`;
  const constructPath = constructPathOf(synth, r);
  if (constructPath !== undefined) text += ` · construct ${code(constructPath)}`;
  if (r.previousAddress !== undefined && r.kind !== "no-op") text += ` · moved from ${code(r.previousAddress)}`;
  if (r.importing && r.kind !== "no-op") text += ` · imported from ID ${r.importId !== undefined ? code(r.importId) : "(by identity)"}`;
  return text;
}

function alsoDoes(r: ResourceEntry): string {
  return r.kind === "no-op" ? " (no other change)" : ` (and ${esc(r.label)}: see above)`;
}

function renderOutput(o: OutputEntry, detail: Detail): string[] {
  const name = code(o.name);
  switch (o.kind) {
    case "create":
      return [`- ${name} (new): ${formatValue(o.after)}`];
    case "delete":
      return [`- ${name} (removed): was ${formatValue(o.before)}`];
    case "update": {
      if (isWholeValueChange(o.attributes) || detail === "compact") return [`- ${name}: ${formatValue(o.before)} → ${formatValue(o.after)}`];
      return [`- ${name}:`, ...renderAttributeLines(o.attributes, "  ", [o.name])];
    }
    default:
      return [`- ${name} (${esc(o.actions.join(", "))}): ${formatValue(o.before)} → ${formatValue(o.after)}`];
  }
}

function findingsFor(synth: SynthStack | undefined, r: ResourceEntry): GuardrailFinding[] {
  const constructPath = constructPathOf(synth, r);
  if (constructPath === undefined || !synth?.guardrails) return [];
  return synth.guardrails.findings.filter((f) => f.path === constructPath);
}

/** "`rule` (error, open): message" or "(warning, waived: reason)". */
export function formatFinding(f: GuardrailFinding): string {
  const status = f.waived ? `waived${f.reason ? `: ${esc(f.reason)}` : ""}` : "open";
  // The YAML place first when the record has it: that is what a reviewer asks the author to change.
  const place = f.source !== undefined ? ` at ${code(f.source)}${f.field !== undefined ? ` ${code(f.field)}` : ""}` : "";
  return `${code(f.rule)} (${f.severity}, ${status})${place}: ${esc(f.message)}`;
}

/** The guardrail table of one stack; errors and open findings first. */
export function renderGuardrails(guardrails: Guardrails | undefined): string[] {
  if (!guardrails) return ["_No guardrail record in the synthesized stack._", ""];
  const { findings, waivers } = guardrails;
  const lines: string[] = [
    `#### Guardrails (${findings.length} ${findings.length === 1 ? "finding" : "findings"}, ${waivers.length} ${waivers.length === 1 ? "waiver" : "waivers"})`,
    "",
  ];
  if (findings.length === 0) {
    lines.push("No guardrail findings.", "");
  } else {
    const rank = (f: GuardrailFinding): number => (f.severity === "error" ? 0 : 2) + (f.waived ? 1 : 0);
    const sorted = [...findings].sort(
      (a, b) => rank(a) - rank(b) || (a.rule < b.rule ? -1 : a.rule > b.rule ? 1 : 0) || (a.path < b.path ? -1 : a.path > b.path ? 1 : 0),
    );
    lines.push("| Severity | Rule | Construct | Finding | Status |", "| --- | --- | --- | --- | --- |");
    for (const f of sorted) {
      const severity = f.severity === "error" ? "🛑 error" : "⚠️ warning";
      const status = f.waived ? `waived${f.reason ? `: ${esc(f.reason)}` : ""}` : "**open**";
      lines.push(`| ${severity} | ${code(f.rule)} | ${code(f.path)} | ${esc(f.message)} | ${status} |`);
    }
    lines.push("");
  }
  if (waivers.length > 0) {
    lines.push("Waivers:", "");
    for (const w of [...waivers].sort((a, b) => (a.rule < b.rule ? -1 : a.rule > b.rule ? 1 : 0))) lines.push(`- ${code(w.rule)}: ${esc(w.reason)}`);
    lines.push("");
  }
  return lines;
}

function changeText(c: AttributeChange): string {
  return `${code(formatPath(c.path))} ${formatValue(c.before)} → ${formatValue(c.after)}`;
}

/** Where a finding is: environment, YAML field, stack, address and construct. */
function findingPlace(w: RolloutFinding): string {
  return (
    `environment ${code(w.environment)}${w.field !== undefined ? ` · field ${code(w.field)}` : ""} · ` +
    `${code(w.stack)} · ${code(w.address)}${w.constructPath !== undefined ? ` · construct ${code(w.constructPath)}` : ""}`
  );
}

/** What the finding says, without where it is. */
function findingText(w: RolloutFinding): string {
  const refused = refusal(w);
  const why = refused ? ` ${esc(refused.why[0]!.toUpperCase() + refused.why.slice(1))} (${refused.source})` : "";
  switch (w.kind) {
    case "live-deployment-removed": {
      const shares = [w.trafficPercent > 0 ? `${w.trafficPercent}% of live traffic` : "", w.mirrorTrafficPercent > 0 ? `${w.mirrorTrafficPercent}% mirror traffic` : ""];
      return `**Live deployment removed**: ${code(w.deployment)} still takes ${shares.filter(Boolean).join(" and ")} in the base.${why}`;
    }
    case "endpoint-removed":
      return (
        `**Online endpoint removed**: ${code(w.endpoint)} goes with its deployments, which take ` +
        `${w.traffic.map((t) => `${code(t.deployment)} ${t.percent}%`).join(", ")} of its live traffic in the base. A normal endpoint delete, ` +
        "which Azure accepts; its scoring URI stops answering once it is applied, so move its callers first."
      );
    case "immutable-version-changed":
      return (
        `**Changed under the same version**: ${esc(w.asset)} ${code(w.name)} version ${code(w.version)}: ${w.changes.slice(0, 3).map(changeText).join(", ")}` +
        `${w.changes.length > 3 ? ` and ${w.changes.length - 3} more` : ""}. Azure ${w.asset} versions are immutable and the update is refused: give the new definition a new version. (${refused!.source})`
      );
    case "batch-default-removed":
      return `**Batch default deployment removed**: ${code(w.deployment)} is the default deployment of ${code(w.batchEndpoint)} in the base.${why}`;
    case "network-isolation-changed":
      return `**Network isolation changed**: ${code(w.before)} → ${code(w.after)} on a workspace with a compute cluster or endpoints.${why}`;
    case "network-outbound-changed":
      return `**Managed network outbound mode changed**: ${code(w.before)} → ${code(w.after)}.${why}`;
    case "egress-changed":
      return `**Deployment egress changed**: ${code(w.deployment)} ${code(w.before)} → ${code(w.after)}.${why}`;
    case "instance-type-changed":
      return (
        `**Instance type changed in place**: ${code(w.deployment)} ${code(w.before)} → ${code(w.after)}. Azure re-provisions the deployment's instances ` +
        "in place; the safe way is a new deployment with the new instance type, then a traffic shift to it (blue/green, " +
        "https://learn.microsoft.com/azure/machine-learning/how-to-safely-rollout-online-endpoints)."
      );
    case "forced-replacement":
      return (
        `**Replaced**: ${esc(w.label)} (${esc(w.loses)}): ${w.changes.map(changeText).join(", ")} forces a new resource ` +
        `(${w.rule === "azapi" ? "azapi replaces a resource whose name, parent or location changes" : "azurerm ForceNew"}): ` +
        `Terraform destroys it and creates it again.`
      );
  }
}

function warningLine(w: RolloutFinding): string {
  const waived = w.waiver ? ` **Waived** (${code(w.waiver.rule)}): ${esc(w.waiver.reason)}.` : "";
  return `- ${findingText(w)}${waived} ${findingPlace(w)}`;
}

/** The blocked changes as a "Blocked" section with a caution block, or nothing when there are none. */
export function renderBlocked(blocked: readonly RolloutFinding[]): string[] {
  if (blocked.length === 0) return [];
  const n = blocked.length;
  const title =
    `**${n} ${n === 1 ? "change" : "changes"} that Azure refuses**: the apply would fail. Fix ${n === 1 ? "it" : "each one"}, or waive ` +
    "it with a reason in the environment's config file: `waivers: [{ rule: <rule>, reason: ... }]`.";
  const items = blocked.map((w) => `- ${findingText(w)} Rule ${code(refusal(w)!.rule)}. ${findingPlace(w)}`);
  return ["### Blocked", "", ...quote(["[!CAUTION]", title, "", ...items]), ""];
}

/** The rollout warnings as a GitHub caution block, or nothing when there are none. */
export function renderRolloutWarnings(warnings: readonly RolloutFinding[]): string[] {
  if (warnings.length === 0) return [];
  const title = `**${warnings.length} rollout ${warnings.length === 1 ? "warning" : "warnings"}**: read ${warnings.length === 1 ? "it" : "them"} before anything else.`;
  return [...quote(["[!CAUTION]", title, "", ...warnings.map(warningLine)]), ""];
}

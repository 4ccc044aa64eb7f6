#!/usr/bin/env node
/**
 * Prints the mutation score per folder (and, with --files, per file) from Stryker's JSON report, as the Markdown
 * table docs/testing.md shows. Usage: node scripts/mutation/summary.js [reports/mutation/mutation.json] [--files]
 * Score = (killed + timeout) / (killed + timeout + survived + no coverage), as Stryker computes it.
 * With --survivors[=<path part>] it lists the surviving and uncovered mutants instead, one per line:
 * `file:line:column status mutator: original -> replacement`.
 */
const fs = require("node:fs");
const path = require("node:path");

const args = process.argv.slice(2);
const file = args.find((a) => !a.startsWith("--")) ?? path.join("reports", "mutation", "mutation.json");
const perFile = args.includes("--files");
const survivors = args.find((a) => a === "--survivors" || a.startsWith("--survivors="));
const report = JSON.parse(fs.readFileSync(file, "utf8"));

if (survivors !== undefined) {
  const part = survivors.slice("--survivors=".length);
  for (const [name, result] of Object.entries(report.files).sort(([a], [b]) => (a < b ? -1 : 1))) {
    if (!name.includes(part)) continue;
    const lines = result.source.split("\n");
    const open = result.mutants.filter((m) => m.status === "Survived" || m.status === "NoCoverage");
    open.sort((a, b) => a.location.start.line - b.location.start.line || a.location.start.column - b.location.start.column);
    for (const m of open) {
      const { start, end } = m.location;
      const text = lines[start.line - 1];
      const original = start.line === end.line ? text.slice(start.column - 1, end.column - 1) : `${text.slice(start.column - 1)} ...`;
      const one = (t) => JSON.stringify(t.replace(/\s+/g, " ").slice(0, 80));
      console.log(`${name}:${start.line}:${start.column} ${m.status} ${m.mutatorName}: ${one(original)} -> ${one(m.replacement ?? "")}`);
    }
  }
  process.exit(0);
}

const STATES = ["Killed", "Timeout", "Survived", "NoCoverage", "Ignored"];
const empty = () => Object.fromEntries(STATES.map((s) => [s, 0]));
const groups = new Map();
const add = (key, counts) => {
  const g = groups.get(key) ?? empty();
  for (const s of STATES) g[s] += counts[s];
  groups.set(key, g);
};
const total = empty();
for (const [name, result] of Object.entries(report.files).sort(([a], [b]) => (a < b ? -1 : 1))) {
  const counts = empty();
  for (const m of result.mutants) if (m.status in counts) counts[m.status]++;
  add(perFile ? name : path.dirname(name), counts);
  for (const s of STATES) total[s] += counts[s];
}
const score = (c) => {
  const detected = c.Killed + c.Timeout;
  const valid = detected + c.Survived + c.NoCoverage;
  return valid === 0 ? "n/a" : `${((100 * detected) / valid).toFixed(2)} %`;
};
const row = (name, c) => `| ${name} | ${c.Killed} | ${c.Timeout} | ${c.Survived} | ${c.NoCoverage} | ${c.Ignored} | ${score(c)} |`;
console.log("| scope | killed | timeout | survived | no coverage | ignored (static) | score |");
console.log("| --- | ---: | ---: | ---: | ---: | ---: | ---: |");
for (const [name, c] of groups) console.log(row(name, c));
console.log(row("**total**", total));

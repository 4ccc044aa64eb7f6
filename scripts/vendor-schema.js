#!/usr/bin/env node
/**
 * Regenerates schemas/machinelearningservices-2025-12-01.subset.json from the full azapi types.json.
 *
 * Usage: node scripts/vendor-schema.js [path/to/full/types.json] [output path]
 *
 * The subset holds the ResourceType entries listed in RESOURCE_TYPES, the ResourceFunctionType entries (actions)
 * listed in RESOURCE_FUNCTIONS, and every entry reachable from them through `$ref`s, re-indexed so the `$ref`s stay valid. Entries keep their relative order from the source,
 * and JSON is written with a fixed indentation, so running it twice on the same input gives identical bytes.
 * Plain Node, no dependencies: the project must be able to refresh its vendored schema offline.
 */
"use strict";

const fs = require("fs");
const path = require("path");

const API_VERSION = "2025-12-01";
const RESOURCE_TYPES = [
  "Microsoft.MachineLearningServices/workspaces",
  "Microsoft.MachineLearningServices/workspaces/onlineEndpoints",
  "Microsoft.MachineLearningServices/workspaces/onlineEndpoints/deployments",
  "Microsoft.MachineLearningServices/workspaces/models/versions",
  "Microsoft.MachineLearningServices/workspaces/environments/versions",
  "Microsoft.MachineLearningServices/workspaces/codes/versions",
  "Microsoft.MachineLearningServices/workspaces/data/versions",
  "Microsoft.MachineLearningServices/workspaces/batchEndpoints",
  "Microsoft.MachineLearningServices/workspaces/batchEndpoints/deployments",
].map((t) => `${t}@${API_VERSION}`);
/** Actions called through azapi_resource_action, as [resource type, action name]. */
const RESOURCE_FUNCTIONS = [["Microsoft.MachineLearningServices/workspaces", "provisionManagedNetwork"]];

const repoRoot = path.resolve(__dirname, "..");
const defaultInput = path.resolve(repoRoot, "../shared/azure-schemas/machinelearningservices-2025-12-01.types.json");
const defaultOutput = path.join(repoRoot, "schemas", "machinelearningservices-2025-12-01.subset.json");

const REF_PATTERN = /^#\/(\d+)$/;

/** Calls `visit(index)` for every `$ref` found anywhere inside `value`. */
function forEachRef(value, visit) {
  if (Array.isArray(value)) {
    value.forEach((v) => forEachRef(v, visit));
  } else if (value !== null && typeof value === "object") {
    for (const [key, v] of Object.entries(value)) {
      if (key === "$ref" && typeof v === "string") {
        const m = REF_PATTERN.exec(v);
        if (!m) throw new Error(`unsupported $ref ${JSON.stringify(v)}`);
        visit(Number(m[1]));
      } else {
        forEachRef(v, visit);
      }
    }
  }
}

/** Deep-copies `value`, rewriting every `$ref` through `mapIndex`. */
function remapRefs(value, mapIndex) {
  if (Array.isArray(value)) return value.map((v) => remapRefs(v, mapIndex));
  if (value !== null && typeof value === "object") {
    const out = {};
    for (const [key, v] of Object.entries(value)) {
      if (key === "$ref" && typeof v === "string") {
        out[key] = `#/${mapIndex(Number(REF_PATTERN.exec(v)[1]))}`;
      } else {
        out[key] = remapRefs(v, mapIndex);
      }
    }
    return out;
  }
  return value;
}

function buildSubset(types) {
  if (!Array.isArray(types)) throw new Error("expected the bicep-types format: a JSON array of types");
  const roots = RESOURCE_TYPES.map((name) => {
    const index = types.findIndex((t) => t && t.$type === "ResourceType" && t.name === name);
    if (index < 0) throw new Error(`resource type ${name} not found in the input`);
    return index;
  });
  for (const [resourceType, name] of RESOURCE_FUNCTIONS) {
    const index = types.findIndex(
      (t) => t && t.$type === "ResourceFunctionType" && t.name === name && t.resourceType === resourceType && t.apiVersion === API_VERSION,
    );
    if (index < 0) throw new Error(`action ${name} of ${resourceType}@${API_VERSION} not found in the input`);
    roots.push(index);
  }

  const reachable = new Set();
  const stack = [...roots];
  while (stack.length > 0) {
    const index = stack.pop();
    if (reachable.has(index)) continue;
    if (index < 0 || index >= types.length) throw new Error(`$ref #/${index} is out of range`);
    reachable.add(index);
    forEachRef(types[index], (ref) => stack.push(ref));
  }

  const kept = [...reachable].sort((a, b) => a - b);
  const newIndex = new Map(kept.map((oldIndex, i) => [oldIndex, i]));
  return kept.map((oldIndex) => remapRefs(types[oldIndex], (ref) => newIndex.get(ref)));
}

function main(argv) {
  const input = path.resolve(argv[0] || defaultInput);
  const output = path.resolve(argv[1] || defaultOutput);
  const types = JSON.parse(fs.readFileSync(input, "utf8"));
  const subset = buildSubset(types);
  fs.mkdirSync(path.dirname(output), { recursive: true });
  fs.writeFileSync(output, JSON.stringify(subset, null, 1) + "\n");
  const resourceCount = subset.filter((t) => t.$type === "ResourceType").length;
  const functionCount = subset.filter((t) => t.$type === "ResourceFunctionType").length;
  process.stdout.write(
    `wrote ${path.relative(process.cwd(), output)}: ${subset.length} of ${types.length} entries, ${resourceCount} resource types, ${functionCount} actions\n`,
  );
}

if (require.main === module) {
  main(process.argv.slice(2));
}

module.exports = { buildSubset, RESOURCE_TYPES, RESOURCE_FUNCTIONS, API_VERSION };

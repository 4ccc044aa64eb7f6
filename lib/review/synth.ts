/** Reading cdktf's synthesized output (`cdktf.out/stacks/<stack>/cdk.tf.json`). */

import * as fs from "node:fs";
import * as path from "node:path";
import { z } from "zod";
import { compareText, ReviewInputError } from "./plan";
import { isPlainObject } from "./sensitive";

/** One resource or data source block of a synthesized stack. */
export interface SynthResource {
  /** Terraform address without instance keys: `type.name` or `data.type.name`. */
  readonly address: string;
  readonly mode: "managed" | "data";
  readonly type: string;
  readonly name: string;
  /** Construct path from cdktf's `//` metadata, e.g. "serving-dev/compute/cluster". */
  readonly constructPath?: string;
  /** The block without its `//` metadata. */
  readonly config: Readonly<Record<string, unknown>>;
}

const findingSchema = z.object({
  rule: z.string(),
  severity: z.enum(["error", "warning"]),
  path: z.string(),
  message: z.string(),
  waived: z.boolean(),
  reason: z.string().optional(),
  // Where the setting is in the config file (`config/dev.yaml:12`) and its YAML field; absent in older records.
  source: z.string().optional(),
  field: z.string().optional(),
});

const guardrailsSchema = z.object({
  findings: z.array(findingSchema).default([]),
  waivers: z.array(z.object({ rule: z.string(), reason: z.string() })).default([]),
});

const rangeSchema = z.object({ min: z.number(), start: z.number(), max: z.number() });

/**
 * The capacity table the stack records at `cdk.tf.json["//"].metadata.capacity`: quota cores per VM family at the
 * fewest, starting and most instances (online deployments with the 20 % upgrade reserve), and who draws on them.
 */
const capacitySchema = z.object({
  families: z.array(z.object({ family: z.string(), cores: rangeSchema, quota: z.number().optional(), usedBy: z.array(z.string()) })),
  uses: z
    .array(
      z.object({
        kind: z.string(),
        name: z.string(),
        vmSize: z.string(),
        family: z.string().optional(),
        vCpus: z.number().optional(),
        upgradeReserve: z.boolean(),
        instances: rangeSchema,
        cores: rangeSchema.optional(),
      }),
    )
    .default([]),
});

/** A stack's capacity table. */
export type Capacity = z.infer<typeof capacitySchema>;

/** The stack-level guardrail record cdktf writes to `cdk.tf.json["//"].metadata.guardrails`. */
export type Guardrails = z.infer<typeof guardrailsSchema>;
/** One guardrail finding. */
export type GuardrailFinding = z.infer<typeof findingSchema>;

/** A synthesized stack, indexed for lookups and diffs. */
export interface SynthStack {
  readonly name: string;
  readonly file: string;
  /** Keyed by address, sorted. */
  readonly resources: ReadonlyMap<string, SynthResource>;
  readonly outputs: ReadonlyMap<string, { readonly value: unknown; readonly sensitive: boolean }>;
  readonly moved: readonly { readonly from: string; readonly to: string }[];
  /** Top-level blocks other than resources, data, outputs and moved (terraform, provider, variable, locals...). */
  readonly settings: Readonly<Record<string, unknown>>;
  readonly guardrails?: Guardrails;
  /** Waivers of rollout rules from the environment's config (`//.metadata.rollout.waivers`); empty when none. */
  readonly rolloutWaivers: readonly RolloutWaiverRecord[];
  /** The capacity table, for stacks with online deployments or a compute cluster. */
  readonly capacity?: Capacity;
}

const rolloutSchema = z.object({ waivers: z.array(z.object({ rule: z.string(), reason: z.string() })).default([]) });

/** One rollout waiver as recorded in a stack's metadata. */
export type RolloutWaiverRecord = z.infer<typeof rolloutSchema>["waivers"][number];

const RESOURCE_BLOCKS = new Set(["//", "resource", "data", "output", "moved"]);

/**
 * Indexes the JSON of one cdk.tf.json.
 * @throws ReviewInputError when the file is not a Terraform JSON object or its guardrail record is malformed.
 */
export function parseSynthStack(name: string, json: unknown, file: string): SynthStack {
  if (!isPlainObject(json)) throw new ReviewInputError(file, "not a synthesized stack: the JSON is not an object");
  const resources: SynthResource[] = [];
  for (const mode of ["resource", "data"] as const) {
    const byType = json[mode];
    if (!isPlainObject(byType)) continue;
    for (const [type, byName] of Object.entries(byType)) {
      if (!isPlainObject(byName)) continue;
      for (const [resourceName, block] of Object.entries(byName)) {
        if (!isPlainObject(block)) continue;
        const { ["//"]: comment, ...config } = block;
        const rawPath = metadataOf(comment)?.["path"];
        // Without "Default" segments, as cdktf leaves them out of addresses and the guardrails out of their paths.
        const constructPath = typeof rawPath === "string" ? rawPath.replace(/\/Default(?=\/|$)/g, "") : rawPath;
        resources.push({
          address: mode === "data" ? `data.${type}.${resourceName}` : `${type}.${resourceName}`,
          mode: mode === "data" ? "data" : "managed",
          type,
          name: resourceName,
          ...(typeof constructPath === "string" ? { constructPath } : {}),
          config,
        });
      }
    }
  }
  resources.sort((a, b) => compareText(a.address, b.address));

  const outputs = new Map<string, { value: unknown; sensitive: boolean }>();
  if (isPlainObject(json["output"])) {
    for (const [outputName, block] of Object.entries(json["output"]).sort(([a], [b]) => compareText(a, b))) {
      if (isPlainObject(block)) outputs.set(outputName, { value: block["value"], sensitive: block["sensitive"] === true });
    }
  }

  const moved: { from: string; to: string }[] = [];
  if (Array.isArray(json["moved"])) {
    for (const block of json["moved"]) {
      if (isPlainObject(block) && typeof block["from"] === "string" && typeof block["to"] === "string") moved.push({ from: block["from"], to: block["to"] });
    }
  }

  const settings: Record<string, unknown> = {};
  for (const key of Object.keys(json).sort(compareText)) if (!RESOURCE_BLOCKS.has(key)) settings[key] = json[key];

  const metadata = metadataOf(json["//"]);
  const guardrails = metadataRecord(metadata, "guardrails", guardrailsSchema, file);
  const rolloutWaivers = metadataRecord(metadata, "rollout", rolloutSchema, file)?.waivers ?? [];
  const capacity = metadataRecord(metadata, "capacity", capacitySchema, file);

  return {
    name,
    file,
    rolloutWaivers,
    resources: new Map(resources.map((r) => [r.address, r])),
    outputs,
    moved,
    settings,
    ...(guardrails !== undefined ? { guardrails } : {}),
    ...(capacity !== undefined ? { capacity } : {}),
  };
}

/**
 * One record of the stack's `//` metadata, checked against its schema; undefined when the stack has none.
 * @throws ReviewInputError naming the first field of a malformed record
 */
function metadataRecord<T>(metadata: Record<string, unknown> | undefined, key: string, schema: z.ZodType<T>, file: string): T | undefined {
  const raw = metadata?.[key];
  if (raw === undefined) return undefined;
  const parsed = schema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new ReviewInputError(file, `malformed ${key} record at //.metadata.${key}.${issue.path.map(String).join(".")}: ${issue.message}`);
  }
  return parsed.data;
}

function metadataOf(comment: unknown): Record<string, unknown> | undefined {
  if (!isPlainObject(comment)) return undefined;
  const metadata = comment["metadata"];
  return isPlainObject(metadata) ? metadata : undefined;
}

/** The construct path of a plan resource (`mode`, `type`, `name`, outside modules), if the stack knows it. */
export function constructPathOf(stack: SynthStack | undefined, resource: { mode: string; type: string; name: string; moduleAddress?: string }): string | undefined {
  if (!stack || resource.moduleAddress !== undefined) return undefined;
  const address = resource.mode === "data" ? `data.${resource.type}.${resource.name}` : `${resource.type}.${resource.name}`;
  return stack.resources.get(address)?.constructPath;
}

/**
 * Reads every stack under a cdktf output folder: `<dir>/stacks/<stack>/cdk.tf.json`
 * (also accepted: the `stacks` folder itself, or one stack folder).
 * @throws ReviewInputError when the folder is missing or holds no stack.
 */
export function readSynthDir(dir: string): Map<string, SynthStack> {
  let stat: fs.Stats;
  try {
    stat = fs.statSync(dir);
  } catch {
    throw new ReviewInputError(dir, "no such directory (run `npm run synth` first?)");
  }
  if (!stat.isDirectory()) throw new ReviewInputError(dir, "not a directory; expected a cdktf output folder such as cdktf.out");

  const files = new Map<string, string>();
  const single = path.join(dir, "cdk.tf.json");
  if (fs.existsSync(single)) {
    files.set(path.basename(path.resolve(dir)), single);
  } else {
    const stacksDir = fs.existsSync(path.join(dir, "stacks")) ? path.join(dir, "stacks") : dir;
    for (const entry of fs.readdirSync(stacksDir, { withFileTypes: true })) {
      const file = path.join(stacksDir, entry.name, "cdk.tf.json");
      if (entry.isDirectory() && fs.existsSync(file)) files.set(entry.name, file);
    }
  }
  if (files.size === 0) throw new ReviewInputError(dir, "no synthesized stacks found (expected stacks/<stack>/cdk.tf.json)");

  const stacks = new Map<string, SynthStack>();
  for (const name of [...files.keys()].sort(compareText)) {
    const file = files.get(name)!;
    let json: unknown;
    try {
      json = JSON.parse(fs.readFileSync(file, "utf8"));
    } catch (error) {
      throw new ReviewInputError(file, `cannot read synthesized stack (${(error as Error).message})`);
    }
    stacks.set(name, parseSynthStack(name, json, file));
  }
  return stacks;
}

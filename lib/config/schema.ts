import * as z from "zod";
import { CONFIG_WARNING_IDS, ROLLOUT_RULE_IDS, RULE_IDS } from "../guardrails/rule-ids";
import { closestKey } from "./issues";
import { AZURE_REGIONS } from "./regions";
import { canonicalIsoDuration, isoDurationSeconds } from "./duration";
import { checkNetwork } from "./network-rules";
import { checkWorkspaceShape } from "./workspace-rules";
import { AUTOSCALE_LIMITS, AUTOSCALE_METRICS, clockMinutes, DAYS, daysOf, type Day } from "./autoscale";
import { isoDurationSeconds as durationSeconds } from "./duration";
import { windowsTimeZone } from "./time-zones";

/**
 * The config contract: one YAML file per environment, snake_case keys, unknown keys rejected.
 *
 * Every rule here is phrased as the end of the sentence "<field> must ..." so that errors read the same everywhere.
 * Rules that span fields (traffic sums, file existence, cross-file uniqueness) live in `rules.ts`.
 */

/** Environment names come from file names: `config/<env>.yaml`. */
export const ENV_NAME_PATTERN = /^[a-z][a-z0-9]{1,9}$/;

const UUID = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;

function pattern(re: RegExp, rule: string) {
  return z.string().regex(re, { message: `must ${rule}` });
}

const uuid = pattern(UUID, "be a UUID like 00000000-0000-0000-0000-000000000000");

/**
 * ISO-8601 duration such as PT2M, checked to be positive and stored in the canonical form Azure returns (PT120S
 * becomes PT2M), so that the next plan does not see the same duration spelled differently as a change.
 */
const isoDuration = z
  .string()
  .superRefine((value, ctx) => {
    const seconds = isoDurationSeconds(value);
    if (seconds === undefined) {
      ctx.addIssue({ code: "custom", message: "must be an ISO-8601 duration such as PT2M or PT120S", input: value });
    } else if (seconds <= 0) {
      ctx.addIssue({ code: "custom", message: "must be a duration longer than zero", input: value });
    }
  })
  .transform((value) => canonicalIsoDuration(value) ?? value);

/** An {@link isoDuration} that is a whole number of seconds (PT90S, PT2M; not PT1.5S). */
const wholeSecondsIsoDuration = isoDuration.refine(
  (value) => Number.isInteger(isoDurationSeconds(value)),
  { message: "must be a whole number of seconds, as az ml sends it (PT90S, not PT1.5S)" },
);

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function bothNumbers(value: unknown, a: string, b: string): boolean {
  const record = value as Record<string, unknown> | null;
  return typeof record?.[a] === "number" && typeof record?.[b] === "number";
}

const int = (min: number, max?: number) => {
  const base = z.number().int({ message: "must be a whole number" }).min(min);
  return max === undefined ? base : base.max(max);
};

/** Asset versions are strings in Azure ML; an unquoted whole number in YAML is accepted and kept as its digits. */
const assetVersion = z
  .union([z.string(), z.number()])
  .superRefine((value, ctx) => {
    if (typeof value === "number" && !Number.isInteger(value)) {
      ctx.addIssue({ code: "custom", message: `must be quoted: YAML reads ${value} as a number`, input: value });
    } else if (!/^[a-zA-Z0-9][a-zA-Z0-9._-]{0,29}$/.test(String(value))) {
      ctx.addIssue({
        code: "custom",
        message: "must be 1-30 letters, digits, '.', '_' or '-', starting with a letter or digit",
        input: value,
      });
    }
  })
  .transform((value) => String(value));

/** Azure ML asset (model, environment, code) names. */
const assetName = pattern(
  /^[a-zA-Z0-9][a-zA-Z0-9_.-]{0,254}$/,
  "be 1-255 letters, digits, '.', '_' or '-', starting with a letter or digit",
);

/** Online and batch endpoint names become DNS labels: `<name>.<region>.inference.ml.azure.com`. */
const endpointName = pattern(
  /^[a-zA-Z](?!.*--)[a-zA-Z0-9-]{1,30}[a-zA-Z0-9]$/,
  "be 3-32 letters, digits or single hyphens, starting with a letter and ending with a letter or digit",
);

const ASSET_ID = /^(azureml:\/\/\S+|\/subscriptions\/[^/]+\/resourceGroups\/[^/]+\/providers\/Microsoft\.MachineLearningServices\/(workspaces|registries)\/[^/]+\/\S+)$/i;
/** An id through a label (`.../models/<name>/labels/latest`) names whatever version the label points at when Azure deploys. */
const LABEL_ID = /\/labels\/[^/]+$/i;
const PIN_A_VERSION = "must pin a version: an id ending in /labels/<label> is resolved when Azure deploys, so two synths of the same config could differ; end it in /versions/<version>";

const assetId = pattern(ASSET_ID, "be an ARM id (/subscriptions/.../providers/Microsoft.MachineLearningServices/...) or an azureml:// id").refine(
  (value) => !LABEL_ID.test(value),
  { message: PIN_A_VERSION },
);

const tags = z
  .record(
    z.string().regex(/^[^<>%&\\?/]{1,512}$/, { message: "must be a tag name of 1-512 characters without < > % & \\ ? /" }),
    z.string().max(256, { message: "must be a tag value of at most 256 characters" }),
  )
  .refine((value) => Object.keys(value).length <= 40, {
    // Azure allows 50; ten are kept free for the tags this app adds.
    message: "must have at most 40 tags",
  });

/** Environment variables of a scoring container. */
const environmentVariables = z.record(
  z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, { message: "must be a variable name: letters, digits and '_', not starting with a digit" }),
  z.string(),
);

/** A model or environment already registered in this workspace, named by `azureml:<name>:<version>`. */
export interface RegisteredAssetRef {
  readonly name: string;
  readonly version: string;
}

const ASSET_NAME = /^[a-zA-Z0-9][a-zA-Z0-9_.-]{0,254}$/;
const ASSET_VERSION = /^[a-zA-Z0-9][a-zA-Z0-9._-]{0,29}$/;

/** Storage URIs a model may be registered from; any other `path` is a local file or folder. */
export const STORAGE_URI = /^(azureml|https|wasbs|abfss):\/\//;

/**
 * A model or environment given as one string, as az ml accepts it: `azureml:<name>:<version>` (registered in this
 * workspace) or an asset id. Becomes `{ registered: { name, version } }` or `{ id }`.
 */
function assetReference(kind: "model" | "environment") {
  return z.string().transform((value, ctx): { id?: string; registered?: RegisteredAssetRef } => {
    if (ASSET_ID.test(value) && LABEL_ID.test(value)) {
      ctx.addIssue({ code: "custom", message: PIN_A_VERSION, input: value });
      return z.NEVER;
    }
    if (ASSET_ID.test(value)) return { id: value };
    const label = /^azureml:([^:@/]+)@(.*)$/.exec(value);
    if (label) {
      ctx.addIssue({
        code: "custom",
        message: `must pin a version: write azureml:${label[1]}:<version>, because @${label[2] || "<label>"} is resolved when Azure deploys, so two synths of the same config could differ`,
        input: value,
      });
      return z.NEVER;
    }
    const named = /^azureml:([^:@/]+):([^:@/]+)$/.exec(value);
    if (named && ASSET_NAME.test(named[1]) && ASSET_VERSION.test(named[2])) {
      return { registered: { name: named[1], version: named[2] } };
    }
    ctx.addIssue({
      code: "custom",
      message: `must be azureml:<name>:<version> (${kind === "environment" ? "an" : "a"} ${kind} registered in this workspace), an asset id, or a mapping`,
      input: value,
    });
    return z.NEVER;
  });
}

/** `{ id }` for an existing model, or the fields that register one here (from a storage URI or a local path). */
const modelFields = z.strictObject({
  id: assetId.optional(),
  name: assetName.optional(),
  version: assetVersion.optional(),
  // A storage URI, or a local file or folder relative to the config file, which is uploaded (see rules.ts).
  path: z.string().min(1).optional(),
  // az ml's default: a model without a type is a custom model.
  type: z.enum(["custom_model", "mlflow_model", "triton_model"]).optional(),
  description: z.string().max(512).optional(),
});

/** A model: `azureml:<name>:<version>`, an asset id, or a mapping (see {@link modelFields}). */
export const modelSchema = z
  .union([assetReference("model"), modelFields], { message: "must be azureml:<name>:<version>, an asset id, or a mapping" })
  .transform((value) => value as z.output<typeof modelFields> & { readonly registered?: RegisteredAssetRef });

/** A port a custom container listens on. */
const routeSchema = z.strictObject({
  path: pattern(/^\/\S*$/, "be a URL path starting with /"),
  port: int(1, 65535),
});

/** `{ id }` for an existing environment, or the fields that register one here (from an image or a build context). */
const environmentFields = z.strictObject({
  id: assetId.optional(),
  name: assetName.optional(),
  version: assetVersion.optional(),
  image: pattern(/^[a-z0-9.-]+(:[0-9]+)?\/[a-z0-9._/-]+(:[A-Za-z0-9._-]+|@sha256:[a-f0-9]{64})?$/, "be a container image reference such as mcr.microsoft.com/azureml/openmpi4.1.0-ubuntu22.04:latest").optional(),
  conda_file: z.string().min(1).optional(),
  // A local Docker build context, relative to the config file; Azure ML builds the image from it.
  build: z
    .strictObject({
      path: z.string().min(1),
      dockerfile_path: z.string().min(1).default("Dockerfile"),
    })
    .optional(),
  // Routes of a custom inference container (TF Serving, TorchServe, Triton, your own server).
  inference_config: z
    .strictObject({
      liveness_route: routeSchema,
      readiness_route: routeSchema,
      scoring_route: routeSchema,
    })
    .optional(),
  description: z.string().max(512).optional(),
}).superRefine(
  (e, ctx) => {
    if (e.image !== undefined && e.build !== undefined) {
      ctx.addIssue({ code: "custom", path: ["build"], message: "must not be set together with environment.image: give either an image or a Docker build context", input: e.build?.path });
    }
    if (e.conda_file !== undefined && e.build !== undefined) {
      ctx.addIssue({ code: "custom", path: ["conda_file"], message: "must not be set together with environment.build: install it in the Dockerfile instead", input: e.conda_file });
    }
  },
  // Runs even when other environment fields are wrong, so that every problem is reported in one go.
  { when: (payload) => isRecord(payload.value) },
);

/** An environment: `azureml:<name>:<version>`, an asset id, or a mapping (see {@link environmentFields}). */
export const environmentSchema = z
  .union([assetReference("environment"), environmentFields], { message: "must be azureml:<name>:<version>, an asset id, or a mapping" })
  .transform((value) => value as z.output<typeof environmentFields> & { readonly registered?: RegisteredAssetRef });

/** A local folder of scoring code, relative to the config file. */
export const codeSchema = z.strictObject({
  path: z.string().min(1),
  scoring_script: z.string().min(1),
});

const probeSchema = z.strictObject({
  initial_delay_s: int(0, 3600).default(10),
  period_s: int(1, 3600).default(10),
  timeout_s: int(1, 3600).default(2),
  failure_threshold: int(1, 1000).default(30),
  success_threshold: int(1, 1000).default(1),
});

/**
 * A rule's window: whole minutes (10) or an ISO-8601 duration (PT10M), 5 minutes to 12 hours, in whole minutes
 * because every metric has a one-minute grain. Becomes minutes.
 */
const windowSchema = z
  .union([z.number(), z.string()], { message: "must be a number of minutes or an ISO-8601 duration such as PT10M" })
  .transform((value, ctx) => {
    const seconds = typeof value === "number" ? value * 60 : durationSeconds(value);
    const [min, max] = AUTOSCALE_LIMITS.windowMinutes;
    if (seconds === undefined || seconds % 60 !== 0 || seconds < min * 60 || seconds > max * 60) {
      ctx.addIssue({ code: "custom", message: `must be whole minutes from ${min} to ${max} (5 minutes to 12 hours, Azure autoscale's limits), as a number or an ISO-8601 duration such as PT10M`, input: value });
      return z.NEVER;
    }
    return seconds / 60;
  });

/** One scaling rule: the metric, the threshold above which an instance is added, and the one below which one goes. */
const autoscaleRuleSchema = z.strictObject({
  metric: z.enum(AUTOSCALE_METRICS),
  scale_out_above: z.number().positive({ message: "must be above 0" }),
  scale_in_below: z.number().min(0).optional(),
  window: windowSchema.optional(),
});

/** A clock time "HH:MM"; YAML 1.2 reads 08:00 as a string, so a number means something else was written. */
const clockTime = z.string({ message: 'must be a 24-hour time in quotes, such as "08:00"' }).refine((value) => clockMinutes(value) !== undefined, {
  message: 'must be a 24-hour time "HH:MM", such as "08:00"',
});

/** A recurring period with its own bounds; becomes a recurring autoscale profile (see `plannedRecurrences`). */
const autoscaleScheduleSchema = z.strictObject({
  name: pattern(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,39}$/, "be 1-40 letters, digits, '.', '_' or '-', starting with a letter or digit"),
  days: z
    .array(z.string())
    .min(1)
    .transform((entries, ctx) => {
      const days = new Set<Day>();
      entries.forEach((entry, i) => {
        const meant = daysOf(entry);
        if (!meant) ctx.addIssue({ code: "custom", path: [i], message: `must be a day (${DAYS.join(", ")}, or mon..sun) or weekdays, weekend, everyday`, input: entry });
        meant?.forEach((d) => days.add(d));
      });
      return DAYS.filter((d) => days.has(d));
    }),
  start: clockTime,
  end: clockTime,
  // Azure autoscale takes Windows names; a known IANA name is sent as its Windows name (see time-zones.ts).
  timezone: z.string().transform((value, ctx) => {
    const windows = windowsTimeZone(value);
    if (windows === undefined) {
      ctx.addIssue({ code: "custom", message: "must be a Windows time zone name as Azure autoscale takes it (e.g. W. Europe Standard Time, UTC) or an IANA name this project maps (e.g. Europe/Berlin; see lib/config/time-zones.ts)", input: value });
      return z.NEVER;
    }
    return windows;
  }),
  min_instances: int(1, 50),
  max_instances: int(1, 50),
});

const cooldown = () => int(AUTOSCALE_LIMITS.cooldownMinutes[0], AUTOSCALE_LIMITS.cooldownMinutes[1]);

/**
 * Autoscale of one deployment. `rules` scale on any metric; the older `scale_out_cpu_percent` and
 * `scale_in_cpu_percent` still mean one cpu_percent rule (70/30 when neither they nor `rules` are given), so existing
 * configs keep their rules. Cooldowns default to 20 minutes after scaling out and 30 after scaling in (see
 * DEFAULT_COOLDOWN_MINUTES); `cooldown_minutes` sets both.
 */
const autoscaleSchema = z.strictObject({
  min_instances: int(1, 50),
  max_instances: int(1, 50),
  scale_out_cpu_percent: int(1, 100).optional(),
  scale_in_cpu_percent: int(0, 99).optional(),
  rules: z.array(autoscaleRuleSchema).min(1).optional(),
  cooldown_minutes: cooldown().optional(),
  scale_out_cooldown_minutes: cooldown().optional(),
  scale_in_cooldown_minutes: cooldown().optional(),
  schedules: z.array(autoscaleScheduleSchema).default([]),
});

/**
 * The peak a deployment must carry, for the headroom check (Little's law: requests in flight = requests per second
 * × seconds per request).
 */
const expectedLoadSchema = z.strictObject({
  peak_requests_per_second: z.number().positive({ message: "must be above 0" }),
  latency_ms: z.number().positive({ message: "must be above 0" }),
});

/** az ml writes `enabled: 'True'` in its samples; a YAML boolean works too. */
const enabledFlag = z
  .union([z.boolean(), z.enum(["true", "false", "True", "False"])], { message: "must be true or false" })
  .transform((value) => value === true || value === "true" || value === "True");

/**
 * Where a collection's data may land: the default datastore. The endpoint's identity may write to its container
 * only (`MlWorkspace.grantDefaultContainerWrite`), so a path on any other datastore would collect nothing.
 */
const COLLECTION_PATH = /^azureml:\/\/datastores\/workspaceblobstore\/paths\/[^\s/][^\s]*$/;

/**
 * One collection of a deployment's data collector, as az ml's YAML has it: `enabled` and the data asset it is
 * registered as (`data`, each field defaulting as az ml does, see `collectionDataAsset`). `sampling_rate` here
 * overrides the collector's for this collection (Azure takes one per collection; az ml copies the collector's).
 */
const collectionSchema = z.strictObject({
  enabled: enabledFlag.default(false),
  sampling_rate: z.number().min(0).max(1).optional(),
  data: z
    .strictObject({
      name: assetName.optional(),
      version: assetVersion.optional(),
      path: pattern(
        COLLECTION_PATH,
        "be azureml://datastores/workspaceblobstore/paths/<path>: the endpoint's identity may write to the default datastore only",
      ).optional(),
    })
    .optional(),
});

/** A collection name becomes part of a data asset name and of a blob path. */
const collectionName = pattern(
  /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,63}$/,
  "be a collection name of 1-64 letters, digits, '_', '.' or '-', not starting with '.' or '-'",
);

/**
 * The request header that carries the endpoint's key or token; capturing it would write credentials to blob storage,
 * readable by anyone who may read the collected data.
 */
const CREDENTIAL_HEADER = "authorization";

/**
 * Data collection (model monitoring's input), as az ml's `data_collector`. Two kinds of collection: `request` and
 * `response` are payload logging, which the server does; any other name (`model_inputs`, `model_outputs`, or one of
 * your own) is custom logging, which a `Collector` of that name in the scoring script fills. Each collection is
 * registered as a data asset in the workspace's default blob datastore.
 */
const dataCollectorSchema = z.strictObject({
  collections: z.record(collectionName, collectionSchema).refine((value) => Object.keys(value).length > 0, {
    message: "must name at least one collection: request and response (payload logging) or the names a scoring script collects",
  }),
  sampling_rate: z.number().min(0).max(1).default(1),
  rolling_rate: z.enum(["minute", "hour", "day"]).default("hour"),
  // Request headers collected along with the payloads.
  request_logging: z
    .strictObject({
      capture_headers: z
        .array(
          z
            .string()
            .regex(/^[A-Za-z0-9!#$%&'*+.^_`|~-]+$/, { message: "must be an HTTP header name" })
            .refine((header) => header.toLowerCase() !== CREDENTIAL_HEADER, {
              message: "must not be Authorization: it carries the endpoint's key or token, which would be written to the collected data in clear",
            }),
        )
        .max(20),
    })
    .optional(),
});

/** Why `request_settings.max_queue_wait_ms` is refused, and what does its job. */
const MAX_QUEUE_WAIT_DEPRECATED =
  "must be removed: it is deprecated, and managed online endpoints ignore it; raise request_timeout_ms to cover a request's wait in the queue, and let autoscale (or more instances) keep the queue short";

export const onlineDeploymentSchema = z.strictObject({
  name: endpointName,
  model: modelSchema,
  environment: environmentSchema.optional(),
  code: codeSchema.optional(),
  instance_type: pattern(/^[A-Za-z][A-Za-z0-9_]{2,63}$/, "be an Azure VM size such as Standard_DS3_v2"),
  instance_count: int(1, 50).default(1),
  traffic: int(0, 100).default(0),
  mirror_traffic: int(0, 50).default(0),
  request_settings: z
    .strictObject({
      // 180000 ms is the managed online endpoint's ceiling for a scoring request.
      request_timeout_ms: int(1, 180000).default(5000),
      max_concurrent_requests_per_instance: int(1, 1000).default(1),
      // Refused with what to write instead (below), rather than dropped: a user who sets it expects it to work.
      max_queue_wait_ms: z.unknown().optional(),
    })
    .superRefine(
      (settings, ctx) => {
        if (settings.max_queue_wait_ms !== undefined) {
          ctx.addIssue({ code: "custom", path: ["max_queue_wait_ms"], message: MAX_QUEUE_WAIT_DEPRECATED, input: settings.max_queue_wait_ms });
        }
      },
      // Runs even when the other settings are wrong, so that every problem is reported in one go.
      { when: (payload) => isRecord(payload.value) },
    )
    .transform(({ max_queue_wait_ms: _refused, ...settings }) => settings)
    .optional(),
  liveness_probe: probeSchema.optional(),
  readiness_probe: probeSchema.optional(),
  // Until it succeeds, Azure holds the liveness and readiness probes: for models that take minutes to load.
  startup_probe: probeSchema.optional(),
  environment_variables: environmentVariables.optional(),
  app_insights: z.boolean().default(true),
  // Defaults follow network.isolation: true when public, false when private (see withNetworkDefaults).
  egress_public_network_access: z.boolean().optional(),
  autoscale: autoscaleSchema.optional(),
  expected_load: expectedLoadSchema.optional(),
  // Where a custom container finds the model, instead of Azure's default /var/azureml-app/azureml-models/<name>/<version>.
  model_mount_path: pattern(/^\/\S*$/, "be an absolute path such as /models").optional(),
  data_collector: dataCollectorSchema.optional(),
  description: z.string().max(512).optional(),
  // Merged over the environment's tags.
  tags: tags.optional(),
});

export const endpointSchema = z.strictObject({
  name: endpointName,
  auth_mode: z.enum(["key", "aml_token", "aad_token"]).default("aml_token"),
  // Defaults follow network.isolation: true when public, false when private (see withNetworkDefaults).
  public_network_access: z.boolean().optional(),
  description: z.string().max(512).optional(),
  // Merged over the environment's tags.
  tags: tags.optional(),
  deployments: z.array(onlineDeploymentSchema).min(1).max(20),
});

/**
 * One item of `endpoints:`, the many-endpoint form: an endpoint exactly as `endpoint:` takes it, and a way to keep the
 * Terraform addresses the endpoint had when it was the file's `endpoint:`.
 */
export const listedEndpointSchema = endpointSchema.extend({
  // This endpoint was the file's `endpoint:` until endpoints were listed: its resources keep the addresses of that
  // form, so that listing a second endpoint replaces nothing. At most one endpoint of a file.
  moved_from_endpoint: z.boolean().default(false),
});

/** The ARM id of an existing Azure ML workspace. */
export const WORKSPACE_ID = /^\/subscriptions\/([0-9a-fA-F-]{36})\/resourceGroups\/([-\w.()]{1,90})\/providers\/Microsoft\.MachineLearningServices\/workspaces\/([a-zA-Z0-9][a-zA-Z0-9_-]{2,32})$/i;

export const batchDeploymentSchema = z.strictObject({
  name: endpointName,
  model: modelSchema,
  environment: environmentSchema.optional(),
  code: codeSchema.optional(),
  instance_count: int(1, 1000).default(1),
  max_concurrency_per_instance: int(1, 1000).default(1),
  mini_batch_size: int(1, 1000000).default(10),
  retry: z
    .strictObject({
      max_retries: int(0, 100).default(3),
      timeout_s: int(1, 86400).default(300),
    })
    .default({ max_retries: 3, timeout_s: 300 }),
  error_threshold: int(-1).default(-1),
  output_action: z.enum(["append_row", "summary_only"]).default("append_row"),
  output_file_name: pattern(/^[A-Za-z0-9._-]{1,255}$/, "be a file name of letters, digits, '.', '_' or '-'").default("predictions.csv"),
  logging_level: z.enum(["info", "warning", "debug"]).default("info"),
  environment_variables: environmentVariables.optional(),
  description: z.string().max(512).optional(),
  // Merged over the environment's and the batch endpoint's tags.
  tags: tags.optional(),
});

/**
 * The removed single `deployment`, a missing `deployments`, and `default_deployment`: required with several
 * deployments, and one of them. Written for values that may be partly invalid (see the `when` below).
 */
function checkBatchDeployments(b: { deployment?: unknown; deployments?: unknown; default_deployment?: unknown }, ctx: z.RefinementCtx): void {
  if (b.deployment !== undefined) {
    const name = isRecord(b.deployment) ? b.deployment.name : undefined;
    ctx.addIssue({
      code: "custom",
      path: ["deployment"],
      message: `must be replaced by a list: write \`deployments:\` with this deployment as its one item${typeof name === "string" ? ` (and, optionally, \`default_deployment: ${name}\`)` : ""}`,
      input: b.deployment,
    });
  } else if (b.deployments === undefined) {
    ctx.addIssue({ code: "custom", path: ["deployments"], message: "is required: list the endpoint's deployments", params: { missing: true } });
  }
  if (!Array.isArray(b.deployments)) return;
  const names = b.deployments.map((d: unknown) => (isRecord(d) ? d.name : undefined)).filter((n): n is string => typeof n === "string");
  const chosen = b.default_deployment;
  if (chosen === undefined && b.deployments.length > 1) {
    ctx.addIssue({
      code: "custom",
      path: ["default_deployment"],
      message: `is required when there is more than one deployment: name the one that jobs without a deployment use (one of ${names.join(", ")})`,
      params: { missing: true },
    });
  } else if (typeof chosen === "string" && !names.some((n) => n.toLowerCase() === chosen.toLowerCase())) {
    ctx.addIssue({ code: "custom", path: ["default_deployment"], message: `must name one of the deployments (${names.join(", ")})`, input: chosen });
  }
}

export const batchEndpointSchema = z
  .strictObject({
    name: endpointName,
    description: z.string().max(512).optional(),
    // Merged over the environment's tags.
    tags: tags.optional(),
    deployments: z.array(batchDeploymentSchema).min(1).max(20).optional(),
    default_deployment: endpointName.optional(),
    // The single deployment of earlier versions; refused with what to write instead (below).
    deployment: z.unknown().optional(),
  })
  // Runs even when a deployment has other problems, so that every problem is reported in one go.
  .superRefine((b, ctx) => checkBatchDeployments(b, ctx), { when: (payload) => isRecord(payload.value) })
  .transform(({ deployment: _removed, deployments, ...rest }) => ({ ...rest, deployments: deployments ?? [] }));

/** One IPv4 address, as the dotted quad. */
const IPV4 = String.raw`(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(?:\.(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}`;

/**
 * How the environment is reached and what it may reach: public endpoints (the default), or private serving in the
 * Azure ML way: a managed virtual network for the workspace's computes and private endpoints for callers.
 *
 * Which fields apply depends on `isolation` and `outbound`; `network-rules.ts` checks those combinations.
 * @see https://learn.microsoft.com/azure/machine-learning/how-to-managed-network
 */
export const networkSchema = z.strictObject({
  isolation: z.enum(["public", "private"]).default("public"),
  // Private only; defaults to approved_only there (see withNetworkDefaults).
  outbound: z.enum(["approved_only", "internet"]).optional(),
  allowed_fqdns: z
    .array(
      pattern(
        /^(\*\.)?([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]([a-z0-9-]{0,61}[a-z0-9])?$/,
        "be a lower-case host name such as pypi.org, optionally starting with *. for its subdomains",
      ),
    )
    .max(100)
    .optional(),
  client_subnet: z
    .strictObject({
      address_space: pattern(
        new RegExp(`^${IPV4}/(?:[89]|1\\d|2[0-7])$`),
        "be an IPv4 range in CIDR form from /8 to /27, such as 10.40.0.0/24 (private endpoints need about a dozen addresses)",
      ).optional(),
      id: pattern(
        /^\/subscriptions\/[^/]+\/resourceGroups\/[^/]+\/providers\/Microsoft\.Network\/virtualNetworks\/[^/]+\/subnets\/[^/]+$/i,
        "be a subnet id: /subscriptions/<id>/resourceGroups/<rg>/providers/Microsoft.Network/virtualNetworks/<vnet>/subnets/<subnet>",
      ).optional(),
    })
    .optional(),
  deployer_ip_ranges: z
    .array(
      pattern(
        // Wider than /8 would open the firewall to a good part of the internet; /31 and /32 Azure refuses.
        new RegExp(`^${IPV4}(?:/(?:[89]|[12]\\d|30))?$`),
        "be a public IPv4 address or a CIDR range from /8 to /30 such as 203.0.113.0/24 (write /31 and /32 as a bare address, as the storage firewall requires)",
      ),
    )
    // The storage firewall holds at most 400 IP rules.
    .max(400)
    .optional(),
});

/** Every id a waiver may name: guardrail rules, config warnings and rollout rules. */
const WAIVER_IDS = [...RULE_IDS, ...CONFIG_WARNING_IDS, ...ROLLOUT_RULE_IDS];

const configObjectSchema = z.strictObject({
  project: pattern(/^[a-z][a-z0-9]{1,11}$/, "be 2-12 lowercase letters or digits, starting with a letter"),
  location: z.string().superRefine((value, ctx) => {
    if (AZURE_REGIONS.includes(value)) return;
    // The portal's display names ("West Europe") and typos get the name Azure expects.
    const hint = closestKey(value.replace(/[\s_-]/g, ""), AZURE_REGIONS);
    ctx.addIssue({
      code: "custom",
      message: `must be an Azure region name ${hint ? `(did you mean ${hint}?)` : "such as westeurope"} (see \`az account list-locations -o table\`)`,
      input: value,
    });
  }),
  subscription_id: uuid.optional(),
  tags: tags.default({}),
  state: z.strictObject({
    resource_group: pattern(
      /^[-\w.()]{0,89}[-\w()]$/,
      "be 1-90 letters, digits, '_', '-', '.', '(' or ')', not ending with '.'",
    ),
    storage_account: pattern(/^[a-z0-9]{3,24}$/, "be 3-24 lowercase letters or digits"),
    container: pattern(
      /^(?!.*--)[a-z0-9][a-z0-9-]{1,61}[a-z0-9]$/,
      "be 3-63 lowercase letters, digits or single hyphens, starting and ending with a letter or digit",
    ).default("tfstate"),
    deployer_principal_ids: z.array(uuid).default([]),
  }),
  workspace: z
    .strictObject({
      // An existing workspace to deploy into: nothing of the workspace and its dependencies is created (see
      // checkExistingWorkspace for the settings that then make no sense).
      existing_id: pattern(
        WORKSPACE_ID,
        "be a workspace id: /subscriptions/<subscription id>/resourceGroups/<group>/providers/Microsoft.MachineLearningServices/workspaces/<name>",
      ).optional(),
      // Defaults follow network.isolation: true when public, false when private (see withNetworkDefaults).
      public_network_access: z.boolean().optional(),
      description: z.string().max(512).optional(),
      // Keyless workspace storage is an Azure ML preview; teams that cannot run previews opt back into account keys.
      // Defaults to false in a workspace this stack creates (see withNetworkDefaults).
      storage_shared_key_access: z.boolean().optional(),
      // Who runs `terraform apply` and so uploads code and models; empty means whoever runs Terraform.
      deployer_principal_ids: z.array(uuid).max(20).default([]),
      // false lets `terraform destroy` delete this environment's stateful resources (decommissioning, re-creation).
      prevent_destroy: z.boolean().default(true),
    })
    .default({ deployer_principal_ids: [], prevent_destroy: true }),
  compute: z.strictObject({
    // Use a cluster of this name that already exists in an existing workspace, rather than creating one.
    existing: z.boolean().default(false),
    // Azure's own rule (workspaces/computes name pattern in the 2025-12-01 schema): 3-24 characters, and a trailing
    // "-<digits>" is reserved for the nodes Azure names after the cluster.
    name: pattern(
      /^[a-zA-Z](?![a-zA-Z0-9-]*-\d+$)[a-zA-Z0-9-]{1,22}[a-zA-Z0-9]$/,
      "be 3-24 letters, digits or hyphens, starting with a letter, ending with a letter or digit, and not ending in -<digits>",
    ),
    // Required unless the cluster exists already (see checkWorkspaceShape).
    vm_size: pattern(/^[A-Za-z][A-Za-z0-9_]{2,63}$/, "be an Azure VM size such as STANDARD_D2_V2").optional(),
    // Defaults (dedicated, 0, PT2M) are applied in withNetworkDefaults, for a cluster this stack creates.
    vm_priority: z.enum(["dedicated", "low_priority"]).optional(),
    min_nodes: int(0, 1000).optional(),
    max_nodes: int(1, 1000).optional(),
    // az ml takes this as a whole number of seconds (`idle_time_before_scale_down: int` in its compute YAML) and
    // Azure publishes no minimum beyond "longer than zero", so whole seconds is the rule we can stand behind.
    idle_time_before_scale_down: wholeSecondsIsoDuration.optional(),
  }).superRefine(
    (compute, ctx) => {
      if (compute.max_nodes !== undefined && compute.min_nodes !== undefined && compute.min_nodes > compute.max_nodes) {
        ctx.addIssue({ code: "custom", path: ["min_nodes"], message: `must be <= compute.max_nodes (${compute.max_nodes})`, input: compute.min_nodes });
      }
    },
    // Runs even when other compute fields are wrong, so that every problem is reported in one go.
    { when: (payload) => bothNumbers(payload.value, "min_nodes", "max_nodes") },
  ).optional(),
  // One endpoint (the original form), or a list of them; not both.
  endpoint: endpointSchema.optional(),
  endpoints: z.array(listedEndpointSchema).min(1).max(50).optional(),
  monitoring: z
    .strictObject({
      // Defaults to 30 where this stack creates the Log Analytics workspace (see withNetworkDefaults).
      log_retention_days: int(30, 730).optional(),
      alert_emails: z.array(z.email({ message: "must be an e-mail address" })).default([]),
      alerts: z
        .strictObject({
          latency_p95_ms: int(1, 180000).default(1000),
          cpu_percent: int(1, 100).default(90),
          // Deployments that scale on requests or latency: 429 and 503 responses per minute, over 15 minutes.
          throttled_requests_per_minute: int(1, 1000000).default(10),
        })
        .default({ latency_p95_ms: 1000, cpu_percent: 90, throttled_requests_per_minute: 10 }),
    })
    .default({ alert_emails: [], alerts: { latency_p95_ms: 1000, cpu_percent: 90, throttled_requests_per_minute: 10 } }),
  batch: z.array(batchEndpointSchema).max(20).default([]),
  network: networkSchema.default({ isolation: "public" }),
  // Cores per VM family (names as az vm list-usage prints them, e.g. standardDSv2Family): going over is a guardrail
  // error. Keys are checked against the known families in rules.ts.
  quota: z.record(z.string(), int(0)).optional(),
  // How CI deploys this environment (.github/workflows/deploy.yml reads it through scripts/deploy-matrix.ts): after
  // which environments, and behind which GitHub environment (its protection rules and secrets). Checked across files
  // when every file is loaded: `after` must name environments of the folder, without cycles.
  deploy: z
    .strictObject({
      after: z.array(pattern(ENV_NAME_PATTERN, "be an environment name: 2-10 lowercase letters or digits, starting with a letter")).max(20).default([]),
      // The GitHub environment whose protection rules (required reviewers) and secrets gate the deploy; default the
      // environment name. A conservative subset of what GitHub accepts, so it is safe in a job name and a concurrency group.
      environment: pattern(/^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/, "be a GitHub environment name: 1-100 letters, digits, '.', '_' or '-'").optional(),
    })
    .default({ after: [] }),
  waivers: z
    .array(
      z.strictObject({
        // Guardrail rules (checked on the stack), config warnings (checked here) and rollout rules (checked by the plan
        // review, which reads them from the stack's metadata) share one list.
        rule: z.enum(WAIVER_IDS, {
          // The list of ids is long; a near miss gets the one meant, and the rest the list.
          error: (issue) => {
            const hint = typeof issue.input === "string" ? closestKey(issue.input, WAIVER_IDS) : undefined;
            return hint ? `must be a rule id; did you mean ${hint}?` : undefined;
          },
        }),
        reason: z.string().refine((reason) => reason.trim() !== "", {
          message: "must be a non-empty reason: say why the rule does not apply",
        }),
      }),
    )
    .default([]),
});

/** The file with its network rules, which run even when other fields are wrong so that all problems come at once. */
const checkedConfigSchema = configObjectSchema.superRefine(
  (config, ctx) => {
    // An explicit `input: undefined` keeps zod from filling in the whole file: the problem then has no value; a
    // missing field is marked so that it reads "is required" with no value.
    const report = (path: readonly PropertyKey[], message: string, ...value: [unknown?]) =>
      ctx.addIssue({ code: "custom", path: [...path], message, input: value.length > 0 ? value[0] : undefined, params: value.length > 0 && value[0] !== undefined ? undefined : { missing: true } });
    checkNetwork(config, report);
    checkWorkspaceShape(config, report);
  },
  { when: () => true },
);

type ParsedConfig = z.output<typeof configObjectSchema>;

/** An endpoint after parsing, from either form, with where it is in the file and which addresses it keeps. */
function endpointDefaults(endpoint: z.output<typeof endpointSchema>, open: boolean) {
  return {
    ...endpoint,
    public_network_access: endpoint.public_network_access ?? open,
    deployments: endpoint.deployments.map((d) => ({ ...d, egress_public_network_access: d.egress_public_network_access ?? open })),
  };
}

/** A cluster this stack creates, with its defaults; checkWorkspaceShape has required its size and maximum. */
function createdCompute(compute: NonNullable<ParsedConfig["compute"]>) {
  return {
    existing: false as const,
    name: compute.name,
    vm_size: compute.vm_size!,
    vm_priority: compute.vm_priority ?? ("dedicated" as const),
    min_nodes: compute.min_nodes ?? 0,
    max_nodes: compute.max_nodes!,
    idle_time_before_scale_down: compute.idle_time_before_scale_down ?? "PT2M",
  };
}

/**
 * Applies the defaults that follow `network.isolation`: in a private environment, public network access of the
 * workspace and the endpoints and public egress of each deployment default to false, and outbound to
 * approved_only. A value written in the file is kept; `network-rules.ts` has already reported one that contradicts
 * the mode. Also the defaults that only a workspace this stack creates has, and `endpoint` / `endpoints` as one list.
 */
function withNetworkDefaults(config: ParsedConfig) {
  const network = config.network;
  const isPrivate = network.isolation === "private";
  const open = !isPrivate;
  const { endpoint, endpoints: listed, compute, ...rest } = config;
  const endpoints = [
    ...(endpoint ? [{ ...endpointDefaults(endpoint, open), moved_from_endpoint: false, at: ["endpoint"] as PropertyKey[], keeps_single_form_addresses: true }] : []),
    ...(listed ?? []).map(({ moved_from_endpoint, ...e }, i) => ({
      ...endpointDefaults(e, open),
      moved_from_endpoint,
      at: ["endpoints", i] as PropertyKey[],
      keeps_single_form_addresses: moved_from_endpoint,
    })),
  ];
  return {
    ...rest,
    network: {
      ...network,
      outbound: network.outbound ?? (isPrivate ? ("approved_only" as const) : undefined),
      allowed_fqdns: network.allowed_fqdns ?? [],
      deployer_ip_ranges: network.deployer_ip_ranges ?? [],
    },
    workspace: {
      ...config.workspace,
      public_network_access: config.workspace.public_network_access ?? open,
      storage_shared_key_access: config.workspace.storage_shared_key_access ?? false,
    },
    monitoring: { ...config.monitoring, log_retention_days: config.monitoring.log_retention_days ?? 30 },
    // checkWorkspaceShape has required vm_size and max_nodes of a cluster this stack creates.
    compute: compute && (compute.existing ? { existing: true as const, name: compute.name } : createdCompute(compute)),
    /**
     * Every online endpoint, from `endpoint:` or `endpoints:`, with its place in the file (`at`, for messages) and
     * whether its resources keep the addresses of the one-endpoint form (`endpoint:`, or `moved_from_endpoint`).
     */
    endpoints,
  };
}

/** The whole file: the object above, then the defaults that depend on the network mode. */
export const configSchema = checkedConfigSchema.transform(withNetworkDefaults);

/** One environment's config after parsing: defaults applied, still snake_case as written in YAML. */
export type ServingConfig = z.output<typeof configSchema>;
export type NetworkConfig = ServingConfig["network"];
export type EndpointConfig = ServingConfig["endpoints"][number];
export type ComputeConfig = NonNullable<ServingConfig["compute"]>;
/** A cluster this stack creates. */
export type CreatedComputeConfig = Extract<ComputeConfig, { existing: false }>;
export type OnlineDeploymentConfig = EndpointConfig["deployments"][number];
export type BatchEndpointConfig = z.output<typeof batchEndpointSchema>;
export type BatchDeploymentConfig = z.output<typeof batchDeploymentSchema>;
export type DataCollectorConfig = z.output<typeof dataCollectorSchema>;
export type ModelConfig = z.output<typeof modelSchema>;
export type EnvironmentAssetConfig = z.output<typeof environmentSchema>;
export type CodeConfig = z.output<typeof codeSchema>;
export type AutoscaleConfig = z.output<typeof autoscaleSchema>;
export type AutoscaleRuleConfig = z.output<typeof autoscaleRuleSchema>;
export type AutoscaleScheduleConfig = z.output<typeof autoscaleScheduleSchema>;

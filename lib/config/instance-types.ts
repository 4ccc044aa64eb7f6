import { editDistance } from "./issues";

/**
 * VM sizes as data: what a managed online deployment may run on, which quota family it draws from, and how many
 * cores, how much memory and how many GPUs one instance has.
 *
 * Sources, vendored by hand (no npm package carries them):
 * - the managed online endpoint SKUs, their quota families, cores, GPUs and the "Skip 20% Reservation" column:
 *   Microsoft's "Managed online endpoints SKU list" (reference-managed-online-endpoints-vm-sku-list.md in
 *   MicrosoftDocs/azure-ai-docs, ms.date 10/18/2023, read at commit 1d987e37c168d7ef6eaeb8441da7967a197aac00),
 *   https://learn.microsoft.com/azure/machine-learning/reference-managed-online-endpoints-vm-sku-list;
 * - memory per size: the Azure VM size pages (https://learn.microsoft.com/azure/virtual-machines/sizes), which the
 *   SKU list points to for memory;
 * - the AmlCompute-only sizes below (`onlineEndpoint: false`): the same VM size pages, for the cluster's share of
 *   the capacity table.
 *
 * Quota family names are written the way `az vm list-usage` and `az ml compute list-usage` print them in
 * `name.value` (the SKU list writes a few with spaces, "standard NCASv3_T4 Family"; the usage APIs do not). Keys of
 * `quota:` are matched ignoring case and spaces. When Microsoft adds a size, add a row here.
 */

/** One VM size. */
export interface InstanceType {
  /** The size as Azure spells it in the SKU list, e.g. STANDARD_DS3_V2 (names compare case-insensitively). */
  readonly name: string;
  /** The quota family the size's cores count against, e.g. standardDSv2Family. */
  readonly family: string;
  readonly vCpus: number;
  readonly memoryGiB: number;
  /** GPUs per instance; a fraction for the partitioned A10 sizes (1/6 of a GPU). 0 for CPU sizes. */
  readonly gpus: number;
  /**
   * Whether Azure ML reserves 20 % more quota for upgrades: a deployment of N instances needs ceil(1.2 × N) ×
   * vCPUs. False for the sizes marked "Skip 20% Reservation" in the SKU list.
   */
  readonly upgradeReserve: boolean;
  /** Whether managed online deployments may use it; false for sizes listed only for the AmlCompute cluster. */
  readonly onlineEndpoint: boolean;
}

type Row = readonly [name: string, vCpus: number, memoryGiB: number, gpus?: number, skipReserve?: boolean];

function family(name: string, rows: readonly Row[], onlineEndpoint = true): InstanceType[] {
  return rows.map(([size, vCpus, memoryGiB, gpus = 0, skipReserve = false]) => ({
    name: size,
    family: name,
    vCpus,
    memoryGiB,
    gpus,
    upgradeReserve: !skipReserve,
    onlineEndpoint,
  }));
}

/** Every size this project knows, managed online SKUs first, in the SKU list's order. */
export const INSTANCE_TYPES: readonly InstanceType[] = [
  ...family("standardDASv4Family", [
    ["STANDARD_D2AS_V4", 2, 8], ["STANDARD_D4AS_V4", 4, 16], ["STANDARD_D8AS_V4", 8, 32], ["STANDARD_D16AS_V4", 16, 64],
    ["STANDARD_D32AS_V4", 32, 128], ["STANDARD_D48AS_V4", 48, 192], ["STANDARD_D64AS_V4", 64, 256], ["STANDARD_D96AS_V4", 96, 384],
  ]),
  ...family("standardDAv4Family", [
    ["STANDARD_D2A_V4", 2, 8], ["STANDARD_D4A_V4", 4, 16], ["STANDARD_D8A_V4", 8, 32], ["STANDARD_D16A_V4", 16, 64],
    ["STANDARD_D32A_V4", 32, 128], ["STANDARD_D48A_V4", 48, 192], ["STANDARD_D64A_V4", 64, 256], ["STANDARD_D96A_V4", 96, 384],
  ]),
  ...family("standardDSv2Family", [
    ["STANDARD_DS1_V2", 1, 3.5], ["STANDARD_DS2_V2", 2, 7], ["STANDARD_DS3_V2", 4, 14], ["STANDARD_DS4_V2", 8, 28], ["STANDARD_DS5_V2", 16, 56],
  ]),
  ...family("standardESv3Family", [
    ["STANDARD_E2S_V3", 2, 16], ["STANDARD_E4S_V3", 4, 32], ["STANDARD_E8S_V3", 8, 64], ["STANDARD_E16S_V3", 16, 128],
    ["STANDARD_E32S_V3", 32, 256], ["STANDARD_E48S_V3", 48, 384], ["STANDARD_E64S_V3", 64, 432],
  ]),
  ...family("standardFSv2Family", [
    ["STANDARD_F2S_V2", 2, 4], ["STANDARD_F4S_V2", 4, 8], ["STANDARD_F8S_V2", 8, 16], ["STANDARD_F16S_V2", 16, 32],
    ["STANDARD_F32S_V2", 32, 64], ["STANDARD_F48S_V2", 48, 96], ["STANDARD_F64S_V2", 64, 128], ["STANDARD_F72S_V2", 72, 144],
  ]),
  ...family("standardFXMDVSFamily", [
    ["STANDARD_FX4MDS", 4, 84], ["STANDARD_FX12MDS", 12, 252], ["STANDARD_FX24MDS", 24, 504], ["STANDARD_FX36MDS", 36, 756], ["STANDARD_FX48MDS", 48, 1008],
  ]),
  ...family("standardLASv3Family", [
    ["STANDARD_L8AS_V3", 8, 64], ["STANDARD_L16AS_V3", 16, 128], ["STANDARD_L32AS_V3", 32, 256], ["STANDARD_L48AS_V3", 48, 384],
    ["STANDARD_L64AS_V3", 64, 512], ["STANDARD_L80AS_V3", 80, 640],
  ]),
  ...family("standardLSv2Family", [
    ["STANDARD_L8S_V2", 8, 64], ["STANDARD_L16S_V2", 16, 128], ["STANDARD_L32S_V2", 32, 256], ["STANDARD_L48S_V2", 48, 384],
    ["STANDARD_L64S_V2", 64, 512], ["STANDARD_L80S_V2", 80, 640],
  ]),
  ...family("standardLSv3Family", [
    ["STANDARD_L8S_V3", 8, 64], ["STANDARD_L16S_V3", 16, 128], ["STANDARD_L32S_V3", 32, 256], ["STANDARD_L48S_V3", 48, 384],
    ["STANDARD_L64S_V3", 64, 512], ["STANDARD_L80S_V3", 80, 640],
  ]),
  ...family("standardNCADSA100v4Family", [
    ["STANDARD_NC24ADS_A100_V4", 24, 220, 1, true], ["STANDARD_NC48ADS_A100_V4", 48, 440, 2, true], ["STANDARD_NC96ADS_A100_V4", 96, 880, 4, true],
  ]),
  ...family("standardNCASv3_T4Family", [
    ["STANDARD_NC4AS_T4_V3", 4, 28, 1], ["STANDARD_NC8AS_T4_V3", 8, 56, 1], ["STANDARD_NC16AS_T4_V3", 16, 110, 1], ["STANDARD_NC64AS_T4_V3", 64, 440, 4],
  ]),
  ...family("standardNCSv2Family", [["STANDARD_NC6S_V2", 6, 112, 1], ["STANDARD_NC12S_V2", 12, 224, 2], ["STANDARD_NC24S_V2", 24, 448, 4]]),
  ...family("standardNCSv3Family", [["STANDARD_NC6S_V3", 6, 112, 1], ["STANDARD_NC12S_V3", 12, 224, 2], ["STANDARD_NC24S_V3", 24, 448, 4]]),
  ...family("standardNCADSH100v5Family", [["STANDARD_NC40ADS_H100_V5", 40, 320, 1, true], ["STANDARD_NC80ADIS_H100_V5", 80, 640, 2, true]]),
  ...family("standardNDAMSv4_A100Family", [["STANDARD_ND96AMSR_A100_V4", 96, 1900, 8, true]]),
  ...family("standardNDASv4_A100Family", [["STANDARD_ND96ASR_V4", 96, 900, 8, true]]),
  ...family("standardNDSv2Family", [["STANDARD_ND40RS_V2", 40, 672, 8, true]]),
  ...family("standardNDv5H100Family", [["STANDARD_ND96IS_H100_V5", 96, 1900, 8, true], ["STANDARD_ND96ISR_H100_V5", 96, 1900, 8, true]]),
  ...family("standardNVADSA10v5Family", [
    ["STANDARD_NV6ADS_A10_V5", 6, 55, 1 / 6], ["STANDARD_NV12ADS_A10_V5", 12, 110, 1 / 3], ["STANDARD_NV18ADS_A10_V5", 18, 220, 1 / 2],
    ["STANDARD_NV36ADS_A10_V5", 36, 440, 1], ["STANDARD_NV36ADMS_A10_V5", 36, 880, 1], ["STANDARD_NV72ADS_A10_V5", 72, 880, 2],
  ]),
  // AmlCompute cluster sizes that managed online endpoints do not offer: the cluster's cores count against these
  // families too. A cluster never carries the 20 % upgrade reserve.
  ...family("standardDv2Family", [
    ["STANDARD_D1_V2", 1, 3.5], ["STANDARD_D2_V2", 2, 7], ["STANDARD_D3_V2", 4, 14], ["STANDARD_D4_V2", 8, 28], ["STANDARD_D5_V2", 16, 56],
    ["STANDARD_D11_V2", 2, 14], ["STANDARD_D12_V2", 4, 28], ["STANDARD_D13_V2", 8, 56], ["STANDARD_D14_V2", 16, 112],
  ], false),
  ...family("standardDSv2Family", [
    ["STANDARD_DS11_V2", 2, 14], ["STANDARD_DS12_V2", 4, 28], ["STANDARD_DS13_V2", 8, 56], ["STANDARD_DS14_V2", 16, 112], ["STANDARD_DS15_V2", 20, 140],
  ], false),
  ...family("standardDv3Family", [
    ["STANDARD_D2_V3", 2, 8], ["STANDARD_D4_V3", 4, 16], ["STANDARD_D8_V3", 8, 32], ["STANDARD_D16_V3", 16, 64],
    ["STANDARD_D32_V3", 32, 128], ["STANDARD_D48_V3", 48, 192], ["STANDARD_D64_V3", 64, 256],
  ], false),
  ...family("standardDSv3Family", [
    ["STANDARD_D2S_V3", 2, 8], ["STANDARD_D4S_V3", 4, 16], ["STANDARD_D8S_V3", 8, 32], ["STANDARD_D16S_V3", 16, 64],
    ["STANDARD_D32S_V3", 32, 128], ["STANDARD_D48S_V3", 48, 192], ["STANDARD_D64S_V3", 64, 256],
  ], false),
  ...family("standardDDSv4Family", [
    ["STANDARD_D2DS_V4", 2, 8], ["STANDARD_D4DS_V4", 4, 16], ["STANDARD_D8DS_V4", 8, 32], ["STANDARD_D16DS_V4", 16, 64],
    ["STANDARD_D32DS_V4", 32, 128], ["STANDARD_D48DS_V4", 48, 192], ["STANDARD_D64DS_V4", 64, 256],
  ], false),
  ...family("standardEv3Family", [
    ["STANDARD_E2_V3", 2, 16], ["STANDARD_E4_V3", 4, 32], ["STANDARD_E8_V3", 8, 64], ["STANDARD_E16_V3", 16, 128],
    ["STANDARD_E32_V3", 32, 256], ["STANDARD_E64_V3", 64, 432],
  ], false),
];

const BY_NAME = new Map(INSTANCE_TYPES.map((t) => [t.name, t]));

/** The size named `name` (any casing), or undefined when this table does not know it. */
export function instanceType(name: string): InstanceType | undefined {
  return BY_NAME.get(name.toUpperCase());
}

/**
 * What low-priority cluster nodes count against: one regional quota for every VM family, not the family's own.
 * The name is this project's (the usage APIs call it "Total Regional Low-priority vCPUs" / lowPriorityCores).
 */
export const LOW_PRIORITY_QUOTA = "lowPriorityCores";

/** The quota families this table knows, once each, in table order, and the low-priority quota. */
export const QUOTA_FAMILIES: readonly string[] = [...new Set(INSTANCE_TYPES.map((t) => t.family)), LOW_PRIORITY_QUOTA];

/** A quota family name compared the way Azure's usage APIs are read here: case and spaces ignored. */
export function familyKey(name: string): string {
  return name.replace(/\s+/g, "").toLowerCase();
}

/** The family of `name` as this table spells it, or undefined. */
export function knownFamily(name: string): string | undefined {
  const key = familyKey(name);
  return QUOTA_FAMILIES.find((f) => familyKey(f) === key);
}

/**
 * Quota cores a managed online deployment of `instances` instances holds: ceil(1.2 × N) × vCPUs, or N × vCPUs for a
 * size exempt from the upgrade reserve.
 * @see https://learn.microsoft.com/azure/machine-learning/how-to-manage-quotas#virtual-machine-quota-allocation-for-deployment
 */
export function deploymentCores(type: InstanceType, instances: number): number {
  // Whole-number arithmetic: 1.2 × 5 is 6.000000000000001 in floating point, which ceil would make 7.
  const reserved = type.upgradeReserve ? Math.ceil((instances * 12) / 10) : instances;
  return reserved * type.vCpus;
}

/** The closest name in `candidates` by edit distance, if it is close enough to be a likely typo. */
export function closestName(name: string, candidates: readonly string[]): string | undefined {
  const wanted = name.toUpperCase();
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const candidate of candidates) {
    const d = editDistance(wanted, candidate.toUpperCase());
    if (d < bestDistance) {
      best = candidate;
      bestDistance = d;
    }
  }
  return bestDistance <= Math.max(2, Math.floor(name.length / 4)) ? best : undefined;
}

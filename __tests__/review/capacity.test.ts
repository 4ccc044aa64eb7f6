import { parseSynthStack, renderCapacity, ReviewInputError } from "../../lib/review";

/** The capacity table the stack records in `//.metadata.capacity`, as the plan review reads and prints it. */
const CAPACITY = {
  families: [
    { family: "standardNCADSA100v4Family", cores: { min: 24, start: 24, max: 48 }, quota: 24, usedBy: ["canary"] },
    { family: "standardNCASv3_T4Family", cores: { min: 24, start: 32, max: 120 }, quota: 200, usedBy: ["vision"] },
    { family: "standardNCSv3Family", cores: { min: 0, start: 0, max: 12 }, usedBy: ["gpu-cluster"] },
  ],
  uses: [
    { kind: "online-deployment", name: "vision", vmSize: "Standard_NC8as_T4_v3", family: "standardNCASv3_T4Family", vCpus: 8, upgradeReserve: true, instances: { min: 2, start: 3, max: 12 }, cores: { min: 24, start: 32, max: 120 } },
    { kind: "online-deployment", name: "canary", vmSize: "Standard_NC24ads_A100_v4", family: "standardNCADSA100v4Family", vCpus: 24, upgradeReserve: false, instances: { min: 1, start: 1, max: 2 }, cores: { min: 24, start: 24, max: 48 } },
    { kind: "compute-cluster", name: "gpu-cluster", vmSize: "STANDARD_NC6S_V3", family: "standardNCSv3Family", vCpus: 6, upgradeReserve: false, instances: { min: 0, start: 0, max: 2 }, cores: { min: 0, start: 0, max: 12 } },
  ],
};

test("the review reads the capacity record and prints one row per family, quota exceeded in bold", () => {
  const stack = parseSynthStack("serving-fraud", { "//": { metadata: { capacity: CAPACITY } } }, "cdk.tf.json");
  expect(renderCapacity(stack.capacity!)).toEqual([
    "#### Capacity (quota cores per VM family)",
    "",
    "| VM family | Cores at min | At start | At max | Quota | Used by |",
    "| --- | ---: | ---: | ---: | --- | --- |",
    "| `standardNCADSA100v4Family` | 24 | 24 | 48 | **24: exceeded** | `canary` |",
    "| `standardNCASv3_T4Family` | 24 | 32 | 120 | 200 | `vision` |",
    "| `standardNCSv3Family` | 0 | 0 | 12 | - | `gpu-cluster` |",
    "",
    "- `vision`: 2..12 (start 3) × `Standard_NC8as_T4_v3` (8 vCPUs), ceil(1.2 × 12) = 15 with the upgrade reserve → 120 cores at most",
    "- `canary`: 1..2 (start 1) × `Standard_NC24ads_A100_v4` (24 vCPUs) → 48 cores at most",
    "- `gpu-cluster`: 0..2 (start 0) × `STANDARD_NC6S_V3` (6 vCPUs) → 12 cores at most",
    "",
  ]);
});

test("a stack without a capacity record has none; a malformed one is an input error", () => {
  expect(parseSynthStack("state-x", {}, "cdk.tf.json").capacity).toBeUndefined();
  expect(() => parseSynthStack("serving-x", { "//": { metadata: { capacity: { families: [{ family: 3 }] } } } }, "cdk.tf.json")).toThrow(ReviewInputError);
});

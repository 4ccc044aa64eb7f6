import { formatWarning } from "../../lib/config/errors";
import { loadEnvironments } from "../../lib/config/load";
import { configDir, problemsOf as problemsOfFolder } from "../helpers/config-dir";

/**
 * Scaling config refused with file:line, field, rule and value: instance types, GPU metrics, rules Azure refuses or
 * that flap, schedules that overlap or name unknown zones, active_connections with two deployments, quota names;
 * and the warnings of GPU images and expected load. Configs are YAML text, so that the lines are known.
 */

/** The problem lines `qa.yaml` is refused with. */
function problemsOf(yaml: string): string[] {
  return problemsOfFolder({ "qa.yaml": yaml });
}

function warningsOf(yaml: string, files: Record<string, string> = {}): string[] {
  const dir = configDir({ "qa.yaml": yaml, ...files });
  return loadEnvironments({ configDir: dir, projectRoot: dir })[0].warnings.map(formatWarning);
}

const HEAD = [
  "project: fraud", // 1
  "location: northeurope", // 2
  "state: { resource_group: rg-fraud-tfstate, storage_account: stfraudstate23 }", // 3
  "compute: { name: cpu-cluster, vm_size: STANDARD_D4S_V3, max_nodes: 3 }", // 4
  "endpoint:", // 5
  "  name: fraud-online-q3", // 6
  "  deployments:", // 7
];
const ENV = "{ name: fraud-env, version: '4', image: mcr.microsoft.com/azureml/minimal-ubuntu22.04-py39-cpu-inference:latest }";

/** One deployment starting at line `HEAD.length + 1` (8): its fixed lines, then `extra` (from line 15). */
function deploymentLines(name: string, instanceType: string, traffic: number, extra: string[] = []): string[] {
  return [
    `    - name: ${name}`, // 8
    "      model: azureml:fraud:9", // 9
    `      environment: ${ENV}`, // 10
    "      code: { path: src, scoring_script: score.py }", // 11
    `      instance_type: ${instanceType}`, // 12
    "      instance_count: 3", // 13
    `      traffic: ${traffic}`, // 14
    ...extra,
  ];
}

const yaml = (...lines: string[]) => lines.join("\n");

test("an unknown instance type is refused with the closest SKU", () => {
  expect(problemsOf(yaml(...HEAD, ...deploymentLines("blue", "Standard_DS3v2", 100)))).toEqual([
    "qa.yaml:12: endpoint.deployments[0].instance_type: must be a managed online endpoint VM size from Microsoft's SKU list (lib/config/instance-types.ts); did you mean STANDARD_DS3_V2? (got \"Standard_DS3v2\")",
  ]);
});

test("a size offered for clusters only is refused as such", () => {
  expect(problemsOf(yaml(...HEAD, ...deploymentLines("blue", "STANDARD_D4S_V3", 100)))).toEqual([
    expect.stringMatching(/^qa\.yaml:12: endpoint\.deployments\[0\]\.instance_type: .*: STANDARD_D4S_V3 is offered for compute clusters only/),
  ]);
});

test("a GPU metric on a CPU size is refused at the rule's metric", () => {
  const lines = deploymentLines("blue", "Standard_F8s_v2", 100, [
    "      autoscale:", // 15
    "        min_instances: 3", // 16
    "        max_instances: 9", // 17
    "        rules:", // 18
    "          - { metric: requests_per_minute, scale_out_above: 900, scale_in_below: 300 }", // 19
    "          - { metric: gpu_memory_percent, scale_out_above: 85 }", // 20
  ]);
  expect(problemsOf(yaml(...HEAD, ...lines))).toEqual([
    'qa.yaml:20: endpoint.deployments[0].autoscale.rules[1].metric: must not be a GPU metric on STANDARD_F8S_V2, which has no GPU: Azure publishes no gpu_memory_percent for it, so the rule would never fire (got "gpu_memory_percent")',
  ]);
});

test("active_connections is refused on an endpoint with two deployments; it has no deployment dimension", () => {
  const blue = deploymentLines("blue", "Standard_E4s_v3", 80, [
    "      autoscale:", // 15
    "        min_instances: 3", // 16
    "        max_instances: 6", // 17
    "        rules: [{ metric: active_connections, scale_out_above: 40, scale_in_below: 10 }]", // 18
  ]);
  const green = deploymentLines("green", "Standard_E4s_v3", 20).map((l) => l); // 19..25
  const problems = problemsOf(yaml(...HEAD, ...blue, ...green));
  expect(problems).toEqual([
    expect.stringMatching(/^qa\.yaml:18: endpoint\.deployments\[0\]\.autoscale\.rules\[0\]\.metric: must not be active_connections on an endpoint with 2 deployments: ConnectionsActive has no deployment dimension.* \(got "active_connections"\)$/),
  ]);
});

test("active_connections is accepted on an endpoint's only deployment", () => {
  const blue = deploymentLines("blue", "Standard_E4s_v3", 100, [
    "      autoscale: { min_instances: 3, max_instances: 6, rules: [{ metric: active_connections, scale_out_above: 40, scale_in_below: 10 }] }",
  ]);
  const dir = configDir({ "qa.yaml": yaml(...HEAD, ...blue) });
  expect(() => loadEnvironments({ configDir: dir, projectRoot: dir })).not.toThrow();
});

test("overlapping schedules are refused at the later one; so are unknown time zones and mixed zones", () => {
  const lines = deploymentLines("blue", "Standard_DS4_v2", 100, [
    "      autoscale:", // 15
    "        min_instances: 3", // 16
    "        max_instances: 6", // 17
    "        schedules:", // 18
    "          - { name: office, days: [weekdays], start: '08:00', end: '18:00', timezone: W. Europe Standard Time, min_instances: 4, max_instances: 10 }", // 19
    "          - { name: lunch-peak, days: [wed], start: '11:30', end: '14:00', timezone: W. Europe Standard Time, min_instances: 6, max_instances: 12 }", // 20
    "          - { name: night, days: [sun], start: '23:00', end: '02:00', timezone: Mars/Olympus_Mons, min_instances: 3, max_instances: 4 }", // 21
    "          - { name: batch, days: [Monday], start: '01:00', end: '03:00', timezone: UTC, min_instances: 3, max_instances: 5 }", // 22
  ]);
  expect(problemsOf(yaml(...HEAD, ...lines))).toEqual([
    'qa.yaml:21: endpoint.deployments[0].autoscale.schedules[2].timezone: must be a Windows time zone name as Azure autoscale takes it (e.g. W. Europe Standard Time, UTC) or an IANA name this project maps (e.g. Europe/Berlin; see lib/config/time-zones.ts) (got "Mars/Olympus_Mons")',
  ]);
  const valid = lines.map((l) => l.replace("Mars/Olympus_Mons", "Europe/Amsterdam"));
  expect(problemsOf(yaml(...HEAD, ...valid))).toEqual([
    "qa.yaml:20: endpoint.deployments[0].autoscale.schedules[1]: must not overlap autoscale.schedules[0] (office): Azure would switch profiles at whichever starts last, so one schedule's bounds would silently cut the other short (got \"lunch-peak\")",
    // Sunday 23:00 to Monday 02:00 and Monday 01:00 to 03:00 overlap across midnight; UTC is another zone.
    'qa.yaml:22: endpoint.deployments[0].autoscale.schedules[3].timezone: must be the time zone of autoscale.schedules[0] (W. Europe Standard Time): overlaps between zones depend on daylight saving time, so they cannot be ruled out here (got "UTC")',
    'qa.yaml:22: endpoint.deployments[0].autoscale.schedules[3]: must not overlap autoscale.schedules[2] (night): Azure would switch profiles at whichever starts last, so one schedule\'s bounds would silently cut the other short (got "batch")',
  ]);
});

test("what Azure refuses and what flaps is reported all at once: windows, cooldowns, rule counts, close thresholds", () => {
  const lines = deploymentLines("blue", "Standard_DS4_v2", 100, [
    "      autoscale:", // 15
    "        min_instances: 2", // 16
    "        max_instances: 8", // 17
    "        scale_out_cooldown_minutes: 0", // 18
    "        scale_in_cooldown_minutes: 10081", // 19
    "        rules:", // 20
    "          - { metric: requests_per_minute, scale_out_above: 600, scale_in_below: 450, window: PT2M }", // 21
    "          - { metric: latency_p99_ms, scale_out_above: 1000, scale_in_below: 800, window: 721 }", // 22
    "          - { metric: cpu_percent, scale_out_above: 70, scale_in_below: 65 }", // 23
    "          - { metric: memory_percent, scale_out_above: 120, scale_in_below: 10 }", // 24
    "          - { metric: disk_percent, scale_out_above: 80, scale_in_below: 20 }", // 25
    "          - { metric: latency_ms, scale_out_above: 900, scale_in_below: 100 }", // 26
  ]);
  expect(problemsOf(yaml(...HEAD, ...lines))).toEqual([
    "qa.yaml:18: endpoint.deployments[0].autoscale.scale_out_cooldown_minutes: must be >= 1 (got 0)",
    "qa.yaml:19: endpoint.deployments[0].autoscale.scale_in_cooldown_minutes: must be <= 10080 (got 10081)",
    "qa.yaml:21: endpoint.deployments[0].autoscale.rules[0].window: must be whole minutes from 5 to 720 (5 minutes to 12 hours, Azure autoscale's limits), as a number or an ISO-8601 duration such as PT10M (got \"PT2M\")",
    "qa.yaml:22: endpoint.deployments[0].autoscale.rules[1].window: must be whole minutes from 5 to 720 (5 minutes to 12 hours, Azure autoscale's limits), as a number or an ISO-8601 duration such as PT10M (got 721)",
  ]);
  const shaped = lines.map((l) => l.replace(", window: PT2M", "").replace(", window: 721", "").replace(": 0", ": 20").replace("10081", "40"));
  expect(problemsOf(yaml(...HEAD, ...shaped))).toEqual([
    // Removing one of 3 instances leaves 2 with the load of 3: 450 × 3/2 = 675 would pass 600 again.
    "qa.yaml:20: endpoint.deployments[0].autoscale.rules: must make at most 10 Azure rules per profile (each rule is a scale-out rule, plus a scale-in rule with scale_in_below; the CPU fields make two) (got 12)",
    "qa.yaml:21: endpoint.deployments[0].autoscale.rules[0].scale_in_below: must be at most 400 (scale_out_above × 2/3: after scaling in to 2 instances, the same requests spread over one instance fewer) so that scaling does not flap (got 450)",
    "qa.yaml:22: endpoint.deployments[0].autoscale.rules[1].scale_in_below: must be at most 700 (30 % below scale_out_above, 1000 ms) so that scaling does not flap (got 800)",
    "qa.yaml:23: endpoint.deployments[0].autoscale.rules[2].scale_in_below: must be at most 60 (10 points below scale_out_above, 70) so that scaling does not flap (got 65)",
    "qa.yaml:24: endpoint.deployments[0].autoscale.rules[3].scale_out_above: must be at most 100: the metric is a percentage (got 120)",
  ]);
});

test("a rule repeated, and the CPU fields next to a cpu_percent rule, are refused", () => {
  const lines = deploymentLines("blue", "Standard_DS4_v2", 100, [
    "      autoscale:", // 15
    "        min_instances: 3", // 16
    "        max_instances: 8", // 17
    "        scale_out_cpu_percent: 75", // 18
    "        rules:", // 19
    "          - { metric: latency_p90_ms, scale_out_above: 400 }", // 20
    "          - { metric: cpu_percent, scale_out_above: 80 }", // 21
    "          - { metric: latency_p90_ms, scale_out_above: 500 }", // 22
  ]);
  expect(problemsOf(yaml(...HEAD, ...lines))).toEqual([
    'qa.yaml:21: endpoint.deployments[0].autoscale.rules[1].metric: must not repeat the CPU rule that scale_out_cpu_percent/scale_in_cpu_percent already make: give the CPU thresholds in one place (got "cpu_percent")',
    'qa.yaml:22: endpoint.deployments[0].autoscale.rules[2].metric: must not repeat a metric: autoscale.rules[0] scales on latency_p90_ms already (got "latency_p90_ms")',
  ]);
});

test("a quota family that does not exist is refused with the closest name", () => {
  const lines = [...HEAD, ...deploymentLines("blue", "Standard_DS4_v2", 100), "quota:", "  standardDSV2Famliy: 64", "  standardNCASv3_T4Family: 0"];
  expect(problemsOf(yaml(...lines))).toEqual([
    'qa.yaml:16: quota.standardDSV2Famliy: must name a VM family quota as az vm list-usage prints it (name.value, e.g. standardDSv2Family); did you mean standardDSv2Family? (got "standardDSV2Famliy")',
  ]);
});

describe("warnings", () => {
  test("a GPU size with an image that names no CUDA", () => {
    const lines = deploymentLines("blue", "Standard_NC4as_T4_v3", 100);
    expect(warningsOf(yaml(...HEAD, ...lines))).toEqual([
      expect.stringMatching(/^warning gpu-image-without-cuda: qa\.yaml:10: endpoint\.deployments\[0\]\.environment\.image: the image names no CUDA or GPU image .* Standard_NC4AS_T4_V3 is a GPU size|^warning gpu-image-without-cuda: qa\.yaml:10: endpoint\.deployments\[0\]\.environment\.image: the image names no CUDA or GPU image/),
    ]);
    const cuda = lines.map((l) => l.replace("minimal-ubuntu22.04-py39-cpu-inference", "openmpi4.1.0-cuda11.8-cudnn8-ubuntu22.04"));
    expect(warningsOf(yaml(...HEAD, ...cuda))).toEqual([]);
  });

  test("a Dockerfile whose FROM names no CUDA, on a GPU size", () => {
    const lines = deploymentLines("blue", "Standard_NC6s_v3", 100).map((l) => (l.includes("environment:") ? "      environment: { build: { path: docker } }" : l));
    expect(warningsOf(yaml(...HEAD, ...lines), { "docker/Dockerfile": "FROM python:3.11-slim\nRUN pip install flask\n" })).toEqual([
      expect.stringMatching(/^warning gpu-image-without-cuda: qa\.yaml:10: endpoint\.deployments\[0\]\.environment\.build: the Dockerfile's FROM names no CUDA/),
    ]);
    expect(warningsOf(yaml(...HEAD, ...lines), { "docker/Dockerfile": "FROM nvcr.io/nvidia/pytorch:24.01-py3\n" })).toEqual([]);
  });

  test("an expected load the ceiling cannot carry (Little's law), and one over the endpoint's request limit", () => {
    // 320 requests/s × 150 ms = 48 in flight; 4 per instance → 12 instances, above max_instances 9.
    const lines = deploymentLines("blue", "Standard_F8s_v2", 100, [
      "      request_settings: { max_concurrent_requests_per_instance: 4 }", // 15
      "      expected_load: { peak_requests_per_second: 320, latency_ms: 150 }", // 16
      "      autoscale: { min_instances: 3, max_instances: 9 }", // 17
    ]);
    const green = deploymentLines("green", "Standard_F8s_v2", 0, ["      expected_load: { peak_requests_per_second: 200, latency_ms: 10 }"]); // 18..25
    const warnings = warningsOf(yaml(...HEAD, ...lines, ...green));
    expect(warnings).toEqual([
      expect.stringMatching(/^warning load-over-endpoint-limit: qa\.yaml:7: endpoint\.deployments: expect 520 requests\/s at peak together, above the 500 requests\/s/),
      expect.stringMatching(
        /^warning load-over-capacity: qa\.yaml:16: endpoint\.deployments\[0\]\.expected_load: needs 12 instances at its peak: 320 requests\/s × 150 ms = 48 requests in flight \(Little's law\), 4 per instance .* but blue reaches at most 9; .* \(got 12\)\n/,
      ),
    ]);
    // A schedule's ceiling counts: 12 during business hours carries the peak.
    const scheduled = lines.map((l) =>
      l.includes("autoscale:")
        ? "      autoscale: { min_instances: 3, max_instances: 9, schedules: [{ name: peak, days: [everyday], start: '09:00', end: '21:00', timezone: UTC, min_instances: 6, max_instances: 12 }] }"
        : l,
    );
    expect(warningsOf(yaml(...HEAD, ...scheduled))).toEqual([]);
  });
});

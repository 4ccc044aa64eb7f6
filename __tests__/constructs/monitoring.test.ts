import { MonitorActionGroup } from "@cdktf/provider-azurerm/lib/monitor-action-group";
import { MonitorDiagnosticSetting } from "@cdktf/provider-azurerm/lib/monitor-diagnostic-setting";
import { MonitorMetricAlert } from "@cdktf/provider-azurerm/lib/monitor-metric-alert";
import { TerraformStack, Testing } from "cdktf";
import { Monitoring, type MonitoringProps } from "../../lib/constructs/monitoring";
import { perFile } from "../helpers/shared";

const WORKSPACE_ID = "/subscriptions/s/resourceGroups/rg-ml/providers/Microsoft.MachineLearningServices/workspaces/mlw-fraud-prod";
const ENDPOINT_ID = `${WORKSPACE_ID}/onlineEndpoints/fraud`;
const LOG_ANALYTICS_ID = "/subscriptions/s/resourceGroups/rg-ml/providers/Microsoft.OperationalInsights/workspaces/log-fraud-prod";
const AUTOSCALE_ID = "/subscriptions/s/resourceGroups/rg-ml/providers/Microsoft.Insights/autoscaleSettings/autoscale-fraud-blue";
const DEPLOYMENT_NAMESPACE = "Microsoft.MachineLearningServices/workspaces/onlineEndpoints/deployments";

const BASE: MonitoringProps = {
  name: "fraud",
  resourceGroupName: "rg-ml",
  logAnalyticsWorkspaceId: LOG_ANALYTICS_ID,
  workspaceId: WORKSPACE_ID,
  onlineEndpointId: ENDPOINT_ID,
  deployments: [
    { name: "blue", id: `${ENDPOINT_ID}/deployments/blue`, autoscale: { settingId: AUTOSCALE_ID, maxInstances: 6 } },
    { name: "green", id: `${ENDPOINT_ID}/deployments/green` },
  ],
  alertEmails: ["oncall@example.com", "ml-team@example.com"],
  actionGroupName: "ag-fraud-production",
  tags: { project: "fraud" },
};

/** A fresh stack holding one Monitoring with `BASE` overridden by `overrides`. */
function synthWith(overrides: Partial<MonitoringProps>): string {
  return Testing.synthScope((scope) => {
    new Monitoring(scope, "monitoring", { ...BASE, ...overrides });
  });
}

const baseSynth = perFile(() => synthWith({}));

/** `synthWith(overrides)`; BASE alone is synthesized once per file. */
function synth(overrides: Partial<MonitoringProps> = {}): string {
  return Object.keys(overrides).length > 0 ? synthWith(overrides) : baseSynth();
}

function resources(json: string, type: string): Record<string, any>[] {
  return Object.values(JSON.parse(json).resource?.[type] ?? {});
}

function alertNamed(json: string, name: string): any {
  return resources(json, MonitorMetricAlert.tfResourceType).find((a) => a.name === name);
}

describe("Monitoring diagnostic settings", () => {
  test("sends the endpoint's console, traffic and event logs and all metrics to resource-specific tables", () => {
    expect(synth()).toHaveResourceWithProperties(MonitorDiagnosticSetting, {
      target_resource_id: ENDPOINT_ID,
      log_analytics_workspace_id: LOG_ANALYTICS_ID,
      log_analytics_destination_type: "Dedicated",
      enabled_log: [
        { category: "AmlOnlineEndpointConsoleLog" },
        { category: "AmlOnlineEndpointTrafficLog" },
        { category: "AmlOnlineEndpointEventLog" },
      ],
      enabled_metric: [{ category: "AllMetrics" }],
    });
  });

  test("sends every workspace log category (allLogs group) and all metrics", () => {
    expect(synth()).toHaveResourceWithProperties(MonitorDiagnosticSetting, {
      target_resource_id: WORKSPACE_ID,
      log_analytics_workspace_id: LOG_ANALYTICS_ID,
      log_analytics_destination_type: "Dedicated",
      enabled_log: [{ category_group: "allLogs" }],
      enabled_metric: [{ category: "AllMetrics" }],
    });
  });

  test("uses the enabled_metric block, not the deprecated metric block", () => {
    const settings = resources(synth(), MonitorDiagnosticSetting.tfResourceType);
    expect(settings).toHaveLength(2);
    for (const setting of settings) {
      expect(setting.metric).toBeUndefined();
      expect(setting.name).toBe("diag-log-analytics");
    }
  });

  test("without an online endpoint only the workspace is diagnosed", () => {
    const settings = resources(synth({ onlineEndpointId: undefined }), MonitorDiagnosticSetting.tfResourceType);
    expect(settings.map((s) => s.target_resource_id)).toEqual([WORKSPACE_ID]);
  });
});

describe("Monitoring action group", () => {
  test("e-mails every address with the common alert schema", () => {
    expect(synth()).toHaveResourceWithProperties(MonitorActionGroup, {
      name: "ag-fraud-production",
      resource_group_name: "rg-ml",
      email_receiver: [
        { name: "email-1", email_address: "oncall@example.com", use_common_alert_schema: true },
        { name: "email-2", email_address: "ml-team@example.com", use_common_alert_schema: true },
      ],
      tags: { project: "fraud" },
    });
  });

  test("short name defaults to the first 12 characters of the name, and can be set", () => {
    expect(synth()).toHaveResourceWithProperties(MonitorActionGroup, { short_name: "ag-fraud-pro" });
    expect(synth({ actionGroupShortName: "fraud-ops" })).toHaveResourceWithProperties(MonitorActionGroup, { short_name: "fraud-ops" });
  });

  test("every alert notifies the action group", () => {
    const alerts = resources(synth(), MonitorMetricAlert.tfResourceType);
    expect(alerts).toHaveLength(5);
    for (const alert of alerts) {
      expect(alert.action).toEqual([{ action_group_id: expect.stringMatching(/^\$\{azurerm_monitor_action_group\.monitoring_action-group_\w+\.id\}$/) }]);
    }
  });

  test("without e-mails there is no action group, and the alerts exist without an action", () => {
    const json = synth({ alertEmails: [] });
    expect(json).not.toHaveResource(MonitorActionGroup);
    const alerts = resources(json, MonitorMetricAlert.tfResourceType);
    expect(alerts).toHaveLength(5);
    for (const alert of alerts) {
      expect(alert.action).toBeUndefined();
    }
  });
});

describe("Monitoring alerts", () => {
  test("p95 latency of each deployment, on the deployment itself", () => {
    const json = synth({ latencyP95Ms: 750 });
    for (const name of ["blue", "green"]) {
      expect(json).toHaveResourceWithProperties(MonitorMetricAlert, {
        name: `fraud-${name}-latency-p95`,
        resource_group_name: "rg-ml",
        scopes: [`${ENDPOINT_ID}/deployments/${name}`],
        severity: 2,
        window_size: "PT5M",
        frequency: "PT1M",
        auto_mitigate: true,
        criteria: [
          {
            metric_namespace: DEPLOYMENT_NAMESPACE,
            metric_name: "RequestLatency_P95",
            aggregation: "Average",
            operator: "GreaterThan",
            threshold: 750,
          },
        ],
        tags: { project: "fraud" },
      });
    }
  });

  test("CPU of each deployment over 15 minutes", () => {
    const json = synth({ cpuPercent: 85 });
    for (const name of ["blue", "green"]) {
      expect(json).toHaveResourceWithProperties(MonitorMetricAlert, {
        name: `fraud-${name}-cpu`,
        scopes: [`${ENDPOINT_ID}/deployments/${name}`],
        severity: 2,
        window_size: "PT15M",
        frequency: "PT5M",
        criteria: [
          {
            metric_namespace: DEPLOYMENT_NAMESPACE,
            metric_name: "CpuUtilizationPercentage",
            aggregation: "Average",
            operator: "GreaterThan",
            threshold: 85,
          },
        ],
      });
    }
  });

  test("thresholds default to 1000 ms and 90%", () => {
    const json = synth();
    expect(alertNamed(json, "fraud-blue-latency-p95").criteria[0].threshold).toBe(1000);
    expect(alertNamed(json, "fraud-blue-cpu").criteria[0].threshold).toBe(90);
  });

  test("an autoscaled deployment alerts when autoscale has seen its maximum for 15 minutes", () => {
    expect(synth()).toHaveResourceWithProperties(MonitorMetricAlert, {
      name: "fraud-blue-at-max-instances",
      scopes: [AUTOSCALE_ID],
      severity: 2,
      window_size: "PT15M",
      frequency: "PT5M",
      criteria: [
        {
          metric_namespace: "microsoft.insights/autoscalesettings",
          metric_name: "ObservedCapacity",
          aggregation: "Average",
          operator: "GreaterThanOrEqual",
          threshold: 6,
        },
      ],
    });
  });

  test("a deployment without autoscale gets no capacity alert", () => {
    const json = synth();
    expect(alertNamed(json, "fraud-green-at-max-instances")).toBeUndefined();
    expect(resources(json, MonitorMetricAlert.tfResourceType)).toHaveLength(5);
  });

  test("each alert says what it measures and where the runbook is", () => {
    const json = synth();
    expect(alertNamed(json, "fraud-blue-latency-p95").description).toBe("p95 scoring latency of blue above 1000 ms for 5 minutes. See docs/operations.md#alerts.");
    expect(alertNamed(json, "fraud-blue-cpu").description).toBe("Average CPU of blue above 90% for 15 minutes. See docs/operations.md#alerts.");
    expect(alertNamed(json, "fraud-blue-at-max-instances").description).toBe(
      "blue has run at its autoscale maximum of 6 instances for 15 minutes. See docs/operations.md#alerts.",
    );
  });

  test("no deployments, no alerts", () => {
    expect(synth({ deployments: [] })).not.toHaveResource(MonitorMetricAlert);
  });

  test("without e-mails or deployments given: no action group and no alerts, only diagnostics", () => {
    const json = Testing.synthScope((scope) => {
      new Monitoring(scope, "monitoring", { ...BASE, alertEmails: undefined, deployments: undefined });
    });
    expect(json).not.toHaveResource(MonitorActionGroup);
    expect(json).not.toHaveResource(MonitorMetricAlert);
    expect(resources(json, MonitorDiagnosticSetting.tfResourceType)).toHaveLength(2);
  });

  test("exposes exactly the diagnostic settings, action group and alerts it created", () => {
    const monitoring = new Monitoring(new TerraformStack(Testing.app(), "test"), "monitoring", BASE);
    expect(monitoring.diagnosticSettings.map((d) => d.node.id)).toEqual(["endpoint-diagnostics", "workspace-diagnostics"]);
    expect(monitoring.actionGroup?.node.id).toBe("action-group");
    expect(monitoring.alerts.map((a) => a.node.id)).toEqual(["latency-blue", "cpu-blue", "capacity-blue", "latency-green", "cpu-green"]);
  });

  test("construct ids are stable and readable", () => {
    const stack = new TerraformStack(Testing.app(), "test");
    const monitoring = new Monitoring(stack, "monitoring", BASE);
    const ids = monitoring.node.children.map((c) => c.node.id).sort();
    expect(ids).toEqual(
      ["action-group", "capacity-blue", "cpu-blue", "cpu-green", "endpoint-diagnostics", "latency-blue", "latency-green", "workspace-diagnostics"].sort(),
    );
  });
});

describe("Monitoring invariants", () => {
  test.each<[string, Partial<MonitoringProps>, string]>([
    ["a short name over 12 characters", { actionGroupShortName: "fraud-operations" }, 'Monitoring: actionGroupShortName: must be 1 to 12 characters (got "fraud-operations")'],
    ["an empty short name", { actionGroupShortName: "" }, 'Monitoring: actionGroupShortName: must be 1 to 12 characters (got "")'],
    ["a latency threshold of 0", { latencyP95Ms: 0 }, "Monitoring: latencyP95Ms: must be a whole number from 1 to 180000 (got 0)"],
    ["a CPU threshold over 100", { cpuPercent: 101 }, "Monitoring: cpuPercent: must be a whole number from 1 to 100 (got 101)"],
    ["an address twice", { alertEmails: ["oncall@example.com", "OnCall@example.com"] }, 'Monitoring: alertEmails: must not repeat a value (got "oncall@example.com")'],
    [
      "a deployment twice",
      { deployments: [{ name: "blue", id: "/a" }, { name: "blue", id: "/b" }] },
      'Monitoring: deployments: must not repeat a value (got "blue")',
    ],
    [
      "an autoscale maximum of 0",
      { deployments: [{ name: "blue", id: "/a", autoscale: { settingId: "/s", maxInstances: 0 } }] },
      "Monitoring: deployments.blue.autoscale.maxInstances: must be a whole number from 1 to 50 (got 0)",
    ],
  ])("rejects %s", (_, overrides, message) => {
    expect(() => synth(overrides)).toThrow(message);
  });

  test("the bounds are accepted: a 12-character short name, 1 and 180000 ms, 1 and 100 %, 50 instances", () => {
    expect(() => synth({ actionGroupShortName: "abcdefghijkl", latencyP95Ms: 1, cpuPercent: 1 })).not.toThrow();
    expect(() =>
      synth({
        actionGroupShortName: "a",
        latencyP95Ms: 180000,
        cpuPercent: 100,
        deployments: [{ name: "blue", id: "/a", autoscale: { settingId: "/s", maxInstances: 50 } }],
      }),
    ).not.toThrow();
  });

  test("every invalid prop is reported in one error", () => {
    expect(() =>
      synth({
        latencyP95Ms: -1,
        cpuPercent: 0,
        alertEmails: ["a@example.com", "a@example.com"],
        deployments: [{ name: "blue", id: "/a", autoscale: { settingId: "/s", maxInstances: 51 } }],
      }),
    ).toThrow(
      [
        "Monitoring: latencyP95Ms: must be a whole number from 1 to 180000 (got -1)",
        "Monitoring: cpuPercent: must be a whole number from 1 to 100 (got 0)",
        'Monitoring: alertEmails: must not repeat a value (got "a@example.com")',
        "Monitoring: deployments.blue.autoscale.maxInstances: must be a whole number from 1 to 50 (got 51)",
      ].join("\n"),
    );
  });
});

describe("Monitoring throttling alerts", () => {
  test("a deployment with throttlingAlert gets an alert on the endpoint's 429 and 503 responses for it", () => {
    const json = synth({
      throttledRequestsPerMinute: 40,
      deployments: [{ name: "blue", id: `${ENDPOINT_ID}/deployments/blue`, throttlingAlert: true }, { name: "green", id: `${ENDPOINT_ID}/deployments/green` }],
    });
    const alert = alertNamed(json, "fraud-blue-throttled");
    expect(alert.scopes).toEqual([ENDPOINT_ID]);
    expect(alert.window_size).toBe("PT15M");
    expect(alert.frequency).toBe("PT5M");
    expect(alert.criteria).toEqual([
      {
        metric_namespace: "Microsoft.MachineLearningServices/workspaces/onlineEndpoints",
        metric_name: "RequestsPerMinute",
        aggregation: "Average",
        operator: "GreaterThan",
        threshold: 40,
        dimension: [
          { name: "statusCode", operator: "Include", values: ["429", "503"] },
          { name: "deployment", operator: "Include", values: ["blue"] },
        ],
      },
    ]);
    expect(alertNamed(json, "fraud-green-throttled")).toBeUndefined();
  });

  test("without an endpoint there is nothing to read the status codes from", () => {
    expect(() =>
      synth({ onlineEndpointId: undefined, deployments: [{ name: "blue", id: `${ENDPOINT_ID}/deployments/blue`, throttlingAlert: true }] }),
    ).toThrow("Monitoring: deployments.blue.throttlingAlert: needs onlineEndpointId: the endpoint publishes the status codes (got true)");
  });
});

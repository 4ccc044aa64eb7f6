// Benchmark baseline only: the product's full-featured environment written the way the cdktf TypeScript template
// writes apps (one barrel import of the prebuilt provider, ts-node, ts-jest). Never deployed, never imported by lib/.
import * as azurerm from "@cdktf/provider-azurerm";
import { AssetType, AzurermBackend, Fn, TerraformAsset, TerraformOutput, TerraformResource, TerraformStack } from "cdktf";
import { Construct } from "constructs";
import * as path from "path";

/** What the bench varies: one environment name and its number of online deployments. */
export interface ServingStackProps {
  readonly env: string;
  readonly deployments: number;
}

/** Workspace and its dependencies, compute cluster, online endpoint with deployments, autoscale and monitoring. */
export class ServingStack extends TerraformStack {
  constructor(scope: Construct, id: string, props: ServingStackProps) {
    super(scope, id);
    const { env } = props;
    const location = "westeurope";
    const tags = { project: "churn", environment: env, "managed-by": "cdktf" };
    const common = { location, tags };

    new azurerm.provider.AzurermProvider(this, "azurerm", { features: [{}], storageUseAzuread: true });
    new AzurermBackend(this, {
      resourceGroupName: "rg-churn-tfstate",
      storageAccountName: "stchurntfstate01",
      containerName: "tfstate",
      key: `${id}.tfstate`,
      useAzureadAuth: true,
    });
    const client = new azurerm.dataAzurermClientConfig.DataAzurermClientConfig(this, "client");
    const rg = new azurerm.resourceGroup.ResourceGroup(this, "resource-group", { ...common, name: `rg-churn-${env}` });
    const inRg = { ...common, resourceGroupName: rg.name };

    const logs = new azurerm.logAnalyticsWorkspace.LogAnalyticsWorkspace(this, "log-analytics", {
      ...inRg,
      name: `log-churn-${env}`,
      sku: "PerGB2018",
      retentionInDays: 90,
    });
    const insights = new azurerm.applicationInsights.ApplicationInsights(this, "app-insights", {
      ...inRg,
      name: `appi-churn-${env}`,
      applicationType: "web",
      workspaceId: logs.id,
    });
    const vault = new azurerm.keyVault.KeyVault(this, "key-vault", {
      ...inRg,
      name: `kv-churn-${env}`,
      tenantId: client.tenantId,
      skuName: "standard",
      rbacAuthorizationEnabled: true,
      purgeProtectionEnabled: true,
    });
    const storage = new azurerm.storageAccount.StorageAccount(this, "storage", {
      ...inRg,
      name: `stchurn${env}`,
      accountTier: "Standard",
      accountReplicationType: "ZRS",
      minTlsVersion: "TLS1_2",
      sharedAccessKeyEnabled: false,
      allowNestedItemsToBePublic: false,
    });
    const registry = new azurerm.containerRegistry.ContainerRegistry(this, "registry", {
      ...inRg,
      name: `crchurn${env}`,
      sku: "Standard",
      adminEnabled: false,
    });
    const workspace = new azurerm.machineLearningWorkspace.MachineLearningWorkspace(this, "workspace", {
      ...inRg,
      name: `mlw-churn-${env}`,
      applicationInsightsId: insights.id,
      keyVaultId: vault.id,
      storageAccountId: storage.id,
      containerRegistryId: registry.id,
      identity: { type: "SystemAssigned" },
    });
    const cluster = new azurerm.machineLearningComputeCluster.MachineLearningComputeCluster(this, "cluster", {
      ...common,
      name: "cpu-cluster",
      machineLearningWorkspaceId: workspace.id,
      vmSize: "STANDARD_D4S_V3",
      vmPriority: "Dedicated",
      scaleSettings: { minNodeCount: 0, maxNodeCount: 10, scaleDownNodesAfterIdleDuration: "PT10M" },
      identity: { type: "SystemAssigned" },
      localAuthEnabled: false,
    });

    // Online endpoints and deployments are not in azurerm: azapi stand-ins, as the product uses.
    const azapi = (cid: string, type: string, name: string, parentId: string, body: object) => {
      const r = new TerraformResource(this, cid, { terraformResourceType: "azapi_resource" });
      r.addOverride("type", type);
      r.addOverride("name", name);
      r.addOverride("parent_id", parentId);
      r.addOverride("location", location);
      r.addOverride("body", body);
      return r;
    };
    const identity = new azurerm.userAssignedIdentity.UserAssignedIdentity(this, "identity", { ...inRg, name: `id-churn-${env}` });
    const grants: [string, string, string][] = [
      ["registry-pull", "AcrPull", registry.id],
      ["blob-read", "Storage Blob Data Reader", storage.id],
      ["metrics-write", "AzureML Metrics Writer (preview)", workspace.id],
    ];
    for (const [cid, role, scope] of grants) {
      new azurerm.roleAssignment.RoleAssignment(this, cid, { scope, roleDefinitionName: role, principalId: identity.principalId });
    }
    const ml = "Microsoft.MachineLearningServices/workspaces";
    const endpoint = azapi("endpoint", `${ml}/onlineEndpoints@2025-12-01`, `churn-${env}`, workspace.id, {
      properties: { authMode: "AADToken", publicNetworkAccess: "Enabled" },
    });
    const code = new TerraformAsset(this, "code-asset", { path: path.join(__dirname, "src"), type: AssetType.DIRECTORY });
    const container = new azurerm.storageContainer.StorageContainer(this, "code-container", { name: "code", storageAccountId: storage.id });
    new azurerm.storageBlob.StorageBlob(this, "code-blob", {
      name: `code/${env}/score.py`,
      storageAccountName: storage.name,
      storageContainerName: container.name,
      type: "Block",
      source: `${code.path}/score.py`,
      contentMd5: Fn.filemd5(`${code.path}/score.py`),
    });
    const codeVersion = azapi("code", `${ml}/codes/versions@2025-12-01`, "1", workspace.id, { properties: { codeUri: storage.primaryBlobEndpoint } });
    const environment = azapi("environment", `${ml}/environments/versions@2025-12-01`, "1", workspace.id, {
      properties: { image: "mcr.microsoft.com/azureml/openmpi4.1.0-ubuntu22.04:latest" },
    });
    const actions = new azurerm.monitorActionGroup.MonitorActionGroup(this, "action-group", {
      name: `ag-churn-${env}`,
      resourceGroupName: rg.name,
      shortName: "churn",
      emailReceiver: [{ name: "oncall", emailAddress: "ml-oncall@example.com", useCommonAlertSchema: true }],
      tags,
    });
    for (const [cid, target] of [["workspace-diagnostics", workspace.id], ["endpoint-diagnostics", endpoint.getStringAttribute("id")]]) {
      new azurerm.monitorDiagnosticSetting.MonitorDiagnosticSetting(this, cid, {
        name: "to-log-analytics",
        targetResourceId: target,
        logAnalyticsWorkspaceId: logs.id,
        enabledLog: [{ categoryGroup: "allLogs" }],
        enabledMetric: [{ category: "AllMetrics" }],
      });
    }

    const deployments: TerraformResource[] = [];
    const names = Array.from({ length: props.deployments }, (_, i) => `dep${i + 1}`);
    for (const [i, name] of names.entries()) {
      const model = azapi(`model-${name}`, `${ml}/models/versions@2025-12-01`, String(i + 1), workspace.id, {
        properties: { modelUri: `azureml://datastores/workspaceblobstore/paths/models/churn/${i + 1}/`, modelType: "custom_model" },
      });
      const deployment = azapi(`deployment-${name}`, `${ml}/onlineEndpoints/deployments@2025-12-01`, name, endpoint.getStringAttribute("id"), {
        properties: {
          endpointComputeType: "Managed",
          model: model.getStringAttribute("id"),
          environmentId: environment.getStringAttribute("id"),
          codeConfiguration: { codeId: codeVersion.getStringAttribute("id"), scoringScript: "score.py" },
          instanceType: "Standard_DS3_v2",
          requestSettings: { requestTimeout: "PT60S", maxConcurrentRequestsPerInstance: 2 },
        },
        sku: { name: "Default", capacity: 3 },
      });
      deployments.push(deployment);
      const metric = (metricName: string, operator: string, threshold: number) => ({
        metricTrigger: {
          metricName,
          metricResourceId: deployment.getStringAttribute("id"),
          timeGrain: "PT1M",
          statistic: "Average",
          timeWindow: "PT5M",
          timeAggregation: "Average",
          operator,
          threshold,
        },
      });
      new azurerm.monitorAutoscaleSetting.MonitorAutoscaleSetting(this, `autoscale-${name}`, {
        ...inRg,
        name: `autoscale-churn-${env}-${name}`,
        targetResourceId: deployment.getStringAttribute("id"),
        profile: [
          {
            name: "cpu",
            capacity: { default: 3, minimum: 3, maximum: 10 },
            rule: [
              { ...metric("CpuUtilizationPercentage", "GreaterThan", 70), scaleAction: { direction: "Increase", type: "ChangeCount", value: 1, cooldown: "PT5M" } },
              { ...metric("CpuUtilizationPercentage", "LessThan", 30), scaleAction: { direction: "Decrease", type: "ChangeCount", value: 1, cooldown: "PT5M" } },
            ],
          },
        ],
      });
      for (const [signal, metricName, threshold] of [["latency", "RequestLatency_P95", 500], ["cpu", "CpuUtilizationPercentage", 85]] as const) {
        new azurerm.monitorMetricAlert.MonitorMetricAlert(this, `alert-${name}-${signal}`, {
          name: `churn-${env}-${name}-${signal}`,
          resourceGroupName: rg.name,
          scopes: [deployment.getStringAttribute("id")],
          criteria: [{ metricNamespace: `${ml}/onlineEndpoints/deployments`, metricName, aggregation: "Average", operator: "GreaterThan", threshold }],
          action: [{ actionGroupId: actions.id }],
          tags,
        });
      }
    }
    const traffic = new TerraformResource(this, "traffic", { terraformResourceType: "azapi_update_resource", dependsOn: deployments });
    traffic.addOverride("type", `${ml}/onlineEndpoints@2025-12-01`);
    traffic.addOverride("resource_id", endpoint.getStringAttribute("id"));
    traffic.addOverride("body", { properties: { traffic: Object.fromEntries(names.map((n, i) => [n, i === 0 ? 100 - 10 * (names.length - 1) : 10])) } });

    new TerraformOutput(this, "workspace_id", { value: workspace.id });
    new TerraformOutput(this, "compute_cluster_id", { value: cluster.id });
    new TerraformOutput(this, "scoring_uri", { value: endpoint.getStringAttribute("output.properties.scoringUri") });
  }
}

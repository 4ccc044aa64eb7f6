import { DataAzurermClientConfig } from "@cdktf/provider-azurerm/lib/data-azurerm-client-config";
import { AzurermProvider } from "@cdktf/provider-azurerm/lib/provider";
import { ResourceGroup } from "@cdktf/provider-azurerm/lib/resource-group";
import { AzurermBackend, TerraformOutput, TerraformStack } from "cdktf";
import { Construct } from "constructs";
import type { LoadedEnvironment } from "../config/load";
import { resourceNames } from "../config/names";
import { ComputeCluster } from "../constructs/compute-cluster";
import { MlWorkspace } from "../constructs/ml-workspace";

/** The stack name of an environment: `serving-<env>`. */
export function servingStackName(env: string): string {
  return `serving-${env}`;
}

/**
 * Everything one environment serves models with; the one place where config meets constructs.
 *
 * Config arrives validated (snake_case, defaults applied); this class maps it to construct props (camelCase) once.
 */
export class ServingStack extends TerraformStack {
  readonly ml: MlWorkspace;
  readonly compute: ComputeCluster;
  readonly resourceGroup: ResourceGroup;

  constructor(scope: Construct, environment: LoadedEnvironment) {
    super(scope, servingStackName(environment.name));
    const env = environment.name;
    const config = environment.config;
    const names = resourceNames(config.project, env, config.state.storage_account);
    const tags = { project: config.project, environment: env, "managed-by": "cdktf", ...config.tags };

    new AzurermProvider(this, "azurerm", {
      features: [{}],
      subscriptionId: config.subscription_id,
      // The storage accounts have shared keys disabled, so data-plane calls must use Entra ID.
      storageUseAzuread: true,
    });

    new AzurermBackend(this, {
      resourceGroupName: config.state.resource_group,
      storageAccountName: config.state.storage_account,
      containerName: config.state.container,
      key: `${servingStackName(env)}.tfstate`,
      useAzureadAuth: true,
      subscriptionId: config.subscription_id,
    });

    const client = new DataAzurermClientConfig(this, "client");

    this.resourceGroup = new ResourceGroup(this, "resource-group", {
      name: names.resourceGroup,
      location: config.location,
      tags,
    });

    this.ml = new MlWorkspace(this, "ml", {
      resourceGroupName: this.resourceGroup.name,
      location: config.location,
      tenantId: client.tenantId,
      names,
      publicNetworkAccess: config.workspace.public_network_access,
      description: config.workspace.description,
      logRetentionDays: config.monitoring.log_retention_days,
      tags,
    });

    this.compute = new ComputeCluster(this, "compute", {
      workspaceId: this.ml.workspace.id,
      location: config.location,
      name: config.compute.name,
      vmSize: config.compute.vm_size,
      vmPriority: config.compute.vm_priority,
      minNodes: config.compute.min_nodes,
      maxNodes: config.compute.max_nodes,
      idleTimeBeforeScaleDown: config.compute.idle_time_before_scale_down,
      tags,
    });

    new TerraformOutput(this, "resource_group_name", { value: this.resourceGroup.name });
    new TerraformOutput(this, "workspace_id", { value: this.ml.workspace.id });
    new TerraformOutput(this, "workspace_name", { value: this.ml.workspace.name });
    new TerraformOutput(this, "compute_cluster_id", { value: this.compute.id });
  }
}

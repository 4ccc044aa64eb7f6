import { DataAzurermClientConfig } from "@cdktf/provider-azurerm/lib/data-azurerm-client-config";
import { AzurermProvider } from "@cdktf/provider-azurerm/lib/provider";
import { ResourceGroup } from "@cdktf/provider-azurerm/lib/resource-group";
import { AzurermBackend, TerraformOutput, TerraformStack } from "cdktf";
import { Construct } from "constructs";
import { AzapiProvider } from "../azapi";
import type { LocalContent } from "../config/code-bundle";
import { collectionDataAsset } from "../config/data-collection";
import type { LoadedEnvironment } from "../config/load";
import { resourceNames } from "../config/names";
import type {
  BatchEndpointConfig,
  CodeConfig,
  DataCollectorConfig,
  EnvironmentAssetConfig,
  ModelConfig,
  NetworkConfig,
  ServingConfig,
} from "../config/schema";
import { BatchEndpoint } from "../constructs/batch-endpoint";
import { ClientNetwork } from "../constructs/client-network";
import { ComputeCluster } from "../constructs/compute-cluster";
import { DeploymentAutoscale } from "../constructs/deployment-autoscale";
import { ImageBuilder } from "../constructs/image-builder";
import { EndpointTraffic } from "../constructs/endpoint-traffic";
import { MlWorkspace, type MlWorkspaceNetworkProps } from "../constructs/ml-workspace";
import { ModelAssets, type EnvironmentSpec, type ModelSpec } from "../constructs/model-assets";
import { Monitoring, type MonitoredDeployment } from "../constructs/monitoring";
import { OnlineDeployment, type DataCollectionProps } from "../constructs/online-deployment";
import { OnlineEndpoint } from "../constructs/online-endpoint";
import { applyGuardrails, type GuardrailWaiver } from "../guardrails";
import { autoscaleProps, capacityGuardrailOptions, scalesOnRequests } from "./autoscale-props";
import { isGuardrailRule } from "../guardrails/rule-ids";

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
  /** The client subnet and private DNS zones; only in a private environment. */
  readonly clientNetwork?: ClientNetwork;
  readonly assets?: ModelAssets;
  readonly endpoint?: OnlineEndpoint;
  readonly deployments: readonly OnlineDeployment[];
  readonly batchEndpoints: readonly BatchEndpoint[];
  readonly monitoring: Monitoring;
  /** The compute cluster as the workspace's image builder; only in a private environment. */
  readonly imageBuilder?: ImageBuilder;
  private readonly environment: LoadedEnvironment;

  constructor(scope: Construct, environment: LoadedEnvironment) {
    super(scope, servingStackName(environment.name));
    this.environment = environment;
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

    // The workspace itself needs azapi (its datastore auth mode), so every serving stack has the provider.
    new AzapiProvider(this, "azapi", { subscriptionId: config.subscription_id });

    applyGuardrails(this, guardrailWaivers(config.waivers), { configFile: environment.file, ...capacityGuardrailOptions(environment) });

    const client = new DataAzurermClientConfig(this, "client");

    this.resourceGroup = new ResourceGroup(this, "resource-group", {
      name: names.resourceGroup,
      location: config.location,
      tags,
    });

    const isPrivate = config.network.isolation === "private";
    if (isPrivate) {
      this.clientNetwork = new ClientNetwork(this, "client-network", {
        resourceGroupName: this.resourceGroup.name,
        location: config.location,
        subnet: clientSubnet(config.network),
        virtualNetworkName: names.virtualNetwork,
        tags,
      });
    }

    this.ml = new MlWorkspace(this, "ml", {
      resourceGroupName: this.resourceGroup.name,
      resourceGroupId: this.resourceGroup.id,
      location: config.location,
      tenantId: client.tenantId,
      names,
      publicNetworkAccess: config.workspace.public_network_access,
      description: config.workspace.description,
      storageSharedKeyAccess: config.workspace.storage_shared_key_access,
      logRetentionDays: config.monitoring.log_retention_days,
      network: this.clientNetwork && workspaceNetwork(config, this.clientNetwork),
      tags,
    });

    this.compute = new ComputeCluster(this, "compute", {
      workspaceId: this.ml.workspace.id,
      location: config.location,
      resourceGroupName: this.resourceGroup.name,
      name: config.compute.name,
      vmSize: config.compute.vm_size,
      vmPriority: config.compute.vm_priority,
      minNodes: config.compute.min_nodes,
      maxNodes: config.compute.max_nodes,
      idleTimeBeforeScaleDown: config.compute.idle_time_before_scale_down,
      // Private: the nodes live in the managed network and reach Azure through its private endpoints.
      nodePublicIpEnabled: isPrivate ? false : undefined,
      networkReady: this.ml.networkReady,
      tags,
    });

    // A private registry cannot build images, so the cluster does, and every deployment waits for it and its roles.
    this.imageBuilder = this.ml.imageBuildComputeName === undefined ? undefined : new ImageBuilder(this, "image-builder", { workspace: this.ml, cluster: this.compute });

    if (config.endpoint || config.batch.length > 0) {
      const deployers = config.workspace.deployer_principal_ids;
      this.assets = new ModelAssets(this, "assets", {
        workspace: this.ml,
        // Whoever runs `terraform apply` uploads the code: the ids the config names (so that a plan run by another
        // identity proposes no new assignments), else the identity running Terraform. Either may be a user or a
        // service principal, so Azure looks the type up.
        uploaders: deployers.length > 0 ? deployers.map((principalId) => ({ principalId })) : [{ principalId: client.objectId }],
        // The image builder reads uploaded build contexts.
        readers: this.imageBuilder ? [this.imageBuilder.principal] : [],
      });
    }
    let monitored: MonitoredDeployment[] = [];
    if (config.endpoint && this.assets) {
      const online = this.onlineServing(config, config.endpoint, this.assets, tags);
      this.endpoint = online.endpoint;
      this.deployments = online.deployments;
      monitored = online.monitored;
    } else {
      this.deployments = [];
    }
    const assets = this.assets;
    this.batchEndpoints = assets ? config.batch.map((b) => this.batchServing(config, b, assets, tags)) : [];

    this.monitoring = new Monitoring(this, "monitoring", {
      name: config.endpoint?.name ?? `${config.project}-${env}`,
      resourceGroupName: this.resourceGroup.name,
      logAnalyticsWorkspaceId: this.ml.logAnalytics.id,
      workspaceId: this.ml.workspace.id,
      onlineEndpointId: this.endpoint?.id,
      deployments: monitored,
      alertEmails: config.monitoring.alert_emails,
      actionGroupName: names.actionGroup,
      latencyP95Ms: config.monitoring.alerts.latency_p95_ms,
      cpuPercent: config.monitoring.alerts.cpu_percent,
      throttledRequestsPerMinute: config.monitoring.alerts.throttled_requests_per_minute,
      tags,
    });

    new TerraformOutput(this, "resource_group_name", { value: this.resourceGroup.name });
    new TerraformOutput(this, "workspace_id", { value: this.ml.workspace.id });
    new TerraformOutput(this, "workspace_name", { value: this.ml.workspace.name });
    new TerraformOutput(this, "compute_cluster_id", { value: this.compute.id });
  }

  /** The online endpoint, its deployments, their autoscale settings and the traffic split. */
  private onlineServing(
    config: ServingConfig,
    endpointConfig: NonNullable<ServingConfig["endpoint"]>,
    assets: ModelAssets,
    tags: Record<string, string>,
  ): { endpoint: OnlineEndpoint; deployments: OnlineDeployment[]; monitored: MonitoredDeployment[] } {
    // Endpoint tags merge over the environment's, and a deployment's over its endpoint's.
    const endpointTags = { ...tags, ...endpointConfig.tags };
    const endpoint = new OnlineEndpoint(this, "endpoint", {
      name: endpointConfig.name,
      location: config.location,
      resourceGroupName: this.resourceGroup.name,
      workspace: this.ml,
      authMode: endpointConfig.auth_mode,
      publicNetworkAccess: endpointConfig.public_network_access,
      description: endpointConfig.description,
      tags: endpointTags,
    });
    const monitored: MonitoredDeployment[] = [];
    const deployments = endpointConfig.deployments.map((d) => {
      const deployment = new OnlineDeployment(this, `deployment-${d.name}`, {
        endpoint,
        name: d.name,
        location: config.location,
        ...this.registerAssets(assets, d),
        buildReady: this.imageBuilder?.ready,
        instanceType: d.instance_type,
        instanceCount: d.instance_count,
        requestTimeoutMs: d.request_settings?.request_timeout_ms,
        maxConcurrentRequestsPerInstance: d.request_settings?.max_concurrent_requests_per_instance,
        livenessProbe: d.liveness_probe && probeProps(d.liveness_probe),
        readinessProbe: d.readiness_probe && probeProps(d.readiness_probe),
        startupProbe: d.startup_probe && probeProps(d.startup_probe),
        environmentVariables: d.environment_variables,
        appInsightsEnabled: d.app_insights,
        egressPublicNetworkAccess: d.egress_public_network_access,
        autoscaled: d.autoscale !== undefined,
        modelMountPath: d.model_mount_path,
        dataCollector: d.data_collector && {
          collections: this.collections(assets, endpointConfig.name, d.name, d.data_collector),
          samplingRate: d.data_collector.sampling_rate,
          rollingRate: d.data_collector.rolling_rate,
          captureHeaders: d.data_collector.request_logging?.capture_headers,
        },
        description: d.description,
        tags: { ...endpointTags, ...d.tags },
      });
      let autoscale: DeploymentAutoscale | undefined;
      if (d.autoscale) {
        autoscale = new DeploymentAutoscale(this, `autoscale-${d.name}`, {
          deployment,
          name: `autoscale-${endpointConfig.name}-${d.name}`,
          resourceGroupName: this.resourceGroup.name,
          location: config.location,
          ...autoscaleProps(d.autoscale),
          tags,
        });
      }
      monitored.push({
        name: d.name,
        id: deployment.id,
        // min = max cannot scale: it always sits at its ceiling, so it gets no capacity alert.
        autoscale:
          autoscale && d.autoscale && d.autoscale.max_instances > d.autoscale.min_instances
            ? { settingId: autoscale.setting.id, maxInstances: d.autoscale.max_instances }
            : undefined,
        throttlingAlert: scalesOnRequests(d),
      });
      return deployment;
    });
    new EndpointTraffic(this, "traffic", {
      endpoint,
      deployments,
      traffic: Object.fromEntries(endpointConfig.deployments.map((d) => [d.name, d.traffic])),
      mirrorTraffic: Object.fromEntries(endpointConfig.deployments.filter((d) => d.mirror_traffic > 0).map((d) => [d.name, d.mirror_traffic])),
    });
    new TerraformOutput(this, "endpoint_name", { value: endpointConfig.name });
    new TerraformOutput(this, "scoring_uri", { value: endpoint.scoringUri });
    new TerraformOutput(this, "swagger_uri", { value: endpoint.swaggerUri });
    return { endpoint, deployments, monitored };
  }

  /** One batch endpoint, its deployments and its default, on the stack's compute cluster. */
  private batchServing(config: ServingConfig, b: BatchEndpointConfig, assets: ModelAssets, tags: Record<string, string>): BatchEndpoint {
    return new BatchEndpoint(this, `batch-${b.name}`, {
      name: b.name,
      location: config.location,
      workspace: this.ml,
      compute: this.compute,
      buildReady: this.imageBuilder?.ready,
      description: b.description,
      tags: { ...tags, ...b.tags },
      defaultDeployment: b.default_deployment,
      deployments: b.deployments.map((d) => ({
        name: d.name,
        ...this.registerAssets(assets, d),
        instanceCount: d.instance_count,
        maxConcurrencyPerInstance: d.max_concurrency_per_instance,
        miniBatchSize: d.mini_batch_size,
        retry: { maxRetries: d.retry.max_retries, timeoutSeconds: d.retry.timeout_s },
        errorThreshold: d.error_threshold,
        outputAction: d.output_action,
        outputFileName: d.output_file_name,
        loggingLevel: d.logging_level,
        environmentVariables: d.environment_variables,
        description: d.description,
        tags: d.tags,
      })),
    });
  }

  /** A deployment's collections, each registered as the data asset az ml would register for it. */
  private collections(
    assets: ModelAssets,
    endpointName: string,
    deploymentName: string,
    collector: DataCollectorConfig,
  ): Record<string, DataCollectionProps> {
    return Object.fromEntries(
      Object.entries(collector.collections).map(([name, c]) => [
        name,
        {
          enabled: c.enabled,
          dataId: assets.data(collectionDataAsset(endpointName, deploymentName, name, c.data)),
          samplingRate: c.sampling_rate,
        },
      ]),
    );
  }

  /** Model, environment and code ids of a deployment, online or batch alike: registered once per stack. */
  private registerAssets(
    assets: ModelAssets,
    d: { model: ModelConfig; environment?: EnvironmentAssetConfig; code?: CodeConfig },
  ): { modelId: string; environmentId?: string; code?: { codeId: string; scoringScript: string } } {
    return {
      modelId: d.model.registered
        ? assets.registered("models", d.model.registered.name, d.model.registered.version)
        : assets.model(modelSpec(d.model, this.environment.uploads)),
      environmentId:
        d.environment &&
        (d.environment.registered
          ? assets.registered("environments", d.environment.registered.name, d.environment.registered.version)
          : assets.environment(environmentSpec(d.environment, this.environment.uploads))),
      code: d.code && { codeId: assets.code(this.codeSpec(d.code)), scoringScript: d.code.scoring_script },
    };
  }

  /** The upload manifest of a code folder, read once when config was loaded. */
  private codeSpec(code: CodeConfig) {
    const bundle = this.environment.codeBundles.get(code.path);
    if (!bundle) {
      throw new Error(`code folder ${code.path} was not read by the config loader`);
    }
    return { name: bundle.name, path: bundle.path, files: bundle.files, contentHash: bundle.contentHash };
  }
}

/** The waivers of guardrail rules; those of config warnings were applied when the config was loaded. */
function guardrailWaivers(waivers: ServingConfig["waivers"]): GuardrailWaiver[] {
  return waivers.flatMap((w) => (isGuardrailRule(w.rule) ? [{ rule: w.rule, reason: w.reason }] : []));
}

/** Where the private endpoints go: a subnet to create, or an existing one. */
function clientSubnet(network: NetworkConfig): { addressSpace: string } | { subnetId: string } {
  const subnet = network.client_subnet;
  // Config validation guarantees exactly one of the two in a private environment.
  if (subnet?.address_space !== undefined) return { addressSpace: subnet.address_space };
  return { subnetId: subnet!.id! };
}

/** The workspace's private networking, from the network block. */
function workspaceNetwork(config: ServingConfig, clientNetwork: ClientNetwork): MlWorkspaceNetworkProps {
  return {
    isolationMode: config.network.outbound === "internet" ? "AllowInternetOutbound" : "AllowOnlyApprovedOutbound",
    allowedFqdns: config.network.allowed_fqdns,
    deployerIpRanges: config.network.deployer_ip_ranges,
    privateEndpoints: { subnetId: clientNetwork.subnetId, dnsZoneIds: clientNetwork.dnsZoneIds },
    // The registry is private, so environment images are built on the cluster, inside the managed network.
    imageBuildComputeName: config.compute.name,
    batchScoring: config.batch.length > 0,
  };
}

function modelSpec(model: ModelConfig, uploads: ReadonlyMap<string, LocalContent>): ModelSpec {
  if (model.id !== undefined) return { id: model.id };
  // Config validation guarantees a path, and a name and version unless the path is local (uploaded).
  const common = { type: model.type ?? "custom_model", description: model.description } as const;
  const upload = uploads.get(model.path!);
  if (upload) return { ...common, name: model.name ?? upload.name, version: model.version, files: upload };
  return { ...common, name: model.name!, version: model.version!, path: model.path! };
}

function environmentSpec(environment: EnvironmentAssetConfig, uploads: ReadonlyMap<string, LocalContent>): EnvironmentSpec {
  if (environment.id !== undefined) return { id: environment.id };
  const routes = environment.inference_config;
  const common = {
    description: environment.description,
    inferenceConfig: routes && { livenessRoute: routes.liveness_route, readinessRoute: routes.readiness_route, scoringRoute: routes.scoring_route },
  };
  if (environment.build) {
    const context = uploads.get(environment.build.path);
    if (!context) throw new Error(`build context ${environment.build.path} was not read by the config loader`);
    // A build context names its environment after its folder and versions it by content, unless the config says.
    return { ...common, name: environment.name ?? context.name, version: environment.version, build: { files: context, dockerfilePath: environment.build.dockerfile_path } };
  }
  // Config validation guarantees the registration fields whenever there is no id and no build.
  return {
    ...common,
    name: environment.name!,
    version: environment.version!,
    image: environment.image!,
    condaFile: environment.conda_file,
  };
}

function probeProps(p: { initial_delay_s: number; period_s: number; timeout_s: number; failure_threshold: number; success_threshold: number }) {
  return {
    initialDelaySeconds: p.initial_delay_s,
    periodSeconds: p.period_s,
    timeoutSeconds: p.timeout_s,
    failureThreshold: p.failure_threshold,
    successThreshold: p.success_threshold,
  };
}

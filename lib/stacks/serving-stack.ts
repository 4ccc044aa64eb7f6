import { DataAzurermClientConfig } from "@cdktf/provider-azurerm/lib/data-azurerm-client-config";
import { AzurermProvider } from "@cdktf/provider-azurerm/lib/provider";
import { ResourceGroup } from "@cdktf/provider-azurerm/lib/resource-group";
import { AzurermBackend, TerraformOutput, TerraformStack } from "cdktf";
import { Construct } from "constructs";
import { AzapiProvider } from "../azapi";
import type { LocalContent } from "../config/code-bundle";
import { collectionDataAsset } from "../config/data-collection";
import type { LoadedEnvironment } from "../config/load";
import { resourceNames, type ResourceNames } from "../config/names";
import type {
  BatchEndpointConfig,
  CodeConfig,
  DataCollectorConfig,
  EndpointConfig,
  EnvironmentAssetConfig,
  ModelConfig,
  NetworkConfig,
  ServingConfig,
} from "../config/schema";
import { BatchEndpoint, type ExistingCompute } from "../constructs/batch-endpoint";
import { ClientNetwork } from "../constructs/client-network";
import { ComputeCluster } from "../constructs/compute-cluster";
import { ImageBuilder } from "../constructs/image-builder";
import { ExistingWorkspace } from "../constructs/existing-workspace";
import { MlWorkspace, type MlWorkspaceNetworkProps } from "../constructs/ml-workspace";
import { ModelAssets, type EnvironmentSpec, type ModelSpec } from "../constructs/model-assets";
import { Monitoring } from "../constructs/monitoring";
import { OnlineDeployment, type DataCollectionProps } from "../constructs/online-deployment";
import { OnlineServing, SINGLE_FORM_ID } from "../constructs/online-serving";
import type { ServingWorkspace } from "../constructs/serving-workspace";
import { applyGuardrails, type GuardrailWaiver } from "../guardrails";
import { autoscaleProps, capacityGuardrailOptions, scalesOnRequests } from "./autoscale-props";
import { isGuardrailRule, isRolloutWaiver } from "../guardrails/rule-ids";

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
  /** The workspace and its dependencies, when the environment creates them. */
  readonly ml?: MlWorkspace;
  /** The workspace the environment deploys into, when it exists already (`workspace.existing_id`). */
  readonly existingWorkspace?: ExistingWorkspace;
  /** The AmlCompute cluster, unless there is none or it exists already. */
  readonly compute?: ComputeCluster;
  /** The resource group, when the environment creates its workspace. */
  readonly resourceGroup?: ResourceGroup;
  /** The client subnet and private DNS zones; only in a private environment. */
  readonly clientNetwork?: ClientNetwork;
  readonly assets?: ModelAssets;
  /** Each online endpoint with its deployments, autoscale, traffic and alerts, in config order. */
  readonly onlineEndpoints: readonly OnlineServing[];
  /** Every online deployment of every endpoint. */
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
      // A destroyed environment created again within 90 days recovers its soft-deleted vault (purge protection forbids a purge).
      features: [{ keyVault: [{ recoverSoftDeletedKeyVaults: true, purgeSoftDeleteOnDestroy: false }] }],
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

    // Filled below as constructs are made, read when the guardrails run: findings name the YAML they came from.
    const places = new Map<string, readonly PropertyKey[]>();
    applyGuardrails(this, guardrailWaivers(config.waivers), {
      configFile: environment.file,
      configSources: { places, lineOf: environment.lineOf },
      rolloutWaivers: config.waivers.filter(isRolloutWaiver),
      ...capacityGuardrailOptions(environment),
      // The rules see what this stack creates; an existing workspace's own settings are its owner's.
      notChecked:
        config.workspace.existing_id === undefined
          ? []
          : [`the existing workspace ${config.workspace.existing_id} (its network isolation, public access, storage, key vault and registry settings)`],
    });

    const client = new DataAzurermClientConfig(this, "client");

    const existingId = config.workspace.existing_id;
    if (existingId === undefined) {
      ({ resourceGroup: this.resourceGroup, clientNetwork: this.clientNetwork, ml: this.ml } = this.createdWorkspace(config, names, client, tags));
    } else {
      // Deploying into a workspace that exists: nothing of it is created, and what is needed of it is read.
      this.existingWorkspace = new ExistingWorkspace(this, "ml", { workspaceId: existingId, location: config.location });
    }
    const ml = this.workspace;
    const resourceGroupName = this.resourceGroup?.name ?? this.existingWorkspace!.resourceGroupName;

    const compute = config.compute;
    if (compute && !compute.existing) {
      this.compute = new ComputeCluster(this, "compute", {
        workspaceId: ml.workspaceId,
        location: config.location,
        resourceGroupName,
        name: compute.name,
        vmSize: compute.vm_size,
        vmPriority: compute.vm_priority,
        minNodes: compute.min_nodes,
        maxNodes: compute.max_nodes,
        idleTimeBeforeScaleDown: compute.idle_time_before_scale_down,
        // Private: the nodes live in the managed network and reach Azure through its private endpoints.
        nodePublicIpEnabled: config.network.isolation === "private" ? false : undefined,
        networkReady: ml.networkReady,
        tags,
      });
    }
    // A private registry cannot build images, so the cluster does, and every deployment waits for it and its roles.
    if (this.ml?.imageBuildComputeName !== undefined && this.compute) {
      this.imageBuilder = new ImageBuilder(this, "image-builder", { workspace: this.ml, cluster: this.compute });
    }
    // An existing cluster is addressed by its id under the workspace; its identity is not this stack's to grant.
    const batchCompute = compute?.existing ? { id: `${ml.workspaceId}/computes/${compute.name}` } : this.compute;

    // Workspace logs and the action group every alert notifies; each endpoint's own diagnostics and alerts are its.
    this.monitoring = new Monitoring(this, "monitoring", {
      name: `${config.project}-${env}`,
      resourceGroupName,
      logAnalyticsWorkspaceId: this.logAnalyticsWorkspaceId,
      // An existing workspace's own diagnostic settings are its owner's; this stack adds none to it.
      workspaceId: this.ml?.workspaceId,
      alertEmails: config.monitoring.alert_emails,
      actionGroupName: names.actionGroup,
      tags,
    });

    if (config.endpoints.length > 0 || config.batch.length > 0) {
      const deployers = config.workspace.deployer_principal_ids;
      this.assets = new ModelAssets(this, "assets", {
        workspace: ml,
        // Whoever runs `terraform apply` uploads the code: the ids the config names (so that a plan run by another
        // identity proposes no new assignments), else the identity running Terraform. Either may be a user or a
        // service principal, so Azure looks the type up.
        uploaders: deployers.length > 0 ? deployers.map((principalId) => ({ principalId })) : [{ principalId: client.objectId }],
        // The image builder reads uploaded build contexts.
        readers: this.imageBuilder ? [this.imageBuilder.principal] : [],
      });
    }
    const assets = this.assets;
    this.onlineEndpoints = assets ? config.endpoints.map((e) => this.onlineServing(config, e, assets, resourceGroupName, tags)) : [];
    this.deployments = this.onlineEndpoints.flatMap((e) => e.deployments);
    this.batchEndpoints = assets && batchCompute ? config.batch.map((b) => this.batchServing(config, b, assets, batchCompute, tags)) : [];
    recordConfigSources(places, config, this);

    // The one-endpoint form's outputs keep their names; every endpoint is also in the maps, by name.
    const single = config.endpoints.find((e) => e.keeps_single_form_addresses);
    const singleServing = single && this.onlineEndpoints[config.endpoints.indexOf(single)];
    if (single && singleServing) {
      new TerraformOutput(this, "endpoint_name", { value: single.name });
      new TerraformOutput(this, "scoring_uri", { value: singleServing.endpoint.scoringUri });
      new TerraformOutput(this, "swagger_uri", { value: singleServing.endpoint.swaggerUri });
    }
    if (this.onlineEndpoints.length > 0) {
      new TerraformOutput(this, "scoring_uris", { value: Object.fromEntries(this.onlineEndpoints.map((e) => [e.endpoint.endpointName, e.endpoint.scoringUri])) });
      new TerraformOutput(this, "swagger_uris", { value: Object.fromEntries(this.onlineEndpoints.map((e) => [e.endpoint.endpointName, e.endpoint.swaggerUri])) });
    }

    new TerraformOutput(this, "resource_group_name", { value: resourceGroupName });
    new TerraformOutput(this, "workspace_id", { value: ml.workspaceId });
    new TerraformOutput(this, "workspace_name", { value: this.ml?.workspace.name ?? this.existingWorkspace!.workspaceName });
    if (batchCompute) new TerraformOutput(this, "compute_cluster_id", { value: batchCompute.id });
  }

  /** The workspace the environment serves from: the one created here, or the existing one. */
  get workspace(): ServingWorkspace {
    return this.ml ?? this.existingWorkspace!;
  }

  /** Where endpoint diagnostics go: the Log Analytics workspace created here, or the one behind the existing one's Application Insights. */
  private get logAnalyticsWorkspaceId(): string {
    return this.ml?.logAnalytics.id ?? this.existingWorkspace!.logAnalyticsWorkspaceId;
  }

  /** The resource group, client network and workspace with its dependencies, for an environment that creates them. */
  private createdWorkspace(
    config: ServingConfig,
    names: ResourceNames,
    client: DataAzurermClientConfig,
    tags: Record<string, string>,
  ): { resourceGroup: ResourceGroup; clientNetwork?: ClientNetwork; ml: MlWorkspace } {
    const resourceGroup = new ResourceGroup(this, "resource-group", {
      name: names.resourceGroup,
      location: config.location,
      tags,
    });
    const clientNetwork =
      config.network.isolation === "private"
        ? new ClientNetwork(this, "client-network", {
            resourceGroupName: resourceGroup.name,
            location: config.location,
            subnet: clientSubnet(config.network),
            virtualNetworkName: names.virtualNetwork,
            tags,
          })
        : undefined;
    const ml = new MlWorkspace(this, "ml", {
      resourceGroupName: resourceGroup.name,
      resourceGroupId: resourceGroup.id,
      location: config.location,
      tenantId: client.tenantId,
      names,
      publicNetworkAccess: config.workspace.public_network_access,
      description: config.workspace.description,
      storageSharedKeyAccess: config.workspace.storage_shared_key_access,
      preventDestroy: config.workspace.prevent_destroy,
      logRetentionDays: config.monitoring.log_retention_days,
      network: clientNetwork && workspaceNetwork(config, clientNetwork),
      tags,
    });
    return { resourceGroup, clientNetwork, ml };
  }

  /**
   * One online endpoint and all that serves from it, as an {@link OnlineServing}: under `endpoint-<name>`, or, for
   * the endpoint of the one-endpoint form, where that form kept its resources (their addresses are contracts).
   */
  private onlineServing(
    config: ServingConfig,
    endpointConfig: EndpointConfig,
    assets: ModelAssets,
    resourceGroupName: string,
    tags: Record<string, string>,
  ): OnlineServing {
    // Endpoint tags merge over the environment's, and a deployment's over its endpoint's.
    const endpointTags = { ...tags, ...endpointConfig.tags };
    return new OnlineServing(this, endpointConfig.keeps_single_form_addresses ? SINGLE_FORM_ID : `endpoint-${endpointConfig.name}`, {
      name: endpointConfig.name,
      location: config.location,
      resourceGroupName,
      workspace: this.workspace,
      authMode: endpointConfig.auth_mode,
      publicNetworkAccess: endpointConfig.public_network_access,
      description: endpointConfig.description,
      tags: endpointTags,
      buildReady: this.imageBuilder?.ready,
      operationsTags: tags,
      monitoring: {
        logAnalyticsWorkspaceId: this.logAnalyticsWorkspaceId,
        actionGroupId: this.monitoring.actionGroup?.id,
        latencyP95Ms: config.monitoring.alerts.latency_p95_ms,
        cpuPercent: config.monitoring.alerts.cpu_percent,
        throttledRequestsPerMinute: config.monitoring.alerts.throttled_requests_per_minute,
      },
      deployments: endpointConfig.deployments.map((d) => ({
        name: d.name,
        ...this.registerAssets(assets, d),
        instanceType: d.instance_type,
        instanceCount: d.instance_count,
        trafficPercent: d.traffic,
        mirrorTrafficPercent: d.mirror_traffic,
        requestTimeoutMs: d.request_settings?.request_timeout_ms,
        maxConcurrentRequestsPerInstance: d.request_settings?.max_concurrent_requests_per_instance,
        livenessProbe: d.liveness_probe && probeProps(d.liveness_probe),
        readinessProbe: d.readiness_probe && probeProps(d.readiness_probe),
        startupProbe: d.startup_probe && probeProps(d.startup_probe),
        environmentVariables: d.environment_variables,
        appInsightsEnabled: d.app_insights,
        egressPublicNetworkAccess: d.egress_public_network_access,
        modelMountPath: d.model_mount_path,
        dataCollector: d.data_collector && {
          collections: this.collections(assets, endpointConfig.name, d.name, d.data_collector),
          samplingRate: d.data_collector.sampling_rate,
          rollingRate: d.data_collector.rolling_rate,
          captureHeaders: d.data_collector.request_logging?.capture_headers,
        },
        autoscale: d.autoscale && autoscaleProps(d.autoscale),
        throttlingAlert: scalesOnRequests(d),
        description: d.description,
        tags: { ...endpointTags, ...d.tags },
      })),
    });
  }

  /** One batch endpoint, its deployments and its default, on the stack's compute cluster. */
  private batchServing(
    config: ServingConfig,
    b: BatchEndpointConfig,
    assets: ModelAssets,
    compute: ComputeCluster | ExistingCompute,
    tags: Record<string, string>,
  ): BatchEndpoint {
    return new BatchEndpoint(this, `batch-${b.name}`, {
      name: b.name,
      location: config.location,
      workspace: this.workspace,
      compute,
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
    // The registry is private, so environment images are built on the cluster, inside the managed network. (A
    // workspace created here always has a cluster created here: checkWorkspaceShape requires it.)
    imageBuildComputeName: config.compute?.name,
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

/** Which YAML section each construct a guardrail rule may flag was built from (see GuardrailAspectOptions.configSources). */
function recordConfigSources(places: Map<string, readonly PropertyKey[]>, config: ServingConfig, stack: ServingStack): void {
  if (stack.ml) places.set(stack.ml.node.path, ["workspace"]);
  if (stack.compute) places.set(stack.compute.node.path, ["compute"]);
  stack.onlineEndpoints.forEach((serving, i) => {
    const at = config.endpoints[i].at;
    // The endpoint and each deployment, not the serving construct: in the one-endpoint form that is the stack itself.
    places.set(serving.endpoint.node.path, at);
    serving.deployments.forEach((d, j) => places.set(d.node.path, [...at, "deployments", j]));
  });
  stack.batchEndpoints.forEach((b, i) => places.set(b.node.path, ["batch", i]));
}

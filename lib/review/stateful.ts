/** Which resource types hold data or identity, so losing them needs a second look. */

/** Why destroying a resource of this type is more than a redeploy. */
export interface StatefulKind {
  /** What it is, e.g. "storage account". */
  readonly label: string;
  /** What is lost or broken when it is destroyed. */
  readonly risk: string;
}

const AZURERM: Readonly<Record<string, StatefulKind>> = {
  azurerm_machine_learning_workspace: { label: "Machine Learning workspace", risk: "holds models, data assets and job history" },
  azurerm_storage_account: { label: "storage account", risk: "holds data" },
  azurerm_storage_container: { label: "storage container", risk: "holds blobs" },
  azurerm_storage_share: { label: "file share", risk: "holds files" },
  azurerm_key_vault: { label: "key vault", risk: "holds secrets, keys and certificates" },
  azurerm_key_vault_secret: { label: "key vault secret", risk: "holds a secret" },
  azurerm_key_vault_key: { label: "key vault key", risk: "holds a key" },
  azurerm_key_vault_certificate: { label: "key vault certificate", risk: "holds a certificate" },
  azurerm_container_registry: { label: "container registry", risk: "holds images" },
  azurerm_log_analytics_workspace: { label: "Log Analytics workspace", risk: "holds logs" },
  azurerm_application_insights: { label: "Application Insights", risk: "holds telemetry; connection string changes" },
  azurerm_role_assignment: { label: "role assignment", risk: "grants access" },
  azurerm_user_assigned_identity: { label: "user-assigned identity", risk: "identity: a new principal ID breaks its role assignments" },
  azurerm_management_lock: { label: "management lock", risk: "protects resources from deletion" },
};

/** ARM resource types (lower case, no API version) as azapi_resource names them. */
const ARM: Readonly<Record<string, StatefulKind>> = {
  "microsoft.machinelearningservices/workspaces": AZURERM.azurerm_machine_learning_workspace!,
  "microsoft.machinelearningservices/workspaces/onlineendpoints": {
    label: "online endpoint",
    risk: "identity: scoring URI and keys change for every client",
  },
  "microsoft.machinelearningservices/workspaces/onlineendpoints/deployments": {
    label: "online deployment",
    risk: "serves live traffic",
  },
  "microsoft.machinelearningservices/workspaces/batchendpoints": { label: "batch endpoint", risk: "identity: invocation URI changes" },
  "microsoft.machinelearningservices/workspaces/batchendpoints/deployments": { label: "batch deployment", risk: "runs batch jobs" },
  "microsoft.machinelearningservices/workspaces/models/versions": { label: "model version", risk: "registered model artifact" },
  "microsoft.machinelearningservices/workspaces/environments/versions": { label: "environment version", risk: "registered environment" },
  "microsoft.machinelearningservices/workspaces/codes/versions": { label: "code version", risk: "registered code snapshot" },
  "microsoft.machinelearningservices/registries": { label: "Machine Learning registry", risk: "holds shared models and environments" },
  "microsoft.storage/storageaccounts": AZURERM.azurerm_storage_account!,
  "microsoft.storage/storageaccounts/blobservices/containers": AZURERM.azurerm_storage_container!,
  "microsoft.keyvault/vaults": AZURERM.azurerm_key_vault!,
  "microsoft.containerregistry/registries": AZURERM.azurerm_container_registry!,
  "microsoft.operationalinsights/workspaces": AZURERM.azurerm_log_analytics_workspace!,
  "microsoft.insights/components": AZURERM.azurerm_application_insights!,
  "microsoft.authorization/roleassignments": AZURERM.azurerm_role_assignment!,
  "microsoft.managedidentity/userassignedidentities": AZURERM.azurerm_user_assigned_identity!,
  "microsoft.authorization/locks": AZURERM.azurerm_management_lock!,
};

/** The ARM type of an azapi `type` attribute without its API version, e.g. "Microsoft.Storage/storageAccounts". */
export function armTypeOf(azapiType: string): string {
  const at = azapiType.indexOf("@");
  return at < 0 ? azapiType : azapiType.slice(0, at);
}

/**
 * Whether a resource holds data or identity.
 * @param resourceType Terraform type, e.g. "azurerm_key_vault" or "azapi_resource".
 * @param azapiType for azapi_resource, its `type` attribute ("Microsoft...@2025-12-01").
 */
export function statefulKind(resourceType: string, azapiType?: string): StatefulKind | undefined {
  if (resourceType === "azapi_resource") {
    return typeof azapiType === "string" ? ARM[armTypeOf(azapiType).toLowerCase()] : undefined;
  }
  return AZURERM[resourceType];
}

/**
 * Attributes whose change replaces the resource for nearly every azurerm and
 * azapi type (ForceNew); used where no plan says so, i.e. in the synth diff.
 */
export const LIKELY_REPLACING_ATTRIBUTES: ReadonlySet<string> = new Set(["name", "location", "resource_group_name", "parent_id"]);

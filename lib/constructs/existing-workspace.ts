import { DataAzurermApplicationInsights } from "@cdktf/provider-azurerm/lib/data-azurerm-application-insights";
import { DataAzurermStorageAccount } from "@cdktf/provider-azurerm/lib/data-azurerm-storage-account";
import { Fn, Op, TerraformSelf, type ITerraformDependable } from "cdktf";
import type { Construct } from "constructs";
import { DataAzapiResource, MlResourceType } from "../azapi";
import { PropsChecker } from "./invariants";
import { ServingWorkspace } from "./serving-workspace";

/** The parts of a workspace id: `/subscriptions/<sub>/resourceGroups/<rg>/providers/.../workspaces/<name>`. */
const WORKSPACE_ID = /^\/subscriptions\/([^/]+)\/resourceGroups\/([^/]+)\/providers\/Microsoft\.MachineLearningServices\/workspaces\/([^/]+)$/i;

/** Properties of {@link ExistingWorkspace}. */
export interface ExistingWorkspaceProps {
  /** ARM id of the workspace, written out (not a token): its resource group is where this stack's resources go. */
  readonly workspaceId: string;
  /**
   * The region this stack deploys to; the workspace must be in it, since endpoints live in their workspace's region.
   * Checked at plan time.
   */
  readonly location: string;
}

/**
 * An Azure ML workspace that exists already, read at plan time: its storage account, registry and Application
 * Insights come from the workspace itself (a `data "azapi_resource"`), never from a naming convention.
 *
 * Nothing of it is created, changed or destroyed. The plan stops, before anything is applied, when the workspace is
 * in another region than the stack, or when its storage refuses shared keys while its system datastores still use
 * them (`systemDatastoresAuthMode` other than identity): registering an asset would then fail half-way.
 * Its network isolation is not visible at synth, so {@link hasManagedNetwork} is undefined.
 * @see https://learn.microsoft.com/azure/machine-learning/how-to-disable-local-auth-storage
 */
export class ExistingWorkspace extends ServingWorkspace {
  readonly workspaceId: string;
  /** Name of the workspace. */
  readonly workspaceName: string;
  /** Resource group of the workspace, where this stack puts its identities, autoscale settings and alerts. */
  readonly resourceGroupName: string;
  /** The workspace as read. */
  readonly workspace: DataAzapiResource;
  /** Its default storage account as read. */
  readonly storageAccount: DataAzurermStorageAccount;
  /** Its Application Insights as read; its Log Analytics workspace receives the endpoints' diagnostics. */
  readonly appInsights: DataAzurermApplicationInsights;
  readonly dataPlaneReady: readonly ITerraformDependable[] = [];
  readonly networkReady: readonly ITerraformDependable[] = [];
  readonly hasManagedNetwork = undefined;
  readonly imageBuildComputeName = undefined;

  constructor(scope: Construct, id: string, props: ExistingWorkspaceProps) {
    super(scope, id);
    const parts = WORKSPACE_ID.exec(props.workspaceId);
    new PropsChecker("ExistingWorkspace").that(parts !== null, "workspaceId", "must be the ARM id of an Azure ML workspace", props.workspaceId).throwIfInvalid();
    this.workspaceId = props.workspaceId;
    this.resourceGroupName = parts![2];
    this.workspaceName = parts![3];

    this.workspace = new DataAzapiResource(this, "workspace", {
      type: MlResourceType.workspace,
      resourceId: props.workspaceId,
      responseExportValues: [
        "properties.storageAccount",
        "properties.containerRegistry",
        "properties.applicationInsights",
        "properties.systemDatastoresAuthMode",
        "properties.workspaceId",
      ],
      lifecycle: {
        postcondition: [
          {
            // ARM spells regions in several ways ("West Europe", "westeurope").
            condition: Op.eq(Fn.lower(Fn.replace(TerraformSelf.getString("location"), " ", "")), props.location.toLowerCase()),
            errorMessage: `The workspace ${props.workspaceId} is not in ${props.location}, the location of this environment: endpoints are created in their workspace's region. Set location to the workspace's region.`,
          },
        ],
      },
    });
    const storageId = this.workspace.outputValue(["properties", "storageAccount"]);
    // An ARM id splits into "", "subscriptions", <sub>, "resourceGroups", <rg>, "providers", <ns>, <type>, <name>.
    const part = (id: string, index: number) => Fn.element(Fn.split("/", id), index);
    const identityMode = this.workspace.outputValue(["properties", "systemDatastoresAuthMode"]);
    this.storageAccount = new DataAzurermStorageAccount(this, "storage", {
      name: part(storageId, 8),
      resourceGroupName: part(storageId, 4),
      lifecycle: {
        postcondition: [
          {
            // A workspace that never set the mode does not return it: account keys, the service's default.
            condition: Op.or(TerraformSelf.getAny("shared_access_key_enabled"), Op.eq(Fn.lower(Fn.try([identityMode, "accessKey"])), "identity")),
            errorMessage:
              "The workspace's storage refuses shared keys, but its system datastores use account keys (systemDatastoresAuthMode is not identity): asset registrations and uploads would fail. Switch the workspace to identity-based datastores (how-to-disable-local-auth-storage) or allow shared keys on its storage.",
          },
        ],
      },
    });
    const insightsId = this.workspace.outputValue(["properties", "applicationInsights"]);
    this.appInsights = new DataAzurermApplicationInsights(this, "app-insights", {
      name: part(insightsId, 8),
      resourceGroupName: part(insightsId, 4),
    });
  }

  get containerRegistryId(): string {
    return this.workspace.outputValue(["properties", "containerRegistry"]);
  }

  protected get workspaceGuid(): string {
    return this.workspace.outputValue(["properties", "workspaceId"]);
  }

  /** The Log Analytics workspace behind the workspace's (workspace-based) Application Insights. */
  get logAnalyticsWorkspaceId(): string {
    return this.appInsights.workspaceId;
  }
}


import { StorageBlob } from "@cdktf/provider-azurerm/lib/storage-blob";
import { StorageContainer } from "@cdktf/provider-azurerm/lib/storage-container";
import { AssetType, Fn, TerraformAsset, type ITerraformDependable } from "cdktf";
import { Construct } from "constructs";
import { AzapiResource, MlResourceType, type CodeVersionBody, type EnvironmentVersionBody, type ModelVersionBody } from "../azapi";
import { PropsError } from "./invariants";
import type { MlWorkspace } from "./ml-workspace";
import type { Principal } from "./principal";
import { RolePropagation } from "./role-propagation";

/** A model: an existing asset by id, or one registered here from a storage URI. */
export type ModelSpec =
  | { readonly id: string }
  | {
      readonly name: string;
      readonly version: string;
      /**
       * azureml://, https://, wasbs:// or abfss:// URI of the model files. A short datastore URI
       * (`azureml://datastores/<ds>/paths/<p>`) is sent in the long form that Azure returns.
       */
      readonly path: string;
      readonly type: "custom_model" | "mlflow_model" | "triton_model";
      /**
       * Free-text description.
       * @default no description
       */
      readonly description?: string;
    };

/** An environment: an existing asset by id, or one registered here from an image (and conda file). */
export type EnvironmentSpec =
  | { readonly id: string }
  | {
      readonly name: string;
      readonly version: string;
      /** Base container image. */
      readonly image: string;
      /**
       * Absolute path of a local conda file; its content becomes the environment's `condaFile`.
       * @default the image as it is
       */
      readonly condaFile?: string;
      /**
       * Free-text description.
       * @default no description
       */
      readonly description?: string;
    };

/** A local folder of scoring code, listed and hashed beforehand (see `readCodeBundle`). */
export interface CodeSpec {
  /** Code asset name in the workspace. */
  readonly name: string;
  /** Absolute path of the folder. */
  readonly path: string;
  /** Files to upload, relative POSIX paths. */
  readonly files: readonly string[];
  /** Hash of the folder's content; its first 12 characters are the code version. */
  readonly contentHash: string;
}

/** Properties of {@link ModelAssets}. */
export interface ModelAssetsProps {
  /** The workspace the assets are registered in; code is uploaded to its storage account. */
  readonly workspace: MlWorkspace;
  /**
   * The identity Terraform runs as (`object_id` of `azurerm_client_config`). It uploads code with Entra ID, since
   * the storage refuses shared keys, so it is granted Storage Blob Data Contributor on the workspace storage.
   */
  readonly deployer: Principal;
  /**
   * Seconds to wait after the deployer's data role is granted before the first upload.
   * @default 120
   */
  readonly rolePropagationDelaySeconds?: number;
  /**
   * Blob container that holds uploaded code snapshots.
   * @default "code-snapshots"
   */
  readonly codeContainerName?: string;
}

/**
 * Registers models, environments and code in a workspace, once each however many deployments use them.
 *
 * Online and batch deployments both ask it for ids, so the same model version is one resource, not two.
 * Asset versions are immutable in Azure ML: a changed model or environment needs a new version, and changed code
 * gets one automatically, because the code version is the hash of its content.
 *
 * Apply order: every version waits for the workspace's identity datastore mode; every upload also waits for the
 * deployer's Storage Blob Data Contributor role and its propagation delay (Owner or Contributor grants no blob
 * data access).
 * @see https://learn.microsoft.com/azure/machine-learning/concept-azure-machine-learning-v2#model
 */
export class ModelAssets extends Construct {
  private readonly props: ModelAssetsProps;
  private readonly registered = new Map<string, { readonly resource: AzapiResource; readonly signature: string }>();
  private container?: StorageContainer;
  private uploadAccess?: RolePropagation;

  constructor(scope: Construct, id: string, props: ModelAssetsProps) {
    super(scope, id);
    this.props = props;
  }

  /** The id a deployment references for this model: the given one, or the version registered here. */
  model(spec: ModelSpec): string {
    if ("id" in spec) return spec.id;
    return this.once(`model-${spec.name}-${spec.version}`, spec, (id) => {
      const body: ModelVersionBody = {
        properties: {
          modelUri: canonicalDatastoreUri(spec.path, this.props.workspace.workspace.id),
          modelType: spec.type,
          description: spec.description,
          isArchived: false,
        },
      };
      return this.version(id, MlResourceType.modelVersion, `models/${spec.name}`, spec.version, body);
    });
  }

  /** The id a deployment references for this environment: the given one, or the version registered here. */
  environment(spec: EnvironmentSpec): string {
    if ("id" in spec) return spec.id;
    return this.once(`environment-${spec.name}-${spec.version}`, spec, (id) => {
      let condaFile: string | undefined;
      if (spec.condaFile !== undefined) {
        // Through an asset, so the file travels with the stack and Terraform reads it relative to the stack folder.
        const asset = new TerraformAsset(this, `${id}-conda`, { path: spec.condaFile, type: AssetType.FILE });
        condaFile = Fn.file(asset.path);
      }
      const body: EnvironmentVersionBody = {
        properties: { image: spec.image, condaFile, osType: "Linux", description: spec.description, isArchived: false },
      };
      return this.version(id, MlResourceType.environmentVersion, `environments/${spec.name}`, spec.version, body);
    });
  }

  /**
   * Uploads a code folder as blobs and registers it as a code version; returns the code version id.
   *
   * Every file becomes one blob under `<name>/<version>/`, so a new version never overwrites the blobs an older
   * deployment still runs from.
   */
  code(spec: CodeSpec): string {
    const version = spec.contentHash.slice(0, 12);
    return this.once(`code-${spec.name}`, { path: spec.path, contentHash: spec.contentHash }, (id) => {
      const container = this.codeContainer();
      const uploadReady = [this.uploadReady(), ...this.props.workspace.dataPlaneReady];
      const asset = new TerraformAsset(this, `${id}-files`, {
        path: spec.path,
        type: AssetType.DIRECTORY,
        // The folder was hashed once when config was read; cdktf need not hash it again.
        assetHash: spec.contentHash,
      });
      const prefix = `${spec.name}/${version}`;
      const blobs = spec.files.map(
        (file) =>
          new StorageBlob(this, `${id}-file-${file.replace(/\//g, "--")}`, {
            name: `${prefix}/${file}`,
            storageAccountName: this.props.workspace.storageAccount.name,
            storageContainerName: container.name,
            type: "Block",
            source: `${asset.path}/${file}`,
            contentMd5: Fn.filemd5(`${asset.path}/${file}`),
            dependsOn: uploadReady,
          }),
      );
      const body: CodeVersionBody = {
        properties: { codeUri: `${this.props.workspace.storageAccount.primaryBlobEndpoint}${container.name}/${prefix}/`, isArchived: false },
      };
      return this.version(id, MlResourceType.codeVersion, `codes/${spec.name}`, version, body, blobs);
    });
  }

  /** Creates the asset on first use; later uses must describe exactly the same asset. */
  private once(id: string, spec: object, create: (id: string) => AzapiResource): string {
    const signature = JSON.stringify(spec);
    const existing = this.registered.get(id);
    if (existing) {
      if (existing.signature !== signature) {
        throw new PropsError("ModelAssets", id, "must be defined the same way wherever it is used: asset versions are immutable", spec);
      }
      return existing.resource.id;
    }
    const resource = create(id);
    this.registered.set(id, { resource, signature });
    return resource.id;
  }

  private version(id: string, type: string, parentPath: string, version: string, body: object, blobs: StorageBlob[] = []): AzapiResource {
    // Registering a version makes Azure ML resolve its datastore, which must already be in identity mode.
    const dependsOn: ITerraformDependable[] = [...this.props.workspace.dataPlaneReady, ...blobs];
    return new AzapiResource(this, id, {
      type,
      name: version,
      parentId: `${this.props.workspace.workspace.id}/${parentPath}`,
      body,
      dependsOn: dependsOn.length > 0 ? dependsOn : undefined,
      // A new version must exist before the old one goes, since deployments switch over in between.
      lifecycle: { createBeforeDestroy: true },
    });
  }

  private codeContainer(): StorageContainer {
    // Created through the management plane (storage_account_id), so it needs no data role.
    this.container ??= new StorageContainer(this, "code-container", {
      name: this.props.codeContainerName ?? "code-snapshots",
      storageAccountId: this.props.workspace.storageAccount.id,
      containerAccessType: "private",
    });
    return this.container;
  }

  /** The end of the wait after the deployer's blob data role, created with the first upload. */
  private uploadReady(): ITerraformDependable {
    if (!this.uploadAccess) {
      const deployer = new Construct(this, "deployer");
      this.uploadAccess = new RolePropagation(deployer, "propagation", {
        roleAssignments: [this.props.workspace.grantBlobWrite(deployer, this.props.deployer)],
        delaySeconds: this.props.rolePropagationDelaySeconds,
      });
    }
    return this.uploadAccess.wait;
  }
}

/**
 * A datastore URI in the long form that Azure returns for a model version, built from the workspace's id.
 *
 * `az ml` expands `azureml://datastores/<ds>/paths/<p>` to
 * `azureml://subscriptions/<sub>/resourcegroups/<rg>/workspaces/<ws>/datastores/<ds>/paths/<p>` before it sends a
 * model, and Azure hands the long form back; sending the short form would read as a change on every plan. Other
 * URIs (https://, wasbs://, abfss://, long azureml:// ones) are sent as they are.
 */
export function canonicalDatastoreUri(uri: string, workspaceId: string): string {
  const short = /^azureml:\/\/datastores\/([^/]+)\/paths\/(.*)$/.exec(uri);
  if (!short) return uri;
  // An ARM id splits into "", "subscriptions", <sub>, "resourceGroups", <rg>, "providers", <namespace>, "workspaces", <ws>.
  const part = (index: number) => Fn.element(Fn.split("/", workspaceId), index);
  return `azureml://subscriptions/${part(2)}/resourcegroups/${part(4)}/workspaces/${part(8)}/datastores/${short[1]}/paths/${short[2]}`;
}

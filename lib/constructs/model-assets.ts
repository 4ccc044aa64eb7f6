import { StorageBlob } from "@cdktf/provider-azurerm/lib/storage-blob";
import { StorageContainer } from "@cdktf/provider-azurerm/lib/storage-container";
import { AssetType, Fn, TerraformAsset } from "cdktf";
import { Construct } from "constructs";
import { AzapiResource, MlResourceType, type CodeVersionBody, type EnvironmentVersionBody, type ModelVersionBody } from "../azapi";
import { PropsError } from "./invariants";

/** A model: an existing asset by id, or one registered here from a storage URI. */
export type ModelSpec =
  | { readonly id: string }
  | {
      readonly name: string;
      readonly version: string;
      /** azureml://, https://, wasbs:// or abfss:// URI of the model files. */
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
  /** Resource id of the Azure ML workspace the assets are registered in. */
  readonly workspaceId: string;
  /** Resource id of the storage account code is uploaded to (the workspace's own). */
  readonly storageAccountId: string;
  /** Name of that storage account. */
  readonly storageAccountName: string;
  /** Its blob endpoint, `https://<account>.blob.core.windows.net/`. */
  readonly blobEndpoint: string;
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
 * @see https://learn.microsoft.com/azure/machine-learning/concept-azure-machine-learning-v2#model
 */
export class ModelAssets extends Construct {
  private readonly props: ModelAssetsProps;
  private readonly registered = new Map<string, { readonly resource: AzapiResource; readonly signature: string }>();
  private container?: StorageContainer;

  constructor(scope: Construct, id: string, props: ModelAssetsProps) {
    super(scope, id);
    this.props = props;
  }

  /** The id a deployment references for this model: the given one, or the version registered here. */
  model(spec: ModelSpec): string {
    if ("id" in spec) return spec.id;
    return this.once(`model-${spec.name}-${spec.version}`, spec, (id) => {
      const body: ModelVersionBody = {
        properties: { modelUri: spec.path, modelType: spec.type, description: spec.description, isArchived: false },
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
            storageAccountName: this.props.storageAccountName,
            storageContainerName: container.name,
            type: "Block",
            source: `${asset.path}/${file}`,
            contentMd5: Fn.filemd5(`${asset.path}/${file}`),
          }),
      );
      const body: CodeVersionBody = {
        properties: { codeUri: `${this.props.blobEndpoint}${container.name}/${prefix}/`, isArchived: false },
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

  private version(id: string, type: string, parentPath: string, version: string, body: object, dependsOn: StorageBlob[] = []): AzapiResource {
    return new AzapiResource(this, id, {
      type,
      name: version,
      parentId: `${this.props.workspaceId}/${parentPath}`,
      body,
      dependsOn: dependsOn.length > 0 ? dependsOn : undefined,
      // A new version must exist before the old one goes, since deployments switch over in between.
      lifecycle: { createBeforeDestroy: true },
    });
  }

  private codeContainer(): StorageContainer {
    this.container ??= new StorageContainer(this, "code-container", {
      name: this.props.codeContainerName ?? "code-snapshots",
      storageAccountId: this.props.storageAccountId,
      containerAccessType: "private",
    });
    return this.container;
  }
}

import { StorageBlob } from "@cdktf/provider-azurerm/lib/storage-blob";
import { StorageContainer } from "@cdktf/provider-azurerm/lib/storage-container";
import { AssetType, Fn, Lazy, TerraformAsset, Token, type ITerraformDependable } from "cdktf";
import { Construct } from "constructs";
import { basename } from "node:path";
import {
  AzapiResource,
  MlResourceType,
  type CodeVersionBody,
  type DataVersionBody,
  type EnvironmentVersionBody,
  type EnvironmentVersionProperties,
  type InferenceRoute,
  type ModelVersionBody,
} from "../azapi";
import { PropsError } from "./invariants";
import type { ServingWorkspace } from "./serving-workspace";
import { grantRole, type Principal } from "./principal";
import { RolePropagation } from "./role-propagation";

/** Local files to upload, listed and hashed beforehand (see `readLocalContent`). */
export interface LocalFiles {
  /** Absolute path of the file or folder. */
  readonly path: string;
  /**
   * Whether {@link path} is one file rather than a folder.
   * @default false
   */
  readonly isFile?: boolean;
  /** Files to upload: POSIX paths relative to the folder, or the file's own name. */
  readonly files: readonly string[];
  /** Hash of the content; names the upload path, and its first 12 characters are the default version. */
  readonly contentHash: string;
}

/** What registering a model here takes besides its files. */
interface ModelRegistration {
  readonly name: string;
  readonly type: "custom_model" | "mlflow_model" | "triton_model";
  /**
   * Free-text description.
   * @default no description
   */
  readonly description?: string;
}

/** A model: an existing asset by id, or one registered here from a storage URI or from local files it uploads. */
export type ModelSpec =
  | { readonly id: string }
  | (ModelRegistration & {
      readonly version: string;
      /**
       * azureml://, https://, wasbs:// or abfss:// URI of the model files. A short datastore URI
       * (`azureml://datastores/<ds>/paths/<p>`) is sent in the long form that Azure returns.
       */
      readonly path: string;
    })
  | (ModelRegistration & {
      /**
       * Version to register.
       * @default the first 12 characters of the content hash
       */
      readonly version?: string;
      /** Local file or folder, uploaded to the workspace storage at a path named by its content hash. */
      readonly files: LocalFiles;
    });

/** Routes of a custom inference container. */
export interface InferenceConfig {
  readonly livenessRoute: InferenceRoute;
  readonly readinessRoute: InferenceRoute;
  readonly scoringRoute: InferenceRoute;
}

/** What registering an environment here takes besides its image or build context. */
interface EnvironmentRegistration {
  readonly name: string;
  /**
   * Routes of a custom inference container, which then serves requests without a scoring script.
   * @default Azure ML's inference server
   */
  readonly inferenceConfig?: InferenceConfig;
  /**
   * Free-text description.
   * @default no description
   */
  readonly description?: string;
}

/** An environment: an existing asset by id, or one registered here from an image (and conda file) or a build context. */
export type EnvironmentSpec =
  | { readonly id: string }
  | (EnvironmentRegistration & {
      readonly version: string;
      /** Base container image. */
      readonly image: string;
      /**
       * Absolute path of a local conda file; its content becomes the environment's `condaFile`.
       * @default the image as it is
       */
      readonly condaFile?: string;
    })
  | (EnvironmentRegistration & {
      /**
       * Version to register.
       * @default the first 12 characters of the build context's content hash
       */
      readonly version?: string;
      /** A local Docker build context, uploaded like a model; Azure ML builds the image from it. */
      readonly build: {
        readonly files: LocalFiles;
        /**
         * Path of the Dockerfile inside the context.
         * @default "Dockerfile"
         */
        readonly dockerfilePath?: string;
      };
    });

/** A local folder of scoring code, listed and hashed beforehand (see `readCodeBundle`). */
export interface CodeSpec extends LocalFiles {
  /** Code asset name in the workspace. */
  readonly name: string;
}

/** A folder in a datastore registered as a `uri_folder` data asset, such as where a data collector writes. */
export interface DataSpec {
  /** Data asset name in the workspace. */
  readonly name: string;
  readonly version: string;
  /**
   * azureml:// datastore URI of the folder; a short one (`azureml://datastores/<ds>/paths/<p>`) is sent in the long
   * form that Azure returns.
   */
  readonly path: string;
  /**
   * Free-text description.
   * @default no description
   */
  readonly description?: string;
}

/** Properties of {@link ModelAssets}. */
export interface ModelAssetsProps {
  /** The workspace the assets are registered in; code is uploaded to its storage account. */
  readonly workspace: ServingWorkspace;
  /**
   * The identities that upload code, models and build contexts: whoever runs `terraform apply` (the
   * `object_id` of `azurerm_client_config`, or the ids a config names so that a plan under another identity proposes
   * no new assignments). The storage refuses shared keys, so each is granted Storage Blob Data Contributor on each
   * upload container, and on nothing else of the account.
   */
  readonly uploaders: readonly Principal[];
  /**
   * Identities that read every upload, e.g. the compute cluster that builds images from uploaded build contexts:
   * Storage Blob Data Reader on each upload container.
   * @default []
   */
  readonly readers?: readonly Principal[];
  /**
   * Seconds to wait after the data roles are granted before the first upload.
   * @default 120
   */
  readonly rolePropagationDelaySeconds?: number;
  /**
   * Blob container that holds uploaded code snapshots.
   * @default "code-snapshots"
   */
  readonly codeContainerName?: string;
  /**
   * Blob container that holds uploaded models and Docker build contexts.
   * @default "asset-uploads"
   */
  readonly uploadContainerName?: string;
}

/**
 * Registers models, environments, code and data folders in a workspace, once each however many deployments use them.
 *
 * Online and batch deployments both ask it for ids, so the same model version is one resource, not two.
 * Asset versions are immutable in Azure ML: a changed model or environment needs a new version, and changed code
 * gets one automatically, because the code version is the hash of its content.
 *
 * Apply order: every version waits for the workspace's datastores to be usable; every upload also waits for the
 * uploaders' Storage Blob Data Contributor role on its container and its propagation delay (Owner or Contributor
 * grants no blob data access).
 * @see https://learn.microsoft.com/azure/machine-learning/concept-azure-machine-learning-v2#model
 */
export class ModelAssets extends Construct {
  private readonly props: ModelAssetsProps;
  private readonly assets = new Map<string, { readonly resource: AzapiResource; readonly signature: string }>();
  /** Model and environment versions registered here, by `<kind>/<name, lower case>/<version>`, for {@link registered}. */
  private readonly registrations = new Map<string, AzapiResource>();
  private readonly uploads = new Map<string, { readonly blobs: StorageBlob[]; readonly uri: string }>();
  private readonly containers = new Map<string, { readonly container: StorageContainer; readonly ready: RolePropagation }>();

  constructor(scope: Construct, id: string, props: ModelAssetsProps) {
    super(scope, id);
    if (props.uploaders.length === 0) throw new PropsError("ModelAssets", "uploaders", "must name at least one identity", props.uploaders);
    this.props = props;
  }

  /** The id a deployment references for this model: the given one, or the version registered here. */
  model(spec: ModelSpec): string {
    if ("id" in spec) return spec.id;
    const version = spec.version ?? ("files" in spec ? defaultVersion(spec.files) : undefined)!;
    const signature = "files" in spec ? { ...spec, files: contentSignature(spec.files) } : spec;
    const resource = this.once(`model-${spec.name}-${version}`, signature, (id) => {
      let modelUri: string;
      let blobs: StorageBlob[] = [];
      if ("files" in spec) {
        const upload = this.upload(`models/${spec.name}`, spec.files);
        modelUri = upload.uri;
        blobs = upload.blobs;
      } else {
        modelUri = canonicalDatastoreUri(spec.path, this.props.workspace.workspaceId);
      }
      const body: ModelVersionBody = {
        properties: { modelUri, modelType: spec.type, description: spec.description, isArchived: false },
      };
      return this.version(id, MlResourceType.modelVersion, `models/${spec.name}`, version, body, blobs);
    });
    this.registrations.set(registrationKey("models", spec.name, version), resource);
    return resource.id;
  }

  /** The id a deployment references for this environment: the given one, or the version registered here. */
  environment(spec: EnvironmentSpec): string {
    if ("id" in spec) return spec.id;
    const version = spec.version ?? ("build" in spec ? defaultVersion(spec.build.files) : undefined)!;
    const signature = "build" in spec ? { ...spec, build: { ...spec.build, files: contentSignature(spec.build.files) } } : spec;
    const resource = this.once(`environment-${spec.name}-${version}`, signature, (id) => {
      const common: Pick<EnvironmentVersionProperties, "osType" | "inferenceConfig" | "description" | "isArchived"> = {
        osType: "Linux",
        inferenceConfig: spec.inferenceConfig && {
          livenessRoute: { ...spec.inferenceConfig.livenessRoute },
          readinessRoute: { ...spec.inferenceConfig.readinessRoute },
          scoringRoute: { ...spec.inferenceConfig.scoringRoute },
        },
        description: spec.description,
        isArchived: false,
      };
      if ("build" in spec) {
        const upload = this.upload(`environments/${spec.name}`, spec.build.files);
        const body: EnvironmentVersionBody = {
          properties: { build: { contextUri: upload.uri, dockerfilePath: spec.build.dockerfilePath ?? "Dockerfile" }, ...common },
        };
        return this.version(id, MlResourceType.environmentVersion, `environments/${spec.name}`, version, body, upload.blobs);
      }
      let condaFile: string | undefined;
      if (spec.condaFile !== undefined) {
        // Through an asset, so the file travels with the stack and Terraform reads it relative to the stack folder.
        const asset = new TerraformAsset(this, `${id}-conda`, { path: spec.condaFile, type: AssetType.FILE });
        condaFile = Fn.file(asset.path);
      }
      const body: EnvironmentVersionBody = { properties: { image: spec.image, condaFile, ...common } };
      return this.version(id, MlResourceType.environmentVersion, `environments/${spec.name}`, version, body);
    });
    this.registrations.set(registrationKey("environments", spec.name, version), resource);
    return resource.id;
  }

  /**
   * Registers a folder as a `uri_folder` data version; returns its ARM id
   * (`<workspace id>/data/<name>/versions/<version>`), the form az ml sends as a data collection's `dataId`.
   *
   * Nothing is uploaded: the folder may not exist yet (a data collector creates it when it first writes).
   */
  data(spec: DataSpec): string {
    return this.once(`data-${spec.name}-${spec.version}`, spec, (id) => {
      const body: DataVersionBody = {
        properties: {
          dataType: "uri_folder",
          dataUri: canonicalDatastoreUri(spec.path, this.props.workspace.workspaceId),
          description: spec.description,
          isArchived: false,
        },
      };
      return this.version(id, MlResourceType.dataVersion, `data/${spec.name}`, spec.version, body);
    }).id;
  }

  /**
   * The id of a model or environment version by name and version (`azureml:<name>:<version>`).
   *
   * When this construct registers that version itself (through {@link model} or {@link environment}, before or
   * after this call), the id is the registration's, so whatever uses it waits for the registration: a deployment
   * sent before the version exists would fail on a first deploy. Otherwise the version must already be in the
   * workspace, and the id is built from the workspace's ARM id, the form Azure returns for a deployment's model and
   * environment. Both are the same string once applied; which one is decided when the stack is synthesized.
   */
  registered(kind: "models" | "environments", name: string, version: string): string {
    const existing = `${this.props.workspace.workspaceId}/${kind}/${name}/versions/${version}`;
    const key = registrationKey(kind, name, version);
    return Lazy.stringValue({ produce: () => this.registrations.get(key)?.id ?? existing });
  }

  /**
   * Uploads a code folder as blobs and registers it as a code version; returns the code version id.
   *
   * Every file becomes one blob under `<name>/<version>/`, so a new version never overwrites the blobs an older
   * deployment still runs from.
   */
  code(spec: CodeSpec): string {
    const version = defaultVersion(spec);
    return this.once(`code-${spec.name}`, { path: spec.path, contentHash: spec.contentHash }, (id) => {
      const target = this.codeContainer();
      const container = target.container;
      const prefix = `${spec.name}/${version}`;
      const blobs = this.blobs(id, spec, target, prefix);
      const body: CodeVersionBody = {
        properties: { codeUri: `${this.props.workspace.primaryBlobEndpoint}${container.name}/${prefix}/`, isArchived: false },
      };
      return this.version(id, MlResourceType.codeVersion, `codes/${spec.name}`, version, body, blobs);
    }).id;
  }

  /**
   * Uploads a model or build context once per content, under `<kind>/<name>/<content hash>/`; returns its blobs
   * and the https URI of the uploaded file or folder.
   *
   * The path is named by the content, so a new version never overwrites what an older one points at, and two
   * versions of the same content share one upload. A folder keeps its own name below that path
   * (`.../<hash>/<folder>/`), as az ml uploads it, so Azure mounts a model at `AZUREML_MODEL_DIR/<folder>`.
   *
   * The URI is the https URL of the blob or folder, not an azureml:// datastore URI: these blobs live in a
   * container of the workspace storage that no datastore names, so no datastore URI can point at them. az ml sends
   * exactly this form where it has no datastore (azure-ai-ml: a model uploaded to a registry keeps the upload's
   * https `full_storage_path`; a build context's `contextUri` is that URL plus "/"), the schema says a build
   * context "supports blob URIs", and an https URI is sent as written, so there is no short form for Azure to
   * expand and hand back differently (as it does for `azureml://datastores/...`, see {@link canonicalDatastoreUri}).
   * A folder URI ends in "/", as az ml sends a build context.
   */
  private upload(prefixBase: string, files: LocalFiles): { readonly blobs: StorageBlob[]; readonly uri: string } {
    const prefix = `${prefixBase}/${files.contentHash}`;
    let upload = this.uploads.get(prefix);
    if (!upload) {
      const target = this.uploadContainer();
      const name = basename(files.path);
      const folder = files.isFile ? prefix : `${prefix}/${name}`;
      const id = `upload-${prefixBase.replace(/\//g, "-")}-${files.contentHash.slice(0, 12)}`;
      const base = `${this.props.workspace.primaryBlobEndpoint}${target.container.name}/`;
      upload = {
        blobs: this.blobs(id, files, target, folder),
        uri: files.isFile ? `${base}${prefix}/${name}` : `${base}${folder}/`,
      };
      this.uploads.set(prefix, upload);
    }
    return upload;
  }

  /** One blob per file under `prefix`, each after the uploaders' data role on the container and the datastores. */
  private blobs(id: string, files: LocalFiles, { container, ready }: UploadContainer, prefix: string): StorageBlob[] {
    const uploadReady = [ready.wait, ...this.props.workspace.dataPlaneReady];
    const asset = new TerraformAsset(this, `${id}-files`, {
      path: files.path,
      type: files.isFile ? AssetType.FILE : AssetType.DIRECTORY,
      // The content was hashed once when config was read; cdktf need not hash it again.
      assetHash: files.contentHash,
    });
    return files.files.map((file) => {
      const source = files.isFile ? asset.path : `${asset.path}/${file}`;
      return new StorageBlob(this, `${id}-file-${file.replace(/\//g, "--")}`, {
        name: `${prefix}/${file}`,
        storageAccountName: this.props.workspace.storageAccountName,
        storageContainerName: container.name,
        type: "Block",
        source,
        contentMd5: Fn.filemd5(source),
        dependsOn: uploadReady,
      });
    });
  }

  /** Creates the asset on first use; later uses must describe exactly the same asset. */
  private once(id: string, spec: object, create: (id: string) => AzapiResource): AzapiResource {
    const signature = JSON.stringify(spec);
    const existing = this.assets.get(id);
    if (existing) {
      if (existing.signature !== signature) {
        throw new PropsError("ModelAssets", id, "must be defined the same way wherever it is used: asset versions are immutable", spec);
      }
      return existing.resource;
    }
    const resource = create(id);
    this.assets.set(id, { resource, signature });
    return resource;
  }

  private version(id: string, type: string, parentPath: string, version: string, body: object, blobs: StorageBlob[] = []): AzapiResource {
    // Registering a version makes Azure ML resolve its datastore, which must already be in identity mode.
    const dependsOn: ITerraformDependable[] = [...this.props.workspace.dataPlaneReady, ...blobs];
    return new AzapiResource(this, id, {
      type,
      name: version,
      parentId: `${this.props.workspace.workspaceId}/${parentPath}`,
      body,
      dependsOn: dependsOn.length > 0 ? dependsOn : undefined,
      // The bodies carry Azure ML enums (modelType, osType) and URIs that the service may echo in another casing;
      // as on the endpoints and deployments, a re-cased echo must not read as a change on every plan.
      ignoreCasing: true,
      // A new version must exist before the old one goes, since deployments switch over in between.
      lifecycle: { createBeforeDestroy: true },
    });
  }

  private codeContainer(): UploadContainer {
    return this.blobContainer("code-container", this.props.codeContainerName ?? "code-snapshots");
  }

  private uploadContainer(): UploadContainer {
    return this.blobContainer("upload-container", this.props.uploadContainerName ?? "asset-uploads");
  }

  /**
   * A private blob container of the workspace storage, created on first use, with its uploaders' and readers' data
   * roles and the wait after them.
   *
   * The roles are scoped to the container: uploads write nothing else, and an identity that may write here may not
   * touch the datastores, data collection or state in the rest of the account.
   */
  private blobContainer(id: string, name: string): UploadContainer {
    let entry = this.containers.get(id);
    if (!entry) {
      // Created through the management plane (storage_account_id), so it needs no data role.
      const container = new StorageContainer(this, id, { name, storageAccountId: this.props.workspace.storageAccountId, containerAccessType: "private" });
      // Built from the container's name, so that each assignment waits for the container it is scoped to.
      const scope = `${this.props.workspace.storageAccountId}/blobServices/default/containers/${container.name}`;
      const access = new Construct(this, `${id}-access`);
      const grants = [
        ...this.props.uploaders.map((p, i) => grantRole(access, `write-${principalKey(p, i, "deployer")}`, "Storage Blob Data Contributor", scope, p)),
        ...(this.props.readers ?? []).map((p, i) => grantRole(access, `read-${principalKey(p, i, "reader")}`, "Storage Blob Data Reader", scope, p)),
      ];
      const ready = new RolePropagation(access, "propagation", { roleAssignments: grants, delaySeconds: this.props.rolePropagationDelaySeconds });
      entry = { container, ready };
      this.containers.set(id, entry);
    }
    return entry;
  }
}

/** An upload container and the wait after its data roles. */
interface UploadContainer {
  readonly container: StorageContainer;
  readonly ready: RolePropagation;
}

/**
 * A construct id part for a principal: its object id when written in config (stable when the list is reordered),
 * else `first` for the first (an id known only at apply: the identity running Terraform, the image builder) and
 * `first-<position>` for others.
 */
function principalKey(principal: Principal, index: number, first: string): string {
  if (!Token.isUnresolved(principal.principalId)) return principal.principalId.toLowerCase();
  return index === 0 ? first : `${first}-${index}`;
}

/**
 * What makes two uploads the same asset: their content and the folder or file name it is mounted under, not where
 * it lies on this machine.
 */
function contentSignature(files: LocalFiles): object {
  return { contentHash: files.contentHash, isFile: files.isFile ?? false, name: basename(files.path) };
}

/** Asset names are case-insensitive in Azure ML, as ARM resource names are; so are versions. */
function registrationKey(kind: "models" | "environments", name: string, version: string): string {
  return `${kind}/${name.toLowerCase()}/${version.toLowerCase()}`;
}

/** The version of uploaded content when none is given: the first 12 characters of its hash. */
function defaultVersion(files: LocalFiles): string {
  return files.contentHash.slice(0, 12);
}

/**
 * A datastore URI in the long form that Azure returns for a model or data version, built from the workspace's id.
 *
 * `az ml` expands `azureml://datastores/<ds>/paths/<p>` to
 * `azureml://subscriptions/<sub>/resourcegroups/<rg>/workspaces/<ws>/datastores/<ds>/paths/<p>` before it sends a
 * model (azure-ai-ml's `resolve_short_datastore_url`), and Azure hands the long form back; sending the short form
 * would read as a change on every plan. A data asset's path az ml sends as written, and Azure stores it resolved the
 * same way, so data versions are sent in the long form too. Other URIs (https://, wasbs://, abfss://, long azureml://
 * ones) are sent as they are.
 */
export function canonicalDatastoreUri(uri: string, workspaceId: string): string {
  const short = /^azureml:\/\/datastores\/([^/]+)\/paths\/(.*)$/.exec(uri);
  if (!short) return uri;
  // An ARM id splits into "", "subscriptions", <sub>, "resourceGroups", <rg>, "providers", <namespace>, "workspaces", <ws>.
  const part = (index: number) => Fn.element(Fn.split("/", workspaceId), index);
  return `azureml://subscriptions/${part(2)}/resourcegroups/${part(4)}/workspaces/${part(8)}/datastores/${short[1]}/paths/${short[2]}`;
}

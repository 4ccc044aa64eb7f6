/**
 * How az ml names and places the data assets of a deployment's data collector, so that a config here registers the
 * same assets `az ml online-deployment create` would.
 *
 * azure-ai-ml (`_online_deployment_operations.py`, `_register_collection_data_assets`) registers one data asset per
 * collection before it creates the deployment, and sends that asset's ARM id as the collection's `dataId`; the
 * collector then writes to the asset's folder. Whatever the collection's `data` leaves out defaults, field by field.
 * @see https://learn.microsoft.com/azure/machine-learning/how-to-collect-production-data
 */

/**
 * The collections that the serving side fills itself (payload logging of the HTTP request and response); Azure's
 * schema reserves these two names. Any other name is custom logging, which only an `azureml-ai-monitoring`
 * `Collector(name=...)` in a scoring script fills.
 */
export const PAYLOAD_COLLECTIONS: readonly string[] = ["request", "response"];

/** Whether a collection is payload logging (filled by the server) rather than custom logging (filled by score.py). */
export function isPayloadCollection(name: string): boolean {
  return PAYLOAD_COLLECTIONS.includes(name);
}

/** Where az ml points a collection's data asset by default: `<root>/<endpoint>/<deployment>/<collection>`. */
export const DEFAULT_COLLECTION_ROOT = "azureml://datastores/workspaceblobstore/paths/modelDataCollector";

/** A collection's data asset: a uri_folder that the collector writes to. */
export interface CollectionDataAsset {
  readonly name: string;
  readonly version: string;
  /** A datastore URI, `azureml://datastores/<datastore>/paths/<path>`. */
  readonly path: string;
}

/**
 * The data asset of one collection, as az ml derives it: name `<endpoint>-<deployment>-<collection>`, version "1",
 * path `azureml://datastores/workspaceblobstore/paths/modelDataCollector/<endpoint>/<deployment>/<collection>`,
 * each replaced by the collection's `data` when it gives one.
 */
export function collectionDataAsset(
  endpoint: string,
  deployment: string,
  collection: string,
  data: Partial<CollectionDataAsset> = {},
): CollectionDataAsset {
  return {
    name: data.name ?? `${endpoint}-${deployment}-${collection}`,
    version: data.version ?? "1",
    path: data.path ?? `${DEFAULT_COLLECTION_ROOT}/${endpoint}/${deployment}/${collection}`,
  };
}

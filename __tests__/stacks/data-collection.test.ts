import { join } from "node:path";
import { formatWarning } from "../../lib/config/errors";
import { loadEnvironments } from "../../lib/config/load";
import { validateSynthesizedAzapiBodies } from "../helpers/azapi-schema";
import { DependencyGraph } from "../helpers/dependency-graph";
import { perFile } from "../helpers/shared";
import { synthConfigFolder } from "../helpers/synth-folder";

/**
 * Issue 20's data collection, synthesized in full from a fixture: payload logging (request, response) and custom
 * logging (model_inputs and a name of the script's own) on a deployment with a scoring script, a collection's own
 * data asset and sampling rate, and a custom container without a scoring script. Asked of the bodies, of Terraform's
 * dependency graph and of the config warnings.
 */
const FIXTURE = join(__dirname, "..", "fixtures", "data-collection");
const environments = loadEnvironments({ configDir: FIXTURE });


// Synthesized at load only to name the test.each rows; each test reads its own synth through perFile, so that
// Stryker credits the tests that read it (docs/testing.md, "One trap").
const synthCollect = () => synthConfigFolder(FIXTURE).collect;
const atLoad = synthCollect();
const current = perFile(synthCollect, atLoad);
let json: any = atLoad;
let graph = new DependencyGraph(json);
beforeEach(() => {
  json = current();
  graph = new DependencyGraph(json);
});
const config = (address: string) => {
  const [type, name] = address.split(".");
  return json.resource[type][name];
};
const collector = (deployment: string) => config(graph.at(`deployment-${deployment}/deployment`)).body.properties.dataCollector;
const dataVersions = graph.ofType("azapi_resource").filter((a) => config(a).type === "Microsoft.MachineLearningServices/workspaces/data/versions@2025-12-01");
const workspaceId = `\${${graph.at("ml/workspace")}.id}`;
const part = (i: number) => `\${element(split("/", ${graph.at("ml/workspace")}.id), ${i})}`;
/** The long datastore URI Azure returns for azureml://datastores/workspaceblobstore/paths/<path>. */
const blobstore = (path: string) => `azureml://subscriptions/${part(2)}/resourcegroups/${part(4)}/workspaces/${part(8)}/datastores/workspaceblobstore/paths/${path}`;

test("every azapi body is valid against Azure's 2025-12-01 schema; azapi's own check is off only where a rate is fractional", () => {
  expect(validateSynthesizedAzapiBodies(json)).toEqual([]);
  expect(config(graph.at("deployment-blue/deployment")).schema_validation_enabled).toBe(false);
  expect(config(graph.at("deployment-tfserving/deployment")).schema_validation_enabled).toBeUndefined();
});

describe("one data asset per collection, as az ml's _register_collection_data_assets", () => {
  test("six collections, six uri_folder versions", () => {
    expect(dataVersions).toHaveLength(6);
    for (const a of dataVersions) expect(config(a).body.properties.dataType).toBe("uri_folder");
  });

  test.each([
    ["blue", "request"],
    ["blue", "response"],
    ["blue", "model_inputs"],
    ["tfserving", "response"],
    ["tfserving", "model_outputs"],
  ])("%s's %s: named <endpoint>-<deployment>-<collection>, version 1, at modelDataCollector/<endpoint>/<deployment>/<collection>", (deployment, collection) => {
    const name = `dc-online-q3-${deployment}-${collection}`;
    const asset = config(graph.at(`assets/data-${name}-1`));
    expect(asset).toMatchObject({ name: "1", parent_id: `${workspaceId}/data/${name}` });
    expect(asset.body.properties.dataUri).toBe(blobstore(`modelDataCollector/dc-online-q3/${deployment}/${collection}`));
  });

  test("a collection's data names its own asset, version (an unquoted number kept as its digits) and folder", () => {
    const asset = config(graph.at("assets/data-churn-features-4"));
    expect(asset).toMatchObject({ name: "4", parent_id: `${workspaceId}/data/churn-features` });
    expect(asset.body.properties.dataUri).toBe(blobstore("monitoring/churn/features"));
  });

  test.each([
    ["blue", "request", "assets/data-dc-online-q3-blue-request-1"],
    ["blue", "features", "assets/data-churn-features-4"],
    ["tfserving", "model_outputs", "assets/data-dc-online-q3-tfserving-model_outputs-1"],
  ])("%s's %s sends its asset's ARM id as dataId, so the deployment is created after the asset", (deployment, collection, path) => {
    const asset = graph.at(path);
    expect(collector(deployment).collections[collection].dataId).toBe(`\${${asset}.id}`);
    expect(graph.direct(graph.at(`deployment-${deployment}/deployment`))).toContain(asset);
  });

  test("every data asset waits for identity datastore mode, and every deployment for all of its own assets", () => {
    const datastoreAuth = graph.at("ml/datastore-access/wait");
    for (const a of dataVersions) expect([a, graph.waitsFor(a, datastoreAuth)]).toEqual([a, true]);
    for (const deployment of ["blue", "tfserving"]) {
      const own = dataVersions.filter((a) => String(config(a).parent_id).includes(`-${deployment}-`) || (deployment === "blue" && config(a).parent_id.endsWith("/churn-features")));
      expect(own).toHaveLength(deployment === "blue" ? 4 : 2);
      for (const a of own) expect(graph.waitsFor(graph.at(`deployment-${deployment}/deployment`), a)).toBe(true);
    }
  });
});

describe("the collector body", () => {
  const clientId = () => `\${${graph.at("endpoint/identity")}.client_id}`;

  test("payload and custom collections as named, each enabled or disabled, with the collector's rate unless it has its own", () => {
    const c = collector("blue");
    expect(Object.keys(c.collections).sort()).toEqual(["features", "model_inputs", "request", "response"]);
    expect(c.collections.request).toEqual({ dataCollectionMode: "Enabled", dataId: expect.any(String), samplingRate: 1, clientId: clientId() });
    expect(c.collections.response).toMatchObject({ dataCollectionMode: "Disabled", samplingRate: 0.5 });
    expect(c.collections.model_inputs).toMatchObject({ dataCollectionMode: "Enabled", samplingRate: 0.5 });
    expect(c.collections.features).toMatchObject({ dataCollectionMode: "Enabled", samplingRate: 0.5, clientId: clientId() });
  });

  test("rolling rate and captured headers", () => {
    expect(collector("blue").rollingRate).toBe("Minute");
    expect(collector("blue").requestLogging).toEqual({ captureHeaders: ["x-request-id", "x-ms-client-request-id"] });
    expect(collector("tfserving").rollingRate).toBe("Hour");
    expect(collector("tfserving").requestLogging).toBeUndefined();
  });
});

describe("the endpoint identity may write collected data to the default datastore's container only", () => {
  const role = graph.at("endpoint/default-container-write");
  const sleep = graph.at("endpoint/data-collection-ready/wait");

  test("Storage Blob Data Contributor, scope azureml-blobstore-<workspace guid> of the workspace storage", () => {
    const storage = graph.ofType("azurerm_storage_account")[0];
    expect(config(role)).toMatchObject({
      role_definition_name: "Storage Blob Data Contributor",
      principal_id: `\${${graph.at("endpoint/identity")}.principal_id}`,
      scope: `\${${storage}.id}/blobServices/default/containers/azureml-blobstore-\${${graph.at("ml/workspace")}.output.properties.workspaceId}`,
    });
  });

  test("no role of the endpoint identity writes to the whole storage account", () => {
    const principal = `\${${graph.at("endpoint/identity")}.principal_id}`;
    const writes = graph
      .ofType("azurerm_role_assignment")
      .map(config)
      .filter((r) => r.principal_id === principal && r.role_definition_name === "Storage Blob Data Contributor");
    expect(writes.map((r) => r.scope)).toEqual([config(role).scope]);
  });

  test("both deployments wait for the role's propagation", () => {
    expect(graph.direct(sleep)).toContain(role);
    for (const d of ["blue", "tfserving"]) expect(graph.direct(graph.at(`deployment-${d}/deployment`))).toContain(sleep);
  });
});

test("the custom container's custom-logging collection is warned about with its file and line; its payload logging and the scripted deployment are not", () => {
  const [env] = environments;
  expect(env.warnings.map(formatWarning)).toEqual([
    expect.stringMatching(
      /^warning collector-without-scoring-script: .*collect\.yaml:58: endpoint\.deployments\[1\]\.data_collector\.collections\.model_outputs: collects nothing here: custom logging is filled by Collector\(name="model_outputs"\) from azureml-ai-monitoring in a scoring script/,
    ),
  ]);
});

import { join } from "node:path";
import { validateSynthesizedAzapiBodies } from "../helpers/azapi-schema";
import { DependencyGraph } from "../helpers/dependency-graph";
import { perFile } from "../helpers/shared";
import { synthConfigFolder } from "../helpers/synth-folder";

/**
 * `azureml:<name>:<version>` references to versions that the same stack registers: on a first deploy the version
 * exists only once its registration is applied, so the deployment must wait for it, wherever the reference sits in
 * the file. Asked of Terraform's dependency graph of a full synth of the fixture.
 */
const FIXTURE = join(__dirname, "..", "fixtures", "asset-references");


// Synthesized at load only to name the test.each rows; each test reads its own synth through perFile, so that
// Stryker credits the tests that read it (docs/testing.md, "One trap").
const synthRefs = () => synthConfigFolder(FIXTURE).refs;
const atLoad = synthRefs();
const current = perFile(synthRefs, atLoad);
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
const workspace = `\${${graph.at("ml/workspace")}.id}`;
const fraud7 = graph.at("assets/model-fraud-7");
const fraudEnv2 = graph.at("assets/environment-fraud-env-2");
const fraudBuilt9 = graph.at("assets/environment-fraud-built-9");

test("the fixture registers fraud 7, fraud-env 2 and fraud-built 9 once each, and every body is valid", () => {
  const versions = graph.ofType("azapi_resource").filter((a) => /\/(models|environments)\/versions@/.test(config(a).type));
  expect(versions.sort()).toEqual([fraudBuilt9, fraudEnv2, fraud7].sort());
  expect(validateSynthesizedAzapiBodies(json)).toEqual([]);
});

describe("a reference to a version this stack registers is the registration's id, so the deployment waits for it", () => {
  test.each([
    ["deployment-blue/deployment", "before the online deployment that registers it"],
    ["batch-refs-batch-m3/deployment-nightly", "in a batch deployment, the name in another casing"],
  ])("%s (%s)", (path) => {
    const deployment = graph.at(path);
    const body = config(deployment).body.properties;
    expect([body.model, body.model?.assetId]).toContain(`\${${fraud7}.id}`);
    expect(body.environmentId).toBe(`\${${fraudEnv2}.id}`);
    expect(graph.waitsFor(deployment, fraud7)).toBe(true);
    expect(graph.waitsFor(deployment, fraudEnv2)).toBe(true);
  });

  test("an environment built from a Docker context, referenced after the deployment that registers it", () => {
    const monthly = graph.at("batch-refs-batch-m3/deployment-monthly");
    expect(config(monthly).body.properties.environmentId).toBe(`\${${fraudBuilt9}.id}`);
    expect(graph.waitsFor(monthly, fraudBuilt9)).toBe(true);
  });
});

test("a reference to a version registered elsewhere stays the id under the workspace, and waits for no registration", () => {
  const legacy = graph.at("deployment-legacy/deployment");
  const body = config(legacy).body.properties;
  expect(body.model).toBe(`${workspace}/models/fraud/versions/6`);
  expect(body.environmentId).toBe(`${workspace}/environments/fraud-env/versions/1`);
  expect(graph.waitsFor(legacy, fraud7)).toBe(false);
  expect(graph.waitsFor(legacy, fraudEnv2)).toBe(false);
});

test("the cluster's vm_size, written Standard_NC6s_v3, is sent upper-cased as Azure returns it", () => {
  expect(config(graph.at("compute/cluster")).vm_size).toBe("STANDARD_NC6S_V3");
});

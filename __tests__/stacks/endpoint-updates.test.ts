import { readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { Testing } from "cdktf";
import { loadEnvironments } from "../../lib/config/load";
import { ServingStack } from "../../lib/stacks/serving-stack";
import { DependencyGraph } from "../helpers/dependency-graph";

/**
 * azapi's update resource reads the endpoint before it takes the lock, then PUTs the merge back: two updates of one
 * endpoint in the same apply must never run side by side, or one writes back the other's old values. So the traffic
 * update waits for the settings update, in every stack with an online endpoint, across the fixture configs.
 */
const FIXTURES = join(__dirname, "..", "fixtures");
const FOLDERS = ["config", "apply-order", "private-network", "data-collection", "asset-references", "rollout-blocked/base", "rollout-blocked/head"];

function stacksWithEndpoint(): [string, DependencyGraph][] {
  const out: [string, DependencyGraph][] = [];
  for (const folder of FOLDERS) {
    const app = Testing.app({ enableFutureFlags: false });
    const environments = loadEnvironments({ configDir: join(FIXTURES, folder) });
    for (const environment of environments) new ServingStack(app, environment);
    app.synth();
    for (const environment of environments.filter((e) => e.config.endpoints.length > 0)) {
      const json = JSON.parse(readFileSync(join(app.outdir, "stacks", `serving-${environment.name}`, "cdk.tf.json"), "utf8"));
      out.push([`${folder}/${environment.name}`, new DependencyGraph(json)]);
    }
    rmSync(app.outdir, { recursive: true, force: true });
  }
  return out;
}

const STACKS = stacksWithEndpoint();

it("the fixtures hold stacks with an endpoint to check (public, private, several deployments)", () => {
  expect(STACKS.length).toBeGreaterThanOrEqual(6);
});

describe.each(STACKS)("%s", (_name, g) => {
  it("the traffic update waits for the endpoint's settings update", () => {
    expect(g.waitsFor(g.at("traffic/traffic"), g.at("endpoint/settings"))).toBe(true);
  });

  it("and not the other way round", () => {
    expect(g.waitsFor(g.at("endpoint/settings"), g.at("traffic/traffic"))).toBe(false);
  });
});

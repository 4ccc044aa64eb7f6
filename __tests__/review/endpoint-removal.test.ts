import { readFileSync } from "node:fs";
import { join } from "node:path";
import { App, Testing } from "cdktf";
import { loadEnvironments } from "../../lib/config/load";
import { renderRolloutWarnings } from "../../lib/review/markdown";
import { reviewRollout } from "../../lib/review/rollout";
import { parseSynthStack, type SynthStack } from "../../lib/review/synth";
import { ServingStack } from "../../lib/stacks/serving-stack";
import { baseConfig, configDir, deployment } from "../helpers/config-dir";

// Endpoints added and removed independently (issue 22): removing a whole endpoint with live traffic is a normal delete
// the review points out; a live deployment removed from a listed endpoint that stays is blocked, naming the endpoint.

function stacks(endpoints: object[]): Map<string, SynthStack> {
  const app: App = Testing.app({ enableFutureFlags: false });
  const [environment] = loadEnvironments({
    configDir: configDir({ "dev.yaml": baseConfig({ endpoints, waivers: [{ rule: "endpoint-public", reason: "t" }, { rule: "workspace-public", reason: "t" }] }) }),
  });
  new ServingStack(app, environment);
  app.synth();
  const file = join(app.outdir, "stacks", "serving-dev", "cdk.tf.json");
  return new Map([["serving-dev", parseSynthStack("serving-dev", JSON.parse(readFileSync(file, "utf8")), file)]]);
}

const churn = { name: "churn-a1", deployments: [deployment({ instance_count: 3, traffic: 80 }), deployment({ name: "green", instance_count: 3, traffic: 20 })] };
const fraud = { name: "fraud-b2", deployments: [deployment({ instance_count: 3 })] };

test("removing an endpoint with live traffic is a warning that names it and its traffic, not a block", () => {
  const review = reviewRollout(stacks([churn, fraud]), stacks([fraud]));
  expect(review.blocked).toEqual([]);
  expect(review.warnings).toEqual([
    expect.objectContaining({
      kind: "endpoint-removed",
      environment: "dev",
      field: "endpoints[name=churn-a1]",
      endpoint: "churn-a1",
      traffic: [
        { deployment: "blue", percent: 80 },
        { deployment: "green", percent: 20 },
      ],
    }),
  ]);
});

test("adding an endpoint says nothing", () => {
  expect(reviewRollout(stacks([fraud]), stacks([churn, fraud]))).toEqual({ blocked: [], warnings: [] });
});

test("a live deployment removed from a listed endpoint that stays is blocked, naming that endpoint", () => {
  const review = reviewRollout(stacks([churn, fraud]), stacks([{ ...churn, deployments: [deployment({ name: "green", instance_count: 3, traffic: 100 })] }, fraud]));
  expect(review.blocked).toEqual([
    expect.objectContaining({ kind: "live-deployment-removed", field: "endpoints[name=churn-a1].deployments[name=blue]", trafficPercent: 80 }),
  ]);
});

test("the review says the removal is a normal endpoint delete, with the traffic it took", () => {
  const review = reviewRollout(stacks([churn, fraud]), stacks([fraud]));
  const text = renderRolloutWarnings(review.warnings).join("\n");
  expect(text).toContain("**Online endpoint removed**: `churn-a1` goes with its deployments, which take `blue` 80%, `green` 20% of its live traffic in the base.");
  expect(text).toContain("A normal endpoint delete, which Azure accepts");
  expect(text).toContain("field `endpoints[name=churn-a1]`");
});

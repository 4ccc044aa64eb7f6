// Benchmark baseline only (see stack.ts). BENCH_ENVIRONMENTS and BENCH_DEPLOYMENTS set the size the bench measures.
import { App } from "cdktf";
import { ServingStack } from "./stack";

const environments = Number(process.env.BENCH_ENVIRONMENTS ?? "1");
const deployments = Number(process.env.BENCH_DEPLOYMENTS ?? "3");
const app = new App();
for (let i = 1; i <= environments; i++) {
  const env = `e${String(i).padStart(2, "0")}`;
  new ServingStack(app, `serving-${env}`, { env, deployments });
}
app.synth();

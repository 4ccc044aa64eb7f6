/** Plan review: Terraform plan JSON and cdktf synth output to Markdown for pull requests. */

export * from "./diff";
export * from "./markdown";
export * from "./force-new";
export * from "./plan";
export * from "./rollout";
export * from "./sensitive";
export * from "./stateful";
export * from "./synth";
export * from "./synth-diff";
export type { CliIO } from "./cli";
export { EXIT_USAGE, main, USAGE } from "./cli";

export * from "./capacity";
export * from "./findings";
export * from "./guardrail-aspect";
export * from "./guardrail-record";
export * from "./guardrails";
export * from "./rule-ids";
export * from "./rules";

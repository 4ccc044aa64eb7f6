export * from "./provider";
export * from "./resource";
export * from "./update-resource";
export * from "./resource-action";
export * from "./bodies";
export * from "./workspace-actions";
export * from "./workspace-bodies";

export * from "./provider";
export * from "./resource";
export * from "./update-resource";
export * from "./bodies";

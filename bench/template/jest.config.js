/** The cdktf TypeScript template's jest setup: ts-jest (type-checking transform), node environment. Baseline only. */
module.exports = {
  preset: "ts-jest",
  testEnvironment: "node",
  moduleFileExtensions: ["js", "ts", "tsx"],
  testMatch: ["**/*.test.ts"],
  setupFilesAfterEnv: ["<rootDir>/setup.js"],
};

/** Jest runs TypeScript through @swc/jest (no type check here; `tsc --noEmit` does that once in `npm test`). */
module.exports = {
  testEnvironment: "node",
  // Jest's default is one worker per core less one: a single worker, in band, on these 2-core machines and CI. The
  // suites are CPU-bound and the parent mostly waits, so two workers use both cores (measured: 35 s to 30 s cold).
  maxWorkers: 2,
  roots: ["<rootDir>/__tests__"],
  testMatch: ["**/*.test.ts"],
  transform: {
    "^.+\\.ts$": [
      "@swc/jest",
      {
        jsc: { parser: { syntax: "typescript" }, target: "es2022" },
        module: { type: "commonjs" },
      },
    ],
  },
  setupFilesAfterEnv: ["<rootDir>/__tests__/setup.ts"],
  moduleFileExtensions: ["ts", "js", "json"],
  testPathIgnorePatterns: ["/node_modules/", "/cdktf.out/", "/dist/"],
};

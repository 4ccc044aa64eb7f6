/** Jest runs TypeScript through @swc/jest (no type check here; `tsc --noEmit` does that once in `npm test`). */
module.exports = {
  // Node's environment, with a garbage collection after each file so that workers exit in time (see the file).
  testEnvironment: "<rootDir>/scripts/jest/environment.js",
  // One temp folder per run, removed at its end: every temp folder a test or cdktf's Testing makes goes there.
  globalSetup: "<rootDir>/scripts/jest/global-setup.js",
  globalTeardown: "<rootDir>/scripts/jest/global-teardown.js",
  // Jest's cache would otherwise live in the temp folder (os.tmpdir()/jest_*), outside any run's cleanup.
  cacheDirectory: "<rootDir>/node_modules/.cache/jest",
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

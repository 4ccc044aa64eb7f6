// Mutation testing: `npm run mutate` (not part of CI). What it measures and the last score: docs/testing.md.
/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  packageManager: "npm",
  testRunner: "jest",
  // Jest transforms TypeScript with @swc/jest as usual; the stryker config only leaves out the child-process tests.
  // No `findRelatedTests`: jest follows imports only inside its roots (__tests__, plus the mutated file's folder that
  // Stryker adds), so a test that reaches lib/constructs through lib/stacks (apply-order, serving-stack) was never
  // run against a construct mutant, and such mutants were reported as survivors. The covering-files sequencer
  // already limits each mutant's run to the files that hold its covering tests.
  jest: { projectType: "custom", configFile: "jest.stryker.config.js", enableFindRelatedTests: false },
  // lib/stacks maps config to props, lib/azapi writes every azapi block and lib/app cleans cdktf.out: wiring mistakes
  // there look right in fixtures that use default values, so they are measured too. main.ts only runs in a child
  // process (the app tests), where Stryker cannot switch mutants, so it stays out.
  mutate: [
    "lib/config/**/*.ts",
    "lib/constructs/**/*.ts",
    "lib/guardrails/**/*.ts",
    "lib/review/**/*.ts",
    "lib/stacks/**/*.ts",
    "lib/azapi/**/*.ts",
    "lib/app/**/*.ts",
    "!lib/**/index.ts",
  ],
  // Each mutant runs only the tests that cover it.
  coverageAnalysis: "perTest",
  // Mutants in module-level code (constant tables) would need the whole suite per mutant; they are reported as
  // ignored. The values in those tables are asserted by property tests (docs/testing.md).
  ignoreStatic: true,
  // The machine has two cores shared with other work.
  concurrency: 2,
  // A mutant that loops forever is cut off 3 s after the time its tests took unmutated (x1.5).
  timeoutMS: 3000,
  // Re-runs only mutants whose code or covering tests changed since the last run (reports/stryker-incremental.json).
  incremental: true,
  incrementalFile: "reports/stryker-incremental.json",
  // Stryker's tsconfig rewriting needs the TypeScript JS API, which TypeScript 7 (native) does not have, and our
  // tsconfig.json has no `extends` or `references` to rewrite: point it at a file that does not exist.
  tsconfigFile: "tsconfig.stryker-none.json",
  reporters: ["clear-text", "progress", "html", "json"],
  htmlReporter: { fileName: "reports/mutation/mutation.html" },
  jsonReporter: { fileName: "reports/mutation/mutation.json" },
  ignorePatterns: ["cdktf.out", "dist", "coverage", "reports", ".stryker-tmp"],
  tempDirName: ".stryker-tmp",
};

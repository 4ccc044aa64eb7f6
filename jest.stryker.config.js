/**
 * Jest as Stryker runs it (npm run mutate): the normal config minus the tests that spawn the app in a child
 * process (it runs the unmutated sandbox and reports no per-test coverage, so it would only cost time), minus the
 * offline terraform validate (it spawns terraform for every fixture stack, so it would run for every mutant of every
 * construct; it checks Terraform syntax, which other tests do not claim, not values) and minus the snapshots.
 */
const path = require("node:path");
const base = require("./jest.config.js");

module.exports = {
  ...base,
  // Snapshots are a review aid, not a guard: the score counts only mutants that an assertion catches.
  testPathIgnorePatterns: [
    ...base.testPathIgnorePatterns,
    // main.test.ts and synth.test.ts; synth-output.test.ts runs lib/app in process and stays.
    "<rootDir>/__tests__/app/(main|synth)\\.test\\.ts$",
    "<rootDir>/__tests__/snapshots/",
    "<rootDir>/__tests__/stacks/terraform-validate.test.ts",
  ],
  // Stops a mutant's tests at the first failure (scripts/mutation/bail-environment.js). Absolute: Stryker loads the
  // environment itself, without jest's <rootDir> substitution.
  testEnvironment: path.join(__dirname, "scripts", "mutation", "bail-environment.js"),
  // ...and does not load the test files after the one that killed the mutant (scripts/mutation/jest-circus-bail-runner.js).
  testRunner: path.join(__dirname, "scripts", "mutation", "jest-circus-bail-runner.js"),
  // Per mutant, only the files that hold a covering test (scripts/mutation/covering-files-sequencer.js).
  testSequencer: "<rootDir>/scripts/mutation/covering-files-sequencer.js",
};

/**
 * Jest as Stryker runs it (npm run mutate): the normal config minus the tests that spawn the app in a child
 * process. A child process runs the unmutated build of the sandbox and reports no per-test coverage, so those
 * tests would only cost time without killing a mutant.
 */
const base = require("./jest.config.js");

module.exports = {
  ...base,
  testPathIgnorePatterns: [...base.testPathIgnorePatterns, "<rootDir>/__tests__/app/"],
};

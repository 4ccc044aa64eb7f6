/**
 * Jest test runner for mutation testing (named so that Stryker accepts it as jest-circus for per-test coverage):
 * jest-circus, except that a test file is not even loaded once a test has
 * killed the active mutant (see bail-environment.js).
 *
 * Loading a test file (cdktf, the provider bindings, a stack synth) costs more than its tests; a killed mutant needs
 * none of the files after the one that killed it. A skipped file reports one skipped placeholder, which changes no
 * status.
 */
const circusModule = require("jest-circus/runner");
const circus = circusModule.default ?? circusModule;
const { createEmptyTestResult } = require("@jest/test-result");
const state = require("./mutant-state");

module.exports = async function bailRunner(globalConfig, config, environment, runtime, testPath, sendMessageToJest) {
  if (state.alreadyKilled()) {
    // Jest refuses a file result without tests, so it reports one skipped placeholder (Stryker ignores skipped tests).
    const title = "(not loaded: a test already killed the mutant)";
    const placeholder = {
      ancestorTitles: [],
      duration: 0,
      failureDetails: [],
      failureMessages: [],
      fullName: title,
      location: null,
      numPassingAsserts: 0,
      retryReasons: [],
      status: "pending",
      title,
    };
    return { ...createEmptyTestResult(), testFilePath: testPath, numPendingTests: 1, skipped: true, testResults: [placeholder] };
  }
  return circus(globalConfig, config, environment, runtime, testPath, sendMessageToJest);
};

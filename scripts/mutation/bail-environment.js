/**
 * Jest test environment for mutation testing: once a test has failed against a mutant, the rest of that mutant's
 * tests in the file are skipped (jest-circus-bail-runner.js skips the files after it).
 *
 * One failing test is enough to kill a mutant, but Stryker switches off jest's `bail` (it cannot be used through
 * jest's API), so every covering test of every killed mutant would still run, each re-synthesizing its stack.
 * Skipping changes no mutant's status, only how many of its tests ran: a mutant with no failing test (a survivor)
 * runs all of them. The state is keyed by the active mutant, which Stryker sets per run.
 */
const { TestEnvironment } = require("jest-environment-node");
const state = require("./mutant-state");

class BailOnFirstFailureEnvironment extends TestEnvironment {
  async handleTestEvent(event) {
    const mutant = state.activeMutant();
    if (mutant === undefined) return;
    // jest-circus decides whether to skip a test after the `test_start` event, so a mode set here is honoured.
    if (event.name === "test_start" && state.alreadyKilled()) event.test.mode = "skip";
    if (event.name === "test_done" && event.test.errors.length > 0) state.killedMutant = mutant;
  }
}

module.exports = BailOnFirstFailureEnvironment;

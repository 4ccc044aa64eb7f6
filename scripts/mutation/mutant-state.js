/**
 * State shared by bail-environment.js and jest-circus-bail-runner.js within one Stryker worker: the mutant that a test has
 * already killed. Node's module cache makes this one object for every test file the worker runs in band.
 */
module.exports = {
  /** The `__STRYKER_ACTIVE_MUTANT__` id for which a test failed, if any. */
  killedMutant: undefined,
};

/**
 * State shared by bail-environment.js and jest-circus-bail-runner.js within one Stryker worker: the mutant that a
 * test has already killed. Node's module cache makes this one object for every test file the worker runs in band.
 */
module.exports = {
  /** The `__STRYKER_ACTIVE_MUTANT__` id for which a test failed, if any. */
  killedMutant: undefined,
  /** The mutant Stryker has switched on for this run (it sets the variable per mutant run); undefined otherwise. */
  activeMutant: () => process.env["__STRYKER_ACTIVE_MUTANT__"],
  /** Whether a test has already killed the active mutant, so the rest of its tests need not run. */
  alreadyKilled() {
    const mutant = this.activeMutant();
    return mutant !== undefined && this.killedMutant === mutant;
  },
};

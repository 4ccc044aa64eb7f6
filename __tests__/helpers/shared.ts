/**
 * Computes a fixture once per test file, so that tests which only read it share one synth or one render.
 *
 * In Stryker's coverage run every call computes it again: Stryker credits a mutant to the tests that run the mutated
 * code, and a cached value would credit only the first test that asked for it (or, computed in `beforeAll` or at
 * load, none), so the other tests' assertions would never be tried against the mutant. In a mutant's own run the
 * value is cached again: each run loads the test file afresh with one mutant active, so the first test computes it
 * with that mutant, and re-computing it for every test would only cost time (a stack synth per test). Call it from a
 * test or a `beforeEach`, never at the top of a file or `describe`.
 * @see docs/testing.md
 */
export function perFile<T>(make: () => T, madeAtLoad?: T): () => T {
  // A file that needs the value at load too (to name its test.each rows) passes it, so plain runs compute it once.
  let made: { readonly value: T } | undefined = madeAtLoad === undefined ? undefined : { value: madeAtLoad };
  return () => {
    if (underCoverageAnalysis()) return make();
    made ??= { value: make() };
    return made.value;
  };
}

/**
 * Stryker's coverage run: its instrumented code defines a global context, and no mutant is active. In a mutant run
 * Stryker sets the active mutant in the environment; plain jest has neither.
 */
function underCoverageAnalysis(): boolean {
  return "__stryker__" in globalThis && process.env["__STRYKER_ACTIVE_MUTANT__"] === undefined;
}

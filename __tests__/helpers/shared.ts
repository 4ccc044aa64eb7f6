/**
 * Computes a fixture once per test file, so that tests which only read it share one synth or one render.
 *
 * Under mutation testing every call computes it again: Stryker credits a mutant to the tests that run the mutated
 * code, and a cached value would credit only the first test that asked for it (or, computed in `beforeAll` or at
 * load, none), so the other tests' assertions would never be tried against the mutant. Call it from a test or a
 * `beforeEach`, never at the top of a file or `describe`.
 * @see docs/testing.md
 */
export function perFile<T>(make: () => T, madeAtLoad?: T): () => T {
  // A file that needs the value at load too (to name its test.each rows) passes it, so plain runs compute it once.
  let made: { readonly value: T } | undefined = madeAtLoad === undefined ? undefined : { value: madeAtLoad };
  return () => {
    if (underMutationTesting()) return make();
    made ??= { value: make() };
    return made.value;
  };
}

/** Stryker's test environment defines its instrumenter context as a global; plain jest does not. */
function underMutationTesting(): boolean {
  return "__stryker__" in globalThis;
}

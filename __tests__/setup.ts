// Brings the global type declarations of the cdktf matchers into the type check.
import type {} from "cdktf/lib/testing/adapters/jest";

/** The matchers cdktf's `Testing.setupJest()` registers. */
const CDKTF_MATCHERS = [
  "toHaveResource",
  "toHaveResourceWithProperties",
  "toHaveDataSource",
  "toHaveDataSourceWithProperties",
  "toHaveProvider",
  "toHaveProviderWithProperties",
  "toBeValidTerraform",
  "toPlanSuccessfully",
] as const;

type Matcher = (this: unknown, ...args: unknown[]) => unknown;
let cdktfMatchers: Record<string, Matcher> | undefined;

/**
 * cdktf's own matchers, loaded on first use: loading cdktf costs ~0.5 s per test file, which the tests that never
 * synthesize (config, review) should not pay, and mutation testing pays once per mutant and file.
 */
function loadCdktfMatchers(): Record<string, Matcher> {
  if (!cdktfMatchers) {
    const jestExpect = (globalThis as any).expect;
    (globalThis as any).expect = { extend: (matchers: Record<string, Matcher>) => (cdktfMatchers = matchers) };
    try {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      require("cdktf").Testing.setupJest();
    } finally {
      (globalThis as any).expect = jestExpect;
    }
  }
  return cdktfMatchers!;
}

expect.extend(
  Object.fromEntries(
    CDKTF_MATCHERS.map((name) => [
      name,
      function (this: unknown, ...args: unknown[]) {
        return loadCdktfMatchers()[name].apply(this, args);
      },
    ]),
  ) as any,
);

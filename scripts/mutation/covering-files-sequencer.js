/**
 * Jest test sequencer for mutation testing: runs only the test files that hold a test Stryker asked for.
 *
 * For each mutant Stryker runs jest with `testNamePattern` set to the full names of the tests that cover it. Jest
 * still loads every candidate test file to find those names, and loading one (cdktf, the provider bindings, the
 * fixtures) costs far more than the tests themselves. `scripts/mutation/run.js` writes which file holds which test
 * names (STRYKER_TEST_NAMES); files without a matching name are left out, which changes no result: jest would run
 * none of their tests. Without the map, or without a pattern (the dry run), every file runs. The files are ordered
 * for an early kill: the one that failed last time, then the quickest.
 */
const fs = require("node:fs");
const path = require("node:path");
const DefaultSequencer = require("@jest/test-sequencer").default;

class CoveringFilesSequencer extends DefaultSequencer {
  constructor(options) {
    super(options);
    const pattern = options.globalConfig.testNamePattern;
    const mapFile = process.env.STRYKER_TEST_NAMES;
    this.namesByFile = pattern && mapFile && fs.existsSync(mapFile) ? JSON.parse(fs.readFileSync(mapFile, "utf8")) : undefined;
    this.pattern = pattern ? new RegExp(pattern, "i") : undefined;
  }

  sort(tests) {
    const sorted = super.sort(tests);
    if (!this.namesByFile || !this.pattern) return sorted;
    const wanted = sorted.filter((test) => {
      const names = this.namesByFile[path.relative(test.context.config.rootDir, test.path)];
      // A file the map does not know (added since) always runs.
      return names === undefined || names.some((name) => this.pattern.test(name));
    });
    if (wanted.length === 0) return sorted;
    // One failure kills the mutant and the files after it are skipped (jest-circus-bail-runner.js): run the file that failed
    // last time first (it likely killed the previous mutant, in the same code), then the quickest files.
    const failed = (test) => (this.hasFailed(test) ? 0 : 1);
    const duration = (test) => test.duration ?? Number.MAX_SAFE_INTEGER;
    return [...wanted].sort((a, b) => failed(a) - failed(b) || duration(a) - duration(b));
  }
}

module.exports = CoveringFilesSequencer;

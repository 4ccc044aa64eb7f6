/**
 * Jest test sequencer for mutation testing: runs only the test files that hold a test Stryker asked for.
 *
 * For each mutant Stryker runs jest with `testNamePattern` set to the full names of the tests that cover it. Jest
 * still loads every candidate test file to find those names, and loading one (cdktf, the provider bindings, the
 * fixtures) costs far more than the tests themselves. `scripts/mutation/run.js` writes which file holds which test
 * names (STRYKER_TEST_NAMES); files without a matching name are left out, which changes no result: jest would run
 * none of their tests. Without the map, or without a pattern (the dry run), every file runs.
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
    return wanted.length > 0 ? wanted : sorted;
  }
}

module.exports = CoveringFilesSequencer;

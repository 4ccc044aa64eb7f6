/**
 * Jest's node environment, plus a garbage collection in the worker after each test file.
 *
 * Why: every test file loads its own copy of cdktf, the provider bindings and its fixtures, and once the file is
 * done all of that is garbage that V8 has no reason to collect yet. A worker ended with several hundred MB of such
 * a heap, and Node's teardown of a heap that size took 0.4 to 1.2 s on these shared two-core machines; jest-worker
 * waits 500 ms for a worker to leave before it kills it, so most runs ended with "A worker process has failed to exit
 * gracefully". No handle was left open (the worker reached its `exit` event within a millisecond of jest's request);
 * the heap was simply large. Collected after each file, the worker ends with a small heap and exits in time. The
 * collection costs a few tens of ms per file, which the next file's allocations would mostly have paid anyway.
 */
const v8 = require("node:v8");
const vm = require("node:vm");
const { TestEnvironment } = require("jest-environment-node");

let collect;
/** V8's full collection, without starting node with --expose-gc. */
function collector() {
  if (collect === undefined) {
    v8.setFlagsFromString("--expose-gc");
    collect = vm.runInNewContext("gc");
  }
  return collect;
}

class CollectingEnvironment extends TestEnvironment {
  async teardown() {
    await super.teardown();
    // After the runner has dropped this file's module registry and context.
    setImmediate(collector());
  }
}

module.exports = CollectingEnvironment;

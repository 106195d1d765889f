'use strict';
/**
 * A bench child that runs core's engine itself (the "pipeline alone" cases) sets up its heap as
 * `pipe run` does (packages/cli/src/heap-tuning.ts), first thing, before start-up grows it: the
 * pipeline is then measured under the settings it runs with for an operator, not Node's defaults
 * (with which a download's many short-lived Buffers cost dozens of full GCs: about 0.7 CPU
 * seconds more on a 600 MB report).
 */
const { join } = require('node:path');

function heapLikePipeRun() {
  require(join(__dirname, '..', 'packages/cli/dist/heap-tuning')).tuneHeap('run');
}

module.exports = { heapLikePipeRun };

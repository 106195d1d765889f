#!/usr/bin/env node
// What the CLI needs beside `tsc -b`'s output; run by the root build, test, bench, demo and pack
// scripts: the oclif manifest (src/command-manifest.ts: what `oclif manifest` does, without its
// update check over the network, failing when a command module does not load) and the validators
// precompiled for the schemas it ships (src/build-precompiled-verdicts.ts).
const { join } = require('node:path');
const { writeManifest } = require('../dist/command-manifest');
const { writePrecompiledVerdicts } = require('../dist/build-precompiled-verdicts');

(async () => {
  await writePrecompiledVerdicts();
  // Last: the CLI rewrites a manifest older than any file in dist/ when it starts.
  await writeManifest(join(__dirname, '..'), { strict: true });
})().catch((error) => {
  process.stderr.write(`could not build the CLI: ${error && error.message ? error.message : error}\n`);
  process.exit(1);
});

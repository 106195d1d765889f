#!/usr/bin/env node
// Writes packages/cli/oclif.manifest.json from the compiled commands; run after `tsc -b` by the
// root build, test and bench scripts. What `oclif manifest` does, without its update check over
// the network, and failing when a command module does not load. See src/command-manifest.ts.
const { join } = require('node:path');
const { writeManifest } = require('../dist/command-manifest');

writeManifest(join(__dirname, '..'), { strict: true }).catch((error) => {
  process.stderr.write(`could not write the oclif manifest: ${error && error.message ? error.message : error}\n`);
  process.exit(1);
});

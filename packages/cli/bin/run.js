#!/usr/bin/env node
// The `pipe` binary. Exits once stdout is flushed, with the exit code the command set, so a
// lingering keep-alive socket can never hold a finished cron job open.
require('../dist/heap-tuning').tuneHeap(process.argv[2]); // first, before start-up grows the heap; see the file
require('../dist/closed-output').outliveClosedOutput(); // before anything writes; see the file

// oclif checks Node against its own `engines` with semver (47 modules) on every start; npm checks
// pipe's own `engines` at install, so skip that (an OCLIF_DISABLE_ENGINE_WARNING the user set wins).
process.env.OCLIF_DISABLE_ENGINE_WARNING ??= '1';

const { join } = require('node:path');
const { execute } = require('@oclif/core');
const { refreshManifest } = require('../dist/command-manifest');

refreshManifest(join(__dirname, '..'))
  .then(() => execute({ dir: __dirname }))
  .catch((error) => {
    process.stderr.write(`${error && error.message ? error.message : error}\n`);
    if (process.exitCode === undefined || process.exitCode === 0) process.exitCode = 1;
  })
  .finally(() => process.stdout.write('', () => process.exit(process.exitCode ?? 0)));

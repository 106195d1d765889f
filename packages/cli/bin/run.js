#!/usr/bin/env node
// The `pipe` binary. Exits once stdout is flushed, with the exit code the command set, so a
// lingering keep-alive socket can never hold a finished cron job open.
require('../dist/heap-tuning').tuneHeap(); // first, before start-up grows the heap; see the file

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

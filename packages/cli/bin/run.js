#!/usr/bin/env node
// The `pipe` binary. Exits once stdout is flushed, with the exit code the command set, so a
// lingering keep-alive socket can never hold a finished cron job open.
require('../dist/heap-tuning').tuneHeap(); // first, before start-up grows the heap; see the file

const { execute } = require('@oclif/core');

execute({ dir: __dirname })
  .catch((error) => {
    process.stderr.write(`${error && error.message ? error.message : error}\n`);
    if (process.exitCode === undefined || process.exitCode === 0) process.exitCode = 1;
  })
  .finally(() => process.stdout.write('', () => process.exit(process.exitCode ?? 0)));

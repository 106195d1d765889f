'use strict';
// Preloaded (`node -r`) into a command the benchmark runs: writes the process's peak RSS in bytes
// to $PIPE_BENCH_MAX_RSS_FILE when it exits.
const { writeFileSync } = require('node:fs');

process.on('exit', () => {
  writeFileSync(process.env.PIPE_BENCH_MAX_RSS_FILE, String(process.resourceUsage().maxRSS * 1024));
});

'use strict';
// Preloaded (`node -r`) into a command the benchmark runs: writes the process's peak RSS (bytes)
// and CPU time (ms, user + system) as JSON to $PIPE_BENCH_USAGE_FILE when it exits.
const { writeFileSync } = require('node:fs');

process.on('exit', () => {
  const usage = process.resourceUsage();
  writeFileSync(
    process.env.PIPE_BENCH_USAGE_FILE,
    JSON.stringify({ maxRssBytes: usage.maxRSS * 1024, cpuMs: (usage.userCPUTime + usage.systemCPUTime) / 1000 }),
  );
});

// Runs one benchmark case in a fresh Node process, so its peak RSS is its own.
const { execFileSync } = require('node:child_process');

function runCase(script, args = [], options = {}) {
  const out = execFileSync(process.execPath, [script, ...args], { encoding: 'utf8', maxBuffer: 1 << 20, ...options });
  return JSON.parse(out.trim().split('\n').pop());
}

function mbps(result) {
  return result.bytes / 1e6 / result.seconds;
}

module.exports = { runCase, mbps };

'use strict';
/**
 * How long `pipe` takes to start, as a ratio to a bare `node -e 1` measured in the same run: the
 * machine's load moves both alike, so the ratio is what to compare across runs and machines.
 * Each command runs 5 times, alternating with the baseline, and the medians are compared.
 * Aims: `pipe --version` at most 3x, `pipe validate examples/files.yml` at most 4x.
 *
 *   node bench/startup.js [--runs 5]
 *
 * Needs the build (`tsc -b`). Also `module.exports.run({ print })` for bench/run.js.
 */
const { spawnSync } = require('node:child_process');
const path = require('node:path');

const ROOT = path.resolve(__dirname, '..');
const PIPE_BIN = path.join(ROOT, 'packages/cli/bin/run.js');

const CASES = [
  { name: 'pipe --version', args: [PIPE_BIN, '--version'], aim: 3 },
  { name: 'pipe help', args: [PIPE_BIN, 'help'] },
  { name: 'pipe validate examples/files.yml', args: [PIPE_BIN, 'validate', 'examples/files.yml'], aim: 4 },
];
const BASELINE = { name: 'node -e 1', args: ['-e', '1'] };

/** Wall milliseconds of one run of `node args`, which must succeed. */
function timeOnce(args) {
  const started = process.hrtime.bigint();
  const result = spawnSync(process.execPath, args, { cwd: ROOT, stdio: ['ignore', 'ignore', 'pipe'] });
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  if (result.status !== 0) throw new Error(`node ${args.join(' ')} exited ${result.status}: ${result.stderr}`);
  return ms;
}

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

async function run({ runs = 5, print = console.log } = {}) {
  // One untimed start of each first: the manifest check writes oclif.manifest.json if the build did not, and disk caches fill.
  for (const c of [BASELINE, ...CASES]) timeOnce(c.args);
  const times = new Map([BASELINE, ...CASES].map((c) => [c.name, []]));
  for (let i = 0; i < runs; i++) for (const c of [BASELINE, ...CASES]) times.get(c.name).push(timeOnce(c.args));
  const base = median(times.get(BASELINE.name));
  const header = ['start-up', 'median ms', `vs ${BASELINE.name}`, 'aim'];
  const rows = [
    [BASELINE.name, base.toFixed(0), '1.0x', '-'],
    ...CASES.map((c) => {
      const ms = median(times.get(c.name));
      const ratio = ms / base;
      return [c.name, ms.toFixed(0), `${ratio.toFixed(1)}x`, c.aim ? `${c.aim}x${ratio > c.aim ? ' (missed)' : ''}` : '-'];
    }),
  ];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  print(`# start-up: medians of ${runs} runs each, alternating with the baseline, node ${process.version}`);
  for (const r of [header, ...rows])
    print(
      r
        .map((cell, i) => cell.padEnd(widths[i]))
        .join('  ')
        .trimEnd(),
    );
}

module.exports = { run };

if (require.main === module) {
  const at = process.argv.indexOf('--runs');
  run({ runs: at > 0 ? Number(process.argv[at + 1]) : 5 }).catch((error) => {
    console.error(error);
    process.exit(1);
  });
}

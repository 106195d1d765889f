#!/usr/bin/env node
/**
 * `pnpm test` after `tsc -b`: the suite, with coverage of everything it runs, per package, against
 * the floors in scripts/coverage-floors.json.
 *
 * - Code the tests load (ts-jest, from src/*.ts): jest's V8 provider, coverage/jest/.
 * - Code in processes the tests start (the real `pipe` binary, on dist/*.js): NODE_V8_COVERAGE,
 *   set for them by scripts/jest-child-coverage.js; c8 maps it back to src/*.ts through the
 *   source maps tsc writes beside dist, coverage/children/.
 * Both are merged by source location (a line run by either counts), printed per package, and each
 * package's lines and branches are checked against its floor. Emulators are test doubles: their
 * coverage is shown, without a floor. Test helpers live under test/ and are not counted.
 *
 * Arguments go to jest (`node scripts/test-with-coverage.js packages/core`); the floors are only
 * checked on a whole run, since part of the suite covers part of the code.
 */
'use strict';
const { spawnSync } = require('node:child_process');
const { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } = require('node:fs');
const { join, relative, sep } = require('node:path');
const { createCoverageMap } = require('istanbul-lib-coverage');

const root = join(__dirname, '..');
const out = join(root, 'coverage');
const childrenRaw = join(out, 'children-v8');
const floors = JSON.parse(readFileSync(join(__dirname, 'coverage-floors.json'), 'utf8'));
const jestArgs = process.argv.slice(2);

function run(args, env) {
  const result = spawnSync(process.execPath, args, { cwd: root, stdio: 'inherit', env: { ...process.env, ...env } });
  if (result.error) throw result.error;
  return result.status ?? 1;
}

/** The package ("core", "emulator-sfdc") of a file under packages/NAME/src; undefined for anything else. */
function groupOf(file) {
  const parts = relative(root, file).split(sep);
  return parts[0] === 'packages' && parts[2] === 'src' ? parts[1] : undefined;
}

function percent(covered, total) {
  return total === 0 ? 100 : (100 * covered) / total;
}

rmSync(out, { recursive: true, force: true });
mkdirSync(childrenRaw, { recursive: true });

const jestStatus = run(
  // The arguments first: jest's array options (coverageReporters) would swallow paths after them.
  [
    require.resolve('jest/bin/jest'),
    ...jestArgs,
    '--coverage',
    '--coverageProvider=v8',
    `--coverageDirectory=${join(out, 'jest')}`,
    '--coverageReporters=json',
  ],
  { PIPE_CHILD_COVERAGE_DIR: childrenRaw },
);

// Each child wrote coverage of every script it ran, node_modules included (megabytes a process):
// keep only pipe's built code before c8 merges them.
const ours = (url) => url.includes('/packages/') && url.includes('/dist/') && !url.includes('/node_modules/');
for (const name of readdirSync(childrenRaw)) {
  const file = join(childrenRaw, name);
  let raw;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch {
    rmSync(file); // a process killed while writing it: its coverage is lost, the rest still counts
    continue;
  }
  const cache = raw['source-map-cache'] ?? {};
  writeFileSync(
    file,
    JSON.stringify({
      result: raw.result.filter((script) => ours(script.url)),
      'source-map-cache': Object.fromEntries(Object.entries(cache).filter(([url]) => ours(url))),
    }),
  );
}

const c8Status = run([
  require.resolve('c8/bin/c8.js'),
  'report',
  `--temp-directory=${childrenRaw}`,
  `--reports-dir=${join(out, 'children')}`,
  '--reporter=json',
  '--include=packages/*/dist/**/*.js',
]);
if (c8Status !== 0) {
  console.error('coverage: c8 could not read the coverage of the child processes');
  process.exit(c8Status);
}

const map = createCoverageMap({});
for (const part of ['jest', 'children']) {
  const file = join(out, part, 'coverage-final.json');
  if (existsSync(file)) map.merge(JSON.parse(readFileSync(file, 'utf8')));
}
writeFileSync(join(out, 'coverage-final.json'), JSON.stringify(map.toJSON()));

const totals = new Map();
for (const file of map.files()) {
  const group = groupOf(file);
  if (group === undefined) continue;
  const summary = map.fileCoverageFor(file).toSummary();
  const sum = totals.get(group) ?? { lines: [0, 0], branches: [0, 0], functions: [0, 0] };
  for (const key of ['lines', 'branches', 'functions']) {
    sum[key][0] += summary[key].covered;
    sum[key][1] += summary[key].total;
  }
  totals.set(group, sum);
}

const wholeRun = jestArgs.every((arg) => arg.startsWith('-'));
const rows = [['package', 'lines %', 'branches %', 'functions %', 'floor (lines/branches)', '']];
const failures = [];
for (const [group, sum] of [...totals].sort(([a], [b]) => a.localeCompare(b))) {
  const [lines, branches, functions] = ['lines', 'branches', 'functions'].map((key) => percent(...sum[key]));
  const floor = floors[group];
  let verdict = '';
  if (floor && wholeRun) {
    const below = [
      lines < floor.lines && `lines ${lines.toFixed(1)} < ${floor.lines}`,
      branches < floor.branches && `branches ${branches.toFixed(1)} < ${floor.branches}`,
    ].filter(Boolean);
    verdict = below.length ? `BELOW FLOOR: ${below.join(', ')}` : 'ok';
    if (below.length) failures.push(`${group}: ${below.join(', ')}`);
  }
  rows.push([group, lines.toFixed(1), branches.toFixed(1), functions.toFixed(1), floor ? `${floor.lines}/${floor.branches}` : '-', verdict]);
}
const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
console.log('\nCoverage of src/ (tests in this process and the `pipe` processes they start):');
for (const row of rows)
  console.log(
    row
      .map((cell, i) => cell.padEnd(widths[i]))
      .join('  ')
      .trimEnd(),
  );
console.log(`Details: ${relative(root, join(out, 'coverage-final.json'))} (istanbul JSON)`);
if (!wholeRun) console.log('Floors not checked: only part of the suite ran.');

if (failures.length) {
  console.error(`\nCoverage fell below the floor (scripts/coverage-floors.json): ${failures.join('; ')}. Add tests for the uncovered code.`);
}
process.exit(jestStatus !== 0 ? jestStatus : failures.length ? 1 : 0);

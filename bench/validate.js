'use strict';
/**
 * `pipe validate FILE` on generated pipeline files of growing size: wall time and peak RSS of the
 * real binary, and the cost of each pipeline beyond a one-pipeline file (the command's own start).
 * Most pipelines are file -> chunk-lines -> dir; every tenth, the first included, writes to an
 * anaplan sink, so a service plugin's schema (auth unions, sizes, secrets) is validated too.
 *
 *   node bench/validate.js [--counts 100,1000,5000] [--pipe path/to/packages/cli/bin/run.js]
 *
 * `--pipe` measures another checkout's build (e.g. a `git worktree` of an older commit) with the
 * same files. Needs the build (`tsc -b`). Also `module.exports.run({ print })` for bench/run.js.
 */
const { spawn } = require('node:child_process');
const { promises: fs } = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const ROOT = path.resolve(__dirname, '..');
const PIPE_BIN = path.join(ROOT, 'packages/cli/bin/run.js');
/** A case that has not finished by then is reported as such rather than waited for. */
const TIMEOUT_MS = 300_000;

function pipelineYaml(index) {
  const name = `p${String(index).padStart(5, '0')}`;
  const lines = [
    `  ${name}:`,
    `    description: split export ${index} into record-aligned chunks`,
    `    source: { use: file, with: { path: ./data/export-${index}.csv } }`,
    '    transforms:',
    '      - use: chunk-lines',
    '        with: { chunkSize: 1MB, header: repeat }',
  ];
  if (index % 10 === 0) {
    lines.push(
      '    sink:',
      '      use: anaplan',
      '      with:',
      '        workspace: 8a868cd9837162ef0183cd4d7ba842c0',
      '        model: 295D98F37F1B4682BE7A29035CBFB924',
      `        file: ${113000000000 + index}`,
      '        import: 112000000000',
      '        auth: { type: basic, username: "${ANAPLAN_USER:-ops@acme.com}", password: "${ANAPLAN_PASSWORD:-demo}" }',
      '        concurrency: 8',
      '        compress: gzip',
      '        apiUrl: "${ANAPLAN_API_URL:-https://api.anaplan.com/2/0}"',
    );
  } else {
    lines.push('    sink:', '      use: dir', `      with: { path: ./out/${name}, name: "part-{index}.csv" }`);
  }
  return lines.join('\n');
}

function pipelineFile(count) {
  const pipelines = Array.from({ length: count }, (_, i) => pipelineYaml(i));
  return ['version: 1', 'concurrency: 4', 'pipelines:', ...pipelines, ''].join('\n');
}

/** One `pipe validate` in a fresh process; its peak RSS comes from a preload that reports it at exit. */
function validateOnce(pipeBin, file, dir) {
  const report = path.join(dir, `usage-${path.basename(file)}.json`);
  return new Promise((resolve, reject) => {
    const started = process.hrtime.bigint();
    const proc = spawn(process.execPath, ['-r', path.join(__dirname, 'report-usage.js'), pipeBin, 'validate', file], {
      cwd: dir,
      env: { ...process.env, PIPE_BENCH_USAGE_FILE: report, PIPE_HOME: path.join(dir, '.pipe-home') },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    proc.stderr.on('data', (d) => (stderr += d));
    const timer = setTimeout(() => proc.kill('SIGKILL'), TIMEOUT_MS);
    proc.on('error', reject);
    proc.on('close', async (code, signal) => {
      clearTimeout(timer);
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      if (code !== 0) {
        const why =
          signal === 'SIGKILL' ? `did not finish in ${TIMEOUT_MS / 1000} s` : `exited ${code ?? signal}: ${stderr.trim().split('\n').slice(-3).join(' | ')}`;
        resolve({ seconds, failed: why });
        return;
      }
      resolve({ seconds, peakRssMb: JSON.parse(await fs.readFile(report, 'utf8')).maxRssBytes / 1e6 });
    });
  });
}

function table(rows) {
  const head = ['pipelines', 'file KB', 'wall s', 'peak RSS MB', 'ms per pipeline', 'KB RSS per pipeline'];
  const lines = rows.map((r) =>
    r.failed
      ? [String(r.count), r.kb.toFixed(1), r.seconds.toFixed(2), '-', '-', `- (${r.failed})`]
      : [String(r.count), r.kb.toFixed(1), r.seconds.toFixed(2), r.peakRssMb.toFixed(0), r.msPerPipeline, r.kbPerPipeline],
  );
  const widths = head.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i].length)));
  const fmt = (cells) => cells.map((c, i) => c.padStart(widths[i])).join('  ');
  return [fmt(head), fmt(widths.map((w) => '-'.repeat(w))), ...lines.map(fmt)].join('\n');
}

async function run({ print = console.log, counts = [100, 1000, 5000], pipeBin = PIPE_BIN } = {}) {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'pipe-bench-validate-'));
  try {
    print(`# pipe validate: file -> chunk-lines -> dir pipelines, every tenth with an anaplan sink (${pipeBin})`);
    const rows = [];
    let base;
    for (const count of [1, ...counts]) {
      const file = path.join(dir, `pipelines-${count}.yml`);
      const text = pipelineFile(count);
      await fs.writeFile(file, text);
      const result = await validateOnce(pipeBin, file, dir);
      const row = { count, kb: Buffer.byteLength(text) / 1e3, ...result };
      if (count === 1) base = row;
      if (!row.failed && base && !base.failed && count > 1) {
        row.msPerPipeline = (((row.seconds - base.seconds) * 1e3) / (count - 1)).toFixed(2);
        row.kbPerPipeline = (((row.peakRssMb - base.peakRssMb) * 1e3) / (count - 1)).toFixed(1);
      } else {
        row.msPerPipeline = '-';
        row.kbPerPipeline = '-';
      }
      rows.push(row);
    }
    print(table(rows));
    print('(per pipeline: beyond the one-pipeline file, which is the command starting up)');
    return rows;
  } finally {
    await fs.rm(dir, { recursive: true, force: true });
  }
}

module.exports = { run, pipelineFile };

if (require.main === module) {
  const arg = (name) => {
    const i = process.argv.indexOf(name);
    return i === -1 ? undefined : process.argv[i + 1];
  };
  const counts = arg('--counts')?.split(',').map(Number);
  const pipeBin = arg('--pipe') ? path.resolve(arg('--pipe')) : undefined;
  run({ counts, pipeBin }).catch((error) => {
    console.error(error);
    process.exit(1);
  });
}

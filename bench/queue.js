'use strict';
/**
 * `pipe` on the queue: 50 pipelines (each file -> anaplan, its own Anaplan file) through
 * `pipe enqueue --wait` with 1, 2 and 4 workers on this machine, beside `pipe run` of the same
 * file at the same parallelism (`concurrency:` 1, 2, 4). Jobs per minute, and the overhead the
 * queue adds per job: (queued wall time - pipe run wall time) x parallelism / pipelines.
 * Workers are started (and connected) before the clock starts, as they would be in production.
 *
 *   node bench/queue.js [--pipelines 50]
 *
 * Needs the build (`tsc -b`) and redis-server (skipped, loudly, without it).
 * Also `module.exports.run({ print })` for bench/run.js.
 */
const { spawn, spawnSync } = require('node:child_process');
const { promises: fs } = require('node:fs');
const net = require('node:net');
const os = require('node:os');
const path = require('node:path');

const ROOT = path.resolve(__dirname, '..');
const PIPE_BIN = path.join(ROOT, 'packages/cli/bin/run.js');
const WORKSPACE = 'BENCHWS00000000000000000000000001';
const MODEL = 'BENCHMODEL0000000000000000000001';
const ROWS = 2000;
const PASSWORD = 'bench-password';

function seed(count) {
  const files = [];
  const imports = [];
  for (let i = 0; i < count; i++) {
    files.push({ id: String(113000000100 + i), name: `Export ${i}.csv` });
    imports.push({ id: String(112000000100 + i), name: `Import ${i}`, fileId: String(113000000100 + i), importType: 'MODULE_DATA' });
  }
  return [{ id: WORKSPACE, name: 'Bench', models: [{ id: MODEL, name: 'Bench Model', files, imports }] }];
}

function pipelineFile(count, apiUrl, concurrency) {
  const lines = ['version: 1', `concurrency: ${concurrency}`, 'pipelines:'];
  for (let i = 0; i < count; i++) {
    lines.push(
      `  p${i}:`,
      `    source: { use: file, with: { path: ./data/export-${i % 5}.csv } }`,
      '    sink:',
      '      use: anaplan',
      '      with:',
      `        workspace: ${WORKSPACE}`,
      `        model: ${MODEL}`,
      `        file: "${113000000100 + i}"`,
      `        import: "${112000000100 + i}"`,
      '        auth: { type: basic, username: ops@acme.com, password: "${ANAPLAN_PASSWORD}" }',
      `        apiUrl: ${apiUrl}/2/0`,
      `        authUrl: ${apiUrl}`,
      '        pollIntervalMs: 50',
    );
  }
  return lines.join('\n') + '\n';
}

function csv(rows) {
  const out = ['Id,Name,Amount'];
  for (let i = 0; i < rows; i++) out.push(`OPP-${i},"Deal ${i}, Inc.",${(i * 1.5).toFixed(2)}`);
  return out.join('\n') + '\n';
}

function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

function accepts(port) {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    socket.once('connect', () => (socket.destroy(), resolve(true)));
    socket.once('error', () => resolve(false));
  });
}

async function startRedis(binary) {
  const port = await freePort();
  const child = spawn(binary, ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
  while (!(await accepts(port))) await new Promise((r) => setTimeout(r, 20));
  return { url: `redis://127.0.0.1:${port}`, stop: () => child.kill('SIGKILL') };
}

function pipe(args, options) {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [PIPE_BIN, ...args], {
      cwd: options.cwd,
      env: { ...process.env, ...options.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

async function startWorker(cwd, env, name) {
  const child = spawn(process.execPath, [PIPE_BIN, 'worker', '--name', name], { cwd, env: { ...process.env, ...env }, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d) => (stderr += d));
  while (!stderr.includes('taking pipeline jobs')) {
    if (child.exitCode !== null) throw new Error(`worker did not start: ${stderr}`);
    await new Promise((r) => setTimeout(r, 20));
  }
  return { stop: () => new Promise((resolve) => (child.once('exit', resolve), child.kill('SIGTERM'))) };
}

async function timed(fn) {
  const start = process.hrtime.bigint();
  const result = await fn();
  return { ...result, seconds: Number(process.hrtime.bigint() - start) / 1e9 };
}

async function run({ print = console.log, pipelines = 50 } = {}) {
  const binary = spawnSync('sh', ['-c', 'command -v redis-server'], { encoding: 'utf8' }).stdout.trim();
  if (!binary) {
    print('# queue: SKIPPED: redis-server not found (apt-get install -y redis-server)');
    return;
  }
  const { startAnaplanEmulator } = require(path.join(ROOT, 'packages/emulator-anaplan/dist'));
  const emulator = await startAnaplanEmulator({
    port: 0,
    host: '127.0.0.1',
    taskDurationMs: 300,
    workspaces: seed(pipelines),
    users: [{ username: 'ops@acme.com', password: PASSWORD }],
  });
  const redis = await startRedis(binary);
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'pipe-bench-queue-'));
  await fs.mkdir(path.join(dir, 'data'));
  for (let i = 0; i < 5; i++) await fs.writeFile(path.join(dir, 'data', `export-${i}.csv`), csv(ROWS));
  const env = { ANAPLAN_PASSWORD: PASSWORD, PIPE_REDIS_URL: redis.url, PIPE_QUEUE_POLL_MS: '100' };
  print(
    `# queue: ${pipelines} pipelines (file -> anaplan emulator, ${ROWS} rows each, its own file and import), node ${process.version}, ${os.availableParallelism()} CPUs`,
  );
  const rows = [];
  try {
    for (const parallel of [1, 2, 4]) {
      const file = path.join(dir, `bench-${parallel}.yml`);
      await fs.writeFile(file, pipelineFile(pipelines, emulator.url, parallel));
      const direct = await timed(() => pipe(['run', file, '--quiet'], { cwd: dir, env }));
      if (direct.code !== 0) throw new Error(`pipe run failed: ${direct.stderr.slice(-2000)}`);
      const workers = [];
      for (let w = 0; w < parallel; w++) workers.push(await startWorker(dir, env, `bench-${w}`));
      const queued = await timed(() => pipe(['enqueue', file, '--wait', '--quiet'], { cwd: dir, env }));
      await Promise.all(workers.map((w) => w.stop()));
      if (queued.code !== 0) throw new Error(`pipe enqueue --wait failed: ${queued.stderr.slice(-2000)}`);
      rows.push({ parallel, direct: direct.seconds, queued: queued.seconds });
    }
  } finally {
    redis.stop();
    await emulator.stop();
    await fs.rm(dir, { recursive: true, force: true });
  }
  const header = ['parallel', 'pipe run s', 'jobs/min', 'queue s', 'jobs/min', 'queue vs run', 'overhead/job ms'];
  const cells = rows.map((r) => [
    `${r.parallel} worker${r.parallel > 1 ? 's' : ''} | concurrency ${r.parallel}`,
    r.direct.toFixed(1),
    ((pipelines / r.direct) * 60).toFixed(0),
    r.queued.toFixed(1),
    ((pipelines / r.queued) * 60).toFixed(0),
    `${((r.direct / r.queued) * 100).toFixed(0)}%`,
    (((r.queued - r.direct) * 1000 * r.parallel) / pipelines).toFixed(0),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i].length)));
  for (const line of [header, ...cells]) print(line.map((v, i) => v.padEnd(widths[i])).join('  '));
}

module.exports = { run };

if (require.main === module) {
  const at = process.argv.indexOf('--pipelines');
  run({ pipelines: at > 0 ? Number(process.argv[at + 1]) : 50 }).catch((error) => {
    console.error(error);
    process.exit(1);
  });
}

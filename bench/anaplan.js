'use strict';
/**
 * file -> anaplan emulator: MB/s and peak RSS of the real pipeline (file source, chunk-lines,
 * anaplan sink, through core's engine) at gzip off and on, concurrency 1, 8 and 32, 10MB chunks,
 * beside a transport baseline measured in the same run: the same bytes cut at fixed offsets and
 * PUT by a minimal undici loop at the same concurrency (and the same gzip level), to the same
 * emulator. Each case runs in a fresh child process so its peak RSS
 * (process.resourceUsage().maxRSS) is its own; the emulator runs in a child of its own.
 * The same pipeline then runs once more as an operator runs it, `pipe run FILE.yml --quiet`
 * through the CLI binary, for the peak RSS of the whole command (oclif, config loading, logging).
 *
 *   node bench/anaplan.js --csv FILE [--concurrency 1,8,32] [--gzip off,on]
 *
 * Needs the build (`tsc -b`): it requires packages/core/dist, packages/sink-anaplan/dist and packages/emulator-anaplan/dist.
 * Also `module.exports.run({ csvPath, print })` for bench/run.js.
 */
const { fork } = require('node:child_process');
const { promises: fs } = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { heapLikePipeRun } = require('./pipe-heap');
const { startEmulatorProcess } = require('./emulator-process');
const { fileToAnaplan, CHUNK_SIZE, USER, PASSWORD, WORKSPACE, MODEL, FILE_ID } = require('./anaplan-pipeline');
const { promisify } = require('node:util');
const zlib = require('node:zlib');

const ROOT = path.resolve(__dirname, '..');
const CORE = path.join(ROOT, 'packages/core/dist');
const GZIP_LEVEL = 6; // the sink's default gzipLevel; the baseline compresses at the same level

// ---------------------------------------------------------------------------------------------
// Parent: start the emulator, run every case in a child, print the table.

async function run({ csvPath, print = console.log, concurrencies = [1, 8, 32], gzipModes = ['off', 'on'] }) {
  const size = (await fs.stat(csvPath)).size;
  // The emulator lives in its own process: Linux children inherit their parent's peak RSS at
  // spawn time, so this process must stay small for each case's maxRSS to be its own.
  const emulator = await startEmulatorProcess(__filename);
  const rows = [];
  try {
    for (const gzip of gzipModes) {
      for (const concurrency of concurrencies) {
        const spec = { csvPath, url: emulator.url, concurrency, gzip: gzip === 'on' };
        const baseline = await child({ ...spec, kind: 'baseline' });
        const sink = await child({ ...spec, kind: 'sink' });
        const stored = await emulator.ask({ type: 'stored-bytes' });
        if (stored !== size) throw new Error(`the emulator assembled ${stored} bytes, the input has ${size}`);
        const cli = await cliRun(spec);
        const storedByCli = await emulator.ask({ type: 'stored-bytes' });
        if (storedByCli !== size) throw new Error(`pipe run: the emulator assembled ${storedByCli} bytes, the input has ${size}`);
        rows.push({
          case: `file -> anaplan emulator, gzip ${gzip}, concurrency ${concurrency}`,
          mbPerSecond: round(sink.mbPerSecond),
          baselineMbPerSecond: round(baseline.mbPerSecond),
          ratio: round(sink.mbPerSecond / baseline.mbPerSecond, 2),
          peakRssMb: round(sink.peakRssMb),
          baselinePeakRssMb: round(baseline.peakRssMb),
          rssLimitMb: 100 + (concurrency * CHUNK_SIZE) / 1e6,
          cliPeakRssMb: round(cli.peakRssMb),
          chunks: sink.chunks,
        });
      }
    }
  } finally {
    await emulator.stop();
  }
  print(table(rows, size));
  return rows;
}

async function emulatorProcess() {
  const { startAnaplanEmulator } = require(path.join(ROOT, 'packages/emulator-anaplan/dist'));
  const emulator = await startAnaplanEmulator({ port: 0 });
  process.on('message', async (m) => {
    if (m.type === 'stored-bytes') process.send({ type: 'answer', value: emulator.getFileContent(WORKSPACE, MODEL, FILE_ID).length });
    if (m.type === 'stop') {
      await emulator.stop();
      process.exit(0);
    }
  });
  process.send({ type: 'ready', url: emulator.url });
}

function child(spec) {
  return new Promise((resolve, reject) => {
    const proc = fork(__filename, ['--child', JSON.stringify(spec)], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    let result;
    proc.on('message', (m) => (result = m));
    proc.on('error', reject);
    proc.on('exit', (code) => {
      if (code === 0 && result && !result.error) resolve(result);
      else reject(new Error(`${spec.kind} case (gzip ${spec.gzip}, concurrency ${spec.concurrency}) failed: ${result?.error ?? `exit ${code}`}`));
    });
  });
}

function table(rows, size) {
  const head = ['case', 'MB/s', 'baseline MB/s', 'ratio', 'peak RSS MB', 'baseline RSS MB', 'RSS limit MB', 'pipe run RSS MB'];
  const lines = rows.map((r) =>
    [r.case, r.mbPerSecond, r.baselineMbPerSecond, r.ratio, r.peakRssMb, r.baselinePeakRssMb, r.rssLimitMb, r.cliPeakRssMb].map(String),
  );
  const widths = head.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i].length)));
  const fmt = (cells) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ');
  return [
    `anaplan sink benchmark: ${(size / 1e6).toFixed(1)} MB CSV, ${CHUNK_SIZE / 1e6}MB chunks, gzip level ${GZIP_LEVEL}, node ${process.version}, ${os.cpus().length} CPUs`,
    fmt(head),
    fmt(widths.map((w) => '-'.repeat(w))),
    ...lines.map(fmt),
  ].join('\n');
}

function round(n, digits = 1) {
  const f = 10 ** digits;
  return Math.round(n * f) / f;
}

/** `pipe run` on a pipeline file for the same case; its peak RSS comes from a preload that reports it at exit. */
async function cliRun(spec) {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'pipe-bench-cli-'));
  const yml = [
    'version: 1',
    'pipelines:',
    '  bench:',
    `    source: { use: file, with: { path: ${JSON.stringify(spec.csvPath)} } }`,
    `    transforms: [ { use: chunk-lines, with: { chunkSize: ${CHUNK_SIZE} } } ]`,
    '    sink:',
    '      use: anaplan',
    '      with:',
    `        workspace: ${WORKSPACE}`,
    `        model: ${MODEL}`,
    `        file: "${FILE_ID}"`,
    `        auth: { type: basic, username: ${USER}, password: ${PASSWORD} }`,
    `        concurrency: ${spec.concurrency}`,
    `        compress: ${spec.gzip ? 'gzip' : 'none'}`,
    `        gzipLevel: ${GZIP_LEVEL}`,
    `        apiUrl: ${spec.url}/2/0`,
    `        authUrl: ${spec.url}`,
    '',
  ].join('\n');
  await fs.writeFile(path.join(dir, 'bench.yml'), yml);
  const report = path.join(dir, 'usage.json');
  try {
    await new Promise((resolve, reject) => {
      const proc = fork(path.join(ROOT, 'packages/cli/bin/run.js'), ['run', 'bench.yml', '--quiet'], {
        cwd: dir,
        execArgv: ['-r', path.join(__dirname, 'report-usage.js')],
        env: { ...process.env, PIPE_BENCH_USAGE_FILE: report },
        stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
      });
      proc.on('error', reject);
      proc.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`pipe run (gzip ${spec.gzip}, concurrency ${spec.concurrency}) exited ${code}`))));
    });
    return { peakRssMb: JSON.parse(await fs.readFile(report, 'utf8')).maxRssBytes / 1e6 };
  } finally {
    await fs.rm(dir, { recursive: true, force: true });
  }
}

// ---------------------------------------------------------------------------------------------
// Children: one case each.

async function runChild(spec) {
  const size = (await fs.stat(spec.csvPath)).size;
  // Loading modules and compiling schemas happen before the clock starts, for both cases.
  const go = spec.kind === 'sink' ? await prepareSink(spec) : await prepareBaseline(spec);
  const started = process.hrtime.bigint();
  const chunks = await go();
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  return {
    mbPerSecond: size / 1e6 / seconds,
    seconds,
    chunks,
    peakRssMb: (process.resourceUsage().maxRSS * 1024) / 1e6,
  };
}

/** The real pipeline through core's engine: file -> chunk-lines (10MB) -> anaplan. */
async function prepareSink(spec) {
  const bench = await fileToAnaplan({
    csvPath: spec.csvPath,
    url: spec.url,
    sink: { concurrency: spec.concurrency, compress: spec.gzip ? 'gzip' : 'none', gzipLevel: GZIP_LEVEL },
  });
  return async () => {
    const outcome = await bench.run();
    await bench.cleanup();
    if (outcome.status !== 'succeeded') throw new Error(outcome.error);
    return outcome.sink?.details?.chunks;
  };
}

/** The same bytes at fixed 10MB offsets, PUT by a minimal undici loop at the same concurrency. */
async function prepareBaseline(spec) {
  const { Agent, request } = require(require.resolve('undici', { paths: [CORE] }));
  return () => baselineCase(spec, Agent, request);
}

async function baselineCase(spec, Agent, request) {
  const gzip = promisify(zlib.gzip);
  const agent = new Agent({ connections: spec.concurrency + 2, keepAliveTimeout: 30_000 });
  const api = `${spec.url}/2/0/workspaces/${WORKSPACE}/models/${MODEL}/files/${FILE_ID}`;
  const call = async (method, url, headers, body, expected) => {
    const res = await request(url, { method, headers, body, dispatcher: agent });
    const text = await res.body.text();
    if (res.statusCode !== expected) throw new Error(`${method} ${url}: ${res.statusCode} ${text.slice(0, 200)}`);
    return text;
  };
  const basic = `Basic ${Buffer.from(`${USER}:${PASSWORD}`).toString('base64')}`;
  const login = JSON.parse(await call('POST', `${spec.url}/token/authenticate`, { authorization: basic }, undefined, 201));
  const auth = { authorization: `AnaplanAuthToken ${login.tokenInfo.tokenValue}` };
  const json = { ...auth, 'content-type': 'application/json' };
  await call('POST', api, json, JSON.stringify({ chunkCount: -1 }), 200);

  const handle = await fs.open(spec.csvPath, 'r');
  const { size } = await handle.stat();
  const count = Math.ceil(size / CHUNK_SIZE);
  let next = 0;
  const worker = async () => {
    while (next < count) {
      const index = next++;
      const length = Math.min(CHUNK_SIZE, size - index * CHUNK_SIZE);
      const raw = Buffer.allocUnsafe(length);
      await handle.read(raw, 0, length, index * CHUNK_SIZE);
      const body = spec.gzip ? await gzip(raw, { level: GZIP_LEVEL }) : raw;
      const type = spec.gzip ? 'application/x-gzip' : 'application/octet-stream';
      await call('PUT', `${api}/chunks/${index}`, { ...auth, 'content-type': type }, body, 204);
    }
  };
  try {
    await Promise.all(Array.from({ length: spec.concurrency }, worker));
  } finally {
    await handle.close();
  }
  await call('POST', `${api}/complete`, json, JSON.stringify({ id: FILE_ID }), 200);
  await agent.close();
  return count;
}

// ---------------------------------------------------------------------------------------------

function argValue(name) {
  const i = process.argv.indexOf(name);
  return i === -1 ? undefined : process.argv[i + 1];
}

if (require.main === module) {
  const childSpec = argValue('--child');
  if (process.argv.includes('--emulator')) {
    emulatorProcess().catch((error) => {
      console.error(error.stack || String(error));
      process.exit(1);
    });
  } else if (childSpec) {
    heapLikePipeRun();
    runChild(JSON.parse(childSpec)).then(
      (result) => process.send(result, () => process.exit(0)),
      (error) => process.send({ error: error.stack || String(error) }, () => process.exit(1)),
    );
  } else {
    const csvPath = argValue('--csv');
    if (!csvPath) {
      console.error('usage: node bench/anaplan.js --csv FILE [--concurrency 1,8,32] [--gzip off,on]');
      process.exit(2);
    }
    const list = (v, parse) => (v ? v.split(',').map(parse) : undefined);
    run({
      csvPath: path.resolve(csvPath),
      concurrencies: list(argValue('--concurrency'), Number),
      gzipModes: list(argValue('--gzip'), String),
    }).catch((error) => {
      console.error(error.stack || String(error));
      process.exit(1);
    });
  }
}

module.exports.run = run;

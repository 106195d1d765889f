#!/usr/bin/env node
/**
 * The Salesforce download against the wire (issue 16). Run after `tsc -b`:
 *
 *   node bench/sfdc-download.js --mb 600
 *
 * One SFDC emulator process per report size serves a report export and a Bulk API 2.0 dataset of
 * about that size from memory (`bodyCacheBytes`; a warm-up fetch fills it), so the emulator costs
 * what a file server costs and the client is what is measured. Side by side, in one run:
 *   raw      an undici `request` of the same URLs with the same credentials, piped to a file:
 *            timed as a whole process (spawn to exit) and as the transfer alone (inside it)
 *   pipe     `pipe run` of `sfdc-report -> file` (packages/cli/bin/run.js, as an operator runs
 *            it), whole process, beside `pipe run --dry-run` (the CLI's start, moving no data)
 *   engine   core's runPipeline of the same stages in a child: the pipeline alone, against the
 *            raw transfer alone
 * for `mode: report` (the export) and `mode: soql` (Bulk 2.0 result pages). Each case runs in a
 * fresh process; peak RSS is that process's. Every output is checked against the raw fetch's bytes
 * minus what pipe strips (the export's footer; the header row repeated on every Bulk page after
 * the first): same size, same SHA-256.
 */
'use strict';
const { fork, spawn } = require('node:child_process');
const { createHash } = require('node:crypto');
const { once } = require('node:events');
const { closeSync, createWriteStream, mkdtempSync, openSync, readFileSync, readSync, rmSync, statSync, writeFileSync } = require('node:fs');
const { tmpdir } = require('node:os');
const { existsSync } = require('node:fs');
const { join } = require('node:path');
const { heapLikePipeRun } = require('./pipe-heap');
const { roundOrders } = require('./round-orders');

const root = join(__dirname, '..');
const MB = 1_000_000;
const REPORT_ID = '00O5e00000DOWNL';
/** Bytes per row of the default report columns, and of the Bulk Opportunity fields (measured). */
const REPORT_BYTES_PER_ROW = 258;
const BULK_BYTES_PER_ROW = 204;
const SOQL = 'SELECT Id, Name, StageName, Amount, Probability, CloseDate, IsWon, Description, CreatedDate FROM Opportunity';
const REPEATS = 5;
/**
 * The outputs go to a RAM disk when there is one: on a disk, the kernel writes back the hundreds
 * of MB each case leaves behind while the next cases run, and that lands on whichever comes next.
 */
const OUTPUT_ROOT = process.env.BENCH_OUTPUT_DIR || (existsSync('/dev/shm') ? '/dev/shm' : tmpdir());

function arg(name, fallback) {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : fallback;
}

/** Peak RSS and CPU time (user + system) of this process so far. */
function usage() {
  const u = process.resourceUsage();
  return { maxRssMB: (u.maxRSS * 1024) / 1e6, cpuSeconds: (u.userCPUTime + u.systemCPUTime) / 1e6 };
}

// ---------------------------------------------------------------- child: the emulator

async function serveEmulator(mb) {
  const { startSfdcEmulator } = require(join(root, 'packages/emulator-sfdc/dist'));
  // The Opportunity fields of the seeded dataset, on more rows.
  const { OPPORTUNITY_FIELDS: fields } = require(join(root, 'packages/emulator-sfdc/dist/seed-data'));
  const emulator = await startSfdcEmulator({
    port: 0,
    includeDefaultReports: false,
    reports: [{ id: REPORT_ID, name: 'Download bench', rows: Math.ceil((mb * MB) / REPORT_BYTES_PER_ROW), seed: 42 }],
    datasets: [{ object: 'Opportunity', rows: Math.ceil((mb * MB) / BULK_BYTES_PER_ROW), seed: 43, fields }],
    bulkPollsUntilComplete: 1,
    bodyCacheBytes: 3 * mb * MB,
  });
  process.send({ url: emulator.url, jwtClientId: emulator.jwtClientId, jwtPrivateKeyPem: emulator.jwtPrivateKeyPem });
  process.on('message', (m) => m === 'stop' && process.exit(0));
}

// ---------------------------------------------------------------- child: the raw fetch

async function rawFetch(mode, url, file) {
  const undici = require(require.resolve('undici', { paths: [join(root, 'packages/core')] }));
  const request = async (url, options) => {
    const response = await undici.request(url, options);
    if (response.statusCode >= 300) throw new Error(`${url}: ${response.statusCode} ${await response.body.text()}`);
    return response;
  };
  const started = process.hrtime.bigint();
  const session = await (await request(`${url}/__emulator/sessions`, { method: 'POST', body: '{}' })).body.json();
  const out = createWriteStream(file);
  /** Where each Bulk page starts in the file, so the check can drop the repeated headers. */
  const pageOffsets = [];
  let written = 0;
  const copy = async (body) => {
    for await (const chunk of body) {
      written += chunk.length;
      if (!out.write(chunk)) await once(out, 'drain');
    }
  };
  if (mode === 'report') {
    const response = await request(`${url}/${REPORT_ID}?isdtp=p1&export=1&enc=UTF-8&xf=csv`, { headers: { cookie: `sid=${session.sessionId}` } });
    await copy(response.body);
  } else {
    const auth = { authorization: `Bearer ${session.sessionId}`, 'content-type': 'application/json' };
    const jobs = `${url}/services/data/v62.0/jobs/query`;
    const job = await (await request(jobs, { method: 'POST', headers: auth, body: JSON.stringify({ operation: 'query', query: SOQL }) })).body.json();
    while ((await (await request(`${jobs}/${job.id}`, { headers: auth })).body.json()).state !== 'JobComplete');
    for (let locator = ''; locator !== 'null';) {
      const response = await request(`${jobs}/${job.id}/results${locator ? `?locator=${locator}` : ''}`, { headers: auth });
      pageOffsets.push(written);
      await copy(response.body);
      locator = response.headers['sforce-locator'];
    }
  }
  out.end();
  await once(out, 'finish');
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  return { transferSeconds: seconds, bytes: written, pageOffsets, ...usage() };
}

// ---------------------------------------------------------------- child: the pipeline alone

function sourceConfig(mode, emulator) {
  return {
    instanceUrl: emulator.url,
    loginUrl: emulator.url,
    auth: { type: 'jwt', clientId: emulator.jwtClientId, username: 'ops@acme.com', privateKey: emulator.jwtPrivateKeyPem },
    ...(mode === 'report' ? { reportId: REPORT_ID } : { mode: 'soql', soql: SOQL, pollIntervalMs: 10 }),
  };
}

async function runEngine(mode, emulator, file) {
  const core = { ...require(join(root, 'packages/core/dist')), ...require(join(root, 'packages/core/dist/engine')) };
  const { sfdcReportSource } = require(join(root, 'packages/source-sfdc/dist'));
  const stage = (plugin, config) => ({ use: plugin.name, plugin, origin: 'bench', config: core.validatePluginConfig(plugin, config), path: [] });
  const secrets = new core.Redactor();
  const runDir = mkdtempSync(join(tmpdir(), 'pipe-bench-run-'));
  const started = process.hrtime.bigint();
  const outcome = await core.runPipeline(
    {
      name: mode,
      needs: [],
      retries: 0,
      source: stage(sfdcReportSource, sourceConfig(mode, emulator)),
      transforms: [],
      sink: stage(core.fileSink, { path: file, durable: false }),
    },
    { runId: `bench-${mode}`, runDir, cwd: runDir, signal: new AbortController().signal, log: new core.StreamLogger({ level: 'warn', secrets }), secrets },
  );
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  rmSync(runDir, { recursive: true, force: true });
  if (outcome.status !== 'succeeded') throw new Error(`${mode} failed: ${outcome.error}`);
  return { seconds, bytes: outcome.bytes, ...usage() };
}

// ---------------------------------------------------------------- parent

function childResult(proc, what) {
  return Promise.race([
    once(proc, 'message').then(([m]) => {
      if (m.error) throw new Error(`${what}: ${m.error}`);
      return m;
    }),
    once(proc, 'exit').then(([code]) => {
      throw new Error(`${what} exited with ${code}`);
    }),
  ]);
}

/** Runs a case in a fresh process; `wholeSeconds` is from spawn to its answer, Node's start included. */
async function inChild(args) {
  const started = process.hrtime.bigint();
  const result = await childResult(fork(__filename, args, { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] }), args.join(' '));
  return { ...result, wholeSeconds: Number(process.hrtime.bigint() - started) / 1e9 };
}

/** `pipe run` in a fresh process, timed from spawn to exit; peak RSS from the preloaded reporter. */
async function runPipeCli(mode, emulator, dir, file, args = ['--quiet']) {
  writeFileSync(join(dir, 'sf.key'), emulator.jwtPrivateKeyPem);
  const source = mode === 'report' ? `reportId: ${REPORT_ID}` : `mode: soql\n        soql: "${SOQL}"\n        pollIntervalMs: 10`;
  writeFileSync(
    join(dir, 'pipe.yml'),
    `version: 1
pipelines:
  ${mode}:
    source:
      use: sfdc-report
      with:
        instanceUrl: ${emulator.url}
        loginUrl: ${emulator.url}
        auth: { type: jwt, clientId: ${emulator.jwtClientId}, username: ops@acme.com, privateKeyFile: ./sf.key }
        ${source}
    sink: { use: file, with: { path: ${file}, durable: false } }
`,
  );
  const usageFile = join(dir, 'usage.json');
  const started = process.hrtime.bigint();
  const proc = spawn(process.execPath, ['-r', join(__dirname, 'report-usage.js'), join(root, 'packages/cli/bin/run.js'), 'run', 'pipe.yml', ...args], {
    cwd: dir,
    env: { ...process.env, PIPE_HOME: join(dir, '.pipe-home'), PIPE_BENCH_USAGE_FILE: usageFile },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const [code] = await once(proc, 'exit');
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  if (code !== 0) throw new Error(`pipe run (${mode}) exited with ${code}`);
  const usage = JSON.parse(readFileSync(usageFile, 'utf8'));
  return { seconds, bytes: args.length > 1 ? 0 : statSync(file).size, maxRssMB: usage.maxRssBytes / 1e6, cpuSeconds: usage.cpuMs / 1000 };
}

/** SHA-256 and size of `file`'s byte ranges. */
function hashRanges(file, ranges) {
  const hash = createHash('sha256');
  const fd = openSync(file, 'r');
  const buffer = Buffer.allocUnsafe(4 * 1024 * 1024);
  let size = 0;
  try {
    for (const [start, end] of ranges) {
      for (let pos = start; pos < end;) {
        const n = readSync(fd, buffer, 0, Math.min(buffer.length, end - pos), pos);
        hash.update(buffer.subarray(0, n));
        pos += n;
        size += n;
      }
    }
  } finally {
    closeSync(fd);
  }
  return { size, sha256: hash.digest('hex') };
}

/** The raw fetch's bytes minus what pipe strips: the footer (report), the repeated headers (soql). */
function expectedContent(mode, raw) {
  const rawSize = statSync(raw.file).size;
  if (mode === 'report') {
    // The footer starts at the blank line in the last few hundred bytes.
    const tailStart = Math.max(0, rawSize - 4096);
    const tail = Buffer.alloc(rawSize - tailStart);
    const fd = openSync(raw.file, 'r');
    readSync(fd, tail, 0, tail.length, tailStart);
    closeSync(fd);
    const blank = tail.lastIndexOf('\n\n');
    if (blank < 0) throw new Error('the raw export has no footer');
    return hashRanges(raw.file, [[0, tailStart + blank + 1]]);
  }
  const head = Buffer.alloc(64 * 1024);
  const fd = openSync(raw.file, 'r');
  readSync(fd, head, 0, head.length, 0);
  closeSync(fd);
  const headerLength = head.indexOf('\n') + 1;
  const offsets = [...raw.pageOffsets, rawSize];
  return hashRanges(
    raw.file,
    raw.pageOffsets.map((start, i) => [i === 0 ? start : start + headerLength, offsets[i + 1]]),
  );
}

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

/** Each case REPEATS times, interleaved so machine noise hits all alike; median time, highest RSS. */
async function measureSize(mb, print) {
  const emulatorProc = fork(__filename, ['--serve', String(mb)], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const emulator = await childResult(emulatorProc, 'emulator');
  const dir = mkdtempSync(join(OUTPUT_ROOT, 'pipe-bench-download-'));
  const results = [];
  try {
    for (const mode of ['report', 'soql']) {
      const rawFile = join(dir, `${mode}-raw.csv`);
      // Warm-up: the emulator generates the body once and keeps it; its bytes are what pipe must write.
      const warmUp = await inChild(['--raw', mode, emulator.url, rawFile]);
      const expected = expectedContent(mode, { ...warmUp, file: rawFile });
      const runs = { raw: [], pipe: [], rawTransfer: [], engine: [], cliStart: [] };
      /** An output must be the raw bytes minus what pipe strips; removed once checked. */
      const check = (file) => {
        const got = hashRanges(file, [[0, statSync(file).size]]);
        if (got.size !== expected.size || got.sha256 !== expected.sha256) {
          throw new Error(`${file}: ${got.size} bytes sha256 ${got.sha256}, expected ${expected.size} bytes sha256 ${expected.sha256}`);
        }
        rmSync(file);
      };
      const cases = [
        async () => {
          const raw = await inChild(['--raw', mode, emulator.url, rawFile]);
          runs.raw.push({ ...raw, seconds: raw.wholeSeconds });
          runs.rawTransfer.push({ ...raw, seconds: raw.transferSeconds });
        },
        async () => {
          const pipeFile = join(dir, `${mode}-pipe.csv`);
          runs.pipe.push(await runPipeCli(mode, emulator, dir, pipeFile));
          check(pipeFile);
        },
        async () => runs.cliStart.push(await runPipeCli(mode, emulator, dir, join(dir, `${mode}-dry.csv`), ['--dry-run', '--quiet'])),
        async () => {
          const enginePipeFile = join(dir, `${mode}-engine.csv`);
          runs.engine.push(await inChild(['--engine', mode, JSON.stringify(emulator), enginePipeFile]));
          check(enginePipeFile);
        },
      ];
      // In a fixed order the pipeline alone always came after the CLI's dry run, and measured
      // 0.74x on soql at 600 MB against 0.94x at 300 MB: each case now runs once right after each
      // other one over four rounds (round-orders.js).
      const orders = roundOrders(cases.length);
      for (let round = 0; round < REPEATS; round++) for (const k of orders[round % orders.length]) await cases[k]();
      const summary = (name, list, baseline) => {
        const seconds = median(list.map((r) => r.seconds));
        return {
          mode,
          mb,
          name,
          seconds,
          bytes: expected.size,
          vsRaw: baseline === undefined ? undefined : median(baseline.map((r) => r.seconds)) / seconds,
          maxRssMB: Math.max(...list.map((r) => r.maxRssMB)),
          cpuSeconds: median(list.map((r) => r.cpuSeconds)),
        };
      };
      results.push(
        summary('raw', runs.raw, runs.raw),
        summary('pipe', runs.pipe, runs.raw),
        summary('rawTransfer', runs.rawTransfer, runs.rawTransfer),
        summary('engine', runs.engine, runs.rawTransfer),
        summary('cliStart', runs.cliStart),
      );
      print(`  ${mode} ${mb} MB: output verified (${expected.size} bytes, sha256 ${expected.sha256.slice(0, 16)}...)`);
      rmSync(rawFile);
    }
  } finally {
    emulatorProc.send('stop');
    rmSync(dir, { recursive: true, force: true });
  }
  return results;
}

function table(rows) {
  const header = ['case', 'size', 's (median)', 'MB/s', 'vs raw', 'peak RSS MB', 'CPU s'];
  const label = {
    raw: (m) => `raw, whole process: undici request -> file (${m === 'report' ? 'export' : 'Bulk pages'})`,
    pipe: (m) => `pipe run, whole process: ${m === 'report' ? 'sfdc -> file' : 'soql -> file'}`,
    rawTransfer: (m) => `raw, transfer alone (${m === 'report' ? 'export' : 'Bulk pages'})`,
    engine: (m) => `runPipeline alone: ${m === 'report' ? 'sfdc -> file' : 'soql -> file'}`,
    cliStart: () => '  (pipe run --dry-run: CLI start, no data)',
  };
  const cells = rows.map((r) => [
    label[r.name](r.mode),
    `${r.mb} MB`,
    r.seconds.toFixed(2),
    r.name === 'cliStart' ? '-' : (r.bytes / MB / r.seconds).toFixed(0),
    r.vsRaw === undefined ? '-' : `${r.vsRaw.toFixed(2)}x`,
    r.maxRssMB.toFixed(0),
    r.cpuSeconds.toFixed(2),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i].length)));
  return [header, ...cells].map((c) => c.map((v, i) => v.padEnd(widths[i])).join('  ')).join('\n');
}

async function run({ mb = 600, print = console.log, sizes = [Math.round(Math.max(600, mb) / 2), Math.max(600, mb)] } = {}) {
  print(`# sfdc download vs the wire: report export and Bulk 2.0 pages of ${sizes.join(' and ')} MB, ${REPEATS} runs each`);
  const rows = [];
  for (const size of sizes) rows.push(...(await measureSize(size, print)));
  print(table(rows));
  for (const mode of ['report', 'soql']) {
    const rss = sizes.map((size) => rows.find((r) => r.mode === mode && r.mb === size && r.name === 'pipe').maxRssMB);
    print(`${mode}: pipe run peak RSS at ${sizes[1]} MB / at ${sizes[0]} MB = ${(rss[1] / rss[0]).toFixed(2)} (flat is 1.00)`);
  }
  return rows;
}

module.exports.run = run;

if (require.main === module) {
  const reply = (promise) =>
    promise.then(
      (r) => (process.send ? process.send(r, () => process.exit(0)) : console.log(JSON.stringify(r).slice(0, 300))),
      (e) => process.send({ error: e.stack || String(e) }, () => process.exit(1)),
    );
  if (arg('serve')) serveEmulator(Number(arg('serve'))).catch((e) => process.send({ error: e.stack || String(e) }));
  else if (arg('raw')) reply(rawFetch(arg('raw'), process.argv[4], process.argv[5]));
  else if (arg('engine')) {
    heapLikePipeRun();
    reply(runEngine(arg('engine'), JSON.parse(process.argv[4]), process.argv[5]));
  } else
    run({ mb: Number(arg('mb', process.env.BENCH_MB || '600')), sizes: arg('sizes') && arg('sizes').split(',').map(Number) }).catch((e) => {
      console.error(e);
      process.exitCode = 1;
    });
}

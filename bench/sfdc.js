#!/usr/bin/env node
/**
 * SFDC report -> Anaplan benchmark (issue 5, "Speed"). Run after `tsc -b`:
 *
 *   node bench/sfdc.js --mb 500 [--rounds 3]
 *
 * Three legs, each pipeline in a fresh child process (peak RSS from process.resourceUsage().maxRSS),
 * each emulator in a process of its own so no leg shares a thread with the server it talks to:
 *   (a) sfdc emulator -> chunk-lines -> discard            the download alone
 *   (b) file of the same bytes -> chunk-lines -> anaplan    the upload alone
 *   (c) sfdc emulator -> chunk-lines -> anaplan emulator    end to end
 * Streaming holds when (c) takes about as long as the slower of (a) and (b), not their sum. The
 * legs run in turn `--rounds` times (BENCH_SFDC_ROUNDS, default 3); each leg's median run is shown.
 *
 * Stages are composed with core's `runPipeline` and the plugins' own objects.
 */
'use strict';
const { fork } = require('node:child_process');
const { mkdtempSync, createWriteStream, rmSync } = require('node:fs');
const { tmpdir } = require('node:os');
const { join } = require('node:path');
const { heapLikePipeRun } = require('./pipe-heap');
const { medianRun } = require('./median-run');
const { autoChoices } = require('./auto-choices');
const { once } = require('node:events');

const root = join(__dirname, '..');
const core = () => ({ ...require(join(root, 'packages/core/dist')), ...require(join(root, 'packages/core/dist/engine')) });
const sfdc = () => require(join(root, 'packages/source-sfdc/dist'));
const sfdcEmulator = () => require(join(root, 'packages/emulator-sfdc/dist'));
const anaplanDist = join(root, 'packages/sink-anaplan/dist');
const anaplanEmulator = () => require(join(root, 'packages/emulator-anaplan/dist'));
const MB = 1_000_000;
/** Rows of the default report average about 258 bytes. */
const BYTES_PER_ROW = 258;
const REPORT_ID = '00O5e00000BENCH';

function hasAnaplan() {
  try {
    return typeof anaplanEmulator().startAnaplanEmulator === 'function' && typeof require(anaplanDist).anaplanSink === 'object';
  } catch {
    return false;
  }
}

function arg(name, fallback) {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : fallback;
}

// ---------------------------------------------------------------- child: an emulator process

async function serveEmulator(kind, mb) {
  if (kind === 'sfdc') {
    const emulator = await sfdcEmulator().startSfdcEmulator({
      port: 0,
      includeDefaultReports: false,
      reports: [{ id: REPORT_ID, name: 'Bench', rows: Math.ceil((mb * MB) / BYTES_PER_ROW), seed: 42 }],
      // Served from memory after one warm-up fetch: generating the CSV would make the emulator the slowest leg.
      bodyCacheBytes: 2 * mb * MB,
    });
    const warmUp = await fetch(`${emulator.url}/${REPORT_ID}?export=1&enc=UTF-8&xf=csv`, { headers: { cookie: `sid=${emulator.issueSession()}` } });
    for await (const piece of warmUp.body) void piece;
    process.send({ url: emulator.url, jwtClientId: emulator.jwtClientId, jwtPrivateKeyPem: emulator.jwtPrivateKeyPem });
  } else {
    const emulator = await anaplanEmulator().startAnaplanEmulator({ port: 0, taskDurationMs: 50, log: () => {} });
    process.send({ url: emulator.url, apiUrl: emulator.apiUrl });
  }
  process.on('message', (m) => {
    if (m === 'stop') process.exit(0);
    // CPU used so far, so the parent can tell a busy machine from a pipeline that does not overlap.
    if (m === 'cpu') {
      const u = process.resourceUsage();
      process.send({ cpuMs: (u.userCPUTime + u.systemCPUTime) / 1000 });
    }
  });
}

// ---------------------------------------------------------------- child: one pipeline leg

const discardSink = () =>
  core().defineSink({
    name: 'discard',
    summary: 'Count and drop.',
    config: core().Config({}),
    async consume(input) {
      let bytes = 0;
      for await (const piece of input) {
        if (piece.type !== 'data') continue;
        bytes += piece.data.length;
        piece.release?.(); // as a sink does once it is done with the bytes
      }
      return { details: { bytes } };
    },
  });

function stage(plugin, config) {
  return { use: plugin.name, plugin, origin: 'bench', config: core().validatePluginConfig(plugin, config), path: [] };
}

async function runLeg(leg, env) {
  const { chunkLines, fileSource, runPipeline, Redactor, StreamLogger } = core();
  const source =
    leg === 'upload'
      ? stage(fileSource, { path: env.file, readSize: '1MiB' })
      : stage(sfdc().sfdcReportSource, {
          instanceUrl: env.sfdc.url,
          loginUrl: env.sfdc.url,
          auth: { type: 'jwt', clientId: env.sfdc.jwtClientId, username: 'ops@acme.com', privateKey: env.sfdc.jwtPrivateKeyPem },
          reportId: REPORT_ID,
          timeoutMs: 300_000,
        });
  const sink =
    leg === 'download'
      ? stage(discardSink(), {})
      : stage(require(anaplanDist).anaplanSink, {
          workspace: 'FP&A',
          model: 'Sales Forecast',
          file: 'Opportunities.csv',
          auth: { type: 'basic', username: 'ops@acme.com', password: 'demo-password' },
          apiUrl: env.anaplan.apiUrl,
          authUrl: env.anaplan.url,
          oauthUrl: env.anaplan.url,
        });
  const pipeline = { name: leg, needs: [], retries: 0, source, transforms: [stage(chunkLines, { chunkSize: '10MB' })], sink };
  const secrets = new Redactor();
  const runDir = mkdtempSync(join(tmpdir(), 'pipe-bench-run-'));
  const started = process.hrtime.bigint();
  // How busy the main thread was: one JavaScript thread does the download, the chunking and the upload.
  const loopBefore = performance.eventLoopUtilization();
  const outcome = await runPipeline(pipeline, {
    runId: `bench-${leg}`,
    runDir,
    cwd: runDir,
    signal: new AbortController().signal,
    log: new StreamLogger({ level: 'warn', secrets, write: (line) => process.stderr.write(`${line}\n`) }),
    secrets,
  });
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  const mainThreadBusy = performance.eventLoopUtilization(loopBefore).utilization;
  rmSync(runDir, { recursive: true, force: true });
  if (outcome.status !== 'succeeded') throw new Error(`${leg} failed: ${outcome.error}`);
  const usage = process.resourceUsage();
  const facts = outcome.progress['sink:anaplan'] && outcome.progress['sink:anaplan'].facts;
  return {
    ms,
    // What the sink's auto settings chose, to tell a slow run from one that chose differently.
    chose: autoChoices(facts),
    mainThreadBusy,
    bytes: outcome.bytes,
    rows: outcome.documents[0] && outcome.documents[0].rows,
    maxRssMb: (usage.maxRSS * 1024) / 1e6,
    cpuMs: (usage.userCPUTime + usage.systemCPUTime) / 1000,
  };
}

// ---------------------------------------------------------------- parent

function child(args, env) {
  const proc = fork(__filename, args, { stdio: ['ignore', 'inherit', 'inherit', 'ipc'], env: { ...process.env, ...env } });
  return proc;
}

async function startEmulatorProcess(kind, mb) {
  const proc = child(['--serve', kind, '--mb', String(mb)]);
  const [info] = await once(proc, 'message');
  const cpuMs = async () => {
    proc.send('cpu');
    const [m] = await once(proc, 'message');
    return m.cpuMs;
  };
  return { info, cpuMs, stop: () => proc.connected && proc.send('stop') };
}

/** Runs one leg in a fresh process; adds the CPU the emulators spent meanwhile. */
async function leg(name, env, emulators) {
  const before = await Promise.all(emulators.map((e) => e.cpuMs()));
  const proc = child(['--leg', name], { PIPE_BENCH_ENV: JSON.stringify(env) });
  const [message] = await Promise.race([
    once(proc, 'message'),
    once(proc, 'exit').then(([code]) => {
      throw new Error(`leg ${name} exited with ${code}`);
    }),
  ]);
  if (message.error) throw new Error(`leg ${name}: ${message.error}`);
  const after = await Promise.all(emulators.map((e) => e.cpuMs()));
  return { ...message, emulatorCpuMs: after.reduce((sum, ms, i) => sum + ms - before[i], 0) };
}

/** Writes the report's exact bytes to a file, for the upload leg. */
async function writeReportFile(path, mb) {
  const { reportBodyChunks } = sfdcEmulator();
  const out = createWriteStream(path);
  for (const chunk of reportBodyChunks({ id: REPORT_ID, name: 'Bench', rows: Math.ceil((mb * MB) / BYTES_PER_ROW), seed: 42 })) {
    if (!out.write(chunk)) await once(out, 'drain');
  }
  out.end();
  await once(out, 'finish');
}

const fmt = (r) =>
  `${(r.ms / 1000).toFixed(2)} s  ${(r.bytes / MB / (r.ms / 1000)).toFixed(1)} MB/s  peak RSS ${r.maxRssMb.toFixed(0)} MB  ` +
  `CPU: pipeline ${(r.cpuMs / 1000).toFixed(1)} s (main thread busy ${(r.mainThreadBusy * 100).toFixed(0)}%), emulators ${(r.emulatorCpuMs / 1000).toFixed(1)} s`;

async function run({ mb = 500, rounds = Number(process.env.BENCH_SFDC_ROUNDS || 3), print = console.log } = {}) {
  const rows = [];
  const sfdcEmu = await startEmulatorProcess('sfdc', mb);
  const anaplan = hasAnaplan() ? await startEmulatorProcess('anaplan', mb) : undefined;
  const dir = mkdtempSync(join(tmpdir(), 'pipe-bench-sfdc-'));
  try {
    if (!anaplan) {
      const download = await leg('download', { sfdc: sfdcEmu.info }, [sfdcEmu]);
      rows.push({ name: `sfdc emulator -> chunk-lines -> discard (${mb} MB)`, ...download });
      print(`(a) sfdc emulator -> chunk-lines -> discard:        ${fmt(download)}  (${download.rows} rows)`);
      print('(b), (c) skipped: packages/emulator-anaplan/dist or packages/sink-anaplan/dist is not built yet (run tsc -b once it exists)');
      return rows;
    }
    const file = join(dir, 'report.csv');
    await writeReportFile(file, mb);
    // One unmeasured upload first, as bench/adaptive.js does: a cold emulator answers the first
    // uploads slowly, and `compress: auto` (the default) would measure that, not the link.
    await leg('upload', { file, anaplan: anaplan.info }, [anaplan]);
    // The three legs in turn, `rounds` times: the machine's swings (10-15% here) hit all three alike.
    const runs = { download: [], upload: [], endToEnd: [] };
    for (let round = 0; round < rounds; round++) {
      runs.download.push(await leg('download', { sfdc: sfdcEmu.info }, [sfdcEmu]));
      runs.upload.push(await leg('upload', { file, anaplan: anaplan.info }, [anaplan]));
      runs.endToEnd.push(await leg('end-to-end', { sfdc: sfdcEmu.info, anaplan: anaplan.info }, [sfdcEmu, anaplan]));
      const [a, b, c] = [runs.download, runs.upload, runs.endToEnd].map((list) => list[round].ms);
      const chose = (r) => (r.chose ? ` [${r.chose}]` : '');
      print(
        `  round ${round + 1}: (a) ${(a / 1000).toFixed(2)} s, (b) ${(b / 1000).toFixed(2)} s${chose(runs.upload[round])}, ` +
          `(c) ${(c / 1000).toFixed(2)} s${chose(runs.endToEnd[round])}, (c) / max(legs) = ${(c / Math.max(a, b)).toFixed(2)}`,
      );
    }
    const download = medianRun(runs.download, (r) => r.ms);
    const upload = medianRun(runs.upload, (r) => r.ms);
    const endToEnd = medianRun(runs.endToEnd, (r) => r.ms);
    print(`medians of ${rounds} rounds:`);
    rows.push({ name: `sfdc emulator -> chunk-lines -> discard (${mb} MB)`, ...download });
    print(`(a) sfdc emulator -> chunk-lines -> discard:        ${fmt(download)}  (${download.rows} rows)`);
    rows.push({ name: `file -> chunk-lines -> anaplan emulator (${mb} MB)`, ...upload });
    print(`(b) file -> chunk-lines -> anaplan emulator:        ${fmt(upload)}`);
    rows.push({ name: `sfdc emulator -> chunk-lines -> anaplan emulator (${mb} MB)`, ...endToEnd });
    print(`(c) sfdc emulator -> chunk-lines -> anaplan emulator: ${fmt(endToEnd)}`);
    const ratio = endToEnd.ms / Math.max(download.ms, upload.ms);
    const sum = endToEnd.ms / (download.ms + upload.ms);
    print(`end-to-end / max(legs) = ${ratio.toFixed(2)}   (end-to-end / sum(legs) = ${sum.toFixed(2)}; streaming overlaps the legs when the first is near 1)`);
    rows.push({ name: 'end-to-end / max(legs)', ratio });
    // With fewer CPU threads than busy processes, end to end cannot beat its total CPU / threads.
    const threads = require('node:os').availableParallelism();
    const cpuFloorMs = (endToEnd.cpuMs + endToEnd.emulatorCpuMs) / threads;
    print(
      `CPU floor of (c) on ${threads} threads: ${(cpuFloorMs / 1000).toFixed(2)} s; ` +
        `end-to-end / max(max(legs), CPU floor) = ${(endToEnd.ms / Math.max(download.ms, upload.ms, cpuFloorMs)).toFixed(2)}`,
    );
    return rows;
  } finally {
    sfdcEmu.stop();
    if (anaplan) anaplan.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

module.exports.run = run;

if (require.main === module) {
  const serve = arg('serve');
  const legName = arg('leg');
  if (serve) {
    serveEmulator(serve, Number(arg('mb', '500'))).catch((e) => {
      console.error(e);
      process.exit(1);
    });
  } else if (legName) {
    heapLikePipeRun();
    runLeg(legName, JSON.parse(process.env.PIPE_BENCH_ENV))
      .then((r) => process.send(r, () => process.exit(0)))
      .catch((e) => process.send({ error: e.stack || String(e) }, () => process.exit(1)));
  } else {
    run({ mb: Number(arg('mb', '500')), ...(arg('rounds') ? { rounds: Number(arg('rounds')) } : {}) }).catch((e) => {
      console.error(e);
      process.exitCode = 1;
    });
  }
}

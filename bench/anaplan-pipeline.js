'use strict';
/**
 * What the Anaplan benches upload: file -> chunk-lines (10MB) -> anaplan sink into the emulator's
 * default file, composed with core's engine (no CLI), with the emulator's demo login.
 * Needs the build (`tsc -b`).
 */
const { promises: fs } = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const ROOT = path.resolve(__dirname, '..');
const CORE = path.join(ROOT, 'packages/core/dist');
const ANAPLAN = path.join(ROOT, 'packages/sink-anaplan/dist');

const CHUNK_SIZE = 10_000_000;
const USER = 'ops@acme.com';
const PASSWORD = 'demo-password';
const WORKSPACE = '8a868cd9837162ef0183cd4d7ba842c0';
const MODEL = '295D98F37F1B4682BE7A29035CBFB924';
const FILE_ID = '113000000000';

/**
 * The pipeline for `csvPath` against the emulator at `url`; `sink` adds to the sink's settings.
 * `run()` runs it once and returns the outcome; `cleanup()` removes its run folder.
 */
async function fileToAnaplan({ csvPath, url, sink, logLevel = 'warn' }) {
  const core = require(CORE);
  const engine = require(path.join(CORE, 'engine'));
  const { anaplanSink } = require(ANAPLAN);
  const secrets = new core.Redactor();
  const log = new core.StreamLogger({ level: logLevel, secrets });
  const stage = (plugin, config) => ({ use: plugin.name, plugin, origin: 'bench', config: core.validatePluginConfig(plugin, config), path: [] });
  const pipeline = {
    name: 'bench',
    needs: [],
    retries: 0,
    source: stage(engine.fileSource, { path: csvPath }),
    transforms: [stage(engine.chunkLines, { chunkSize: CHUNK_SIZE })],
    sink: stage(anaplanSink, {
      workspace: WORKSPACE,
      model: MODEL,
      file: FILE_ID,
      auth: { type: 'basic', username: USER, password: PASSWORD },
      ...sink,
      apiUrl: `${url}/2/0`,
      authUrl: url,
      oauthUrl: url,
    }),
  };
  const runDir = await fs.mkdtemp(path.join(os.tmpdir(), 'pipe-bench-'));
  return {
    sinkName: anaplanSink.name,
    run: () => engine.runPipeline(pipeline, { runId: 'bench', runDir, cwd: process.cwd(), signal: new AbortController().signal, log, secrets }),
    cleanup: () => fs.rm(runDir, { recursive: true, force: true }),
  };
}

module.exports = { fileToAnaplan, CHUNK_SIZE, USER, PASSWORD, WORKSPACE, MODEL, FILE_ID };

// file -> chunk-lines -> {dir | discard} through the real engine, as `pipe run` would.
// Args: FILE CHUNK_SIZE SINK(dir|discard) DURABLE(true|false)
const { mkdtempSync, rmSync } = require('node:fs');
const { tmpdir } = require('node:os');
const { join, resolve } = require('node:path');
const core = require('../../packages/core/dist');
const engine = require('../../packages/core/dist/engine');

const discard = core.defineSink({
  name: 'discard',
  summary: 'Reads and drops every piece.',
  config: core.Type.Object({}),
  async consume(input) {
    for await (const piece of input) if (piece.type === 'data') piece.release?.();
    return {};
  },
});

(async () => {
  const [file, chunkSize = '10MB', sinkName = 'dir', durable = 'false'] = process.argv.slice(2);
  const out = mkdtempSync(join(process.env.BENCH_OUT_DIR || tmpdir(), 'pipe-bench-'));
  const stage = (plugin, config) => ({ use: plugin.name, plugin, origin: 'built-in', config: core.validatePluginConfig(plugin, config), path: [] });
  const pipeline = {
    name: 'bench',
    needs: [],
    retries: 0,
    source: stage(engine.fileSource, { path: resolve(file) }),
    transforms: [stage(engine.chunkLines, { chunkSize })],
    sink: sinkName === 'dir' ? stage(engine.dirSink, { path: out, name: 'part-{index}.csv', durable: durable === 'true' }) : stage(discard, {}),
  };
  const secrets = new core.Redactor();
  const started = process.hrtime.bigint();
  const outcome = await engine.runPipeline(pipeline, {
    runId: 'bench',
    runDir: out,
    cwd: process.cwd(),
    signal: new AbortController().signal,
    log: new core.StreamLogger({ level: 'warn', secrets }),
    secrets,
  });
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  rmSync(out, { recursive: true, force: true });
  if (outcome.status !== 'succeeded') throw new Error(outcome.error);
  process.stdout.write(
    JSON.stringify({
      bytes: outcome.bytes,
      seconds,
      maxRssMB: (process.resourceUsage().maxRSS * 1024) / 1e6,
      chunks: outcome.progress['transform:chunk-lines'].chunks,
    }),
  );
})();

// `pnpm bench`: pipe's throughput and memory, each figure beside a baseline measured in the same run.
// Then `pipe validate` on files of 100, 1,000 and 5,000 pipelines (bench/validate.js), how long
// `pipe` takes to start, as a ratio to a bare `node -e 1` (bench/startup.js), and 50 pipelines
// through the queue on 1, 2 and 4 workers beside `pipe run` (bench/queue.js).
// Sizes: BENCH_MB (default 500). Cases run in fresh processes; peak RSS is per case.
const { existsSync } = require('node:fs');
const { join } = require('node:path');
const { generateCsv } = require('./generate-csv');
const { runCase, mbps } = require('./run-case');

const MB = Number(process.env.BENCH_MB || 500);

function table(rows) {
  const header = ['case', 'MB/s', 'vs baseline', 'peak RSS MB'];
  const cells = rows.map((r) => [r.name, r.mbps.toFixed(0), r.ratio === undefined ? '-' : `${(r.ratio * 100).toFixed(0)}%`, r.maxRssMB.toFixed(0)]);
  const widths = header.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i].length)));
  return [header, ...cells].map((c) => c.map((v, i) => v.padEnd(widths[i])).join('  ')).join('\n');
}

(async () => {
  const csv = await generateCsv(join(__dirname, '.data', `bench-${MB}MB.csv`), MB);
  console.log(`# core: file -> chunk-lines -> dir on ${csv} (${MB} MB, quoted multi-line fields)`);
  const raw = runCase(join(__dirname, 'cases/raw-read.js'), [csv]);
  const pipeline = (sink, durable) => runCase(join(__dirname, 'cases/chunk-pipeline.js'), [csv, '10MB', sink, String(durable)]);
  const discard = pipeline('discard', false);
  const dir = pipeline('dir', false);
  const durable = pipeline('dir', true);
  const row = (name, r) => ({ name, mbps: mbps(r), ratio: mbps(r) / mbps(raw), maxRssMB: r.maxRssMB });
  console.log(
    table([
      { name: 'baseline: createReadStream -> /dev/null', mbps: mbps(raw), maxRssMB: raw.maxRssMB },
      row(`file -> chunk-lines(10MB) -> discard (${discard.chunks} chunks)`, discard),
      row('file -> chunk-lines(10MB) -> dir', dir),
      row('file -> chunk-lines(10MB) -> dir, durable (fsync)', durable),
    ]),
  );
  for (const extra of ['anaplan.js', 'sfdc.js', 'sfdc-download.js', 'validate.js', 'startup.js', 'queue.js', 'adaptive.js']) {
    const path = join(__dirname, extra);
    if (!existsSync(path)) continue;
    console.log('');
    await require(path).run({ csvPath: csv, mb: MB, print: (line) => console.log(line) });
  }
})().catch((error) => {
  console.error(error);
  process.exit(1);
});

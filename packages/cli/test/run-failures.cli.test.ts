/**
 * What a user sees when a plugin misbehaves or a run is cut short: a failure that names the
 * pipeline and plugin, no stack trace, no partial output, and a run record that tells the truth.
 */
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { sleep } from '@pipe/core';
import { type RunOutcome } from '@pipe/core/engine';
import { pipe, salesCsv, startPipe, workspace } from './run-pipe';

/** A source module: one data piece, then whatever MODE says. */
const BAD_SOURCE = `
module.exports = {
  kind: 'source', name: 'bad-source', summary: 'misbehaves', config: { type: 'object' },
  async *open() {
    const doc = { id: 'd1', name: 'd1' };
    yield { type: 'data', doc, data: Buffer.from('id,name\\n1,one\\n') };
    if (process.env.MODE === 'unknown-type') yield { type: 'done', doc };
    if (process.env.MODE === 'string') yield '2,two\\n';
    if (process.env.MODE === 'timer') {
      setTimeout(() => { throw new Error('socket hung up in a timer'); }, 50);
      await new Promise(() => {}); // never resumes: only the thrown error can end this pipeline
    }
    if (process.env.MODE === 'stall') await new Promise(() => {}); // nothing will ever settle it
    yield { type: 'end', doc };
  },
};
`;

const EXPLODING_TRANSFORM = `
module.exports = {
  kind: 'transform', name: 'explode', summary: 'throws', config: { type: 'object' },
  create() {
    return { push() { throw new Error('column 3 is missing'); } };
  },
};
`;

/** A sink that reads everything, then sits in its final step (an import) until the run stops. */
const SLOW_IMPORT_SINK = `
const { writeFileSync } = require('node:fs');
module.exports = {
  kind: 'sink', name: 'slow-import', summary: 'imports slowly', config: { type: 'object' },
  async consume(input, config, ctx) {
    let doc;
    for await (const piece of input) doc = piece.doc;
    writeFileSync(ctx.resolvePath('final-step'), 'importing');
    const polling = setInterval(() => {}, 100); // asks the server how the import is going
    try {
      if (process.env.IGNORE_ABORT) await new Promise(() => {});
      await new Promise((resolve, reject) => ctx.signal.addEventListener('abort', () => reject(ctx.signal.reason)));
    } finally {
      clearInterval(polling);
    }
    return { documents: [{ doc, outputs: ['imported'] }] };
  },
};
`;

/** A sink that counts the rows it receives and reports them, like an import does. */
const COUNTING_SINK = `
module.exports = {
  kind: 'sink', name: 'counting', summary: 'counts rows', config: { type: 'object' },
  async consume(input) {
    let doc;
    let lines = 0;
    for await (const piece of input) {
      doc = piece.doc;
      if (piece.type === 'data') for (const byte of piece.data) if (byte === 10) lines++;
    }
    return { outputs: ['counted'], documents: [{ doc, rows: lines - 1 }] };
  },
};
`;

function pipelineFile(source: string, sink: string, transforms = ''): string {
  return `version: 1\npipelines:\n  x:\n    source: { use: ${source} }\n${transforms}    sink: ${sink}\n`;
}

const FILE_SINK = '{ use: file, with: { path: ./out/x.csv } }';

/** The one run record in the project's state folder. */
function runRecord(dir: string): RunOutcome {
  const records = readdirSync(join(dir, '.pipe/last-run'));
  expect(records).toHaveLength(1);
  return JSON.parse(readFileSync(join(dir, '.pipe/last-run', records[0]), 'utf8')) as RunOutcome;
}

function outputFiles(dir: string): string[] {
  return existsSync(join(dir, 'out')) ? readdirSync(join(dir, 'out')) : [];
}

async function waitFor(condition: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 60_000;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
  }
}

const STACK_LINE = /^\s+at .+\(.*:\d+:\d+\)$/m;

describe('pipe run, when a plugin breaks the piece contract', () => {
  it.each([
    ['unknown-type', 'a piece of unknown type "done"'],
    ['string', 'a string'],
  ])('a source yielding %s fails its pipeline, naming the plugin, and the file sink writes nothing', async (mode, problem) => {
    const dir = workspace({ 'p.yml': pipelineFile('./bad-source.js', FILE_SINK), 'bad-source.js': BAD_SOURCE });
    const result = await pipe(['run', 'p.yml'], { cwd: dir, env: { MODE: mode } });
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/x\s+FAILED/);
    expect(result.stdout).toContain(
      `error: pipeline "x", plugin "bad-source": produced an invalid piece (${problem}); a piece is {type: 'data', doc, data: Buffer}`,
    );
    expect(result.stdout + result.stderr).not.toContain('Cannot read properties');
    expect(outputFiles(dir)).toEqual([]);
  });

  it('a transform that throws is reported as the failure of that transform, not of the source', async () => {
    const transforms = '    transforms:\n      - use: ./explode.js\n';
    const dir = workspace({
      'p.yml': pipelineFile('file, with: { path: ./in.csv }', FILE_SINK, transforms),
      'in.csv': 'id\n1\n',
      'explode.js': EXPLODING_TRANSFORM,
    });
    const result = await pipe(['run', 'p.yml', '--json'], { cwd: dir });
    expect(result.code).toBe(1);
    const pipeline = JSON.parse(result.stdout).result.pipelines[0];
    expect(pipeline).toMatchObject({ status: 'failed', failedPlugin: 'explode', error: 'pipeline "x", plugin "explode": column 3 is missing' });
    expect(outputFiles(dir)).toEqual([]);
  });
});

describe('pipe run, when a plugin throws outside the data flow', () => {
  it('an error from a plugin timer fails the pipeline in one line naming pipeline and plugin, cleans up, and records the failure; --verbose adds the stack', async () => {
    const dir = workspace({ 'p.yml': pipelineFile('./bad-source.js', FILE_SINK), 'bad-source.js': BAD_SOURCE });
    const result = await pipe(['run', 'p.yml'], { cwd: dir, env: { MODE: 'timer' } });
    expect(result.code).toBe(1);
    const output = result.stdout + result.stderr;
    expect(output).toMatch(/pipeline "x", plugin "bad-source": socket hung up in a timer \(thrown outside the data flow/);
    expect(output).not.toMatch(STACK_LINE);
    expect(outputFiles(dir)).toEqual([]); // neither the file nor its temp file
    const record = runRecord(dir);
    expect(record).toMatchObject({ status: 'failed', exitCode: 1 });
    expect(record.pipelines[0]).toMatchObject({ name: 'x', status: 'failed', failedPlugin: 'bad-source' });

    const verbose = await pipe(['run', 'p.yml', '--verbose'], { cwd: dir, env: { MODE: 'timer' } });
    expect(verbose.code).toBe(1);
    expect(verbose.stderr).toMatch(/bad-source\.js:\d+:\d+/);
  });

  it('a plugin waiting for a promise nothing can settle fails the run instead of letting it exit 0 without a record', async () => {
    const dir = workspace({ 'p.yml': pipelineFile('./bad-source.js', FILE_SINK), 'bad-source.js': BAD_SOURCE });
    const result = await pipe(['run', 'p.yml'], { cwd: dir, env: { MODE: 'stall' } });
    expect(result.code).toBe(1);
    expect(result.stdout + result.stderr).toContain('pipeline "x" stopped: its plugins wait for something that can never happen');
    expect(outputFiles(dir)).toEqual([]);
    expect(runRecord(dir)).toMatchObject({ status: 'failed', pipelines: [{ name: 'x', status: 'failed' }] });
  });
});

describe('pipe run records', () => {
  it('--only-failed re-runs what failed in this pipeline file, even after another file in the folder succeeded', async () => {
    const yaml = (input: string) =>
      `version: 1\npipelines:\n  copy:\n    source: { use: file, with: { path: ${input} } }\n    sink: { use: file, with: { path: ./out/${input}.csv } }\n`;
    const dir = workspace({ 'a.yml': yaml('a-in'), 'b.yml': yaml('b-in'), 'b-in': 'id\n1\n' });
    expect((await pipe(['run', 'a.yml'], { cwd: dir })).code).toBe(1);
    expect((await pipe(['run', 'b.yml'], { cwd: dir })).code).toBe(0);
    writeFileSync(join(dir, 'a-in'), 'id\n2\n');
    const retry = await pipe(['run', 'a.yml', '--only-failed', '--json'], { cwd: dir });
    expect(retry.code).toBe(0);
    expect(JSON.parse(retry.stdout).result.pipelines.map((p: { name: string; status: string }) => [p.name, p.status])).toEqual([['copy', 'succeeded']]);
    expect(readFileSync(join(dir, 'out/a-in.csv'), 'utf8')).toBe('id\n2\n');
  });

  it('a run stopped (SIGTERM) while the sink is in its final step is recorded as interrupted, with no document succeeded', async () => {
    const dir = workspace({
      'p.yml': pipelineFile('file, with: { path: ./in.csv }', '{ use: ./slow-import.js }'),
      'in.csv': 'id\n1\n2\n',
      'slow-import.js': SLOW_IMPORT_SINK,
    });
    const { child, done } = startPipe(['run', 'p.yml'], { cwd: dir });
    await waitFor(() => existsSync(join(dir, 'final-step')), 'the sink to reach its final step');
    child.kill('SIGTERM');
    const result = await done;
    expect(result.code).toBe(130);
    const record = runRecord(dir);
    expect(record.status).toBe('interrupted');
    expect(record.pipelines[0].status).toBe('interrupted');
    expect(record.pipelines[0].documents.map((d) => d.status)).toEqual(['interrupted']);
    expect(result.stdout).toContain('document in: interrupted');
  });

  it('a second signal quits at once and still leaves a record of the run as interrupted', async () => {
    const dir = workspace({
      'p.yml': pipelineFile('file, with: { path: ./in.csv }', '{ use: ./slow-import.js }'),
      'in.csv': 'id\n1\n',
      'slow-import.js': SLOW_IMPORT_SINK,
    });
    const { child, done } = startPipe(['run', 'p.yml'], { cwd: dir, env: { IGNORE_ABORT: '1' } });
    let stderr = '';
    child.stderr!.on('data', (d) => (stderr += d));
    await waitFor(() => existsSync(join(dir, 'final-step')), 'the sink to reach its final step');
    child.kill('SIGTERM');
    await waitFor(() => stderr.includes('SIGTERM: stopping'), 'pipe to take the first signal');
    child.kill('SIGTERM');
    expect((await done).code).toBe(130);
    const record = runRecord(dir);
    expect(record.status).toBe('interrupted');
    expect(record.pipelines[0]).toMatchObject({ name: 'x', status: 'interrupted' });
  });
});

describe('pipe run summary', () => {
  it('shows the rows the sink counted when the source did not count them', async () => {
    const dir = workspace({
      'p.yml': pipelineFile('file, with: { path: ./in.csv }', '{ use: ./counting.js }'),
      'in.csv': 'id\n1\n2\n3\n',
      'counting.js': COUNTING_SINK,
    });
    const result = await pipe(['run', 'p.yml'], { cwd: dir });
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^x\s+ok\s+3\s/m);
  });

  it('the CSV summary gives each duration exactly as --json does', async () => {
    const dir = workspace({ 'p.yml': pipelineFile('file, with: { path: ./in.csv }', FILE_SINK), 'in.csv': 'id\n1\n' });
    const result = await pipe(['run', 'p.yml', '--json', '--summary', 'summary.csv'], { cwd: dir });
    expect(result.code).toBe(0);
    const json = JSON.parse(result.stdout).result.pipelines[0];
    const [row] = parse(readFileSync(join(dir, 'summary.csv')), { columns: true }) as Record<string, string>[];
    expect(Math.round(Number(row.duration_s) * 1000)).toBe(json.durationMs);
  });

  it('a run whose stdout and stderr were closed (`pipe run … 2>&1 | head -1`) finishes its work, records it and exits', async () => {
    const dir = workspace({ 'p.yml': pipelineFile('file, with: { path: ./in.csv }', FILE_SINK), 'in.csv': salesCsv(2000) });
    // debug on the console: every step writes to the closed stderr.
    const { child, done } = startPipe(['run', 'p.yml', '--log-level', 'debug'], { cwd: dir });
    child.stdout!.destroy();
    child.stderr!.destroy();
    const result = await done;
    expect(result.code).toBe(0);
    expect(readFileSync(join(dir, 'out/x.csv'), 'utf8')).toBe(salesCsv(2000));
    expect(runRecord(dir).status).toBe('succeeded');
    // The log file holds the run, not a loop of write errors.
    const log = readFileSync(join(dir, '.pipe/logs/pipe.1.log'), 'utf8');
    expect(log).not.toContain('EPIPE');
  });
});

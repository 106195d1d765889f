import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { dataPiece, defineSink, defineSource, docEnd, Redactor, sleep, StreamLogger, Type, type DataPiece, type Piece, type Plugin } from '../../src';
import { chunkLines, dirSink, fileSink, runPipeline, type ResolvedPipeline, type ResolvedStage } from '../../src/engine';
import { project } from '../helpers';

const MB = 1_000_000;

function stage<P extends Plugin>(plugin: P, config: unknown): ResolvedStage<P> {
  return { use: plugin.name, plugin, origin: 'test', config, path: [] };
}

function pipeline(source: ResolvedStage, transforms: ResolvedStage[], sink: ResolvedStage): ResolvedPipeline {
  return { name: 'p', needs: [], retries: 0, source, transforms, sink, targets: [] } as ResolvedPipeline;
}

const doc = { id: 'gen', name: 'gen' };

/** A source of `totalBytes` of CSV rows in 64 KiB pieces, counting what it has handed out. */
function generator(totalBytes: number, meter: { produced: number }, failAfter?: number) {
  return defineSource({
    name: 'gen',
    summary: 'test rows',
    config: Type.Object({}),
    async *open(): AsyncGenerator<Piece> {
      const row = Buffer.from('12345,"quoted, with\nnewline",abcdefghijklmnopqrstuvwxyz\n');
      const piece = Buffer.concat(Array.from({ length: Math.floor(65536 / row.length) }, () => row));
      while (meter.produced < totalBytes) {
        if (failAfter !== undefined && meter.produced >= failAfter) throw new Error('disk on fire');
        meter.produced += piece.length;
        yield dataPiece(doc, piece);
      }
      yield docEnd(doc);
    },
  });
}

/** A sink that hands each data piece to `handle` and waits for it before reading the next. */
function slowSink(handle: (piece: DataPiece) => Promise<void>) {
  return defineSink({
    name: 'slow',
    summary: 'slow',
    config: Type.Object({}),
    async consume(input) {
      for await (const piece of input) if (piece.type === 'data') await handle(piece);
      return {};
    },
  });
}

function options(signal = new AbortController().signal, cwd = project({})) {
  const secrets = new Redactor();
  return { runId: 'r', runDir: join(cwd, 'run'), cwd, signal, log: new StreamLogger({ level: 'silent', secrets }), secrets };
}

describe('runPipeline', () => {
  it('a slow sink slows the source: data in flight stays bounded by chunk size, not input size', async () => {
    const meter = { produced: 0 };
    let consumed = 0;
    let maxInFlight = 0;
    const sink = slowSink(async (piece) => {
      maxInFlight = Math.max(maxInFlight, meter.produced - consumed);
      await sleep(3);
      consumed += piece.data.length;
    });
    const outcome = await runPipeline(
      pipeline(stage(generator(150 * MB, meter), {}), [stage(chunkLines, { chunkSize: MB, header: 'first' })], stage(sink, {})),
      options(),
    );
    expect(outcome.status).toBe('succeeded');
    expect(consumed).toBe(meter.produced);
    // Pieces buffered: the chunker's pending chunk, one chunk between each stage, one in the sink.
    expect(maxInFlight).toBeLessThan(5 * MB);
    expect(outcome.progress['transform:chunk-lines'].chunks).toBeGreaterThan(140);
  });

  it('chunk-lines before a sink that takes one chunk at a time needs two chunk buffers: the one being written and the next', async () => {
    // chunk-lines hands out pooled buffers and reuses the ones the sink releases, so the number of
    // distinct buffers the sink ever sees is the number of chunks alive at the worst moment.
    const buffers = new Set<ArrayBufferLike>();
    let chunks = 0;
    const sink = slowSink(async (piece) => {
      buffers.add(piece.data.buffer);
      chunks++;
      await sleep(2);
      piece.release?.();
    });
    const outcome = await runPipeline(
      pipeline(stage(generator(40 * MB, { produced: 0 }), {}), [stage(chunkLines, { chunkSize: MB, header: 'first' })], stage(sink, {})),
      options(),
    );
    expect(outcome.status).toBe('succeeded');
    expect(chunks).toBeGreaterThan(38);
    expect(buffers.size).toBe(2);
  });

  it('a failing source names the pipeline and plugin, tears the pipeline down, and leaves no output', async () => {
    const cwd = project({});
    const outcome = await runPipeline(
      pipeline(stage(generator(50 * MB, { produced: 0 }, 3 * MB), {}), [], stage(fileSink, { path: 'out/all.csv' })),
      options(undefined, cwd),
    );
    expect(outcome.status).toBe('failed');
    expect(outcome.error).toBe('pipeline "p", plugin "gen": disk on fire');
    expect(outcome.failedPlugin).toBe('gen');
    expect(readdirSync(join(cwd, 'out'))).toEqual([]);
  });

  it('a failing sink aborts the source through the AbortSignal', async () => {
    let sourceAborted = false;
    const endless = defineSource({
      name: 'endless',
      summary: 'never ends',
      config: Type.Object({}),
      async *open(_config, ctx) {
        ctx.signal.addEventListener('abort', () => (sourceAborted = true));
        for (;;) yield dataPiece(doc, Buffer.alloc(1024, 97));
      },
    });
    const brokenSink = defineSink({
      name: 'broken',
      summary: 'fails',
      config: Type.Object({}),
      async consume(input) {
        let n = 0;
        for await (const _ of input) if (++n === 10) throw new Error('remote said no');
        return {};
      },
    });
    const outcome = await runPipeline(pipeline(stage(endless, {}), [], stage(brokenSink, {})), options());
    expect(outcome.error).toBe('pipeline "p", plugin "broken": remote said no');
    expect(sourceAborted).toBe(true);
  });

  it('Ctrl-C aborts in-flight work: status interrupted and no file left looking complete', async () => {
    const cwd = project({});
    const controller = new AbortController();
    const meter = { produced: 0 };
    const run = runPipeline(
      pipeline(
        stage(generator(10_000 * MB, meter), {}),
        [stage(chunkLines, { chunkSize: MB, header: 'first' })],
        stage(dirSink, { path: 'out', name: 'part-{index}.csv' }),
      ),
      options(controller.signal, cwd),
    );
    while (meter.produced < 20 * MB) await sleep(5);
    controller.abort();
    const outcome = await run;
    expect(outcome.status).toBe('interrupted');
    expect(existsSync(join(cwd, 'out')) ? readdirSync(join(cwd, 'out')) : []).toEqual([]);
    expect(meter.produced).toBeLessThan(10_000 * MB);
  });
});

describe('runPipelines', () => {
  it('retries: starts a failed pipeline over from the first byte', async () => {
    const { runPipelines } = await import('../../src/engine');
    let attempts = 0;
    let firstAttemptAt = 0;
    const flaky = defineSource({
      name: 'flaky',
      summary: 'fails once',
      config: Type.Object({}),
      async *open() {
        attempts++;
        firstAttemptAt ||= Date.now();
        yield dataPiece(doc, Buffer.from('a,b\n'));
        if (attempts === 1) throw new Error('connection reset mid-body');
        yield dataPiece(doc, Buffer.from('1,2\n'));
        yield docEnd(doc);
      },
    });
    const cwd = project({});
    const file = {
      file: join(cwd, 'p.yml'),
      dir: cwd,
      concurrency: 1,
      stateDir: join(cwd, '.pipe'),
      logs: undefined,
      secrets: [],
      pipelines: [{ ...pipeline(stage(flaky, {}), [], stage(fileSink, { path: 'out.csv', durable: false })), retries: 1 }],
    };
    const { signal, log, secrets } = options(undefined, cwd);
    const run = await runPipelines(file, { signal, log, secrets });
    expect(run.exitCode).toBe(0);
    expect(run.pipelines[0]).toMatchObject({ status: 'succeeded', attempts: 2 });
    // Its start is the first attempt's, so its duration covers both attempts.
    expect(Date.parse(run.pipelines[0].startedAt!)).toBeLessThanOrEqual(firstAttemptAt);
    expect(readFileSync(join(cwd, 'out.csv'), 'utf8')).toBe('a,b\n1,2\n');
  });
  it('facts a plugin reports about its run land in the pipeline outcome, the last value of each key winning', async () => {
    const reporting = defineSink({
      name: 'reporting',
      summary: 'reports facts',
      config: Type.Object({}),
      async consume(input, _config, ctx) {
        ctx.progress.report({ concurrency: 2, compress: 'gzip-1' });
        for await (const piece of input) if (piece.type === 'end') ctx.progress.report({ concurrency: 3, http429: 4 });
        return {};
      },
    });
    const outcome = await runPipeline(pipeline(stage(generator(MB, { produced: 0 }), {}), [], stage(reporting, {})), options());
    expect(outcome.status).toBe('succeeded');
    expect(outcome.progress['sink:reporting'].facts).toEqual({ concurrency: 3, compress: 'gzip-1', http429: 4 });
  });
});

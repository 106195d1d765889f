import { join } from 'node:path';
import {
  dataPiece,
  defineSink,
  defineSource,
  defineTransform,
  docEnd,
  docFailed,
  Redactor,
  sleep,
  StreamLogger,
  Type,
  type Piece,
  type Plugin,
} from '../../src';
import { runPipeline, type ResolvedPipeline, type ResolvedStage } from '../../src/engine';
import { guardPieces, pieceProblem } from '../../src/engine/piece-guard';
import { currentPluginScope, type PluginScope } from '../../src/engine/plugin-scope';
import { project } from '../helpers';

const doc = { id: 'd', name: 'd' };

function stage<P extends Plugin>(plugin: P): ResolvedStage<P> {
  return { use: plugin.name, plugin, origin: 'test', config: {}, path: [] };
}

function pipeline(source: Plugin, transforms: Plugin[], sink: Plugin): ResolvedPipeline {
  return { name: 'p', needs: [], retries: 0, source: stage(source), transforms: transforms.map(stage), sink: stage(sink), targets: [] } as ResolvedPipeline;
}

function options(signal = new AbortController().signal) {
  const cwd = project({});
  const secrets = new Redactor();
  return { runId: 'r', runDir: join(cwd, 'run'), cwd, signal, log: new StreamLogger({ level: 'silent', secrets }), secrets };
}

/** A source yielding `items` as they are, valid or not. */
function sourceOf(items: unknown[]) {
  return defineSource({
    name: 'loose',
    summary: 'yields anything',
    config: Type.Object({}),
    async *open() {
      for (const item of items) yield item as Piece;
    },
  });
}

/** A sink keeping every piece it reads. */
function recordingSink(seen: unknown[]) {
  return defineSink({
    name: 'recorder',
    summary: 'keeps pieces',
    config: Type.Object({}),
    async consume(input) {
      for await (const piece of input) seen.push(piece);
      return {};
    },
  });
}

describe('pieceProblem', () => {
  it('accepts the three kinds of piece, with their optional fields', () => {
    for (const piece of [dataPiece(doc, Buffer.from('a'), 0, () => undefined), docEnd(doc, 3, 10), docEnd(doc), docFailed(doc, new Error('x'))]) {
      expect(pieceProblem(piece)).toBeUndefined();
    }
  });

  it.each([
    ['a string', 'a,b\n'],
    ['a number', 42],
    ['null', null],
    ['undefined', undefined],
    ['an array', [dataPiece(doc, Buffer.from('a'))]],
    ['an object without a type', { doc }],
    ['a piece of unknown type "done"', { type: 'done', doc }],
    ['a data piece whose data is a string, not a Buffer', { type: 'data', doc, data: 'a,b' }],
    ['a data piece whose data is a Uint8Array, not a Buffer', { type: 'data', doc, data: new Uint8Array(2) }],
    ['an end piece whose doc is undefined', { type: 'end' }],
    ['an end piece whose doc is missing its id or name string', { type: 'end', doc: { id: 1, name: 'x' } }],
    ['a failed piece whose error is a string, not an Error', { type: 'failed', doc, error: 'boom' }],
  ])('names what is wrong: %s', (problem, value) => {
    expect(pieceProblem(value)).toBe(problem);
  });
});

describe('guardPieces', () => {
  const scope: PluginScope = { pipeline: 'p', plugin: 'gen', fail: () => undefined };
  const label = (error: unknown) => new Error(`labelled: ${(error as Error).message}`);

  it('stops at an invalid piece with a labelled error, and lets the producer clean up', async () => {
    let cleanedUp = false;
    async function* producer() {
      try {
        yield dataPiece(doc, Buffer.from('a'));
        yield 'b' as unknown as Piece;
        yield docEnd(doc);
      } finally {
        cleanedUp = true;
      }
    }
    const seen: Piece[] = [];
    await expect(
      (async () => {
        for await (const piece of guardPieces(scope, producer, label)) seen.push(piece);
      })(),
    ).rejects.toThrow(/^labelled: produced an invalid piece \(a string\)/);
    expect(seen).toHaveLength(1);
    expect(cleanedUp).toBe(true);
  });

  it('runs the producer in its plugin scope, including what it schedules', async () => {
    const scopes: (PluginScope | undefined)[] = [];
    async function* producer() {
      scopes.push(currentPluginScope());
      await new Promise<void>((resolve) =>
        setTimeout(() => {
          scopes.push(currentPluginScope());
          resolve();
        }, 1),
      );
      yield docEnd(doc);
    }
    for await (const _ of guardPieces(scope, producer, label)) scopes.push(currentPluginScope());
    expect(scopes.slice(0, 2)).toEqual([scope, scope]);
    expect(scopes[2]).toBeUndefined(); // the consumer is not in the producer's scope
  });

  it('labels what the producer throws, even synchronously before returning its pieces', async () => {
    const produce = () => {
      throw new Error('bad config');
    };
    await expect(guardPieces(scope, produce, label).next()).rejects.toThrow('labelled: bad config');
  });
});

describe('runPipeline at its stage boundaries', () => {
  it('an invalid piece never reaches the sink, and the failure names the plugin that produced it', async () => {
    const seen: unknown[] = [];
    const outcome = await runPipeline(
      pipeline(sourceOf([dataPiece(doc, Buffer.from('a')), { type: 'done', doc }, docEnd(doc)]), [], recordingSink(seen)),
      options(),
    );
    expect(outcome.status).toBe('failed');
    expect(outcome.failedPlugin).toBe('loose');
    expect(outcome.error).toMatch(/^pipeline "p", plugin "loose": produced an invalid piece \(a piece of unknown type "done"\)/);
    expect(seen.every((piece) => pieceProblem(piece) === undefined)).toBe(true);
  });

  it('a transform producing an invalid piece is named, not the source', async () => {
    const stringify = defineTransform({
      name: 'stringify',
      summary: 'yields strings',
      config: Type.Object({}),
      create: () => ({
        *push(piece: Piece) {
          yield (piece.type === 'data' ? piece.data.toString() : piece) as Piece;
        },
      }),
    });
    const seen: unknown[] = [];
    const outcome = await runPipeline(pipeline(sourceOf([dataPiece(doc, Buffer.from('a')), docEnd(doc)]), [stringify], recordingSink(seen)), options());
    expect(outcome.error).toMatch(/^pipeline "p", plugin "stringify": produced an invalid piece \(a string\)/);
    expect(seen).toEqual([]);
  });

  it.each([
    [
      'from push itself',
      () => ({
        push: (): Piece[] => {
          throw new Error('column 3 is missing');
        },
      }),
    ],
    [
      'from create',
      () => {
        throw new Error('column 3 is missing');
      },
    ],
  ])('a transform that throws %s is named in the error', async (_how, create) => {
    const throwing = defineTransform({ name: 'explode', summary: 'throws', config: Type.Object({}), create });
    const outcome = await runPipeline(pipeline(sourceOf([dataPiece(doc, Buffer.from('a')), docEnd(doc)]), [throwing], recordingSink([])), options());
    expect(outcome).toMatchObject({ status: 'failed', failedPlugin: 'explode', error: 'pipeline "p", plugin "explode": column 3 is missing' });
  });

  it("a plugin's scope reaches its timers, and failing it from there fails the pipeline, naming the plugin, even while the source hangs", async () => {
    let seenFromTimer: PluginScope | undefined;
    const hanging = defineSource({
      name: 'hangs',
      summary: 'never ends',
      config: Type.Object({}),
      async *open() {
        yield dataPiece(doc, Buffer.from('a'));
        setTimeout(() => {
          seenFromTimer = currentPluginScope();
          seenFromTimer?.fail(new Error('socket hung up'));
        }, 1);
        await new Promise(() => undefined);
      },
    });
    const outcome = await runPipeline(pipeline(hanging, [], recordingSink([])), options());
    expect(seenFromTimer).toMatchObject({ pipeline: 'p', plugin: 'hangs' });
    expect(outcome).toMatchObject({ status: 'failed', failedPlugin: 'hangs', error: 'pipeline "p", plugin "hangs": socket hung up' });
    expect(outcome.documents.map((d) => d.status)).toEqual(['failed']);
  });

  it('an interruption while the sink finishes leaves its document interrupted, not succeeded', async () => {
    const controller = new AbortController();
    let finalStep = false;
    const importing = defineSink({
      name: 'import',
      summary: 'imports at the end',
      config: Type.Object({}),
      async consume(input, _config, ctx) {
        for await (const _ of input);
        finalStep = true;
        await new Promise((_resolve, reject) => ctx.signal.addEventListener('abort', () => reject(ctx.signal.reason as Error)));
        return {};
      },
    });
    const run = runPipeline(pipeline(sourceOf([dataPiece(doc, Buffer.from('a')), docEnd(doc)]), [], importing), options(controller.signal));
    while (!finalStep) await sleep(5);
    controller.abort();
    const outcome = await run;
    expect(outcome.status).toBe('interrupted');
    expect(outcome.documents.map((d) => d.status)).toEqual(['interrupted']);
  });

  it('takes the rows the sink counted when the source did not', async () => {
    const counting = defineSink({
      name: 'counting',
      summary: 'counts',
      config: Type.Object({}),
      async consume(input) {
        for await (const _ of input);
        return { documents: [{ doc, rows: 7, outputs: ['imported'] }] };
      },
    });
    const outcome = await runPipeline(pipeline(sourceOf([dataPiece(doc, Buffer.from('a')), docEnd(doc)]), [], counting), options());
    expect(outcome.documents).toMatchObject([{ id: 'd', status: 'succeeded', rows: 7, outputs: ['imported'] }]);
  });
});

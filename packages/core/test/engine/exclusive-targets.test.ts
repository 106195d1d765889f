import { join } from 'node:path';
import { dataPiece, defineSink, defineSource, docEnd, Redactor, StreamLogger, Type, type SinkTarget } from '../../src';
import { runPipelines, type ResolvedPipeline, type ResolvedPipelineFile, InProcessTargetLocks, type TargetLocks } from '../../src/engine';
import { targetTurns } from '../../src/engine/run-pipelines';
import { project } from '../helpers';

const source = defineSource({
  name: 'one-doc',
  summary: 'one small document',
  config: Type.Object({}),
  async *open(_config, ctx) {
    const doc = { id: ctx.pipeline, name: ctx.pipeline };
    yield dataPiece(doc, Buffer.from('a,b\n1,2\n'));
    yield docEnd(doc);
  },
});

/** A sink that records when each pipeline starts and ends writing, and waits a few turns of the event loop in between. */
function recordingSink(events: string[], failFirst = new Set<string>()) {
  return defineSink({
    name: 'recording',
    summary: 'records',
    config: Type.Object({}),
    async consume(input, _config, ctx) {
      events.push(`${ctx.pipeline}:start`);
      for await (const piece of input) void piece;
      for (let i = 0; i < 5; i++) await new Promise((r) => setImmediate(r));
      events.push(`${ctx.pipeline}:end`);
      if (failFirst.delete(ctx.pipeline)) throw new Error('first attempt fails');
      return {};
    },
  });
}

const target = (key: string): SinkTarget => ({ key, label: `target ${key}`, sharing: 'exclusive' });

function pipelineFile(
  events: string[],
  specs: { name: string; targets: string[]; needs?: string[]; retries?: number }[],
  failFirst?: Set<string>,
  concurrency = specs.length,
): ResolvedPipelineFile {
  const sink = recordingSink(events, failFirst);
  const dir = project({});
  const pipelines: ResolvedPipeline[] = specs.map((s) => ({
    name: s.name,
    needs: s.needs ?? [],
    retries: s.retries ?? 0,
    source: { use: 'one-doc', plugin: source, origin: 'test', config: {}, path: [] },
    transforms: [],
    sink: { use: 'recording', plugin: sink, origin: 'test', config: {}, path: [] },
    targets: s.targets.map(target),
  }));
  return { file: join(dir, 'pipe.yml'), dir, concurrency, stateDir: join(dir, '.pipe'), logs: undefined, pipelines, secrets: [] };
}

function run(file: ResolvedPipelineFile, locks?: TargetLocks) {
  const secrets = new Redactor();
  return runPipelines(file, { signal: new AbortController().signal, log: new StreamLogger({ level: 'silent', secrets }), secrets, locks });
}

describe('pipelines that share a target', () => {
  it('take turns in file order, while pipelines with other targets run beside them', async () => {
    const events: string[] = [];
    const outcome = await run(
      pipelineFile(events, [
        { name: 'a', targets: ['anaplan:model/file'] },
        { name: 'b', targets: ['anaplan:model/other'] },
        { name: 'c', targets: ['anaplan:model/file'] },
      ]),
    );
    expect(outcome.status).toBe('succeeded');
    expect(events.indexOf('c:start')).toBeGreaterThan(events.indexOf('a:end'));
    // b did not wait for a: it started before a ended.
    expect(events.indexOf('b:start')).toBeLessThan(events.indexOf('a:end'));
  });

  it('a pipeline waiting for its turn does not take one of the concurrency slots', async () => {
    const events: string[] = [];
    await run(
      pipelineFile(
        events,
        [
          { name: 'a', targets: ['t'] },
          { name: 'c', targets: ['t'] },
          { name: 'b', targets: ['other'] },
        ],
        undefined,
        2,
      ),
    );
    expect(events.slice(0, 2).sort()).toEqual(['a:start', 'b:start']);
  });

  it('two runs given one lock store take turns on a shared target (what a shared store does across machines)', async () => {
    const events: string[] = [];
    const locks = new InProcessTargetLocks();
    const first = pipelineFile(events, [{ name: 'first', targets: ['t'] }]);
    const second = pipelineFile(events, [{ name: 'second', targets: ['t'] }]);
    await Promise.all([run(first, locks), run(second, locks)]);
    expect(events).toEqual(['first:start', 'first:end', 'second:start', 'second:end']);
  });

  it('the next sharer runs after a failed one (its turn does not depend on the outcome)', async () => {
    const events: string[] = [];
    const outcome = await run(
      pipelineFile(
        events,
        [
          { name: 'a', targets: ['t'] },
          { name: 'c', targets: ['t'] },
        ],
        new Set(['a']),
      ),
    );
    expect(outcome.pipelines.map((p) => p.status)).toEqual(['failed', 'succeeded']);
    expect(events).toEqual(['a:start', 'a:end', 'c:start', 'c:end']);
  });

  it('a pipeline keeps its target across its retries', async () => {
    const events: string[] = [];
    const outcome = await run(
      pipelineFile(
        events,
        [
          { name: 'a', targets: ['t'], retries: 1 },
          { name: 'c', targets: ['t'] },
        ],
        new Set(['a']),
      ),
    );
    expect(outcome.pipelines.map((p) => [p.name, p.status, p.attempts])).toEqual([
      ['a', 'succeeded', 2],
      ['c', 'succeeded', 1],
    ]);
    expect(events).toEqual(['a:start', 'a:end', 'a:start', 'a:end', 'c:start', 'c:end']);
  });

  it('needs: win over file order, so sharing a target never deadlocks', async () => {
    const events: string[] = [];
    const outcome = await run(
      pipelineFile(events, [
        { name: 'load', targets: ['t'], needs: ['prepare'] },
        { name: 'prepare', targets: ['t'] },
      ]),
    );
    expect(outcome.status).toBe('succeeded');
    expect(events).toEqual(['prepare:start', 'prepare:end', 'load:start', 'load:end']);
  });
});

describe('a target known only at run time (ctx.exclusive)', () => {
  it('is held by one pipeline of the run at a time', async () => {
    const events: string[] = [];
    const sink = defineSink({
      name: 'runtime-target',
      summary: 'locks what it resolves',
      config: Type.Object({}),
      async consume(input, _config, ctx) {
        for await (const piece of input) void piece;
        const lease = await ctx.exclusive({ key: 'anaplan-file:model/113', label: 'Anaplan file 113' });
        events.push(`${ctx.pipeline}:start`);
        for (let i = 0; i < 5; i++) await new Promise((r) => setImmediate(r));
        events.push(`${ctx.pipeline}:end`);
        await lease.release();
        return {};
      },
    });
    const file = pipelineFile(
      [],
      [
        { name: 'a', targets: [] },
        { name: 'b', targets: [] },
      ],
    );
    const pipelines = file.pipelines.map((p) => ({ ...p, sink: { ...p.sink, plugin: sink } }));
    const outcome = await run({ ...file, pipelines });
    expect(outcome.status).toBe('succeeded');
    expect(events).toEqual(['a:start', 'a:end', 'b:start', 'b:end']);
  });
});

describe('targetTurns', () => {
  const p = (name: string, keys: string[], needs: string[] = []) => ({ name, needs, targets: keys.map(target) }) as unknown as ResolvedPipeline;

  it('lists, for each pipeline, the earlier sharers that do not need it', () => {
    const turns = targetTurns([p('a', ['x']), p('b', ['y']), p('c', ['x', 'y']), p('d', ['x'], ['e']), p('e', ['x'])]);
    expect(Object.fromEntries(turns)).toEqual({ a: [], b: [], c: ['a', 'b'], d: ['a', 'c'], e: ['a', 'c'] });
  });
});

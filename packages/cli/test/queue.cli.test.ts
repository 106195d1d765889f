/**
 * pipe on many workers, through the real binary, against a real redis-server and the Anaplan
 * emulator: `pipe enqueue --wait` on two workers reports as `pipe run` does; pipelines that load
 * one Anaplan file never load it at once, on any worker; a worker killed with SIGKILL mid-upload
 * loses nothing, and the partly uploaded file is never imported; no secret reaches Redis.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startAnaplanEmulator, type AnaplanEmulator } from '@pipe/emulator-anaplan';
import { IDS, opportunitiesCsv } from '../../sink-anaplan/test/support/anaplan-fixture';
import { describeWithRedis, everyValue, flushRedis, startRedis, type RedisServer } from '../../queue/test/support/redis-server';
import { waitFor } from '../../queue/test/support/wait-for';
import { queueJobs, startWorker, stopWorkers, type RunningWorker } from './queue-support';
import { pipe, startPipe, workspace } from './run-pipe';

const PASSWORD = 'queue-test-password-7f3a';
const LOAD_ROUTES = new Set(['files.chunkCount', 'files.chunk.put', 'files.complete', 'imports.tasks.start']);

const FILES_ONLY = `version: 1
pipelines:
  sales:
    source: { use: file, with: { path: ./data/sales.csv } }
    sink: { use: file, with: { path: ./out/sales.csv } }
  returns:
    source: { use: file, with: { path: ./data/returns.csv } }
    sink: { use: file, with: { path: ./out/returns.csv } }
  summary:
    needs: [sales, returns]
    source: { use: file, with: { path: ./out/sales.csv } }
    sink: { use: file, with: { path: ./out/summary.csv } }
  archive:
    needs: [sales]
    source: { use: file, with: { path: ./out/sales.csv } }
    sink: { use: file, with: { path: ./out/archive.csv } }
`;

function anaplanSink(emulator: AnaplanEmulator, extra = ''): string {
  return `
      use: anaplan
      with:
        workspace: ${IDS.workspace}
        model: ${IDS.model}
        file: ${IDS.file}
        import: ${IDS.import}
        auth: { type: basic, username: ops@acme.com, password: "\${ANAPLAN_PASSWORD}" }
        concurrency: 1
        apiUrl: ${emulator.apiUrl}
        authUrl: ${emulator.authUrl}
        pollIntervalMs: 20${extra}`;
}

/** The summary a person reads, with what differs between two runs of the same file (times, run id, log line) taken out. */
function comparable(stdout: string): string {
  return stdout
    .replace(/\b\d+(\.\d+)?(ms|s)\b/g, 'T')
    .replace(/\(run [^)]+\)/, '(run ID)')
    .split('\n')
    .filter((line) => !/^(Logs?|Summary):/.test(line))
    .join('\n')
    .replace(/ +/g, ' ');
}

describeWithRedis('pipe on several workers', () => {
  let redis: RedisServer;
  let env: Record<string, string>;
  const workers: RunningWorker[] = [];
  const emulators: AnaplanEmulator[] = [];
  const emulator = async (latencyMs = 0) => {
    const e = await startAnaplanEmulator({ host: '127.0.0.1', port: 0, taskDurationMs: 60, users: [{ username: 'ops@acme.com', password: PASSWORD }] });
    if (latencyMs) e.faults.add({ method: 'PUT', path: '/2/0/workspaces/*/models/*/files/*/chunks/*', fault: { kind: 'latency', ms: latencyMs } });
    emulators.push(e);
    return e;
  };

  beforeAll(async () => {
    redis = await startRedis();
    env = { PIPE_REDIS_URL: redis.url, PIPE_QUEUE_LOCK_MS: '1500', PIPE_QUEUE_RETRY_DELAY_MS: '100', PIPE_QUEUE_POLL_MS: '50' };
  });
  afterEach(async () => {
    await stopWorkers(workers);
    await Promise.all(emulators.splice(0).map((e) => e.stop()));
    // Each test starts from an empty queue: no job left over from the one before.
    await flushRedis(redis.url);
  });
  afterAll(async () => {
    await redis?.stop();
  });

  it('pipe enqueue --wait on two workers gives the summary, --json, --summary and exit code of pipe run', async () => {
    const dir = workspace({ 'pipe.yml': FILES_ONLY, 'data/sales.csv': 'id,amount\n1,10\n2,20\n' });
    const run = await pipe(['run', 'pipe.yml', '--summary', 'run.csv'], { cwd: dir, env });
    const runJson = JSON.parse((await pipe(['run', 'pipe.yml', '--json'], { cwd: dir, env })).stdout);

    workers.push(await startWorker(dir, 'w1', env), await startWorker(dir, 'w2', env));
    const queued = await pipe(['enqueue', 'pipe.yml', '--wait', '--summary', 'queued.csv'], { cwd: dir, env });
    const queuedJson = JSON.parse((await pipe(['enqueue', 'pipe.yml', '--wait', '--json'], { cwd: dir, env })).stdout);

    expect(run.code).toBe(1);
    expect(queued.code).toBe(run.code);
    expect(comparable(queued.stdout)).toBe(comparable(run.stdout));
    expect(queued.stdout).toContain('summary:\n  error: needs "returns", which failed');
    expect(queuedJson.exitCode).toBe(runJson.exitCode);
    const shape = (json: { result: { status: string; pipelines: { name: string; status: string; error?: string }[] } }) => ({
      status: json.result.status,
      pipelines: json.result.pipelines.map((p) => ({ name: p.name, status: p.status, error: p.error })),
    });
    expect(shape(queuedJson)).toEqual(shape(runJson));
    // pipe queue shows each job with the worker that ran it, and the failure.
    const jobs = (await queueJobs(dir, env)).filter((j) => j.runId === queuedJson.result.runId);
    expect(jobs.map((j) => `${j.name} ${j.state}`).sort()).toEqual(['archive completed', 'returns failed', 'sales completed']);
    expect(jobs.every((j) => j.worker === 'w1' || j.worker === 'w2')).toBe(true);
    expect(jobs.find((j) => j.name === 'returns')!.error).toContain('file not found');
    const csvHeader = (file: string) => readFileSync(join(dir, file), 'utf8').split('\n')[0];
    expect(csvHeader('queued.csv')).toBe(csvHeader('run.csv'));
    expect(readFileSync(join(dir, 'queued.csv'), 'utf8')).toContain('returns');
  });

  it('pipelines that load one Anaplan file take turns across workers, and each import reads its own whole input', async () => {
    const anaplan = await emulator(30);
    const rows = { east: 3000, west: 2000, north: 4000, south: 1000 };
    const yaml = [
      'version: 1',
      'pipelines:',
      ...Object.keys(rows).flatMap((name) => [`  ${name}:`, `    source: { use: file, with: { path: ./${name}.csv } }`, `    sink:${anaplanSink(anaplan)}`]),
      '',
    ].join('\n');
    const dir = workspace({
      'pipe.yml': yaml,
      '.env': `ANAPLAN_PASSWORD=${PASSWORD}\n`,
      ...Object.fromEntries(Object.entries(rows).map(([name, n]) => [`${name}.csv`, opportunitiesCsv(n)])),
    });
    workers.push(await startWorker(dir, 'w1', env, ['--concurrency', '2']), await startWorker(dir, 'w2', env, ['--concurrency', '2']));

    const result = await pipe(['enqueue', 'pipe.yml', '--wait', '--json'], { cwd: dir, env });
    expect(result.code).toBe(0);
    const run = JSON.parse(result.stdout).result;
    const processed = Object.fromEntries(
      run.pipelines.map((p: { name: string; sink: { details: { import: { rowsProcessed: number } } } }) => [p.name, p.sink.details.import.rowsProcessed]),
    );
    expect(processed).toEqual(rows);
    // Anaplan saw four whole loads one after the other: start, chunks, complete, import; never two at once.
    const loads = anaplan.requests.filter((r) => r.route && LOAD_ROUTES.has(r.route)).map((r) => r.route);
    expect(loads.join(' ').replace(/files\.chunkCount( files\.chunk\.put)+ files\.complete imports\.tasks\.start/g, 'LOAD')).toBe('LOAD LOAD LOAD LOAD');

    // No secret in Redis: the file's text holds the reference, each worker read the value from .env.
    const stored = await everyValue(redis.url);
    expect(stored).toContain('${ANAPLAN_PASSWORD}');
    expect(stored).not.toContain(PASSWORD);
  });

  it('a worker killed with SIGKILL mid-upload loses nothing: another starts the pipeline over, and the partial upload is never imported', async () => {
    const anaplan = await emulator(300);
    const input = opportunitiesCsv(30_000);
    const yaml = `version: 1\npipelines:\n  load:\n    source: { use: file, with: { path: ./in.csv } }\n    transforms: [{ use: chunk-lines, with: { chunkSize: 1MB } }]\n    sink:${anaplanSink(anaplan)}\n`;
    const dir = workspace({ 'pipe.yml': yaml, 'in.csv': input, '.env': `ANAPLAN_PASSWORD=${PASSWORD}\n` });
    workers.push(await startWorker(dir, 'w1', env), await startWorker(dir, 'w2', env));

    const waiting = startPipe(['enqueue', 'pipe.yml', '--wait', '--json'], { cwd: dir, env });
    const victim = await waitFor(() => workers.find((w) => w.stderr().includes('load: started')), 'a worker to take the job');
    await waitFor(() => anaplan.stats().chunkPuts > 0, 'the upload to begin');
    victim.child.kill('SIGKILL');
    await victim.done;

    const result = await waiting.done;
    expect(result.code).toBe(0);
    const outcome = JSON.parse(result.stdout).result.pipelines[0];
    expect(outcome.status).toBe('succeeded');
    expect(outcome.sink.details.import.rowsProcessed).toBe(30_000);
    // One import, of the whole input; the dead worker's upload was started over, never completed or imported.
    expect(anaplan.taskStarts()).toHaveLength(1);
    expect(anaplan.requests.filter((r) => r.route === 'files.chunkCount')).toHaveLength(2);
    expect(anaplan.requests.filter((r) => r.route === 'files.complete' && r.status < 300)).toHaveLength(1);
    expect(anaplan.getFileContent(IDS.workspace, IDS.model, IDS.file).equals(Buffer.from(input))).toBe(true);
    const survivor = workers.find((w) => w !== victim)!;
    expect(survivor.stderr()).toContain('load: succeeded');
  });

  it('retries: a failed pipeline starts over on the queue, with backoff, and reports its attempts', async () => {
    const anaplan = await emulator();
    anaplan.faults.add({
      method: 'PUT',
      path: '/2/0/workspaces/*/models/*/files/*/chunks/*',
      nth: 1,
      fault: { kind: 'status', status: 400, message: 'bad chunk' },
    });
    const yaml = `version: 1\npipelines:\n  load:\n    retries: 1\n    source: { use: file, with: { path: ./in.csv } }\n    sink:${anaplanSink(anaplan, '\n        retry: { attempts: 1 }')}\n`;
    const dir = workspace({ 'pipe.yml': yaml, 'in.csv': opportunitiesCsv(100), '.env': `ANAPLAN_PASSWORD=${PASSWORD}\n` });
    workers.push(await startWorker(dir, 'w1', env));
    const result = await pipe(['enqueue', 'pipe.yml', '--wait', '--json'], { cwd: dir, env });
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout).result.pipelines[0]).toMatchObject({ status: 'succeeded', attempts: 2 });
    expect(workers[0].stderr()).toContain('load: failed; starting over (attempt 2 of 2)');
  });

  it('--only-failed re-queues only what failed in the last queued run', async () => {
    const dir = workspace({ 'pipe.yml': FILES_ONLY, 'data/sales.csv': 'id,amount\n1,10\n' });
    workers.push(await startWorker(dir, 'w1', env));
    expect((await pipe(['enqueue', 'pipe.yml', '--wait'], { cwd: dir, env })).code).toBe(1);
    writeFileSync(join(dir, 'data/returns.csv'), 'id,amount\n9,-5\n');
    const again = await pipe(['enqueue', 'pipe.yml', '--only-failed', '--wait', '--json'], { cwd: dir, env });
    expect(again.code).toBe(0);
    expect(JSON.parse(again.stdout).result.pipelines.map((p: { name: string; status: string }) => `${p.name} ${p.status}`)).toEqual([
      'returns succeeded',
      'summary succeeded',
    ]);
  });

  it('SIGTERM: the worker finishes its running job, then exits 0', async () => {
    const anaplan = await emulator(200);
    const yaml = `version: 1\npipelines:\n  load:\n    source: { use: file, with: { path: ./in.csv } }\n    transforms: [{ use: chunk-lines, with: { chunkSize: 1MB } }]\n    sink:${anaplanSink(anaplan)}\n`;
    const dir = workspace({ 'pipe.yml': yaml, 'in.csv': opportunitiesCsv(20_000), '.env': `ANAPLAN_PASSWORD=${PASSWORD}\n` });
    const worker = await startWorker(dir, 'w1', env);
    workers.push(worker);
    const waiting = startPipe(['enqueue', 'pipe.yml', '--wait'], { cwd: dir, env });
    await waitFor(() => anaplan.stats().chunkPuts > 0, 'the upload to begin');
    worker.child.kill('SIGTERM');
    const stopped = await worker.done;
    expect(stopped.code).toBe(0);
    expect(stopped.stderr).toContain('SIGTERM: taking no new jobs; finishing the running ones');
    expect(stopped.stderr.indexOf('load: succeeded')).toBeGreaterThan(stopped.stderr.indexOf('SIGTERM'));
    expect((await waiting.done).code).toBe(0);
  });

  it('says where the Redis URL comes from when none is given, and which server it cannot reach', async () => {
    const dir = workspace({ 'pipe.yml': FILES_ONLY });
    const none = await pipe(['enqueue', 'pipe.yml'], { cwd: dir, env: { PIPE_REDIS_URL: '' } });
    expect(none.code).toBe(2);
    expect(none.stderr).toContain(
      'no Redis URL for the queue: pass --redis redis://HOST:6379, set PIPE_REDIS_URL, or add `queue: { redis: redis://HOST:6379 }` to the pipeline file',
    );
    // The file's queue: block names the queue when neither --redis nor PIPE_REDIS_URL does.
    writeFileSync(join(dir, 'own.yml'), FILES_ONLY.replace('version: 1\n', `version: 1\nqueue: { redis: "${redis.url}" }\n`));
    const fromFile = await pipe(['enqueue', 'own.yml'], { cwd: dir, env: { PIPE_REDIS_URL: '' } });
    expect(fromFile.code).toBe(0);
    expect(fromFile.stdout).toMatch(
      new RegExp(`^Queued run \\S+ of ${join(dir, 'own.yml')}: 4 pipelines \\(sales, returns, summary, archive\\) on ${redis.url}\\.`),
    );
    const closed = await startRedis();
    await closed.stop();
    const down = await pipe(['queue', '--redis', `redis://:s3cret-pw@127.0.0.1:${closed.port}`], { cwd: dir, env: {} });
    expect(down.code).toBe(1);
    expect(down.stderr).toContain(`cannot reach Redis at redis://127.0.0.1:${closed.port}`);
    expect(down.stderr).not.toContain('s3cret-pw');
  });
});

/**
 * `pipe schedule`: a repeatable run kept by BullMQ's scheduler in Redis, started by whichever
 * worker is free when it comes, listed and removed by id.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describeWithRedis, startRedis, type RedisServer } from '../../queue/test/support/redis-server';
import { waitFor } from '../../queue/test/support/wait-for';
import { queueJobs, startWorker, stopWorkers, type RunningWorker } from './queue-support';
import { pipe, workspace } from './run-pipe';

const FILE = `version: 1
pipelines:
  sales:
    source: { use: file, with: { path: ./sales.csv } }
    sink: { use: file, with: { path: ./out/sales.csv } }
  returns:
    source: { use: file, with: { path: ./sales.csv } }
    sink: { use: file, with: { path: ./out/returns.csv } }
`;

describeWithRedis('pipe schedule', () => {
  let redis: RedisServer;
  const workers: RunningWorker[] = [];
  beforeAll(async () => {
    redis = await startRedis();
  });
  afterAll(async () => {
    await stopWorkers(workers);
    await redis?.stop();
  });

  it('runs the file on the schedule through a worker, lists the schedule, and removes it by id', async () => {
    const env = { PIPE_REDIS_URL: redis.url };
    const dir = workspace({ 'pipe.yml': FILE, 'sales.csv': 'id\n1\n' });
    // Every second (a sixth, leading field is seconds), one pipeline only.
    const scheduled = await pipe(['schedule', 'pipe.yml', '--cron', '* * * * * *', '--tz', 'Europe/Zurich', '--pipeline', 'sales', '--json'], {
      cwd: dir,
      env,
    });
    expect(scheduled.code).toBe(0);
    const { id } = JSON.parse(scheduled.stdout).result;
    expect(id).toMatch(/^pipe\.yml-[0-9a-f]{8}$/);

    const listed = await pipe(['schedule', 'list'], { cwd: dir, env });
    expect(listed.stdout).toMatch(new RegExp(`${id.replace('.', '\\.')}\\s+${join(dir, 'pipe.yml')}\\s+\\* \\* \\* \\* \\* \\*\\s+Europe/Zurich\\s+sales`));

    workers.push(await startWorker(dir, 'w1', env));
    await waitFor(
      async () => (await queueJobs(dir, env)).some((j) => j.name === 'sales' && j.state === 'completed'),
      'a scheduled run of sales to complete',
      200,
    );
    expect(existsSync(join(dir, 'out/sales.csv'))).toBe(true);
    expect(existsSync(join(dir, 'out/returns.csv'))).toBe(false);

    expect((await pipe(['schedule', 'remove', id], { cwd: dir, env })).stdout).toBe(`Removed schedule ${id}.\n`);
    expect((await pipe(['schedule', 'list'], { cwd: dir, env })).stdout).toBe('No schedules.\n');
    const again = await pipe(['schedule', 'remove', id], { cwd: dir, env });
    expect(again.code).toBe(2);
    expect(again.stderr).toContain(`no schedule "${id}"; there are none (pipe schedule list)`);
  });

  it('refuses a cron expression or time zone it cannot use, before anything is scheduled', async () => {
    const env = { PIPE_REDIS_URL: redis.url };
    const dir = workspace({ 'pipe.yml': FILE });
    const cron = await pipe(['schedule', 'pipe.yml', '--cron', 'nightly'], { cwd: dir, env });
    expect(cron.code).toBe(2);
    expect(cron.stderr).toContain('--cron "nightly" is not a cron expression pipe can use');
    const tz = await pipe(['schedule', 'pipe.yml', '--cron', '0 2 * * *', '--tz', 'Mars/Olympus'], { cwd: dir, env });
    expect(tz.code).toBe(2);
    expect(tz.stderr).toContain('--tz "Mars/Olympus" is not a time zone');
    expect((await pipe(['schedule', 'list'], { cwd: dir, env })).stdout).toBe('No schedules.\n');
  });
});

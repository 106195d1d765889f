/// <reference lib="dom" />
/**
 * `pipe dashboard` in a real headless Chromium: bull-board's page lists the queue's jobs by
 * pipeline name, and offers nothing that changes them.
 */
import { existsSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import puppeteer from 'puppeteer-core';
import { describeWithRedis, startRedis, type RedisServer } from '../../queue/test/support/redis-server';
import { waitFor } from '../../queue/test/support/wait-for';
import { pipe, startPipe, workspace } from './run-pipe';

const CHROMIUM = ['/usr/bin/chromium', '/usr/bin/chromium-browser'].find((p) => existsSync(p));

const FILE = `version: 1
pipelines:
  sales:
    source: { use: file, with: { path: ./sales.csv } }
    sink: { use: file, with: { path: ./out/sales.csv } }
  returns:
    source: { use: file, with: { path: ./returns.csv } }
    sink: { use: file, with: { path: ./out/returns.csv } }
`;

describeWithRedis('pipe dashboard', () => {
  let redis: RedisServer;
  beforeAll(async () => {
    redis = await startRedis();
  });
  afterAll(() => redis?.stop());

  it('serves a read-only page that lists the queued jobs by pipeline, seen in headless Chromium', async () => {
    if (!CHROMIUM) throw new Error('chromium not found; install it (apt-get install -y chromium), as .ci/run does');
    const env = { PIPE_REDIS_URL: redis.url };
    const dir = workspace({ 'pipe.yml': FILE });
    // No worker: the jobs wait, and the page shows them waiting.
    expect((await pipe(['enqueue', 'pipe.yml'], { cwd: dir, env })).code).toBe(0);
    const server = startPipe(['dashboard', '--port', '0'], { cwd: dir, env });
    let stderr = '';
    server.child.stderr!.on('data', (d) => (stderr += d));
    const url = (await waitFor(() => /(http:\/\/127\.0\.0\.1:\d+\/)/.exec(stderr), 'the dashboard URL'))[1];
    const browser = await puppeteer.launch({ executablePath: CHROMIUM, headless: true, args: process.getuid?.() === 0 ? ['--no-sandbox'] : [] });
    try {
      const page = await browser.newPage();
      await page.setViewport({ width: 1280, height: 900 });
      await page.goto(`${url}queue/pipelines?status=waiting`, { waitUntil: 'networkidle0' });
      const text = await page.evaluate(() => document.body.innerText);
      expect(text).toContain('pipe pipelines');
      expect(text).toMatch(/\.sales\n/);
      expect(text).toMatch(/\.returns\n/);
      // Read-only: what the page's buttons would call to empty the queue or clean it is refused, and the jobs stay.
      const answers = await page.evaluate(async () =>
        Promise.all(['api/queues/pipelines/empty', 'api/queues/pipelines/clean/waiting'].map(async (path) => (await fetch(path, { method: 'PUT' })).status)),
      );
      for (const status of answers) expect(status).toBeGreaterThanOrEqual(400);
      const jobs = JSON.parse((await pipe(['queue', '--json'], { cwd: dir, env })).stdout).result.jobs;
      expect(jobs.map((j: { name: string; state: string }) => `${j.name} ${j.state}`).sort()).toEqual(['returns waiting', 'sales waiting']);
      const shot = join(tmpdir(), `pipe-dashboard-${process.pid}.png`);
      await page.screenshot({ path: shot });
      expect(statSync(shot).size).toBeGreaterThan(10_000);
    } finally {
      await browser.close();
      server.child.kill('SIGTERM');
    }
    expect((await server.done).code).toBe(0);
  });
});

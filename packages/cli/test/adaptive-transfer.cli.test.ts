/**
 * `concurrency: auto` through the real binary: against an Anaplan that takes one upload at a time
 * and answers 429 with Retry-After above that (auto starts at 2, so it meets the cap however slow
 * the machine is), `pipe run --json` succeeds with the data intact and
 * shows what auto settled on (the facts the sink reports), and the text summary prints them too.
 * And `compress: auto`: what it chose, chunk by chunk, is in the --json facts and matches what
 * Anaplan received. Which encoding wins is decided from measured figures and pinned where the
 * figures are given (packages/sink-anaplan/test/upload/compression-choice.test.ts): here, on a
 * machine that other test files load, the measurements themselves swing.
 */
import { IDS, opportunitiesCsv } from '../../sink-anaplan/test/support/anaplan-fixture';
import { startAnaplanEmulator, type AnaplanEmulator } from '@pipe/emulator-anaplan';
import { anaplanLoadPipeline } from './anaplan-pipeline';
import { pipe, workspace } from './run-pipe';

const ENV = { ANAPLAN_PASSWORD: 'demo-password' };

let emulator: AnaplanEmulator;
beforeAll(async () => {
  emulator = await startAnaplanEmulator({ host: '127.0.0.1', port: 0, taskDurationMs: 60 });
});
afterAll(() => emulator.stop());

it('pipe run --json: auto concurrency meets 429s, ends at the cap, and the pipeline loads all the data', async () => {
  emulator.setLink({ maxChunkUploadsInFlight: 1, retryAfterSeconds: 1, latencyMs: 30 });
  const csv = opportunitiesCsv(200_000); // about 14 MB: 14 chunks of 1MB
  const extra =
    '\n        concurrency: auto\n        compress: none\n        chunkSize: 1MB\n        retry: { attempts: 8, initialDelayMs: 5, maxDelayMs: 50 }';
  const dir = workspace({ 'p.yml': anaplanLoadPipeline({ apiUrl: emulator.apiUrl, authUrl: emulator.authUrl }, extra), 'in.csv': csv });
  const result = await pipe(['run', 'p.yml', '--json'], { cwd: dir, env: ENV });
  expect(result.code).toBe(0);
  const envelope = JSON.parse(result.stdout) as {
    status: number;
    result: { status: string; pipelines: Array<{ status: string; progress: Record<string, { facts?: Record<string, string | number> }> }> };
  };
  expect(envelope.result.status).toBe('succeeded');
  const facts = envelope.result.pipelines[0].progress['sink:anaplan'].facts!;
  expect(facts.http429).toBeGreaterThan(0);
  // At the cap, or one above it when the run ended just as auto tried that again (it does, rarely).
  expect(facts.concurrency).toBeLessThanOrEqual(2);
  expect(facts['chunks none']).toBeGreaterThanOrEqual(14);
  expect(emulator.getFileContent(IDS.workspace, IDS.model, IDS.file).equals(csv)).toBe(true);

  const text = await pipe(['run', 'p.yml'], { cwd: dir, env: ENV });
  expect(text.code).toBe(0);
  expect(text.stdout).toMatch(/ {2}sink:anaplan: concurrency \d, http429 \d+, compress none, chunks none \d+/);
});

it('pipe run --json: compress auto probes gzipped then plain, and its per-encoding counts are what Anaplan received', async () => {
  emulator.setLink({});
  const before = emulator.requests.length;
  const csv = opportunitiesCsv(400_000); // about 28 MB: 3 chunks of 10MB, the first cut into two 1 MB probes and the rest
  const dir = workspace({ 'p.yml': anaplanLoadPipeline({ apiUrl: emulator.apiUrl, authUrl: emulator.authUrl }, '\n        compress: auto'), 'in.csv': csv });
  const result = await pipe(['run', 'p.yml', '--json'], { cwd: dir, env: ENV });
  expect(result.code).toBe(0);
  const envelope = JSON.parse(result.stdout) as { result: { pipelines: Array<{ progress: Record<string, { facts?: Record<string, string | number> }> }> } };
  const facts = envelope.result.pipelines[0].progress['sink:anaplan'].facts!;
  expect(emulator.getFileContent(IDS.workspace, IDS.model, IDS.file).equals(csv)).toBe(true);
  const puts = emulator.requests.slice(before).filter((r) => r.route === 'files.chunk.put' && r.status === 204);
  const gzipped = puts.filter((r) => /gzip/i.test(r.contentType ?? '')).length;
  const counted = (prefix: string) =>
    Object.entries(facts)
      .filter(([name]) => name.startsWith(prefix))
      .reduce((sum, [, n]) => sum + Number(n), 0);
  expect(counted('chunks gzip-')).toBe(gzipped);
  expect(Number(facts['chunks none'] ?? 0)).toBe(puts.length - gzipped);
  expect(String(facts.compress)).toMatch(/^(none|gzip-\d)$/);
  const [first, second] = [...puts].sort((a, b) => a.startedAt - b.startedAt);
  expect(first.contentType).toMatch(/gzip/);
  expect(second.contentType).not.toMatch(/gzip/);
});

import { sleep } from '@pipe/core';
import * as testing from '@pipe/core/testing';
import { routePatterns } from '@pipe/emulator-anaplan';
import {
  chunkPuts,
  completeCalls,
  configFor,
  IDS,
  opportunitiesCsv,
  preCutPieces,
  runAnaplanSink,
  startEmulator,
  type AnaplanEmulator,
} from '../support/anaplan-fixture';

const MB = 1_000_000;
const CHUNK_PATH = (n: number) => `/2/0/workspaces/*/models/*/files/*/chunks/${n}`;

describe('faults during the upload', () => {
  let emulator: AnaplanEmulator;
  beforeEach(async () => {
    emulator = await startEmulator();
  });
  afterEach(async () => {
    await emulator.stop();
  });

  it('429s every few chunks, some 5xx and connection resets: every chunk is re-sent whole and the file is byte-identical', async () => {
    const csv = opportunitiesCsv(150_000); // ~10 MB, ten 1 MB chunks (gzip: resets hit mid-body)
    emulator.faults.add({ method: 'PUT', path: routePatterns.chunk, every: 4, times: 4, fault: { kind: 'status', status: 429, retryAfter: 0 } });
    emulator.faults.add({ method: 'PUT', path: routePatterns.chunk, nth: 2, fault: { kind: 'status', status: 503 } });
    emulator.faults.add({ method: 'PUT', path: routePatterns.chunk, nth: 5, fault: { kind: 'status', status: 500 } });
    emulator.faults.add({ method: 'PUT', path: routePatterns.chunk, nth: 7, fault: { kind: 'reset', phase: 'request', afterBytes: 64 * 1024 } });
    // The chunk is stored but the answer never arrives: the re-sent chunk replaces it.
    emulator.faults.add({ method: 'PUT', path: routePatterns.chunk, nth: 9, fault: { kind: 'reset', phase: 'response' } });
    emulator.faults.add({ method: 'POST', path: routePatterns.complete, nth: 1, fault: { kind: 'status', status: 502 } });
    emulator.faults.add({ method: 'GET', path: routePatterns.importTask, nth: 1, fault: { kind: 'status', status: 503 } });

    const run = await runAnaplanSink(
      configFor(emulator, { compress: 'none', chunkSize: '1MB', concurrency: 4, import: IDS.import }),
      testing.documentPieces(csv),
    );

    expect(run.error).toBeUndefined();
    expect(emulator.getFileContent(IDS.workspace, IDS.model, IDS.file).equals(csv)).toBe(true);
    expect(emulator.stats().faultsFired).toBe(10);
    expect(run.ctx.progressCounts.retries).toBe(10);
    expect(run.result?.details).toMatchObject({ import: { successful: true, rowsSucceeded: 150_000 } });
    // Every re-sent chunk went whole: each chunk number's successful PUT carried the full chunk.
    const ok = chunkPuts(emulator).filter((p) => p.status === 204);
    expect(ok.reduce((n, p) => n + p.bodyBytes, 0)).toBe(csv.length);
    expect(run.ctx.logLines.some((l) => l.includes('WARN') && l.includes('429 too many requests'))).toBe(true);
  });

  it('waits as long as Retry-After says, even when backoff would be shorter', async () => {
    emulator.faults.add({ method: 'PUT', path: CHUNK_PATH(0), nth: 1, fault: { kind: 'status', status: 429, retryAfter: 1 } });
    // Backoff is at most 50 ms here (configFor), so a 1000 ms wait can only come from Retry-After.
    const run = await runAnaplanSink(configFor(emulator, { concurrency: 1 }), preCutPieces(opportunitiesCsv(100), MB));
    expect(run.error).toBeUndefined();
    expect(chunkPuts(emulator).map((p) => p.status)).toEqual([429, 204]);
    expect(run.ctx.logLines.filter((l) => l.includes('WARN'))).toEqual([expect.stringMatching(/\(429 too many requests\); try 2 of 6 in 1000 ms\n?$/)]);
  });

  it('a request that hangs times out and is retried', async () => {
    emulator.faults.add({ method: 'PUT', path: CHUNK_PATH(1), nth: 1, fault: { kind: 'hang' } });
    const csv = opportunitiesCsv(30_000);
    const run = await runAnaplanSink(configFor(emulator, { timeoutMs: 300, compress: 'none' }), preCutPieces(csv, MB));
    expect(run.error).toBeUndefined();
    expect(emulator.getFileContent(IDS.workspace, IDS.model, IDS.file).equals(csv)).toBe(true);
  });

  it('a chunk that never succeeds fails the run with its number and the server message, and complete is never called', async () => {
    emulator.faults.add({ method: 'PUT', path: CHUNK_PATH(2), fault: { kind: 'status', status: 500, message: 'Storage node unavailable' } });
    const csv = opportunitiesCsv(100_000);
    const run = await runAnaplanSink(configFor(emulator, { import: IDS.import, concurrency: 2 }), preCutPieces(csv, MB));
    expect(run.error?.message).toMatch(
      /^chunk 2 of file 113000000000 \(Opportunities\.csv\) failed after 6 attempts: HTTP 500: .*Storage node unavailable.*; the upload was not marked complete$/,
    );
    expect(chunkPuts(emulator).filter((p) => p.path.endsWith('/chunks/2'))).toHaveLength(6);
    expect(completeCalls(emulator)).toHaveLength(0);
    expect(emulator.requests.filter((r) => r.route === 'imports.tasks.start')).toHaveLength(0);
  });

  it('a 4xx is not retried', async () => {
    emulator.faults.add({ method: 'PUT', path: CHUNK_PATH(0), fault: { kind: 'status', status: 400, message: 'Bad chunk' } });
    const run = await runAnaplanSink(configFor(emulator), preCutPieces(opportunitiesCsv(100), MB));
    expect(run.error?.message).toMatch(/^chunk 0 of file .* was refused: HTTP 400: .*Bad chunk/);
    expect(chunkPuts(emulator)).toHaveLength(1);
    expect(completeCalls(emulator)).toHaveLength(0);
  });
});

describe('tokens during a long upload', () => {
  it('a token that expires mid-upload is refreshed before it runs out: no request is refused', async () => {
    const emulator = await startEmulator({ tokenTtlSeconds: 2 });
    // Renewal starts a fifth of the lifetime (400 ms) early: room for a loaded machine's event-loop lag.
    try {
      emulator.faults.add({ method: 'PUT', path: routePatterns.chunk, fault: { kind: 'latency', ms: 800 } });
      const csv = opportunitiesCsv(150_000);
      const run = await runAnaplanSink(
        configFor(emulator, { concurrency: 2, compress: 'none', chunkSize: '1MB', import: IDS.import }),
        testing.documentPieces(csv),
      );
      expect(run.error).toBeUndefined();
      expect(emulator.getFileContent(IDS.workspace, IDS.model, IDS.file).equals(csv)).toBe(true);
      expect(emulator.requests.filter((r) => r.status === 401)).toHaveLength(0);
      const { basic, tokenRefresh } = emulator.stats().logins;
      expect(tokenRefresh).toBeGreaterThanOrEqual(1);
      // One renewal per token lifetime, never one per request: two slots of 800 ms PUTs start about
      // four chunks per 1.6 s of token life, however slow the machine (the ratio, not the time, counts).
      expect(basic + tokenRefresh).toBeLessThanOrEqual(Math.ceil(chunkPuts(emulator).length / 2));
    } finally {
      await emulator.stop();
    }
  });

  it('a token revoked early (401 mid-upload) gets one re-login and the refused chunk is re-sent', async () => {
    const emulator = await startEmulator();
    try {
      emulator.faults.add({ method: 'PUT', path: routePatterns.chunk, nth: 3, fault: { kind: 'status', status: 401, revokeToken: true } });
      const csv = opportunitiesCsv(60_000);
      const run = await runAnaplanSink(configFor(emulator, { concurrency: 1, chunkSize: '1MB' }), testing.documentPieces(csv));
      expect(run.error).toBeUndefined();
      expect(emulator.stats().logins.basic).toBe(2);
      expect(emulator.getFileContent(IDS.workspace, IDS.model, IDS.file).equals(csv)).toBe(true);
    } finally {
      await emulator.stop();
    }
  });

  it('all tokens revoked while eight chunks are in flight: exactly one re-login', async () => {
    const emulator = await startEmulator();
    try {
      emulator.faults.add({ method: 'PUT', path: routePatterns.chunk, fault: { kind: 'latency', ms: 200 } });
      const csv = opportunitiesCsv(150_000);
      const pending = runAnaplanSink(configFor(emulator, { concurrency: 8, compress: 'none', chunkSize: '1MB' }), testing.documentPieces(csv));
      while (emulator.stats().inFlightChunkPuts < 8) await sleep(5);
      emulator.revokeAllTokens();
      const run = await pending;
      expect(run.error).toBeUndefined();
      expect(emulator.requests.filter((r) => r.status === 401).length).toBeGreaterThanOrEqual(2);
      expect(emulator.stats().logins.basic).toBe(2);
      expect(emulator.getFileContent(IDS.workspace, IDS.model, IDS.file).equals(csv)).toBe(true);
    } finally {
      await emulator.stop();
    }
  });
});

describe('Ctrl-C during the upload', () => {
  it('stops sending, aborts the chunks in flight and never completes', async () => {
    const emulator = await startEmulator();
    try {
      emulator.faults.add({ method: 'PUT', path: routePatterns.chunk, fault: { kind: 'latency', ms: 100 } });
      const controller = new AbortController();
      const running = runAnaplanSink(configFor(emulator, { concurrency: 2, import: IDS.import }), preCutPieces(opportunitiesCsv(100_000), MB), {
        signal: controller.signal,
      });
      while (chunkPuts(emulator).length < 2) await sleep(5);
      controller.abort();
      const run = await running;
      expect(run.error).toBeDefined();
      while (emulator.stats().inFlightChunkPuts > 0) await sleep(5); // the aborted PUTs have closed
      expect(chunkPuts(emulator).length).toBeLessThanOrEqual(4);
      expect(completeCalls(emulator)).toHaveLength(0);
      expect(emulator.requests.filter((r) => r.route === 'imports.tasks.start')).toHaveLength(0);
    } finally {
      await emulator.stop();
    }
  });
});

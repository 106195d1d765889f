/**
 * The link model: a cap on chunk uploads in flight (429 + Retry-After above it), a bandwidth
 * shared by all chunk uploads (checked with the emulator's own accounting, never wall-clock
 * thresholds) and a latency before every answer.
 */
import { PassThrough } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { request } from 'undici';
import { DEFAULT_FILE_ID, DEFAULT_MODEL_ID, DEFAULT_WORKSPACE_ID, startAnaplanEmulator, type AnaplanEmulator } from '../src';
import { auth, call, login, modelUrl, sleep } from './http';

const OCTET = { 'content-type': 'application/octet-stream' };

async function waitFor(condition: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 20_000;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(5);
  }
}

describe('link model', () => {
  let anaplan: AnaplanEmulator;
  let token: string;
  beforeAll(async () => {
    anaplan = await startAnaplanEmulator({ taskDurationMs: 0 });
    token = await login(anaplan);
  });
  afterAll(() => anaplan.stop());
  afterEach(() => anaplan.setLink({}));

  const chunkUrl = (n: number) => modelUrl(anaplan, `/files/${DEFAULT_FILE_ID}/chunks/${n}`);
  const openUpload = async (): Promise<void> => {
    const answer = await call(modelUrl(anaplan, `/files/${DEFAULT_FILE_ID}`), 'POST', { headers: auth(token), json: { chunkCount: -1 } });
    expect(answer.status).toBe(200);
  };
  const putChunk = (n: number, body: Buffer, headers: Record<string, string> = OCTET) =>
    call(chunkUrl(n), 'PUT', { headers: { ...auth(token), ...headers }, body });

  /** A chunk PUT whose body stays open until `finish()`: an upload held in flight without timing. */
  const heldUpload = (n: number) => {
    const body = new PassThrough();
    body.write(Buffer.alloc(1000, 0x61));
    const answer = request(chunkUrl(n), { method: 'PUT', headers: { ...auth(token), ...OCTET }, body }).then(async (res) => {
      await res.body.arrayBuffer();
      return res.statusCode;
    });
    return { answer, finish: () => body.end(Buffer.alloc(1000, 0x62)) };
  };

  it('above maxChunkUploadsInFlight a chunk PUT gets 429 with Retry-After in seconds; once one finishes, PUTs are accepted again', async () => {
    await openUpload();
    anaplan.setLink({ maxChunkUploadsInFlight: 2, retryAfterSeconds: 7 });
    const first = heldUpload(0);
    const second = heldUpload(1);
    await waitFor(() => anaplan.linkStats().chunkUploadsInFlight === 2, 'two uploads in flight');

    const refused = await putChunk(2, Buffer.from('refused\n'));
    expect(refused.status).toBe(429);
    expect(refused.headers['retry-after']).toBe('7');
    expect(refused.json()).toMatchObject({ status: { code: 429, message: 'Too Many Requests' } });
    expect(anaplan.linkStats()).toMatchObject({ chunkUploadsInFlight: 2, rejectedChunkUploads: 1 });

    first.finish();
    expect(await first.answer).toBe(204);
    expect((await putChunk(2, Buffer.from('accepted\n'))).status).toBe(204);
    second.finish();
    expect(await second.answer).toBe(204);
    expect(anaplan.linkStats()).toMatchObject({ chunkUploadsInFlight: 0, rejectedChunkUploads: 1 });
    // The refused chunk was not stored; the accepted retry was.
    expect(anaplan.getFileContent(DEFAULT_WORKSPACE_ID, DEFAULT_MODEL_ID, DEFAULT_FILE_ID).toString()).toContain('accepted\n');
    expect(anaplan.getFileContent(DEFAULT_WORKSPACE_ID, DEFAULT_MODEL_ID, DEFAULT_FILE_ID).toString()).not.toContain('refused');
  });

  it('the bandwidth is shared: concurrent uploads never get more than the cap together, and each gets a fair share', async () => {
    await openUpload();
    const rate = 2_000_000;
    const burst = 64 * 1024;
    anaplan.setLink({ bandwidthBytesPerSecond: rate, burstBytes: burst });
    const size = 1_000_000;
    const uploads = [putChunk(0, Buffer.alloc(size, 0x61)), putChunk(1, Buffer.alloc(size, 0x62))];
    let done = 0;
    let atFirstAnswer: number[] | undefined;
    for (const upload of uploads) {
      void upload.then(() => {
        // What the emulator had received of both bodies when the first upload was answered.
        atFirstAnswer ??= bodyBytesOfChunkPuts(anaplan, 2);
        done += 1;
      });
    }

    // The emulator's own accounting, sampled while both upload: granted bytes stay within
    // what the bucket could have given since it was set (full) plus nothing more.
    const samples: { grantedBytes: number; elapsedMs: number }[] = [];
    while (done < 2) {
      const account = anaplan.linkStats().bandwidth;
      if (account !== undefined) samples.push({ grantedBytes: account.grantedBytes, elapsedMs: account.elapsedMs });
      await sleep(10);
    }
    for (const answer of await Promise.all(uploads)) expect(answer.status).toBe(204);

    expect(samples.length).toBeGreaterThanOrEqual(3);
    for (const s of samples) expect(s.grantedBytes).toBeLessThanOrEqual(burst + (rate * s.elapsedMs) / 1000 + 1);
    expect(anaplan.linkStats().bandwidth?.grantedBytes).toBe(2 * size);
    // Fair share: when the first upload was answered, the other had received most of its body too
    // (one after the other, it would have had at most the burst).
    const slower = Math.min(...(atFirstAnswer ?? [0]));
    expect(slower).toBeGreaterThan(size / 2);
  });

  it('gzip bodies count as their wire bytes', async () => {
    await openUpload();
    anaplan.setLink({ bandwidthBytesPerSecond: 50_000_000 });
    const text = Buffer.from('Id,Account,Amount\r\n'.repeat(20_000));
    const wire = gzipSync(text);
    expect((await putChunk(0, wire, { 'content-type': 'application/x-gzip' })).status).toBe(204);
    expect(anaplan.linkStats().bandwidth?.grantedBytes).toBe(wire.length);
    expect(anaplan.getFileContent(DEFAULT_WORKSPACE_ID, DEFAULT_MODEL_ID, DEFAULT_FILE_ID).equals(text)).toBe(true);
  });

  it('latencyMs is added before every answer', async () => {
    anaplan.setLink({ latencyMs: 150 });
    const answer = await call(modelUrl(anaplan, '/files'), 'GET', { headers: auth(token) });
    expect(answer.status).toBe(200);
    const record = anaplan.requests.at(-1);
    expect(record?.route).toBe('files.list');
    // A lower bound only: a loaded machine makes it slower, never faster.
    expect((record?.endedAt ?? 0) - (record?.startedAt ?? 0)).toBeGreaterThanOrEqual(150);
  });

  it('is set and read over the control API, and rejects unknown or negative settings', async () => {
    const set = await call(`${anaplan.url}/__emulator/link`, 'PUT', {
      json: { bandwidthBytesPerSecond: 10_000_000, latencyMs: 3, maxChunkUploadsInFlight: 3 },
    });
    expect(set.status).toBe(204);
    const read = await call(`${anaplan.url}/__emulator/link`, 'GET');
    expect(read.json()).toMatchObject({
      settings: { bandwidthBytesPerSecond: 10_000_000, latencyMs: 3, maxChunkUploadsInFlight: 3 },
      chunkUploadsInFlight: 0,
      bandwidth: { bytesPerSecond: 10_000_000, grantedBytes: 0 },
    });
    const unknown = await call(`${anaplan.url}/__emulator/link`, 'PUT', { json: { bandwidthMbps: 80 } });
    expect(unknown.status).toBe(400);
    expect(unknown.json<{ error: string }>().error).toMatch(/unknown field "bandwidthMbps"/);
    const negative = await call(`${anaplan.url}/__emulator/link`, 'PUT', { json: { latencyMs: -1 } });
    expect(negative.status).toBe(400);
    expect(negative.json<{ error: string }>().error).toMatch(/latencyMs must be a number >= 0/);
  });

  it('everything is off by default: no cap, no pacing, no latency', async () => {
    const fresh = await startAnaplanEmulator();
    try {
      expect(fresh.linkStats()).toEqual({ settings: {}, chunkUploadsInFlight: 0, rejectedChunkUploads: 0 });
    } finally {
      await fresh.stop();
    }
  });
});

/** Body bytes received so far by the last `count` chunk PUTs, as the emulator recorded them. */
function bodyBytesOfChunkPuts(anaplan: AnaplanEmulator, count: number): number[] {
  return anaplan.requests
    .filter((r) => r.route === 'files.chunk.put')
    .slice(-count)
    .map((r) => r.bodyBytes);
}

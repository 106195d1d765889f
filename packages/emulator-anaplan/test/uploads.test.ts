import { gzipSync } from 'node:zlib';
import { randomBytes } from 'node:crypto';
import { DEFAULT_FILE_ID, DEFAULT_MODEL_ID, DEFAULT_WORKSPACE_ID, routePatterns, startAnaplanEmulator, type AnaplanEmulator } from '../src';
import { auth, call, login, modelUrl } from './http';

const OCTET = { 'content-type': 'application/octet-stream' };
const GZIP = { 'content-type': 'application/x-gzip' };

describe('chunked upload', () => {
  let anaplan: AnaplanEmulator;
  let token: string;
  beforeAll(async () => {
    anaplan = await startAnaplanEmulator();
    token = await login(anaplan);
  });
  afterAll(() => anaplan.stop());

  const fileUrl = (suffix = '', fileId = DEFAULT_FILE_ID) => modelUrl(anaplan, `/files/${fileId}${suffix}`);
  const setChunkCount = (chunkCount: number, fileId = DEFAULT_FILE_ID) => call(fileUrl('', fileId), 'POST', { headers: auth(token), json: { chunkCount } });
  const putChunk = (n: number, body: Buffer, headers: Record<string, string>, fileId = DEFAULT_FILE_ID) =>
    call(fileUrl(`/chunks/${n}`, fileId), 'PUT', { headers: { ...auth(token), ...headers }, body });

  it('lists the seed file with its metadata and paging', async () => {
    const answer = await call(modelUrl(anaplan, '/files'), 'GET', { headers: auth(token) });
    expect(answer.status).toBe(200);
    expect(answer.json()).toEqual({
      meta: { paging: { currentPageSize: 1, offset: 0, totalSize: 1 }, schema: `${anaplan.apiUrl}/models/${DEFAULT_MODEL_ID}/objects/file` },
      status: { code: 200, message: 'Success' },
      files: [
        {
          id: DEFAULT_FILE_ID,
          name: 'Opportunities.csv',
          chunkCount: 0,
          delimiter: '"',
          encoding: 'UTF-8',
          firstDataRow: 2,
          format: 'txt',
          headerRow: 1,
          separator: ',',
        },
      ],
    });
  });

  it('assembles out-of-order, concurrent gzip and plain chunks into exactly the input bytes', async () => {
    const input = randomBytes(300_000);
    const parts = [0, 1, 2, 3, 4, 5].map((i) => input.subarray(i * 50_000, (i + 1) * 50_000));
    const set = await setChunkCount(parts.length);
    expect(set.status).toBe(200);
    expect(set.json<{ file: { chunkCount: number } }>().file.chunkCount).toBe(6);
    const order = [5, 2, 0, 4, 1, 3];
    const answers = await Promise.all(
      order.map((i) => (i % 2 === 0 ? putChunk(i, gzipSync(parts[i] as Buffer), GZIP) : putChunk(i, parts[i] as Buffer, OCTET))),
    );
    for (const answer of answers) {
      expect(answer.status).toBe(204);
      expect(answer.body.length).toBe(0);
      expect(answer.headers['content-type']).toBeUndefined();
    }
    expect(anaplan.getFileContent(DEFAULT_WORKSPACE_ID, DEFAULT_MODEL_ID, DEFAULT_FILE_ID).equals(input)).toBe(true);
    const download = await call(fileUrl(), 'GET', { headers: auth(token) });
    expect(download.body.equals(input)).toBe(true);
    const chunkList = await call(fileUrl('/chunks'), 'GET', { headers: auth(token) });
    expect(chunkList.json<{ chunks: unknown[] }>().chunks).toEqual(
      order
        .slice()
        .sort()
        .map((i) => ({ id: String(i), name: `Chunk ${i}` })),
    );
    const chunk5 = await call(fileUrl('/chunks/5'), 'GET', { headers: auth(token) });
    expect(chunk5.body.equals(parts[5] as Buffer)).toBe(true);
  });

  it('records concurrency, content types and only the auth scheme', async () => {
    anaplan.faults.add({ method: 'PUT', path: routePatterns.chunk, fault: { kind: 'latency', ms: 150 }, times: 4 });
    await setChunkCount(4);
    await Promise.all([0, 1, 2, 3].map((i) => putChunk(i, Buffer.from(`part ${i}\n`), OCTET)));
    expect(anaplan.stats().maxConcurrentChunkPuts).toBeGreaterThanOrEqual(4);
    expect(anaplan.stats().inFlightChunkPuts).toBe(0);
    const puts = anaplan.requests.filter((r) => r.route === 'files.chunk.put');
    expect(puts.length).toBeGreaterThanOrEqual(10);
    for (const put of puts) {
      expect(put.headers['authorization']).toBe('AnaplanAuthToken');
      expect(put.authScheme).toBe('AnaplanAuthToken');
      expect(JSON.stringify(put)).not.toContain(token);
      expect(['application/octet-stream', 'application/x-gzip']).toContain(put.contentType);
      expect(put.status).toBe(204);
      expect(put.endedAt).toBeGreaterThanOrEqual(put.startedAt);
    }
  });

  it('a repeated chunk PUT replaces the chunk', async () => {
    await setChunkCount(2);
    await putChunk(0, Buffer.from('first,'), OCTET);
    await putChunk(0, Buffer.from('FIRST,'), OCTET);
    await putChunk(1, Buffer.from('second'), OCTET);
    expect(anaplan.getFileContent(DEFAULT_WORKSPACE_ID, DEFAULT_MODEL_ID, DEFAULT_FILE_ID).toString()).toBe('FIRST,second');
  });

  it('rejects corrupt gzip with 400', async () => {
    await setChunkCount(1);
    const broken = gzipSync(Buffer.from('hello world, hello world'));
    broken[broken.length - 5] = broken[broken.length - 5] ^ 0xff; // damage the CRC/length trailer
    const answer = await putChunk(0, broken, GZIP);
    expect(answer.status).toBe(400);
    expect(answer.json<{ status: { message: string } }>().status.message).toMatch(/gzip/);
    const garbage = await putChunk(0, Buffer.from('definitely not gzip'), GZIP);
    expect(garbage.status).toBe(400);
  });

  it('rejects a chunk id beyond a fixed chunk count', async () => {
    await setChunkCount(2);
    const answer = await putChunk(2, Buffer.from('x'), OCTET);
    expect(answer.status).toBe(400);
    expect(answer.json<{ path: string }>().path).toBe(new URL(fileUrl('/chunks/2')).pathname);
  });

  it('enforces 1,000 chunks per file', async () => {
    expect((await setChunkCount(1001)).status).toBe(400);
    await setChunkCount(-1);
    expect((await putChunk(999, Buffer.from('x'), OCTET)).status).toBe(204);
    const over = await putChunk(1000, Buffer.from('x'), OCTET);
    expect(over.status).toBe(400);
    expect(over.json<{ status: { message: string } }>().status.message).toMatch(/1000 chunks/);
  });

  it('enforces 50,000,000 uncompressed bytes per chunk, for plain and gzip chunks', async () => {
    await setChunkCount(-1);
    expect((await putChunk(0, Buffer.alloc(50_000_000, 0x61), OCTET)).status).toBe(204);
    const plain = await putChunk(1, Buffer.alloc(50_000_001, 0x61), OCTET);
    expect(plain.status).toBe(400);
    expect(plain.json<{ status: { message: string } }>().status.message).toMatch(/50000000 bytes/);
    const bomb = gzipSync(Buffer.alloc(50_000_001, 0x61)); // ~50 KB on the wire
    const zipped = await putChunk(2, bomb, GZIP);
    expect(zipped.status).toBe(400);
    expect(zipped.json<{ status: { message: string } }>().status.message).toMatch(/uncompressed/);
  });

  it('open-ended upload (-1) is fixed by /complete; missing chunks make /complete fail', async () => {
    await setChunkCount(-1);
    await putChunk(0, Buffer.from('a'), OCTET);
    await putChunk(2, Buffer.from('c'), OCTET);
    const gap = await call(fileUrl('/complete'), 'POST', { headers: auth(token), json: { id: DEFAULT_FILE_ID } });
    expect(gap.status).toBe(400);
    await putChunk(1, Buffer.from('b'), OCTET);
    const before = anaplan.stats().completedCount;
    const done = await call(fileUrl('/complete'), 'POST', { headers: auth(token), json: { id: DEFAULT_FILE_ID } });
    expect(done.status).toBe(200);
    expect(done.json<{ status: unknown; file: { chunkCount: number } }>()).toMatchObject({
      status: { code: 200, message: 'Success' },
      file: { id: DEFAULT_FILE_ID, chunkCount: 3 },
    });
    expect(anaplan.stats().completedCount).toBe(before + 1);
    expect(anaplan.getFileContent(DEFAULT_WORKSPACE_ID, DEFAULT_MODEL_ID, DEFAULT_FILE_ID).toString()).toBe('abc');
  });

  it('POST to an unknown file id creates a new private 113… file, as the real service does', async () => {
    const answer = await setChunkCount(1, 'Scratch Upload.csv');
    expect(answer.status).toBe(200);
    const file = answer.json<{ file: { id: string; name: string } }>().file;
    expect(file.id).toMatch(/^113\d{9}$/);
    expect(file.id).not.toBe(DEFAULT_FILE_ID);
    expect(file.name).toBe('Scratch Upload.csv');
    expect((await putChunk(0, Buffer.from('x'), OCTET, file.id)).status).toBe(204);
  });

  it('single-file PUT stores the body and refuses gzip', async () => {
    const put = await call(fileUrl(), 'PUT', { headers: { ...auth(token), ...OCTET }, body: 'one,two\n1,2\n' });
    expect(put.status).toBe(204);
    expect(anaplan.getFileContent(DEFAULT_WORKSPACE_ID, DEFAULT_MODEL_ID, DEFAULT_FILE_ID).toString()).toBe('one,two\n1,2\n');
    const gz = await call(fileUrl(), 'PUT', { headers: { ...auth(token), ...GZIP }, body: gzipSync('x') });
    expect(gz.status).toBe(400);
  });

  it('answers 404 in the Integration API envelope for unknown ids', async () => {
    const answer = await call(`${anaplan.apiUrl}/workspaces/${DEFAULT_WORKSPACE_ID}/models/NOPE/files`, 'GET', { headers: auth(token) });
    expect(answer.status).toBe(404);
    expect(answer.json()).toEqual({ status: { code: 404, message: 'Not Found' }, path: expect.stringContaining('/NOPE/files'), timestamp: expect.any(String) });
    expect((await putChunk(0, Buffer.from('x'), OCTET, '113999999999')).status).toBe(404);
  });
});

describe('upload options', () => {
  let anaplan: AnaplanEmulator;
  afterEach(() => anaplan.stop());

  it('applies configured limits and the reject-duplicates switch', async () => {
    anaplan = await startAnaplanEmulator({ limits: { maxChunkBytes: 10, maxChunks: 3 }, duplicateChunks: 'reject' });
    const token = await login(anaplan);
    const url = (suffix: string) => modelUrl(anaplan, `/files/${DEFAULT_FILE_ID}${suffix}`);
    expect((await call(url(''), 'POST', { headers: auth(token), json: { chunkCount: 4 } })).status).toBe(400);
    await call(url(''), 'POST', { headers: auth(token), json: { chunkCount: -1 } });
    expect((await call(url('/chunks/0'), 'PUT', { headers: { ...auth(token), ...OCTET }, body: '0123456789' })).status).toBe(204);
    expect((await call(url('/chunks/0'), 'PUT', { headers: { ...auth(token), ...OCTET }, body: '0123456789' })).status).toBe(409);
    expect((await call(url('/chunks/1'), 'PUT', { headers: { ...auth(token), ...OCTET }, body: '0123456789A' })).status).toBe(400);
    expect((await call(url('/chunks/3'), 'PUT', { headers: { ...auth(token), ...OCTET }, body: '1' })).status).toBe(400);
  });

  it('serves the short /2/0/models/{modelId}/… paths too', async () => {
    anaplan = await startAnaplanEmulator();
    const token = await login(anaplan);
    const answer = await call(`${anaplan.apiUrl}/models/${DEFAULT_MODEL_ID}/imports`, 'GET', { headers: auth(token) });
    expect(answer.status).toBe(200);
    expect(answer.json<{ imports: { importDataSourceId: string }[] }>().imports[0]?.importDataSourceId).toBe(DEFAULT_FILE_ID);
  });
});

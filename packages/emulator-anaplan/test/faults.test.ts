import {
  DEFAULT_FILE_ID,
  DEFAULT_IMPORT_ID,
  DEFAULT_MODEL_ID,
  DEFAULT_WORKSPACE_ID,
  DEVICE_CODE_GRANT,
  routePatterns,
  startAnaplanEmulator,
  type AnaplanEmulator,
} from '../src';
import { auth, basicHeader, call, login, modelUrl, sleep } from './http';

const OCTET = { 'content-type': 'application/octet-stream' };

describe('fault injection', () => {
  let anaplan: AnaplanEmulator;
  let token: string;
  beforeAll(async () => {
    anaplan = await startAnaplanEmulator({ taskDurationMs: 0, autoApprove: true, devicePollIntervalSeconds: 0 });
    token = await login(anaplan);
  });
  afterAll(() => anaplan.stop());
  afterEach(() => anaplan.faults.clear());

  const files = () => call(modelUrl(anaplan, '/files'), 'GET', { headers: auth(token) });
  const statuses = async (count: number): Promise<number[]> => {
    const out: number[] = [];
    for (let i = 0; i < count; i++) out.push((await files()).status);
    return out;
  };
  const chunkUrl = (n: number) => modelUrl(anaplan, `/files/${DEFAULT_FILE_ID}/chunks/${n}`);
  const openUpload = () => call(modelUrl(anaplan, `/files/${DEFAULT_FILE_ID}`), 'POST', { headers: auth(token), json: { chunkCount: -1 } });

  it('429 with Retry-After on the Nth request only', async () => {
    anaplan.faults.add({ method: 'GET', path: routePatterns.files, nth: 2, fault: { kind: 'status', status: 429, retryAfter: 3 } });
    const first = await files();
    const second = await files();
    expect([first.status, second.status, (await files()).status]).toEqual([200, 429, 200]);
    expect(second.headers['retry-after']).toBe('3');
    expect(second.json()).toEqual({ status: { code: 429, message: 'Too Many Requests' }, path: expect.any(String), timestamp: expect.any(String) });
  });

  it('Retry-After as an HTTP-date', async () => {
    const date = new Date(Date.now() + 5000).toUTCString();
    anaplan.faults.add({ path: routePatterns.files, fault: { kind: 'status', status: 429, retryAfter: date }, times: 1 });
    expect((await files()).headers['retry-after']).toBe(date);
  });

  it('every Nth request, and the next K requests', async () => {
    const id = anaplan.faults.add({ path: routePatterns.files, every: 3, fault: { kind: 'status', status: 503 } });
    expect(await statuses(6)).toEqual([200, 200, 503, 200, 200, 503]);
    anaplan.faults.remove(id);
    anaplan.faults.add({ path: routePatterns.files, times: 2, fault: { kind: 'status', status: 502 } });
    expect(await statuses(4)).toEqual([502, 502, 200, 200]);
    expect(anaplan.faults.list()[0]).toMatchObject({ matched: 4, fired: 2 });
  });

  it('probability with a seed replays the same pattern', async () => {
    const run = async (): Promise<number[]> => {
      anaplan.faults.clear();
      anaplan.faults.add({ path: routePatterns.files, probability: 0.5, seed: 42, fault: { kind: 'status', status: 500 } });
      return statuses(12);
    };
    const a = await run();
    const b = await run();
    expect(a).toEqual(b);
    expect(a).toContain(500);
    expect(a).toContain(200);
  });

  it('connection reset mid-request: the client errors and the chunk is not stored', async () => {
    await openUpload();
    anaplan.faults.add({ method: 'PUT', path: routePatterns.chunk, times: 1, fault: { kind: 'reset', phase: 'request', afterBytes: 64 * 1024 } });
    await expect(call(chunkUrl(0), 'PUT', { headers: { ...auth(token), ...OCTET }, body: Buffer.alloc(1024 * 1024, 0x62) })).rejects.toThrow();
    const chunks = await call(modelUrl(anaplan, `/files/${DEFAULT_FILE_ID}/chunks`), 'GET', { headers: auth(token) });
    expect(chunks.json<{ chunks: unknown[] }>().chunks).toEqual([]);
    const logged = anaplan.requests.filter((r) => r.route === 'files.chunk.put').at(-1);
    expect(logged).toMatchObject({ status: 0, fault: 'reset' });
    expect(logged?.bodyBytes).toBeGreaterThanOrEqual(64 * 1024);
    expect(logged?.bodyBytes).toBeLessThan(1024 * 1024);
  });

  it('connection reset after the work is done: the client errors but the chunk was stored', async () => {
    await openUpload();
    anaplan.faults.add({ method: 'PUT', path: routePatterns.chunk, times: 1, fault: { kind: 'reset', phase: 'response' } });
    await expect(call(chunkUrl(0), 'PUT', { headers: { ...auth(token), ...OCTET }, body: 'stored anyway' })).rejects.toThrow();
    expect(anaplan.getFileContent(DEFAULT_WORKSPACE_ID, DEFAULT_MODEL_ID, DEFAULT_FILE_ID).toString()).toBe('stored anyway');
    expect((await call(chunkUrl(0), 'PUT', { headers: { ...auth(token), ...OCTET }, body: 'retried' })).status).toBe(204);
  });

  it('connection reset part-way through a response body', async () => {
    anaplan.faults.add({ method: 'GET', path: routePatterns.files, times: 1, fault: { kind: 'reset', phase: 'response', afterBytes: 20 } });
    await expect(files()).rejects.toThrow();
    expect((await files()).status).toBe(200);
  });

  it('added latency: the delayed answer comes after a plain one asked later', async () => {
    anaplan.faults.add({ path: routePatterns.files, times: 1, fault: { kind: 'latency', ms: 1500 } });
    const answered: string[] = [];
    const seen = anaplan.requests.length;
    const delayed = files().then((res) => answered.push(`delayed ${res.status}`));
    while (anaplan.requests.length === seen) await sleep(5); // the delayed request has arrived
    await files().then((res) => answered.push(`plain ${res.status}`));
    await delayed;
    expect(answered).toEqual(['plain 200', 'delayed 200']);
  });

  it('a hung request never answers (client timeout fires)', async () => {
    anaplan.faults.add({ path: routePatterns.files, times: 1, fault: { kind: 'hang' } });
    await expect(call(modelUrl(anaplan, '/files'), 'GET', { headers: auth(token), headersTimeout: 200 })).rejects.toThrow(/timeout/i);
  });

  it('401 with revokeToken kills the token early', async () => {
    const victim = await login(anaplan);
    anaplan.faults.add({ path: routePatterns.integration, times: 1, fault: { kind: 'status', status: 401, revokeToken: true } });
    expect((await call(modelUrl(anaplan, '/files'), 'GET', { headers: auth(victim) })).status).toBe(401);
    expect((await call(modelUrl(anaplan, '/files'), 'GET', { headers: auth(victim) })).status).toBe(401);
    expect((await call(`${anaplan.authUrl}/token/refresh`, 'POST', { headers: auth(victim) })).status).toBe(401);
    expect((await files()).status).toBe(200); // other tokens live on
  });

  it('/complete returning 500', async () => {
    await openUpload();
    await call(chunkUrl(0), 'PUT', { headers: { ...auth(token), ...OCTET }, body: 'x' });
    anaplan.faults.add({ method: 'POST', path: routePatterns.complete, nth: 1, fault: { kind: 'status', status: 500 } });
    expect((await call(modelUrl(anaplan, `/files/${DEFAULT_FILE_ID}/complete`), 'POST', { headers: auth(token), json: {} })).status).toBe(500);
    expect((await call(modelUrl(anaplan, `/files/${DEFAULT_FILE_ID}/complete`), 'POST', { headers: auth(token), json: {} })).status).toBe(200);
  });

  it('auth-service and OAuth faults use their own error bodies', async () => {
    anaplan.faults.add({ path: routePatterns.authenticate, times: 1, fault: { kind: 'status', status: 503, retryAfter: 1 } });
    const authAnswer = await call(`${anaplan.authUrl}/token/authenticate`, 'POST', { headers: { authorization: basicHeader() } });
    expect(authAnswer.status).toBe(503);
    expect(authAnswer.json()).toEqual({ status: 'FAILURE', statusMessage: 'Service Unavailable' });
    anaplan.faults.add({ path: routePatterns.deviceCode, times: 1, fault: { kind: 'status', status: 500 } });
    const oauthAnswer = await call(`${anaplan.url}/oauth/device/code`, 'POST', { json: { client_id: 'demo-device-client' } });
    expect(oauthAnswer.json()).toEqual({ error: 'server_error', error_description: 'Internal Server Error' });
  });

  it('OAuth slow_down and refresh failures target one grant type', async () => {
    const code = (await call(`${anaplan.url}/oauth/device/code`, 'POST', { json: { client_id: 'demo-device-client' } })).json<{ device_code: string }>();
    anaplan.faults.add({ path: routePatterns.oauthToken, grantType: DEVICE_CODE_GRANT, times: 1, fault: { kind: 'oauth-error', error: 'slow_down' } });
    anaplan.faults.add({
      path: routePatterns.oauthToken,
      grantType: 'refresh_token',
      times: 1,
      fault: { kind: 'oauth-error', error: 'temporarily_unavailable', status: 503 },
    });
    const poll = () =>
      call(`${anaplan.url}/oauth/token`, 'POST', { json: { client_id: 'demo-device-client', device_code: code.device_code, grant_type: DEVICE_CODE_GRANT } });
    const slowed = await poll();
    expect(slowed.status).toBe(400);
    expect(slowed.json()['error']).toBe('slow_down');
    const tokens = (await poll()).json<{ refresh_token: string }>();
    const refresh = () =>
      call(`${anaplan.url}/oauth/token`, 'POST', {
        json: { client_id: 'demo-device-client', refresh_token: tokens.refresh_token, grant_type: 'refresh_token' },
      });
    const failed = await refresh();
    expect(failed.status).toBe(503);
    expect(failed.json()['error']).toBe('temporarily_unavailable');
    expect((await refresh()).status).toBe(200); // the fault consumed nothing: the refresh token is still valid
  });

  it('import task poll failing transiently, and a dump that disappears', async () => {
    await call(modelUrl(anaplan, `/files/${DEFAULT_FILE_ID}`), 'PUT', { headers: { ...auth(token), ...OCTET }, body: 'a,b\n1,2\n' });
    const task = (await call(modelUrl(anaplan, `/imports/${DEFAULT_IMPORT_ID}/tasks`), 'POST', { headers: auth(token), json: { localeName: 'en_US' } })).json<{
      task: { taskId: string };
    }>().task;
    anaplan.faults.add({ method: 'GET', path: routePatterns.importTask, times: 2, fault: { kind: 'status', status: 504 } });
    anaplan.faults.add({ method: 'GET', path: routePatterns.importDump, fault: { kind: 'status', status: 404 } });
    const url = modelUrl(anaplan, `/imports/${DEFAULT_IMPORT_ID}/tasks/${task.taskId}`);
    expect((await call(url, 'GET', { headers: auth(token) })).status).toBe(504);
    expect((await call(url, 'GET', { headers: auth(token) })).status).toBe(504);
    expect((await call(url, 'GET', { headers: auth(token) })).status).toBe(200);
    expect((await call(`${url}/dump/chunks`, 'GET', { headers: auth(token) })).status).toBe(404);
  });

  it('the request log marks faulted requests and stats count firings', async () => {
    const before = anaplan.stats().faultsFired;
    anaplan.faults.add({ path: routePatterns.files, times: 1, fault: { kind: 'status', status: 500 } });
    await files();
    expect(anaplan.requests.at(-1)).toMatchObject({ status: 500, fault: 'status', route: 'files.list' });
    expect(anaplan.stats().faultsFired).toBe(before + 1);
  });

  it('rejects invalid rules', () => {
    expect(() => anaplan.faults.add({ path: '/x', nth: 0, fault: { kind: 'status', status: 500 } })).toThrow(/nth/);
    expect(() => anaplan.faults.add({ path: '/x', fault: { kind: 'status', status: 200 } })).toThrow(/status/);
  });
});

describe('fault control endpoint (for a separate process)', () => {
  let anaplan: AnaplanEmulator;
  beforeAll(async () => {
    anaplan = await startAnaplanEmulator();
  });
  afterAll(() => anaplan.stop());

  it('adds, lists and removes rules over HTTP; control calls are not logged', async () => {
    const token = await login(anaplan);
    const added = await call(`${anaplan.url}/__emulator/faults`, 'POST', {
      json: {
        rules: [
          { method: 'GET', path: routePatterns.files, nth: 1, fault: { kind: 'status', status: 429, retryAfter: 2 } },
          { method: 'PUT', pathRegex: '/chunks/\\d+$', times: 1, fault: { kind: 'status', status: 503 } },
        ],
      },
    });
    expect(added.status).toBe(201);
    const ids = added.json<{ ids: string[] }>().ids;
    expect(ids).toHaveLength(2);
    const limited = await call(modelUrl(anaplan, '/files'), 'GET', { headers: auth(token) });
    expect(limited.status).toBe(429);
    expect(limited.headers['retry-after']).toBe('2');
    await call(modelUrl(anaplan, `/files/${DEFAULT_FILE_ID}`), 'POST', { headers: auth(token), json: { chunkCount: 1 } });
    expect((await call(modelUrl(anaplan, `/files/${DEFAULT_FILE_ID}/chunks/0`), 'PUT', { headers: { ...auth(token), ...OCTET }, body: 'x' })).status).toBe(503);

    const listed = (await call(`${anaplan.url}/__emulator/faults`, 'GET')).json<{ rules: { id: string; fired: number }[] }>();
    expect(listed.rules.map((r) => r.fired)).toEqual([1, 1]);
    expect((await call(`${anaplan.url}/__emulator/faults/${ids[0]}`, 'DELETE')).status).toBe(204);
    expect((await call(`${anaplan.url}/__emulator/faults`, 'DELETE')).status).toBe(204);
    expect(anaplan.faults.list()).toEqual([]);

    const bad = await call(`${anaplan.url}/__emulator/faults`, 'POST', { json: { path: '/x', fault: { kind: 'explode' } } });
    expect(bad.status).toBe(400);
    expect(anaplan.requests.some((r) => r.path.startsWith('/__emulator'))).toBe(false);
  });

  it('exposes stats, the request log, device approval, import rules and file content', async () => {
    const stats = (await call(`${anaplan.url}/__emulator/stats`, 'GET')).json<{ logins: { basic: number }; chunkPuts: number }>();
    expect(stats.logins.basic).toBe(1);
    expect(stats.chunkPuts).toBe(1);
    const log = (await call(`${anaplan.url}/__emulator/requests`, 'GET')).json<{ requests: { authScheme?: string }[] }>();
    expect(log.requests[0]?.authScheme).toBe('Basic');

    const code = (await call(`${anaplan.url}/oauth/device/code`, 'POST', { json: { client_id: 'demo-device-client' } })).json<{ user_code: string }>();
    expect((await call(`${anaplan.url}/__emulator/devices/approve`, 'POST', { json: { userCode: code.user_code } })).status).toBe(204);
    expect((await call(`${anaplan.url}/__emulator/devices/approve`, 'POST', { json: { userCode: 'ZZZZ-ZZZZ' } })).status).toBe(404);

    expect((await call(`${anaplan.url}/__emulator/import-rules`, 'PUT', { json: { rules: [{ column: 'b', rule: 'number' }] } })).status).toBe(204);
    expect((await call(`${anaplan.url}/__emulator/import-rules`, 'PUT', { json: { rules: [{ column: 'b', rule: 'bogus' }] } })).status).toBe(400);
    const token = await login(anaplan);
    await call(modelUrl(anaplan, `/files/${DEFAULT_FILE_ID}/chunks/0`), 'PUT', { headers: { ...auth(token), ...OCTET }, body: 'x' });
    const content = await call(`${anaplan.url}/__emulator/files/${DEFAULT_WORKSPACE_ID}/${DEFAULT_MODEL_ID}/${DEFAULT_FILE_ID}`, 'GET');
    expect(content.status).toBe(200);
    expect(content.text).toBe('x');
  });
});

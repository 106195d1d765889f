import { Agent, request } from 'undici';
import { sleep } from '@pipe/core';
import { DEFAULT_REPORT_IDS, reportBodyBuffer, startSfdcEmulator, type SfdcEmulator } from '../src';
import { call, exportUrl, jwtLogin, postJson, restUrl } from './helpers';

const OPEN_PIPELINE = DEFAULT_REPORT_IDS.openPipeline;

/** Reads a streamed body, returning what arrived and how the stream ended. */
async function readAll(url: string, sid: string, dispatcher?: Agent): Promise<{ status: number; bytes: Buffer; error?: Error }> {
  const res = await request(url, { headers: { cookie: `sid=${sid}` }, dispatcher });
  const parts: Buffer[] = [];
  try {
    for await (const chunk of res.body) parts.push(chunk as Buffer);
    return { status: res.statusCode, bytes: Buffer.concat(parts) };
  } catch (error) {
    return { status: res.statusCode, bytes: Buffer.concat(parts), error: error as Error };
  }
}

describe('faults on demand', () => {
  let emulator: SfdcEmulator;
  let token: string;
  let sid: string;

  beforeAll(async () => {
    emulator = await startSfdcEmulator();
  });
  beforeEach(() => {
    emulator.faults.clear();
    token = emulator.issueSession();
    sid = emulator.issueSession();
  });
  afterAll(() => emulator.stop());

  const limits = (): Promise<{ status: number; json: <T>() => T }> => call(restUrl(emulator, '/limits'), { token });

  it('expire-sessions ends all sessions now, or after N more requests', async () => {
    emulator.faults.inject({ kind: 'expire-sessions' });
    expect((await limits()).status).toBe(401);

    token = emulator.issueSession();
    emulator.faults.inject({ kind: 'expire-sessions', afterRequests: 2 });
    expect((await limits()).status).toBe(200);
    expect((await limits()).status).toBe(200);
    const third = await limits();
    expect(third.status).toBe(401);
    expect(third.json()).toEqual([{ message: 'Session expired or invalid', errorCode: 'INVALID_SESSION_ID' }]);
    // The export's sid died with it: the UI redirects to login.
    expect((await call(exportUrl(emulator, OPEN_PIPELINE), { sid })).status).toBe(302);
  });

  it('REQUEST_LIMIT_EXCEEDED for the next N REST calls, then normal again', async () => {
    emulator.faults.inject({ kind: 'request-limit-exceeded', times: 2 });
    for (let i = 0; i < 2; i++) {
      const res = await limits();
      expect(res.status).toBe(403);
      expect(res.json()).toEqual([{ message: 'TotalRequests Limit exceeded.', errorCode: 'REQUEST_LIMIT_EXCEEDED' }]);
    }
    expect((await limits()).status).toBe(200);
    expect(emulator.faults.active).toHaveLength(0);
  });

  it('the org-wide allocation runs out by itself when configured small', async () => {
    const small = await startSfdcEmulator({ dailyApiRequestLimit: 2, includeDefaultReports: false });
    try {
      const t = small.issueSession();
      const statuses = [];
      for (let i = 0; i < 3; i++) statuses.push((await call(`${small.url}/services/data/v62.0/limits`, { token: t })).status);
      expect(statuses).toEqual([200, 200, 403]);
    } finally {
      await small.stop();
    }
  });

  it("5xx in each surface's dialect", async () => {
    emulator.faults.inject({ kind: 'server-error', status: 503, times: 1, match: { surface: 'rest' } });
    const rest = await limits();
    expect(rest.status).toBe(503);
    expect(rest.json<{ errorCode: string }[]>()[0].errorCode).toBe('SERVER_UNAVAILABLE');

    emulator.faults.inject({ kind: 'server-error', times: 1, match: { surface: 'export' } });
    const exported = await call(exportUrl(emulator, OPEN_PIPELINE), { sid });
    expect(exported.status).toBe(500);
    expect(exported.headers['content-type']).toMatch(/^text\/html/);

    emulator.faults.inject({ kind: 'server-error', times: 1, match: { surface: 'oauth' } });
    const tokenCall = await call(`${emulator.url}/services/oauth2/token`, { method: 'POST', body: 'grant_type=password' });
    expect(tokenCall.status).toBe(500);
  });

  it('skip lets the first matching requests through', async () => {
    emulator.faults.inject({ kind: 'server-error', skip: 1, times: 1, match: { surface: 'rest' } });
    expect([(await limits()).status, (await limits()).status, (await limits()).status]).toEqual([200, 500, 200]);
  });

  it('drop-connection cuts the export after N bytes without the terminating chunk', async () => {
    emulator.faults.inject({ kind: 'drop-connection', afterBytes: 100_000, times: 1 });
    const result = await readAll(exportUrl(emulator, OPEN_PIPELINE), sid);
    expect(result.status).toBe(200);
    expect(result.error).toBeDefined();
    expect(result.bytes.length).toBe(100_000);
    expect(result.bytes.equals(emulator.reportCsv(OPEN_PIPELINE).subarray(0, 100_000))).toBe(true);
    const record = emulator.requests.at(-1)!;
    expect(record).toMatchObject({ outcome: 'destroyed', bodyBytes: 100_000, faults: ['drop-connection'] });
    // Next export is whole again.
    expect((await readAll(exportUrl(emulator, OPEN_PIPELINE), sid)).error).toBeUndefined();
  });

  it('drop-connection aimed at the REST surface cuts a Bulk result page; the locator can be fetched again', async () => {
    const jobs = restUrl(emulator, '/jobs/query');
    const job = (await postJson(jobs, { operation: 'query', query: 'SELECT Id, Name FROM Opportunity' }, token)).json<{ id: string }>();
    for (let i = 0; i < 2; i++) await call(`${jobs}/${job.id}`, { token });
    emulator.faults.inject({ kind: 'drop-connection', afterBytes: 2048, times: 1, match: { surface: 'rest' } });
    const page = `${jobs}/${job.id}/results?maxRecords=5000`;
    const cut = await request(page, { headers: { authorization: `Bearer ${token}` } });
    expect(cut.headers['sforce-locator']).not.toBe('null');
    await expect(cut.body.arrayBuffer()).rejects.toThrow();
    const retry = await call(page, { token });
    expect(retry.status).toBe(200);
    expect(Number(retry.headers['sforce-numberofrecords'])).toBe(5000);
  });

  it('drop-connection with clean=true ends the body normally: a silent truncation', async () => {
    emulator.faults.inject({ kind: 'drop-connection', afterBytes: 5000, clean: true, times: 1 });
    const result = await readAll(exportUrl(emulator, OPEN_PIPELINE), sid);
    expect(result.error).toBeUndefined();
    expect(result.bytes.length).toBe(5000);
  });

  it('missing-footer sends every row and no footer', async () => {
    emulator.faults.inject({ kind: 'missing-footer', times: 1 });
    const result = await readAll(exportUrl(emulator, OPEN_PIPELINE), sid);
    expect(result.error).toBeUndefined();
    expect(result.bytes.equals(emulator.reportCsv(OPEN_PIPELINE))).toBe(true);
  });

  it('short-export leaves out the last rows and still ends with the proper footer', async () => {
    emulator.faults.inject({ kind: 'short-export', missingRows: 3, times: 1 });
    const result = await readAll(exportUrl(emulator, OPEN_PIPELINE), sid);
    expect(result.error).toBeUndefined();
    const spec = emulator.report(OPEN_PIPELINE)!;
    const shortBody = reportBodyBuffer({ ...spec, rows: spec.rows - 3 });
    expect(result.bytes.subarray(0, shortBody.length).equals(shortBody)).toBe(true);
    const footer = result.bytes.subarray(shortBody.length).toString('utf8');
    expect(footer).toMatch(new RegExp(`^\\n"${spec.name}"\\n"Copyright \\(c\\)`));
    expect(footer).toMatch(/"Generated By: .*"\n"[^"]+"\n$/);
    // Spent: the next export is whole again.
    const whole = await readAll(exportUrl(emulator, OPEN_PIPELINE), sid);
    expect(whole.bytes.subarray(0, whole.bytes.length - footer.length).equals(emulator.reportCsv(OPEN_PIPELINE))).toBe(true);
  });

  it('missing-footer with hang=true keeps the response open until the client gives up', async () => {
    emulator.faults.inject({ kind: 'missing-footer', hang: true, times: 1 });
    const agent = new Agent({ bodyTimeout: 300 });
    try {
      const result = await readAll(exportUrl(emulator, OPEN_PIPELINE), sid, agent);
      expect(result.error).toBeDefined();
      expect(result.bytes.equals(emulator.reportCsv(OPEN_PIPELINE))).toBe(true);
    } finally {
      await agent.close();
    }
  });

  it('slow-first-byte delays the status line', async () => {
    emulator.faults.inject({ kind: 'slow-first-byte', delayMs: 1500, times: 1, match: { surface: 'export' } });
    const answered: string[] = [];
    const delayed = call(exportUrl(emulator, DEFAULT_REPORT_IDS.accountsByRegion), { sid }).then((res) => answered.push(`delayed ${res.status}`));
    while (!emulator.activeRequests.some((r) => r.surface === 'export')) await sleep(5);
    // Asked later, answered first: the held export has not sent its status line.
    await call(exportUrl(emulator, DEFAULT_REPORT_IDS.accountsByRegion), { sid }).then((res) => answered.push(`plain ${res.status}`));
    await delayed;
    expect(answered).toEqual(['plain 200', 'delayed 200']);
    // A client whose header timeout is shorter than the delay gives up (undici's timers tick coarsely, hence the margins).
    emulator.faults.inject({ kind: 'slow-first-byte', delayMs: 3000, times: 1, match: { surface: 'export' } });
    const impatient = new Agent({ headersTimeout: 500 });
    try {
      await expect(
        request(exportUrl(emulator, DEFAULT_REPORT_IDS.accountsByRegion), { headers: { cookie: `sid=${sid}` }, dispatcher: impatient }),
      ).rejects.toThrow(/Headers Timeout/i);
    } finally {
      await impatient.destroy();
    }
  });

  it('throttle caps the export rate: the body leaves in small steps, not at once', async () => {
    // 2,000 bytes a second go out as 100-byte steps every 50 ms: about twenty steps for this 2 kB report.
    emulator.faults.inject({ kind: 'throttle', bytesPerSecond: 2_000, times: 1 });
    const reading = readAll(exportUrl(emulator, DEFAULT_REPORT_IDS.accountsByRegion), sid);
    let done = false;
    void reading.then(() => (done = true));
    const seen = new Set<number>();
    while (!done) {
      const sent = emulator.activeRequests.find((r) => r.surface === 'export')?.bodyBytes;
      if (sent !== undefined) seen.add(sent);
      await sleep(5);
    }
    const result = await reading;
    expect(result.error).toBeUndefined();
    expect(
      result.bytes.subarray(0, emulator.reportCsv(DEFAULT_REPORT_IDS.accountsByRegion).length).equals(emulator.reportCsv(DEFAULT_REPORT_IDS.accountsByRegion)),
    ).toBe(true);
    const partial = [...seen].filter((n) => n > 0 && n < result.bytes.length);
    expect(partial.length).toBeGreaterThanOrEqual(5);
    expect(Math.min(...partial)).toBeLessThanOrEqual(100);
  });

  it('ten reports where two fail: per-report faults until cleared', async () => {
    const ids = Array.from({ length: 10 }, (_, i) => `00O5e00000900${String(i).padStart(2, '0')}`);
    ids.forEach((id, i) => emulator.addReport({ id, name: `Batch report ${i}`, rows: 50, seed: 100 + i }));
    emulator.faults.inject({ kind: 'server-error', match: { reportId: ids[3] } });
    emulator.faults.inject({ kind: 'drop-connection', afterBytes: 1000, match: { reportId: `${ids[7]}AAA` } });
    for (let round = 0; round < 2; round++) {
      const results = await Promise.all(ids.map((id) => readAll(exportUrl(emulator, id), sid)));
      const failed = results.map((r, i) => (r.status !== 200 || r.error ? i : -1)).filter((i) => i >= 0);
      expect(failed).toEqual([3, 7]);
    }
    emulator.faults.clear();
    const results = await Promise.all(ids.map((id) => readAll(exportUrl(emulator, id), sid)));
    expect(results.every((r) => r.status === 200 && r.error === undefined)).toBe(true);
  });

  it('html-page answers a 200 maintenance page where CSV was expected; redirect-loop redirects to itself', async () => {
    emulator.faults.inject({ kind: 'html-page', times: 1 });
    const page = await call(exportUrl(emulator, OPEN_PIPELINE), { sid });
    expect(page.status).toBe(200);
    expect(page.headers['content-type']).toMatch(/^text\/html/);

    emulator.faults.inject({ kind: 'redirect-loop', times: 1 });
    const url = exportUrl(emulator, OPEN_PIPELINE);
    const loop = await call(url, { sid });
    expect(loop.status).toBe(302);
    expect(loop.headers.location).toBe(url);
  });

  it('invalid-rest-session answers the "not valid for use with the REST API" variant', async () => {
    emulator.faults.inject({ kind: 'invalid-rest-session', times: 1 });
    const res = await limits();
    expect(res.status).toBe(401);
    expect(res.json()).toEqual([{ message: 'This session is not valid for use with the REST API', errorCode: 'INVALID_SESSION_ID' }]);
    expect((await limits()).status).toBe(200);
  });

  it('bulk-job-failed makes the next query job end Failed', async () => {
    emulator.faults.inject({ kind: 'bulk-job-failed', errorMessage: 'InternalServerError : Retried more than 15 times', times: 1 });
    const job = (await postJson(restUrl(emulator, '/jobs/query'), { operation: 'query', query: 'SELECT Id FROM Opportunity' }, token)).json<{ id: string }>();
    const states: { state: string; errorMessage?: string }[] = [];
    for (let i = 0; i < 2; i++) states.push((await call(restUrl(emulator, `/jobs/query/${job.id}`), { token })).json());
    expect(states[1]).toMatchObject({ state: 'Failed', errorMessage: 'InternalServerError : Retried more than 15 times' });
  });

  describe('control endpoint', () => {
    it('arms, lists and clears faults from JSON, as a separate process would', async () => {
      const armed = await postJson(`${emulator.url}/__emulator/faults`, [
        { kind: 'request-limit-exceeded', times: 1 },
        { kind: 'slow-first-byte', delayMs: 1, times: 5 },
      ]);
      expect(armed.status).toBe(201);
      expect(armed.json<{ ids: string[] }>().ids).toHaveLength(2);
      expect((await call(`${emulator.url}/__emulator/faults`)).json<{ faults: unknown[] }>().faults).toHaveLength(2);
      expect((await limits()).status).toBe(403);
      expect((await call(`${emulator.url}/__emulator/faults`, { method: 'DELETE' })).status).toBe(204);
      expect(emulator.faults.active).toHaveLength(0);
    });

    it('serves the JWT key and describes the org, for a CLI in another process', async () => {
      const key = await call(`${emulator.url}/__emulator/jwt-key`);
      expect(key.text).toBe(emulator.jwtPrivateKeyPem);
      expect(emulator.describe().join('\n')).toContain('00O5e000008abcdEAA "Open Pipeline": 5000 rows');
    });

    it('rejects an unknown fault kind with 400', async () => {
      const res = await postJson(`${emulator.url}/__emulator/faults`, { kind: 'meteor-strike' });
      expect(res.status).toBe(400);
      expect(res.json<{ error: string }>().error).toMatch(/unknown fault kind/);
    });

    it('expires sessions and issues sessions for the session login mode', async () => {
      expect((await call(`${emulator.url}/__emulator/expire-sessions`, { method: 'POST' })).status).toBe(204);
      expect((await limits()).status).toBe(401);
      const issued = (await postJson(`${emulator.url}/__emulator/sessions`, { username: 'ops@acme.com' })).json<{ sessionId: string; instanceUrl: string }>();
      expect(issued.instanceUrl).toBe(emulator.url);
      expect((await call(restUrl(emulator, '/limits'), { token: issued.sessionId })).status).toBe(200);
    });
  });

  it('the request log keeps method, path, status and times but no secrets', async () => {
    emulator.clearRequests();
    const tokens = await jwtLogin(emulator);
    await call(restUrl(emulator, '/limits'), { token: tokens.access_token });
    await call(`${emulator.url}/secur/frontdoor.jsp?sid=${encodeURIComponent(tokens.access_token)}&retURL=/`);
    await call(exportUrl(emulator, DEFAULT_REPORT_IDS.accountsByRegion), { sid });
    const log = emulator.requests;
    expect(log.map((r) => [r.method, r.surface, r.status])).toEqual([
      ['POST', 'oauth', 200],
      ['GET', 'rest', 200],
      ['GET', 'ui', 302],
      ['GET', 'export', 200],
    ]);
    expect(log[0].grantType).toBe('urn:ietf:params:oauth:grant-type:jwt-bearer');
    expect(log[2].path).toBe('/secur/frontdoor.jsp?sid=***&retURL=%2F');
    const dump = JSON.stringify(log) + JSON.stringify((await call(`${emulator.url}/__emulator/requests`)).json());
    for (const secret of [tokens.access_token, sid, token]) expect(dump).not.toContain(secret);
    expect(log.every((r) => r.endedAt >= r.startedAt && r.durationMs >= 0)).toBe(true);
  });
});

describe('stop()', () => {
  it('closes keep-alive sockets and hung responses', async () => {
    const emulator = await startSfdcEmulator();
    const sid = emulator.issueSession();
    const agent = new Agent({ keepAliveTimeout: 60_000 });
    try {
      expect((await request(`${emulator.url}/services/data/`, { dispatcher: agent })).statusCode).toBe(200);
      emulator.faults.inject({ kind: 'missing-footer', hang: true });
      const hung = readAll(exportUrl(emulator, OPEN_PIPELINE), sid, agent);
      while (!emulator.activeRequests.some((r) => r.surface === 'export' && r.bodyBytes > 0)) await sleep(5);
      // stop() resolving at all proves it: server.close() alone waits for the hung and the idle keep-alive sockets.
      await emulator.stop();
      expect((await hung).error).toBeDefined();
      await expect(request(`${emulator.url}/services/data/`, { dispatcher: agent })).rejects.toThrow();
    } finally {
      await agent.destroy();
    }
  });
});

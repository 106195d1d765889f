import { startSfdcEmulator, type SfdcEmulator } from '../src';
import { call, exportUrl, jwtLogin, restUrl } from './helpers';

const INVALID_SESSION = [{ message: 'Session expired or invalid', errorCode: 'INVALID_SESSION_ID' }];
const NOT_FOR_REST = [{ message: 'This session is not valid for use with the REST API', errorCode: 'INVALID_SESSION_ID' }];

describe('sessions', () => {
  let emulator: SfdcEmulator;
  let clock = Date.now();

  beforeAll(async () => {
    emulator = await startSfdcEmulator({ sessionTtlSeconds: 60, now: () => clock });
  });
  afterAll(() => emulator.stop());

  it('lists API versions without a session, like /services/data/ on a real instance', async () => {
    const res = await call(`${emulator.url}/services/data/`);
    expect(res.status).toBe(200);
    expect(res.json<unknown[]>()).toContainEqual({ label: "Winter '25", url: '/services/data/v62.0', version: '62.0' });
  });

  it('answers 401 INVALID_SESSION_ID for a missing or unknown token', async () => {
    for (const token of [undefined, '00D5e000000Acme!AQbogus']) {
      const res = await call(restUrl(emulator, '/limits'), { token });
      expect(res.status).toBe(401);
      expect(res.json()).toEqual(INVALID_SESSION);
    }
  });

  it('accepts any vNN.0 in REST paths', async () => {
    const token = emulator.issueSession();
    for (const version of ['v58.0', 'v62.0', 'v64.0']) {
      expect((await call(`${emulator.url}/services/data/${version}/limits`, { token })).status).toBe(200);
    }
    const res = await call(`${emulator.url}/services/data/v62.0/limits`, { token });
    expect(res.headers['sforce-limit-info']).toMatch(/^api-usage=\d+\/15000$/);
  });

  it('expires sessions after their lifetime', async () => {
    const token = emulator.issueSession();
    expect((await call(restUrl(emulator, '/limits'), { token })).status).toBe(200);
    clock += 61_000;
    const res = await call(restUrl(emulator, '/limits'), { token });
    expect(res.status).toBe(401);
    expect(res.json()).toEqual(INVALID_SESSION);
  });

  it('expireSessions() ends every session at once', async () => {
    const { access_token } = await jwtLogin(emulator);
    const sid = emulator.issueSession();
    emulator.expireSessions();
    expect((await call(restUrl(emulator, '/limits'), { token: access_token })).status).toBe(401);
    expect((await call(exportUrl(emulator, '00O5e000008abcdEAA'), { sid })).status).toBe(302);
  });

  it('a UI session works for the export but REST answers "not valid for use with the REST API"', async () => {
    const sid = emulator.issueSession('ops@acme.com', 'ui');
    const rest = await call(restUrl(emulator, '/analytics/reports/00O5e000008abcdEAA/describe'), { token: sid });
    expect(rest.status).toBe(401);
    expect(rest.json()).toEqual(NOT_FOR_REST);
    const exported = await call(exportUrl(emulator, '00O5e000008abcdEAA'), { sid });
    expect(exported.status).toBe(200);
    expect(exported.headers['content-type']).toBe('text/csv; charset=UTF-8');
  });

  it('frontdoor.jsp turns an access token into a sid cookie and redirects to retURL', async () => {
    const { access_token } = await jwtLogin(emulator);
    const res = await call(
      `${emulator.url}/secur/frontdoor.jsp?sid=${encodeURIComponent(access_token)}&retURL=${encodeURIComponent('/00O5e000008abcd?export=1&xf=csv')}`,
    );
    expect(res.status).toBe(302);
    expect(res.headers.location).toBe(`${emulator.url}/00O5e000008abcd?export=1&xf=csv`);
    const cookie = /^sid=([^;]+)/.exec(String(res.headers['set-cookie']))![1];
    expect((await call(String(res.headers.location), { sid: cookie })).status).toBe(200);
  });

  it('the home page tells a live sid (Cache-Control: private) from a dead one (login page)', async () => {
    const live = await call(`${emulator.url}/`, { sid: emulator.issueSession() });
    expect(live.headers['cache-control']).toBe('private');
    const dead = await call(`${emulator.url}/`, { sid: 'nope' });
    expect(dead.text).toContain('<title>Login | Salesforce</title>');
  });

  it('userinfo and the identity URL identify the session user; a bad token gets 403 Bad_OAuth_Token', async () => {
    const tokens = await jwtLogin(emulator);
    const info = await call(`${emulator.url}/services/oauth2/userinfo`, { token: tokens.access_token });
    expect(info.json()).toMatchObject({ preferred_username: 'ops@acme.com', name: 'Ops User' });
    const identity = await call(tokens.id, { token: tokens.access_token });
    expect(identity.json()).toMatchObject({ username: 'ops@acme.com', organization_id: emulator.orgId });
    const bad = await call(`${emulator.url}/services/oauth2/userinfo`, { token: 'bad' });
    expect({ status: bad.status, text: bad.text }).toEqual({ status: 403, text: 'Bad_OAuth_Token' });
  });

  it('revoking a token ends its session', async () => {
    const token = emulator.issueSession();
    const res = await call(`${emulator.url}/services/oauth2/revoke`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: `token=${encodeURIComponent(token)}`,
    });
    expect(res.status).toBe(200);
    expect((await call(restUrl(emulator, '/limits'), { token })).status).toBe(401);
  });
});

/**
 * What a client that follows the REST answers finds: the version root names only what is served,
 * and every URL in an answer carries the API version the client called.
 */
import { DEFAULT_REPORT_IDS, startSfdcEmulator, type SfdcEmulator } from '../src';
import { call, jwtLogin, postJson } from './helpers';

/** Older than the emulator's default, so a URL built from the default would show. */
const CALLED_VERSION = '58.0';

describe('REST answers, called at another API version than the newest', () => {
  let emulator: SfdcEmulator;
  let token: string;
  let identityUrl: string;

  beforeAll(async () => {
    emulator = await startSfdcEmulator();
    const login = await jwtLogin(emulator);
    token = login.access_token;
    identityUrl = login.id;
  });
  afterAll(() => emulator.stop());

  const rest = (path: string): string => `${emulator.url}/services/data/v${CALLED_VERSION}${path}`;

  it('the version root lists identity and only the resources the emulator serves', async () => {
    expect(emulator.apiVersion).not.toBe(CALLED_VERSION);
    const root = (await call(rest('/'), { token })).json<Record<string, string>>();
    expect(Object.keys(root).sort()).toEqual(['analytics', 'identity', 'jobs', 'limits']);
    expect(root.identity).toBe(identityUrl);
    const identity = await call(root.identity, { token });
    expect(identity.status).toBe(200);
    expect(identity.json<{ username: string }>().username).toBe('ops@acme.com');
    expect((await call(`${emulator.url}${root.limits}`, { token })).status).toBe(200);
    expect((await call(`${emulator.url}${root.analytics}/reports`, { token })).status).toBe(200);
    expect(root.jobs).toBe(`/services/data/v${CALLED_VERSION}/jobs`);
  });

  it('report lists, runs and instances point at the version called', async () => {
    const list = (await call(rest('/analytics/reports'), { token })).json<{ url: string; describeUrl: string; instancesUrl: string }[]>();
    const run = (await call(rest(`/analytics/reports/${DEFAULT_REPORT_IDS.openPipeline}`), { token })).json<{ attributes: { describeUrl: string } }>();
    const instance = (await postJson(rest(`/analytics/reports/${DEFAULT_REPORT_IDS.openPipeline}/instances`), {}, token)).json<{ url: string }>();
    const polled = (await call(`${emulator.url}${instance.url}`, { token })).json<{ attributes: { url: string } }>();
    const urls = [...list.flatMap((r) => [r.url, r.describeUrl, r.instancesUrl]), run.attributes.describeUrl, instance.url, polled.attributes.url];
    expect(urls.length).toBeGreaterThan(5);
    for (const url of urls) expect(url).toMatch(new RegExp(`^/services/data/v${CALLED_VERSION.replace('.', '\\.')}/`));
  });

  it('the request log masks tokens a client passes in the query string', async () => {
    emulator.clearRequests();
    await call(`${rest('/limits')}?access_token=${token}`, { token });
    await call(`${identityUrl}?oauth_token=${token}&format=json`, { token });
    const logged = emulator.requests.map((r) => r.path);
    expect(logged).toEqual([`/services/data/v${CALLED_VERSION}/limits?access_token=***`, `${new URL(identityUrl).pathname}?oauth_token=***&format=json`]);
    expect(JSON.stringify((await call(`${emulator.url}/__emulator/requests`)).json())).not.toContain(token);
  });
});

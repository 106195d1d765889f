import { credentialTransport, InsecureUrlError, validatePluginConfig } from '@pipe/core';
import * as testing from '@pipe/core/testing';
import { anaplanLogin, anaplanSink, CREDENTIAL_SERVICE, type AnaplanSinkConfig } from '../src';
import { configFor, IDS, opportunitiesCsv, runAnaplanSink, startEmulator, tempCredentialStore, USER, type AnaplanEmulator } from './support/anaplan-fixture';
import { startRedirectingServer } from './support/redirecting-server';

let emulator: AnaplanEmulator;

beforeAll(async () => {
  emulator = await startEmulator();
});
afterAll(async () => {
  await emulator.stop();
});

const base = { workspace: IDS.workspace, model: IDS.model, file: IDS.file, auth: { type: 'basic', ...USER } };
const problems = (config: Record<string, unknown>) => anaplanSink.checkConfig!(validatePluginConfig(anaplanSink, { ...base, ...config }) as AnaplanSinkConfig);
const csv = () => testing.documentPieces(opportunitiesCsv(20));
const integrationCalls = () => emulator.requests.filter((r) => r.path.startsWith('/2/0/'));

describe('which URLs may carry credentials', () => {
  it('https anywhere, plain http only to this machine', () => {
    expect(credentialTransport('https://api.anaplan.com/2/0')).toEqual({ kind: 'tls' });
    for (const url of ['http://127.0.0.1:4100/2/0', 'http://127.8.0.1', 'http://localhost:80', 'http://[::1]:4100']) {
      expect(credentialTransport(url).kind).toBe('loopback');
    }
    expect(credentialTransport('http://api.example.com/2/0?token=abc')).toEqual({ kind: 'cleartext', origin: 'http://api.example.com' });
    expect(credentialTransport('http://128.0.0.1/').kind).toBe('cleartext');
    expect(credentialTransport('http://localhost.example.com/').kind).toBe('cleartext');
    expect(credentialTransport('api.anaplan.com/2/0').kind).toBe('invalid');
    expect(credentialTransport('ftp://api.anaplan.com').kind).toBe('invalid');
  });
});

describe('checkConfig: the sink refuses plain http to another host', () => {
  it('reports apiUrl and the login host of the auth type, and says how to fix it', () => {
    expect(problems({ apiUrl: 'http://api.example.com/2/0', authUrl: 'http://auth.example.com' })).toEqual([
      {
        path: ['apiUrl'],
        message:
          'plain http would send credentials unencrypted to http://api.example.com; use https://, or set allowInsecureHttp: true if the network is trusted',
      },
      { path: ['authUrl'], message: expect.stringContaining('http://auth.example.com') },
    ]);
    // OAuth logs in at oauthUrl, not authUrl.
    expect(problems({ auth: { type: 'oauth' }, oauthUrl: 'http://oauth.example.com', authUrl: 'http://auth.example.com' })).toEqual([
      { path: ['oauthUrl'], message: expect.stringContaining('http://oauth.example.com') },
    ]);
    expect(problems({ apiUrl: 'api.anaplan.com/2/0' })).toEqual([{ path: ['apiUrl'], message: expect.stringContaining('not an absolute URL') }]);
  });

  it('accepts https, loopback http (the emulator), and plain http with allowInsecureHttp', () => {
    expect(problems({})).toEqual([]);
    expect(problems({ apiUrl: emulator.apiUrl, authUrl: emulator.authUrl })).toEqual([]);
    expect(problems({ apiUrl: 'http://api.example.com/2/0', allowInsecureHttp: true })).toEqual([]);
  });
});

describe('at run time', () => {
  it('a plugin run without validation still refuses plain http, before any request', async () => {
    const run = await runAnaplanSink({ ...configFor(emulator), apiUrl: 'http://api.example.com/2/0' }, csv());
    expect(run.error).toBeInstanceOf(InsecureUrlError);
    expect(run.error?.message).toBe(
      'apiUrl: plain http would send credentials unencrypted to http://api.example.com; use https://, or set allowInsecureHttp: true if the network is trusted',
    );
  });

  it('allowInsecureHttp: every run that sends credentials over plain http warns, once per host', async () => {
    const run = await runAnaplanSink(configFor(emulator, { allowInsecureHttp: true }), csv());
    expect(run.error).toBeUndefined();
    const warnings = run.ctx.logLines.filter((l) => l.includes('allowInsecureHttp'));
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain(`apiUrl is plain http; credentials and tokens go to ${new URL(emulator.apiUrl).origin} unencrypted`);

    const quiet = await runAnaplanSink(configFor(emulator), csv());
    expect(quiet.error).toBeUndefined();
    expect(quiet.ctx.logLines.some((l) => l.includes('allowInsecureHttp'))).toBe(false);
  });

  it('a saved OAuth login made on a plain http host is not used: its refresh token stays home', async () => {
    const store = tempCredentialStore();
    const refreshToken = 'saved-refresh-token-0123456789';
    await store.set(CREDENTIAL_SERVICE, 'ops', { kind: 'oauth', clientId: 'demo-device-client', refreshToken, oauthUrl: 'http://oauth.example.com' });
    const before = emulator.stats().requestCount;
    const run = await runAnaplanSink(configFor(emulator, { auth: { type: 'oauth', account: 'ops' } }), csv(), { credentials: store });
    expect(run.error).toBeInstanceOf(InsecureUrlError);
    expect(run.error?.message).toMatch(
      /^the OAuth host saved with login ops: plain http would send credentials unencrypted to http:\/\/oauth\.example\.com; use https:\/\//,
    );
    expect(run.error?.message).not.toContain(refreshToken);
    expect(emulator.stats().requestCount).toBe(before);
  });
});

describe('pipe auth login anaplan', () => {
  it('refuses a plain http login host before sending the password', async () => {
    const io = { say: () => undefined, signal: new AbortController().signal, credentials: tempCredentialStore() };
    await expect(anaplanLogin.login({ username: USER.username, password: USER.password, 'auth-url': 'http://auth.example.com' }, io)).rejects.toThrow(
      new InsecureUrlError('the auth service host (--auth-url): plain http would send credentials unencrypted to http://auth.example.com; use https://'),
    );
    await expect(anaplanLogin.login({ 'client-id': 'demo-device-client', 'oauth-url': 'http://oauth.example.com' }, io)).rejects.toBeInstanceOf(
      InsecureUrlError,
    );
  });
});

describe('redirects are never followed with credentials', () => {
  it('a login answered with a redirect fails, and the password never reaches where it pointed', async () => {
    const redirect = await startRedirectingServer({ status: 302 });
    try {
      const run = await runAnaplanSink(configFor(emulator, { authUrl: redirect.url }), csv());
      expect(redirect.landed).toEqual([]);
      expect(run.error?.message).toContain(`answered 302: redirect to ${redirect.target}/token/authenticate, not followed`);
      expect(run.error?.message).not.toContain(USER.password);
    } finally {
      await redirect.stop();
    }
  });

  it('an API call redirected to a host that would accept the token fails instead of sending it there', async () => {
    const redirect = await startRedirectingServer({ status: 307, to: emulator.url });
    try {
      const before = integrationCalls().length;
      const run = await runAnaplanSink(configFor(emulator, { apiUrl: `${redirect.url}/2/0` }), csv());
      expect(integrationCalls()).toHaveLength(before);
      expect(run.error?.message).toContain(`answered 307: redirect to ${emulator.url}/2/0/workspaces`);
    } finally {
      await redirect.stop();
    }
  });
});

import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CredentialStore, CredentialUrlGuard, InsecureUrlError, validatePluginConfig } from '@pipe/core';
import * as testing from '@pipe/core/testing';
import { DEFAULT_REPORT_IDS, startSfdcEmulator, type SfdcEmulator } from '@pipe/emulator-sfdc';
import { CREDENTIAL_SERVICE, sfdcReportSource, webServerLogin, type SfdcReportConfig } from '../src';
import { withInstanceUrlCheck } from '../src/auth/instance-url-check';
import { startRedirectingServer } from '../../sink-anaplan/test/support/redirecting-server';
import { baseConfig, jwtAuth } from './helpers';

let emulator: SfdcEmulator;
const reportId = DEFAULT_REPORT_IDS.accountsByRegion;

beforeAll(async () => {
  emulator = await startSfdcEmulator({ port: 0 });
});
afterAll(async () => {
  await emulator.stop();
});

const problems = (config: Record<string, unknown>) =>
  sfdcReportSource.checkConfig!(validatePluginConfig(sfdcReportSource, { reportId, auth: { type: 'session', sessionId: 'x' }, ...config }) as SfdcReportConfig);
const run = (config: Record<string, unknown>) => testing.runSource(sfdcReportSource, baseConfig(emulator, { reportId, ...config }));

describe('checkConfig: logins and the org only over https (or this machine)', () => {
  it('reports each plain http URL at its key, the host inside an SFDX auth URL too, never its secrets', () => {
    const refreshToken = '5Aep861KIwKdekr90I4iHdtDgWwRoG7O';
    const found = problems({
      loginUrl: 'http://login.example.com',
      instanceUrl: 'http://acme.example.com',
      auth: { type: 'refresh-token', sfdxAuthUrl: `force://PlatformCLI::${refreshToken}@http://acme.example.com`, loginUrl: 'http://my.example.com' },
    });
    expect(found.map((p) => p.path)).toEqual([['loginUrl'], ['instanceUrl'], ['auth', 'loginUrl'], ['auth', 'sfdxAuthUrl']]);
    expect(found[0].message).toBe(
      'plain http would send credentials unencrypted to http://login.example.com; use https://, or set allowInsecureHttp: true if the network is trusted',
    );
    expect(JSON.stringify(found)).not.toContain(refreshToken);
  });

  it('accepts https, the emulator on 127.0.0.1, and plain http with allowInsecureHttp', () => {
    expect(problems({ instanceUrl: 'https://acme.my.salesforce.com' })).toEqual([]);
    expect(problems({ instanceUrl: emulator.url, loginUrl: emulator.url })).toEqual([]);
    expect(problems({ instanceUrl: 'http://acme.example.com', allowInsecureHttp: true })).toEqual([]);
  });
});

describe('at run time', () => {
  it('allowInsecureHttp: the run warns that tokens go over plain http, once per host', async () => {
    const ctx = testing.createTestContext();
    await testing.runSource(sfdcReportSource, baseConfig(emulator, { reportId, allowInsecureHttp: true }), ctx);
    const warnings = ctx.logLines.filter((l) => l.includes('allowInsecureHttp'));
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain(`credentials and tokens go to ${emulator.url} unencrypted`);
  });

  it('a pasted session is not sent to a plain http org', async () => {
    const before = emulator.requests.length;
    await expect(run({ instanceUrl: 'http://acme.example.com', auth: { type: 'session', sessionId: emulator.issueSession() } })).rejects.toThrow(
      new InsecureUrlError(
        'the org URL (instance_url) of the session login: plain http would send credentials unencrypted to http://acme.example.com; use https://, or set allowInsecureHttp: true if the network is trusted',
      ),
    );
    expect(emulator.requests.length).toBe(before);
  });

  it('an org URL from the token response is checked before the token goes there', async () => {
    const guard = new CredentialUrlGuard({ allowInsecureHttp: false });
    const flow = withInstanceUrlCheck(
      { name: 'jwt', renewable: true, login: async () => ({ accessToken: 'token', instanceUrl: 'http://acme.example.com' }) },
      guard,
    );
    await expect(flow.login(new AbortController().signal)).rejects.toBeInstanceOf(InsecureUrlError);
  });

  it('a saved login whose login host is plain http is not used: its refresh token stays home', async () => {
    const home = mkdtempSync(join(tmpdir(), 'sfdc-insecure-home-'));
    const env = { PIPE_HOME: process.env.PIPE_HOME, PIPE_CREDENTIALS_KEY: process.env.PIPE_CREDENTIALS_KEY };
    process.env.PIPE_HOME = home;
    process.env.PIPE_CREDENTIALS_KEY = 'test passphrase';
    try {
      const refreshToken = 'saved-refresh-token-0123456789';
      await new CredentialStore({ dir: home, env: { PIPE_CREDENTIALS_KEY: 'test passphrase' } }).set(CREDENTIAL_SERVICE, 'ops@acme.com', {
        refreshToken,
        clientId: emulator.jwtClientId,
        instanceUrl: 'http://acme.example.com',
        loginUrl: 'http://login.example.com',
      });
      const error = await run({ instanceUrl: undefined, auth: { type: 'refresh-token' } }).catch((e: Error) => e);
      expect(error).toBeInstanceOf(InsecureUrlError);
      expect((error as Error).message).toMatch(
        /^the refresh-token login's token URL: plain http would send credentials unencrypted to http:\/\/login\.example\.com;/,
      );
      expect((error as Error).message).not.toContain(refreshToken);
    } finally {
      for (const [key, value] of Object.entries(env)) {
        if (value === undefined) delete process.env[key];
        else process.env[key] = value;
      }
    }
  });
});

describe('pipe auth login sfdc', () => {
  it('refuses a plain http login host before the browser is sent there', async () => {
    const said: string[] = [];
    const io = {
      say: (line: string) => said.push(line),
      signal: new AbortController().signal,
      credentials: new CredentialStore({ dir: mkdtempSync(join(tmpdir(), 'sfdc-login-')), env: {} }),
    };
    await expect(webServerLogin({ loginUrl: 'http://login.example.com' }, io)).rejects.toThrow(
      new InsecureUrlError('the login host (--login-url): plain http would send credentials unencrypted to http://login.example.com; use https://'),
    );
    expect(said).toEqual([]);
  });
});

describe('redirects are never followed with credentials', () => {
  it('a token endpoint that redirects fails the login; the signed assertion never reaches where it pointed', async () => {
    const redirect = await startRedirectingServer({ status: 307 });
    try {
      const error = await run({ auth: { ...jwtAuth(emulator), loginUrl: redirect.url } }).catch((e: Error) => e);
      expect(redirect.landed).toEqual([]);
      expect((error as Error).message).toContain(`answered 307: redirect to ${redirect.target}/services/oauth2/token, not followed`);
    } finally {
      await redirect.stop();
    }
  });

  it('a REST call redirected to a host that would accept the session fails instead of sending it there', async () => {
    const redirect = await startRedirectingServer({ status: 302, to: emulator.url });
    try {
      const before = emulator.requests.length;
      const error = await run({ instanceUrl: redirect.url, auth: { type: 'session', sessionId: emulator.issueSession() } }).catch((e: Error) => e);
      expect(emulator.requests.length).toBe(before);
      expect((error as Error).message).toContain(`redirect to ${emulator.url}/services/data/`);
    } finally {
      await redirect.stop();
    }
  });
});

import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { request } from 'undici';
import { CredentialStore } from '@pipe/core';
import * as testing from '@pipe/core/testing';
import { CLIENT_CREDENTIALS_APP, DEFAULT_REPORT_IDS, DEFAULT_USER, JWT_APP_CLIENT_SECRET, startSfdcEmulator, type SfdcEmulator } from '@pipe/emulator-sfdc';
import { pipePackage, sfdcReportSource } from '../src';
import { baseConfig } from './helpers';

let emulator: SfdcEmulator;
const reportId = DEFAULT_REPORT_IDS.accountsByRegion;

beforeAll(async () => {
  emulator = await startSfdcEmulator({ port: 0 });
});
afterAll(async () => {
  await emulator.stop();
});

/** Fetches the report; every token the emulator issued meanwhile must be registered as a secret. */
async function fetchWith(auth: Record<string, unknown>, extra: Record<string, unknown> = {}) {
  const ctx = testing.createTestContext();
  const issuedBefore = emulator.issuedCredentials.length;
  const pieces = await testing.runSource(sfdcReportSource, baseConfig(emulator, { auth, reportId, ...extra }), ctx);
  expect(testing.joinData(pieces).equals(emulator.reportCsv(reportId))).toBe(true);
  const issued = emulator.issuedCredentials.slice(issuedBefore);
  expect(issued.filter((token) => ctx.redactor.redact(`x ${token} x`) !== 'x [redacted] x').map((t) => `${t.slice(0, 8)}…`)).toEqual([]);
  return ctx;
}

test('jwt: an RS256 assertion the emulator verifies; the token obtained is registered as a secret', async () => {
  const before = emulator.tokenGrants['jwt-bearer'];
  const ctx = await fetchWith({
    type: 'jwt',
    clientId: emulator.jwtClientId,
    username: 'ops@acme.com',
    privateKey: emulator.jwtPrivateKeyPem,
    loginUrl: emulator.url,
  });
  expect(emulator.tokenGrants['jwt-bearer']).toBe(before + 1);
  expect(ctx.logLines.join('\n')).not.toMatch(/!AQ/);
});

test('jwt: a key file relative to the pipeline file', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'sfdc-jwt-'));
  writeFileSync(join(dir, 'sf.key'), emulator.jwtPrivateKeyPem);
  const ctx = testing.createTestContext({ cwd: dir });
  const pieces = await testing.runSource(
    sfdcReportSource,
    baseConfig(emulator, {
      reportId,
      auth: { type: 'jwt', clientId: emulator.jwtClientId, username: 'ops@acme.com', privateKeyFile: './sf.key', loginUrl: emulator.url },
    }),
    ctx,
  );
  expect(pieces[pieces.length - 1]).toMatchObject({ type: 'end', rows: 25 });
});

test('jwt: a key that does not match the app fails with advice', async () => {
  const other = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  await expect(
    testing.runSource(
      sfdcReportSource,
      baseConfig(emulator, {
        reportId,
        auth: { type: 'jwt', clientId: emulator.jwtClientId, username: 'ops@acme.com', privateKey: other, loginUrl: emulator.url },
      }),
    ),
  ).rejects.toThrow(/invalid assertion.*private key matches/);
});

test('client-credentials', async () => {
  const before = emulator.tokenGrants.client_credentials;
  await fetchWith({ type: 'client-credentials', clientId: CLIENT_CREDENTIALS_APP.clientId, clientSecret: CLIENT_CREDENTIALS_APP.clientSecret });
  expect(emulator.tokenGrants.client_credentials).toBe(before + 1);
});

test("password: a blocked flow says so (Summer '23) and suggests jwt", async () => {
  await expect(
    testing.runSource(
      sfdcReportSource,
      baseConfig(emulator, {
        reportId,
        auth: {
          type: 'password',
          clientId: emulator.jwtClientId,
          clientSecret: JWT_APP_CLIENT_SECRET,
          username: DEFAULT_USER.username,
          password: DEFAULT_USER.password,
          securityToken: DEFAULT_USER.securityToken,
        },
      }),
    ),
  ).rejects.toThrow(/blocked by default in orgs created since Summer '23.*jwt/s);
});

test('password: works where the org allows it', async () => {
  const open = await startSfdcEmulator({ port: 0, passwordFlowBlocked: false });
  try {
    const pieces = await testing.runSource(sfdcReportSource, {
      ...baseConfig(open),
      reportId,
      auth: {
        type: 'password',
        clientId: open.jwtClientId,
        clientSecret: JWT_APP_CLIENT_SECRET,
        username: DEFAULT_USER.username,
        password: DEFAULT_USER.password,
        securityToken: DEFAULT_USER.securityToken,
      },
    });
    expect(testing.joinData(pieces).equals(open.reportCsv(reportId))).toBe(true);
  } finally {
    await open.stop();
  }
});

test('session: a pasted session id works; an expired one fails up front, clearly', async () => {
  await fetchWith({ type: 'session', sessionId: emulator.issueSession() });
  const stale = emulator.issueSession();
  emulator.expireSessions();
  await expect(testing.runSource(sfdcReportSource, baseConfig(emulator, { reportId, auth: { type: 'session', sessionId: stale } }))).rejects.toThrow(
    /session has expired.*cannot be renewed/,
  );
});

test('session: a UI-only session is not treated as expired (no refresh loop) and says why', async () => {
  emulator.clearRequests();
  await expect(
    testing.runSource(sfdcReportSource, baseConfig(emulator, { reportId, auth: { type: 'session', sessionId: emulator.issueSession(undefined, 'ui') } })),
  ).rejects.toMatchObject({
    code: 'SFDC_SESSION_NOT_FOR_API',
  });
  expect(emulator.requests.filter((r) => r.surface === 'rest')).toHaveLength(1);
});

describe('web-server login and refresh tokens', () => {
  let home: string;
  let refreshToken: string;
  const saved = { PIPE_HOME: process.env.PIPE_HOME, PIPE_CREDENTIALS_KEY: process.env.PIPE_CREDENTIALS_KEY };

  beforeAll(async () => {
    home = mkdtempSync(join(tmpdir(), 'sfdc-home-'));
    process.env.PIPE_HOME = home;
    process.env.PIPE_CREDENTIALS_KEY = 'test passphrase';
    const credentials = new CredentialStore({ dir: home, env: { PIPE_CREDENTIALS_KEY: 'test passphrase' } });
    const said: string[] = [];
    let sawUrl!: (url: string) => void;
    const urlSaid = new Promise<string>((resolve) => (sawUrl = resolve));
    const login = pipePackage.logins!.sfdc.login(
      { 'login-url': emulator.url, 'client-id': emulator.jwtClientId },
      {
        say: (line) => {
          said.push(line);
          if (line.startsWith('http')) sawUrl(line);
        },
        signal: new AbortController().signal,
        credentials,
      },
    );
    // The browser's part: the authorize page approves and redirects to the loopback callback.
    const authorizeUrl = await urlSaid;
    expect(new URL(authorizeUrl).searchParams.get('code_challenge_method')).toBe('S256');
    expect(new URL(authorizeUrl).searchParams.get('redirect_uri')).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/OauthRedirect$/);
    const approve = await request(authorizeUrl);
    await approve.body.dump();
    expect(approve.statusCode).toBe(302);
    const callback = await request(String(approve.headers.location));
    expect(await callback.body.text()).toMatch(/Logged in/);
    await expect(login).resolves.toEqual({ account: 'ops@acme.com' });
    const saved = await credentials.get('sfdc', 'ops@acme.com');
    refreshToken = saved!.refreshToken!;
    expect(refreshToken).toBeTruthy();
    expect(said.join('\n')).not.toContain(refreshToken);
  });
  afterAll(() => {
    for (const [key, value] of Object.entries(saved)) {
      if (value === undefined) delete process.env[key];
      else process.env[key] = value;
    }
  });

  test('refresh-token from the credential store that `pipe auth login sfdc` filled', async () => {
    const before = emulator.tokenGrants.refresh_token;
    await fetchWith({ type: 'refresh-token' });
    expect(emulator.tokenGrants.refresh_token).toBe(before + 1);
  });

  test('refresh-token given directly, and as an SFDX auth URL', async () => {
    await fetchWith({ type: 'refresh-token', clientId: emulator.jwtClientId, refreshToken, loginUrl: emulator.url });
    const host = new URL(emulator.url).host;
    await fetchWith({ type: 'refresh-token', sfdxAuthUrl: `force://${emulator.jwtClientId}::${refreshToken}@${host}` }, { instanceUrl: undefined });
  });

  test('an expired session mid-run is renewed through the refresh token, once', async () => {
    const before = emulator.tokenGrants.refresh_token;
    // token, session check and describe pass; the export then meets an expired session.
    emulator.faults.inject({ kind: 'expire-sessions', afterRequests: 3 });
    await fetchWith({ type: 'refresh-token' });
    expect(emulator.tokenGrants.refresh_token).toBe(before + 2);
  });
});

test('jwt: an expired session between export and count is renewed with a new assertion', async () => {
  const before = emulator.tokenGrants['jwt-bearer'];
  emulator.faults.inject({ kind: 'expire-sessions', afterRequests: 4 });
  await fetchWith({ type: 'jwt', clientId: emulator.jwtClientId, username: 'ops@acme.com', privateKey: emulator.jwtPrivateKeyPem, loginUrl: emulator.url });
  expect(emulator.tokenGrants['jwt-bearer']).toBe(before + 2);
});

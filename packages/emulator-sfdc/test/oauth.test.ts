import { createHash, generateKeyPairSync, randomBytes } from 'node:crypto';
import { signJwtAssertion, startSfdcEmulator, type SfdcEmulator } from '../src';
import { call, jwtLogin, postForm, restUrl, type TokenResponse } from './helpers';

const JWT_GRANT = 'urn:ietf:params:oauth:grant-type:jwt-bearer';

describe('OAuth token endpoint', () => {
  let emulator: SfdcEmulator;
  let tokenUrl: string;

  beforeAll(async () => {
    emulator = await startSfdcEmulator({ users: [{ username: 'other@acme.com', password: 'pw', securityToken: 'tok' }] });
    tokenUrl = `${emulator.url}/services/oauth2/token`;
  });
  afterAll(() => emulator.stop());

  const assertion = (claims: Partial<{ iss: string; sub: string; aud: string; exp: number }> = {}, key = emulator.jwtPrivateKeyPem): string =>
    signJwtAssertion(key, { iss: emulator.jwtClientId, sub: 'ops@acme.com', aud: emulator.url, ...claims });

  describe('JWT bearer', () => {
    it('accepts an assertion with a real RS256 signature and issues no refresh token', async () => {
      const res = await postForm(tokenUrl, { grant_type: JWT_GRANT, assertion: assertion() });
      expect(res.status).toBe(200);
      const body = res.json<TokenResponse>();
      expect(body).toEqual({
        access_token: expect.stringMatching(/^00D5e000000Acme!AQ[0-9A-Za-z]+$/),
        signature: expect.any(String),
        scope: 'api web',
        instance_url: emulator.url,
        id: expect.stringMatching(new RegExp(`^${emulator.url}/id/${emulator.orgId}/005[0-9A-Za-z]{15}$`)),
        token_type: 'Bearer',
        issued_at: expect.stringMatching(/^\d{13}$/),
      });
      expect(body.refresh_token).toBeUndefined();
      expect((await call(restUrl(emulator, '/limits'), { token: body.access_token })).status).toBe(200);
    });

    it('rejects an assertion signed with another key', async () => {
      const otherKey = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
      const res = await postForm(tokenUrl, { grant_type: JWT_GRANT, assertion: assertion({}, otherKey) });
      expect(res.status).toBe(400);
      expect(res.json()).toEqual({ error: 'invalid_grant', error_description: 'invalid assertion' });
    });

    it('rejects a tampered payload and an unsigned token', async () => {
      const [h, , s] = assertion().split('.');
      const forged = Buffer.from(JSON.stringify({ iss: emulator.jwtClientId, sub: 'other@acme.com', aud: emulator.url, exp: 9e9 })).toString('base64url');
      expect((await postForm(tokenUrl, { grant_type: JWT_GRANT, assertion: `${h}.${forged}.${s}` })).json()).toEqual({
        error: 'invalid_grant',
        error_description: 'invalid assertion',
      });
      const none = Buffer.from('{"alg":"none"}').toString('base64url');
      expect((await postForm(tokenUrl, { grant_type: JWT_GRANT, assertion: `${none}.${forged}.` })).json()).toEqual({
        error: 'invalid_grant',
        error_description: 'invalid assertion',
      });
    });

    it('checks iss, aud, sub and exp with the errors Salesforce answers', async () => {
      const cases: [Record<string, unknown>, unknown][] = [
        [{ iss: 'nobody' }, { error: 'invalid_client_id', error_description: 'client identifier invalid' }],
        [{ aud: 'https://evil.example.com' }, { error: 'invalid_grant', error_description: 'audience is invalid' }],
        [{ sub: 'ghost@acme.com' }, { error: 'invalid_grant', error_description: "user hasn't approved this consumer" }],
        [{ exp: Math.floor(Date.now() / 1000) - 600 }, { error: 'invalid_grant', error_description: 'expired authorization code' }],
      ];
      for (const [claims, expected] of cases) {
        const res = await postForm(tokenUrl, { grant_type: JWT_GRANT, assertion: assertion(claims) });
        expect({ status: res.status, body: res.json() }).toEqual({ status: 400, body: expected });
      }
    });

    it('accepts login.salesforce.com and test.salesforce.com audiences, and exp in milliseconds as the sf CLI sends it', async () => {
      for (const aud of ['https://login.salesforce.com', 'https://test.salesforce.com/']) {
        expect((await postForm(tokenUrl, { grant_type: JWT_GRANT, assertion: assertion({ aud }) })).status).toBe(200);
      }
      expect((await postForm(tokenUrl, { grant_type: JWT_GRANT, assertion: assertion({ exp: Date.now() + 300 }) })).status).toBe(200);
      // Within the three minutes of allowed clock skew.
      expect((await postForm(tokenUrl, { grant_type: JWT_GRANT, assertion: assertion({ exp: Math.floor(Date.now() / 1000) - 60 }) })).status).toBe(200);
    });

    it('refuses users the app is not pre-authorised for', async () => {
      const key = generateKeyPairSync('rsa', { modulusLength: 2048 });
      const restricted = await startSfdcEmulator({
        includeDefaultReports: false,
        connectedApps: [
          {
            clientId: 'pre-auth-app',
            jwtCertificatePem: key.publicKey.export({ type: 'spki', format: 'pem' }).toString(),
            approvedUsernames: ['other@acme.com'],
          },
        ],
        users: [{ username: 'other@acme.com' }],
      });
      try {
        const pem = key.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
        const sign = (sub: string): string => signJwtAssertion(pem, { iss: 'pre-auth-app', sub, aud: restricted.url });
        const url = `${restricted.url}/services/oauth2/token`;
        expect((await postForm(url, { grant_type: JWT_GRANT, assertion: sign('other@acme.com') })).status).toBe(200);
        expect((await postForm(url, { grant_type: JWT_GRANT, assertion: sign('ops@acme.com') })).json()).toEqual({
          error: 'invalid_grant',
          error_description: "user hasn't approved this consumer",
        });
      } finally {
        await restricted.stop();
      }
    });
  });

  describe('client credentials', () => {
    it('issues a token for the run-as user with the right secret, and rejects a wrong one', async () => {
      const ok = await postForm(tokenUrl, {
        grant_type: 'client_credentials',
        client_id: 'demo-client-credentials-app',
        client_secret: 'demo-client-credentials-secret',
      });
      expect(ok.status).toBe(200);
      expect(ok.json<TokenResponse>().refresh_token).toBeUndefined();
      const userinfo = await call(`${emulator.url}/services/oauth2/userinfo`, { token: ok.json<TokenResponse>().access_token });
      expect(userinfo.json()).toMatchObject({ preferred_username: 'ops@acme.com', organization_id: emulator.orgId });

      const bad = await postForm(tokenUrl, { grant_type: 'client_credentials', client_id: 'demo-client-credentials-app', client_secret: 'wrong' });
      expect({ status: bad.status, body: bad.json() }).toEqual({
        status: 400,
        body: { error: 'invalid_client', error_description: 'invalid client credentials' },
      });
    });

    it('accepts the client credentials as HTTP Basic auth', async () => {
      const res = await call(tokenUrl, {
        method: 'POST',
        headers: {
          'content-type': 'application/x-www-form-urlencoded',
          authorization: `Basic ${Buffer.from('demo-client-credentials-app:demo-client-credentials-secret').toString('base64')}`,
        },
        body: 'grant_type=client_credentials',
      });
      expect(res.status).toBe(200);
    });

    it('answers "no client credentials user enabled" for an app without a run-as user', async () => {
      const res = await postForm(tokenUrl, { grant_type: 'client_credentials', client_id: 'demo-connected-app', client_secret: 'demo-connected-app-secret' });
      expect(res.json()).toEqual({ error: 'invalid_grant', error_description: 'no client credentials user enabled' });
    });
  });

  describe('username-password', () => {
    const passwordGrant = (url: string, password: string) =>
      postForm(url, {
        grant_type: 'password',
        client_id: 'demo-connected-app',
        client_secret: 'demo-connected-app-secret',
        username: 'other@acme.com',
        password,
      });

    it('is blocked by default with the error the blocked flow gives', async () => {
      const res = await passwordGrant(tokenUrl, 'pwtok');
      expect(res.status).toBe(400);
      expect(res.json()).toEqual({ error: 'invalid_grant', error_description: 'authentication failure' });
    });

    it('works when the org allows it, with the security token appended to the password', async () => {
      const open = await startSfdcEmulator({ passwordFlowBlocked: false, users: [{ username: 'other@acme.com', password: 'pw', securityToken: 'tok' }] });
      try {
        const url = `${open.url}/services/oauth2/token`;
        expect((await passwordGrant(url, 'pwtok')).status).toBe(200);
        expect((await passwordGrant(url, 'pw')).json()).toEqual({ error: 'invalid_grant', error_description: 'authentication failure' });
        expect(open.tokenGrants.password).toBe(1);
      } finally {
        await open.stop();
      }
    });
  });

  describe('web-server flow with PKCE', () => {
    const verifier = randomBytes(32).toString('base64url');
    const challenge = createHash('sha256').update(verifier).digest('base64url');
    const redirectUri = 'http://localhost:53123/OauthRedirect';

    async function authorize(extra: Record<string, string> = {}): Promise<URL> {
      const params = new URLSearchParams({
        response_type: 'code',
        client_id: 'demo-connected-app',
        redirect_uri: redirectUri,
        state: 'xyz-123',
        code_challenge: challenge,
        code_challenge_method: 'S256',
        ...extra,
      });
      const res = await call(`${emulator.url}/services/oauth2/authorize?${params}`);
      expect(res.status).toBe(302);
      return new URL(String(res.headers.location));
    }

    it('auto-approves and redirects to the loopback callback with code and state', async () => {
      const location = await authorize();
      expect(`${location.origin}${location.pathname}`).toBe(redirectUri);
      expect(location.searchParams.get('state')).toBe('xyz-123');
      expect(location.searchParams.get('code')).toMatch(/^aPrx/);
    });

    it('exchanges the code when the verifier matches, issuing a refresh token that works', async () => {
      const code = (await authorize()).searchParams.get('code')!;
      const res = await postForm(`${emulator.url}/services/oauth2/token`, {
        grant_type: 'authorization_code',
        code,
        client_id: 'demo-connected-app',
        redirect_uri: redirectUri,
        code_verifier: verifier,
      });
      expect(res.status).toBe(200);
      const tokens = res.json<TokenResponse>();
      expect(tokens.refresh_token).toMatch(/^5Aep861/);
      expect(tokens.scope).toBe('api web refresh_token');

      const again = await postForm(`${emulator.url}/services/oauth2/token`, {
        grant_type: 'authorization_code',
        code,
        client_id: 'demo-connected-app',
        redirect_uri: redirectUri,
        code_verifier: verifier,
      });
      expect(again.json()).toEqual({ error: 'invalid_grant', error_description: 'expired authorization code' });

      emulator.expireSessions();
      expect((await call(restUrl(emulator, '/limits'), { token: tokens.access_token })).status).toBe(401);
      const refreshed = await postForm(`${emulator.url}/services/oauth2/token`, {
        grant_type: 'refresh_token',
        refresh_token: tokens.refresh_token!,
        client_id: 'demo-connected-app',
      });
      expect(refreshed.status).toBe(200);
      expect(refreshed.json<TokenResponse>().refresh_token).toBeUndefined();
      expect((await call(restUrl(emulator, '/limits'), { token: refreshed.json<TokenResponse>().access_token })).status).toBe(200);

      const unknown = await postForm(`${emulator.url}/services/oauth2/token`, {
        grant_type: 'refresh_token',
        refresh_token: '5Aep861nope',
        client_id: 'demo-connected-app',
      });
      expect(unknown.json()).toEqual({ error: 'invalid_grant', error_description: 'expired access/refresh token' });
    });

    it('rejects a wrong code verifier', async () => {
      const code = (await authorize()).searchParams.get('code')!;
      const res = await postForm(`${emulator.url}/services/oauth2/token`, {
        grant_type: 'authorization_code',
        code,
        client_id: 'demo-connected-app',
        redirect_uri: redirectUri,
        code_verifier: 'not-the-verifier',
      });
      expect({ status: res.status, body: res.json() }).toEqual({ status: 400, body: { error: 'invalid_grant', error_description: 'invalid code verifier' } });
    });

    it('refuses an unregistered redirect_uri with an error page, not a redirect', async () => {
      const params = new URLSearchParams({ response_type: 'code', client_id: 'demo-connected-app', redirect_uri: 'https://evil.example.com/cb' });
      const res = await call(`${emulator.url}/services/oauth2/authorize?${params}`);
      expect(res.status).toBe(400);
      expect(res.text).toContain('redirect_uri_mismatch');
    });
  });

  it('answers unknown grant types and GET requests like Salesforce', async () => {
    expect((await postForm(tokenUrl, { grant_type: 'magic' })).json()).toEqual({
      error: 'unsupported_grant_type',
      error_description: 'grant type not supported',
    });
    expect((await call(tokenUrl)).json()).toEqual({ error: 'invalid_request', error_description: 'must use HTTP POST' });
  });

  it('counts successful grants per flow', async () => {
    const before = emulator.tokenGrants['jwt-bearer'];
    await jwtLogin(emulator);
    expect(emulator.tokenGrants['jwt-bearer']).toBe(before + 1);
    expect(emulator.tokenGrants.client_credentials).toBeGreaterThanOrEqual(2);
  });
});

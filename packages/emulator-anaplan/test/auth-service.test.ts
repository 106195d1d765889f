import {
  certificateAuthorization,
  createTestCertificate,
  signCertificateLogin,
  startAnaplanEmulator,
  type AnaplanEmulator,
  type TestCertificate,
} from '../src';
import { auth, basicHeader, call, login, modelUrl, sleep } from './http';

describe('auth service', () => {
  let ca: TestCertificate;
  let leaf: TestCertificate;
  let selfSigned: TestCertificate;
  let stranger: TestCertificate;
  let anaplan: AnaplanEmulator;

  beforeAll(async () => {
    ca = createTestCertificate({ commonName: 'Acme Test CA', isCa: true, validDays: 30 });
    leaf = createTestCertificate({ commonName: 'ops', email: 'ops@acme.com', issuer: ca });
    selfSigned = createTestCertificate({ commonName: 'integration-user' });
    stranger = createTestCertificate({ commonName: 'stranger' });
    anaplan = await startAnaplanEmulator({ trustedCertificates: [ca.certificatePem, selfSigned.certificatePem] });
  });
  afterAll(() => anaplan.stop());

  const authenticate = (headers: Record<string, string>, json?: unknown) =>
    call(`${anaplan.authUrl}/token/authenticate`, 'POST', { headers, ...(json === undefined ? {} : { json }) });

  it('basic login answers 201 with tokenInfo', async () => {
    const before = Date.now();
    const answer = await authenticate({ authorization: basicHeader() });
    expect(answer.status).toBe(201);
    const body = answer.json<{ status: string; statusMessage: string; meta: { validationUrl: string }; tokenInfo: Record<string, unknown> }>();
    expect(body.status).toBe('SUCCESS');
    expect(body.statusMessage).toBe('Login successful');
    expect(body.meta.validationUrl).toBe(`${anaplan.authUrl}/token/validate`);
    expect(Object.keys(body.tokenInfo).sort()).toEqual(['expiresAt', 'refreshTokenId', 'tokenId', 'tokenValue']);
    const expiresAt = body.tokenInfo['expiresAt'] as number;
    expect(expiresAt).toBeGreaterThanOrEqual(before + 2100 * 1000);
    expect(expiresAt).toBeLessThanOrEqual(Date.now() + 2100 * 1000);
  });

  it('a bad password answers 401 FAILURE_BAD_CREDENTIAL', async () => {
    const answer = await authenticate({ authorization: basicHeader('ops@acme.com', 'wrong') });
    expect(answer.status).toBe(401);
    expect(answer.json()).toEqual({ status: 'FAILURE_BAD_CREDENTIAL', statusMessage: expect.any(String) });
  });

  it('a missing or unknown Authorization scheme answers 400 FAILURE_BAD_HEADER', async () => {
    expect((await authenticate({})).json()['status']).toBe('FAILURE_BAD_HEADER');
    const answer = await authenticate({ authorization: 'Token abc' });
    expect(answer.status).toBe(400);
    expect(answer.json()['status']).toBe('FAILURE_BAD_HEADER');
  });

  it.each(['pem', 'der'] as const)('certificate login with a real SHA512withRSA signature succeeds (header as base64 %s)', async (form) => {
    const answer = await authenticate({ authorization: certificateAuthorization(leaf.certificatePem, form) }, signCertificateLogin(leaf.privateKeyPem));
    expect(answer.status).toBe(201);
    const token = answer.json<{ tokenInfo: { tokenValue: string } }>().tokenInfo.tokenValue;
    const validate = await call(`${anaplan.authUrl}/token/validate`, 'GET', { headers: auth(token) });
    expect(validate.json<{ userInfo: { userId: string } }>().userInfo.userId).toBe('ops@acme.com');
  });

  it('accepts a self-signed certificate that is itself trusted', async () => {
    const answer = await authenticate(
      { authorization: certificateAuthorization(selfSigned.certificatePem) },
      signCertificateLogin(selfSigned.privateKeyPem, 100),
    );
    expect(answer.status).toBe(201);
  });

  it('rejects a signature made with another key', async () => {
    const answer = await authenticate({ authorization: certificateAuthorization(leaf.certificatePem) }, signCertificateLogin(stranger.privateKeyPem));
    expect(answer.status).toBe(401);
    expect(answer.json()['status']).toBe('FAILURE_BAD_CREDENTIAL');
  });

  it('rejects a signature over different bytes than encodedData', async () => {
    const signed = signCertificateLogin(leaf.privateKeyPem);
    const other = signCertificateLogin(leaf.privateKeyPem);
    const answer = await authenticate(
      { authorization: certificateAuthorization(leaf.certificatePem) },
      { encodedData: signed.encodedData, encodedSignedData: other.encodedSignedData },
    );
    expect(answer.status).toBe(401);
  });

  it('rejects an untrusted certificate even with a valid signature', async () => {
    const answer = await authenticate({ authorization: certificateAuthorization(stranger.certificatePem) }, signCertificateLogin(stranger.privateKeyPem));
    expect(answer.status).toBe(401);
    expect(answer.json()['statusMessage']).toMatch(/not registered|trusted/);
  });

  it('requires at least 100 random bytes', async () => {
    const answer = await authenticate({ authorization: certificateAuthorization(leaf.certificatePem) }, signCertificateLogin(leaf.privateKeyPem, 99));
    expect(answer.status).toBe(401);
    expect(answer.json()['statusMessage']).toMatch(/100/);
  });

  it('answers 400 FAILURE_BAD_HEADER when the header is not a certificate', async () => {
    const answer = await authenticate(
      { authorization: `CACertificate ${Buffer.from('not a cert').toString('base64')}` },
      signCertificateLogin(leaf.privateKeyPem),
    );
    expect(answer.status).toBe(400);
    expect(answer.json()['status']).toBe('FAILURE_BAD_HEADER');
  });

  it('refresh keeps the token value and moves the expiry; Bearer is rejected with 400', async () => {
    const first = await authenticate({ authorization: basicHeader() });
    const info = first.json<{ tokenInfo: { tokenValue: string; expiresAt: number } }>().tokenInfo;
    await sleep(20);
    const refreshed = await call(`${anaplan.authUrl}/token/refresh`, 'POST', { headers: auth(info.tokenValue) });
    expect(refreshed.status).toBe(200);
    const body = refreshed.json<{ statusMessage: string; tokenInfo: { tokenValue: string; expiresAt: number } }>();
    expect(body.statusMessage).toBe('Token refreshed');
    expect(body.tokenInfo.tokenValue).toBe(info.tokenValue);
    expect(body.tokenInfo.expiresAt).toBeGreaterThan(info.expiresAt);
    const bearer = await call(`${anaplan.authUrl}/token/refresh`, 'POST', { headers: { authorization: `Bearer ${info.tokenValue}` } });
    expect(bearer.status).toBe(400);
    expect((await call(`${anaplan.authUrl}/token/validate`, 'GET', { headers: { authorization: `Bearer ${info.tokenValue}` } })).status).toBe(400);
  });

  it('logout answers 204 and the token is dead afterwards; Bearer logout is 401', async () => {
    const token = await login(anaplan);
    expect((await call(`${anaplan.authUrl}/token/logout`, 'POST', { headers: { authorization: `Bearer ${token}` } })).status).toBe(401);
    const out = await call(`${anaplan.authUrl}/token/logout`, 'POST', { headers: auth(token) });
    expect(out.status).toBe(204);
    expect(out.body.length).toBe(0);
    expect((await call(`${anaplan.authUrl}/token/validate`, 'GET', { headers: auth(token) })).status).toBe(401);
    expect((await call(modelUrl(anaplan, '/files'), 'GET', { headers: auth(token) })).status).toBe(401);
  });

  it('the Integration API takes the token as AnaplanAuthToken or Bearer and rejects a missing one', async () => {
    const token = await login(anaplan);
    expect((await call(`${anaplan.apiUrl}/workspaces`, 'GET', { headers: auth(token) })).status).toBe(200);
    expect((await call(`${anaplan.apiUrl}/workspaces`, 'GET', { headers: { authorization: `Bearer ${token}` } })).status).toBe(200);
    const none = await call(`${anaplan.apiUrl}/workspaces`, 'GET');
    expect(none.status).toBe(401);
    expect(none.json()).toEqual({ status: { code: 401, message: expect.any(String) }, path: '/2/0/workspaces', timestamp: expect.any(String) });
  });

  it('counts logins per mode', () => {
    const { logins } = anaplan.stats();
    expect(logins.basic).toBeGreaterThanOrEqual(3);
    expect(logins.certificate).toBe(3);
    expect(logins.tokenRefresh).toBe(1);
  });
});

describe('token expiry', () => {
  let anaplan: AnaplanEmulator;
  beforeAll(async () => {
    anaplan = await startAnaplanEmulator({ tokenTtlSeconds: 1 });
  });
  afterAll(() => anaplan.stop());

  it('an expired token answers 401 on the Integration API and on refresh', async () => {
    const token = await login(anaplan);
    expect((await call(modelUrl(anaplan, '/files'), 'GET', { headers: auth(token) })).status).toBe(200);
    await sleep(1100);
    const expired = await call(modelUrl(anaplan, '/files'), 'GET', { headers: auth(token) });
    expect(expired.status).toBe(401);
    expect(expired.json<{ status: { message: string } }>().status.message).toMatch(/expired/);
    expect((await call(`${anaplan.authUrl}/token/refresh`, 'POST', { headers: auth(token) })).status).toBe(401);
  });

  it('a refresh before expiry keeps the token alive past its original expiry', async () => {
    const token = await login(anaplan);
    await sleep(600);
    expect((await call(`${anaplan.authUrl}/token/refresh`, 'POST', { headers: auth(token) })).status).toBe(200);
    await sleep(600);
    expect((await call(modelUrl(anaplan, '/files'), 'GET', { headers: auth(token) })).status).toBe(200);
  });
});

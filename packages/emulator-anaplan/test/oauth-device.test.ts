import { DEVICE_CODE_GRANT, startAnaplanEmulator, type AnaplanEmulator } from '../src';
import { call, modelUrl, sleep } from './http';

interface DeviceCode {
  device_code: string;
  user_code: string;
  verification_uri: string;
  verification_uri_complete: string;
  expires_in: number;
  interval: number;
}
interface Tokens {
  access_token: string;
  id_token: string;
  refresh_token: string;
  scope: string;
  expires_in: number;
  token_type: string;
}

const CLIENT = 'demo-device-client';

describe('OAuth device grant', () => {
  let anaplan: AnaplanEmulator;
  beforeAll(async () => {
    anaplan = await startAnaplanEmulator({
      devicePollIntervalSeconds: 0,
      oauthClients: [
        { clientId: CLIENT, rotatable: true },
        { clientId: 'fixed-client', rotatable: false },
      ],
    });
  });
  afterAll(() => anaplan.stop());

  const deviceCode = async (clientId = CLIENT): Promise<DeviceCode> => {
    const answer = await call(`${anaplan.url}/oauth/device/code`, 'POST', {
      json: { client_id: clientId, scope: 'openid profile email offline_access' },
    });
    expect(answer.status).toBe(200);
    return answer.json<DeviceCode>();
  };
  const poll = (code: DeviceCode, clientId = CLIENT) =>
    call(`${anaplan.url}/oauth/token`, 'POST', { json: { client_id: clientId, device_code: code.device_code, grant_type: DEVICE_CODE_GRANT } });
  const refresh = (refreshToken: string, clientId = CLIENT) =>
    call(`${anaplan.url}/oauth/token`, 'POST', { json: { client_id: clientId, refresh_token: refreshToken, grant_type: 'refresh_token' } });

  it('issues a device code whose verification URI points at the emulator', async () => {
    const code = await deviceCode();
    expect(code.user_code).toMatch(/^[A-Z0-9]{4}-[A-Z0-9]{4}$/);
    expect(code.verification_uri).toBe(`${anaplan.url}/activate`);
    expect(code.verification_uri_complete).toBe(`${anaplan.url}/activate?user_code=${code.user_code}`);
    expect(code.expires_in).toBe(900);
    const page = await call(code.verification_uri_complete, 'GET');
    expect(page.status).toBe(200);
    expect(page.headers['content-type']).toMatch(/text\/html/);
    expect(page.text).toContain(code.user_code);
  });

  it('answers authorization_pending until approved, then tokens; the device code is single-use', async () => {
    const code = await deviceCode();
    const pending = await poll(code);
    expect(pending.status).toBe(400);
    expect(pending.json()).toEqual({ error: 'authorization_pending', error_description: expect.any(String) });
    anaplan.approveDevice(code.user_code.toLowerCase());
    const granted = await poll(code);
    expect(granted.status).toBe(200);
    const tokens = granted.json<Tokens>();
    expect(tokens).toEqual({
      access_token: expect.any(String),
      id_token: expect.stringMatching(/^[\w-]+\.[\w-]+\.[\w-]+$/),
      refresh_token: expect.any(String),
      scope: 'openid email offline_access',
      expires_in: 2100,
      token_type: 'Bearer',
    });
    expect((await call(modelUrl(anaplan, '/files'), 'GET', { headers: { authorization: `Bearer ${tokens.access_token}` } })).status).toBe(200);
    expect((await call(modelUrl(anaplan, '/files'), 'GET', { headers: { authorization: `AnaplanAuthToken ${tokens.access_token}` } })).status).toBe(200);
    expect((await poll(code)).json()['error']).toBe('invalid_grant');
  });

  it('approves through the verification page (POST /activate)', async () => {
    const code = await deviceCode();
    const approved = await call(`${anaplan.url}/activate`, 'POST', {
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: `user_code=${code.user_code}&action=approve`,
    });
    expect(approved.status).toBe(200);
    expect((await poll(code)).status).toBe(200);
  });

  it('accepts form-encoded token requests', async () => {
    const code = await deviceCode();
    anaplan.approveDevice(code.user_code);
    const answer = await call(`${anaplan.url}/oauth/token`, 'POST', {
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ client_id: CLIENT, device_code: code.device_code, grant_type: DEVICE_CODE_GRANT }).toString(),
    });
    expect(answer.status).toBe(200);
  });

  it('a rotatable client gets a new refresh token each time and a reused one is invalid_grant', async () => {
    const code = await deviceCode();
    anaplan.approveDevice(code.user_code);
    const first = (await poll(code)).json<Tokens>();
    const second = await refresh(first.refresh_token);
    expect(second.status).toBe(200);
    const rotated = second.json<Tokens>();
    expect(rotated.refresh_token).not.toBe(first.refresh_token);
    expect(rotated.access_token).not.toBe(first.access_token);
    const reused = await refresh(first.refresh_token);
    expect(reused.status).toBe(400);
    expect(reused.json()['error']).toBe('invalid_grant');
    expect((await refresh(rotated.refresh_token)).status).toBe(200);
  });

  it('a non-rotatable client keeps its refresh token', async () => {
    const code = await deviceCode('fixed-client');
    anaplan.approveDevice(code.user_code);
    const first = (await poll(code, 'fixed-client')).json<Tokens>();
    const again = (await refresh(first.refresh_token, 'fixed-client')).json<Tokens>();
    expect(again.refresh_token).toBe(first.refresh_token);
    expect((await refresh(first.refresh_token, 'fixed-client')).status).toBe(200);
  });

  it('rejects unknown clients and grant types', async () => {
    const unknown = await call(`${anaplan.url}/oauth/device/code`, 'POST', { json: { client_id: 'nope' } });
    expect(unknown.status).toBe(401);
    expect(unknown.json()['error']).toBe('invalid_client');
    const grant = await call(`${anaplan.url}/oauth/token`, 'POST', { json: { client_id: CLIENT, grant_type: 'password' } });
    expect(grant.json()['error']).toBe('unsupported_grant_type');
  });

  it('counts device and refresh logins', () => {
    const { logins } = anaplan.stats();
    expect(logins.deviceCode).toBe(5);
    expect(logins.refreshToken).toBe(4);
  });
});

describe('OAuth device grant timing', () => {
  let anaplan: AnaplanEmulator;
  afterEach(() => anaplan.stop());

  it('answers slow_down when polled faster than the interval', async () => {
    anaplan = await startAnaplanEmulator({ devicePollIntervalSeconds: 1 });
    const code = (await call(`${anaplan.url}/oauth/device/code`, 'POST', { json: { client_id: CLIENT } })).json<DeviceCode>();
    expect(code.interval).toBe(1);
    const body = { json: { client_id: CLIENT, device_code: code.device_code, grant_type: DEVICE_CODE_GRANT } };
    expect((await call(`${anaplan.url}/oauth/token`, 'POST', body)).json()['error']).toBe('authorization_pending');
    expect((await call(`${anaplan.url}/oauth/token`, 'POST', body)).json()['error']).toBe('slow_down');
    await sleep(1050);
    expect((await call(`${anaplan.url}/oauth/token`, 'POST', body)).json()['error']).toBe('authorization_pending');
  });

  it('answers expired_token after expires_in', async () => {
    anaplan = await startAnaplanEmulator({ devicePollIntervalSeconds: 0, deviceCodeTtlSeconds: 0.3 });
    const code = (await call(`${anaplan.url}/oauth/device/code`, 'POST', { json: { client_id: CLIENT } })).json<DeviceCode>();
    await sleep(350);
    const answer = await call(`${anaplan.url}/oauth/token`, 'POST', {
      json: { client_id: CLIENT, device_code: code.device_code, grant_type: DEVICE_CODE_GRANT },
    });
    expect(answer.json()['error']).toBe('expired_token');
  });

  it('autoApprove grants tokens on the first poll', async () => {
    anaplan = await startAnaplanEmulator({ autoApprove: true });
    const code = (await call(`${anaplan.url}/oauth/device/code`, 'POST', { json: { client_id: CLIENT } })).json<DeviceCode>();
    const answer = await call(`${anaplan.url}/oauth/token`, 'POST', {
      json: { client_id: CLIENT, device_code: code.device_code, grant_type: DEVICE_CODE_GRANT },
    });
    expect(answer.status).toBe(200);
  });

  it('an expired rotatable refresh token is invalid_grant', async () => {
    anaplan = await startAnaplanEmulator({ autoApprove: true, oauthClients: [{ clientId: CLIENT, rotatable: true, refreshTokenTtlSeconds: 0.2 }] });
    const code = (await call(`${anaplan.url}/oauth/device/code`, 'POST', { json: { client_id: CLIENT } })).json<DeviceCode>();
    const tokens = (
      await call(`${anaplan.url}/oauth/token`, 'POST', { json: { client_id: CLIENT, device_code: code.device_code, grant_type: DEVICE_CODE_GRANT } })
    ).json<Tokens>();
    await sleep(250);
    const answer = await call(`${anaplan.url}/oauth/token`, 'POST', {
      json: { client_id: CLIENT, refresh_token: tokens.refresh_token, grant_type: 'refresh_token' },
    });
    expect(answer.json()['error']).toBe('invalid_grant');
  });
});

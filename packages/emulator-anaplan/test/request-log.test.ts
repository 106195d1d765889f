import { startAnaplanEmulator, type AnaplanEmulator } from '../src';
import { auth, call, login } from './http';

describe('the request log', () => {
  let anaplan: AnaplanEmulator;

  beforeAll(async () => {
    anaplan = await startAnaplanEmulator();
  });
  afterAll(() => anaplan.stop());

  it('masks tokens and passwords a client passes in the query string, and keeps the other parameters', async () => {
    const token = await login(anaplan);
    await call(`${anaplan.apiUrl}/workspaces?tenantDetails=true&access_token=${token}`, 'GET', { headers: auth(token) });
    await call(`${anaplan.url}/oauth/token?refresh_token=${token}&client_secret=s3cret-value`, 'POST');
    expect(anaplan.requests.slice(-2).map((r) => r.query)).toEqual(['tenantDetails=true&access_token=***', 'refresh_token=***&client_secret=***']);
    const served = (await call(`${anaplan.url}/__emulator/requests`, 'GET')).text;
    expect(served).not.toContain(token);
    expect(served).not.toContain('s3cret-value');
  });
});

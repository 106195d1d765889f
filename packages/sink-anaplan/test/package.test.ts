import { request } from 'undici';
import { anaplanLogin, anaplanSink, pipePackage } from '../src';

describe('the package', () => {
  it('offers the sink, the login flow and the emulator to the CLI', () => {
    expect(pipePackage.plugins).toEqual([anaplanSink]);
    expect(anaplanSink).toMatchObject({ kind: 'sink', name: 'anaplan' });
    expect(pipePackage.logins?.anaplan).toBe(anaplanLogin);
    expect(Object.keys(anaplanLogin.options ?? {})).toEqual(expect.arrayContaining(['client-id', 'username', 'password']));
    expect(anaplanLogin.options?.password.secret).toBe(true);
  });

  it('`pipe emulate anaplan` starts a working emulator on the port asked for and describes it', async () => {
    const started = await pipePackage.emulators!.anaplan.start({ port: 0, host: '127.0.0.1' });
    try {
      expect(started.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      expect(started.describe().join('\n')).toContain(`apiUrl: ${started.url}/2/0`);
      const response = await request(`${started.url}/token/authenticate`, {
        method: 'POST',
        headers: { authorization: `Basic ${Buffer.from('ops@acme.com:demo-password').toString('base64')}` },
      });
      expect(response.statusCode).toBe(201);
      await response.body.dump();
    } finally {
      await started.stop();
    }
  });
});

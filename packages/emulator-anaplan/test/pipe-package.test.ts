import { request } from 'undici';
import { pipePackage } from '../src/pipe-package';

describe('the package, as the CLI loads it', () => {
  it('offers one emulator and no plugins', () => {
    expect(pipePackage.plugins).toEqual([]);
    expect(Object.keys(pipePackage.emulators ?? {})).toEqual(['anaplan']);
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

import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { CredentialStore } from '../../src';
import { project } from '../helpers';

describe('credential store', () => {
  it('keeps secrets encrypted at rest in a 0600 file, readable back with the same key', async () => {
    const dir = project({});
    const store = new CredentialStore({ dir, env: {} });
    await store.set('anaplan', 'ops@acme.com', { refreshToken: 'rt-1234567890-secret' });
    expect(readFileSync(store.file, 'utf8')).not.toContain('rt-1234567890-secret');
    expect(statSync(store.file).mode & 0o777).toBe(0o600);
    expect(statSync(join(dir, 'credentials.key')).mode & 0o777).toBe(0o600);
    expect(await new CredentialStore({ dir, env: {} }).get('anaplan', 'ops@acme.com')).toEqual({ refreshToken: 'rt-1234567890-secret' });
    expect(await store.list()).toEqual([expect.objectContaining({ service: 'anaplan', account: 'ops@acme.com' })]);
  });

  it('with a passphrase key, another passphrase cannot read it and the error says what to do', async () => {
    const dir = project({});
    await new CredentialStore({ dir, env: { PIPE_CREDENTIALS_KEY: 'correct horse' } }).set('sfdc', 'me', { token: 'abc' });
    const wrong = new CredentialStore({ dir, env: { PIPE_CREDENTIALS_KEY: 'battery staple' } });
    await expect(wrong.get('sfdc', 'me')).rejects.toThrow(/cannot decrypt .* Set PIPE_CREDENTIALS_KEY or PIPE_CREDENTIALS_KEY_FILE to the original key/);
  });

  it('update is a read-modify-write: concurrent rotations never lose the latest token', async () => {
    const dir = project({});
    const store = new CredentialStore({ dir, env: {} });
    await store.set('anaplan', 'a', { n: '0' });
    await Promise.all(Array.from({ length: 10 }, () => store.update('anaplan', 'a', (cur) => ({ n: String(Number(cur?.n) + 1) }))));
    expect(await store.get('anaplan', 'a')).toEqual({ n: '10' });
    expect(await store.delete('anaplan', 'a')).toBe(true);
    expect(await store.get('anaplan', 'a')).toBeUndefined();
  });
});

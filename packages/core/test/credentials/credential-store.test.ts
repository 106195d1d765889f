import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
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

describe('credential store: a key that has gone missing or changed', () => {
  const seeded = async () => {
    const dir = project({});
    await new CredentialStore({ dir, env: {} }).set('anaplan', 'ops', { refreshToken: 'rt-1' });
    return { dir, store: new CredentialStore({ dir, env: {} }), keyFile: join(dir, 'credentials.key') };
  };

  it('with entries saved and the key file gone, every operation fails naming the key file and the variables, and nothing changes', async () => {
    const { dir, store, keyFile } = await seeded();
    rmSync(keyFile);
    const before = readFileSync(store.file);
    const operations: Array<() => Promise<unknown>> = [
      () => store.get('anaplan', 'ops'),
      () => store.list(),
      () => store.set('sfdc', 'me', { token: 'x' }),
      () => store.update('anaplan', 'ops', () => ({ refreshToken: 'rt-2' })),
      () => store.delete('anaplan', 'ops'),
      () => store.assertUsable(),
    ];
    for (const operation of operations) {
      const error = await operation().then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).toMatchObject({ code: 'CREDENTIALS_KEY_MISSING', exitCode: 2 });
      expect((error as Error).message).toContain(keyFile);
      expect((error as Error).message).toMatch(/PIPE_CREDENTIALS_KEY .*PIPE_CREDENTIALS_KEY_FILE/);
    }
    expect(existsSync(keyFile)).toBe(false);
    expect(readFileSync(store.file).equals(before)).toBe(true);
    expect(readdirSync(dir).sort()).toEqual(['credentials.json']);
  });

  it('a key file is made only for a store with no entries', async () => {
    const dir = project({});
    const store = new CredentialStore({ dir, env: {} });
    expect(await store.list()).toEqual([]);
    expect(existsSync(join(dir, 'credentials.key'))).toBe(false);
    await store.set('sfdc', 'me', { token: 'x' });
    expect(readFileSync(join(dir, 'credentials.key'))).toHaveLength(32);
  });

  it('a different key file is refused before it seals anything, so the store never mixes keys', async () => {
    const { store, keyFile } = await seeded();
    writeFileSync(keyFile, randomBytes(32));
    const before = readFileSync(store.file);
    await expect(store.set('sfdc', 'me', { token: 'x' })).rejects.toThrow(`the key (key file ${keyFile}) differs from the one they were saved with`);
    expect(readFileSync(store.file).equals(before)).toBe(true);
  });

  it('PIPE_CREDENTIALS_KEY_FILE points at a key kept elsewhere', async () => {
    const home = project({});
    const vault = project({});
    const env = { PIPE_CREDENTIALS_KEY_FILE: join(vault, 'pipe.key') };
    await new CredentialStore({ dir: home, env }).set('sfdc', 'me', { token: 'x' });
    expect(readdirSync(home)).toEqual(['credentials.json']);
    expect(await new CredentialStore({ dir: home, env }).get('sfdc', 'me')).toEqual({ token: 'x' });
  });

  it('an empty PIPE_CREDENTIALS_KEY_FILE or PIPE_CREDENTIALS_KEY counts as unset', async () => {
    const dir = project({});
    await new CredentialStore({ dir, env: { PIPE_CREDENTIALS_KEY_FILE: '', PIPE_CREDENTIALS_KEY: '' } }).set('sfdc', 'me', { token: 'x' });
    expect(readdirSync(dir).sort()).toEqual(['credentials.json', 'credentials.key']);
  });
});

describe('credential store: a damaged store', () => {
  it.each([
    ['cut short', '{"version":1,"salt":"abc","entr', /not valid JSON/],
    ['not the store shape', '{"version":1,"salt":"abc","entries":[]}', /no "entries" object/],
    [
      'an entry without its sealed data',
      '{"version":1,"salt":"abc","entries":{"sfdc/me":{"service":"sfdc","account":"me"}}}',
      /entry "sfdc\/me" has no "updatedAt"/,
    ],
  ])('%s: names the file and what to do, exit 2', async (_, text, problem) => {
    const dir = project({ 'credentials.json': text });
    const store = new CredentialStore({ dir, env: {} });
    for (const operation of [() => store.list(), () => store.set('sfdc', 'me', { token: 'x' })]) {
      const error = await operation().then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).toMatchObject({ code: 'CREDENTIALS_STORE_DAMAGED', exitCode: 2 });
      expect((error as Error).message).toContain(`the credential store ${store.file} is damaged`);
      expect((error as Error).message).toMatch(problem);
      expect((error as Error).message).toMatch(/Restore it from a backup, or move it aside .* and run `pipe auth login` again/);
    }
    expect(readFileSync(store.file, 'utf8')).toBe(text);
  });
});

describe('credential store: several processes at once', () => {
  const writers = (dir: string, count: number, each: number) =>
    Promise.all(
      Array.from(
        { length: count },
        (_, w) =>
          new Promise<{ code: number | null; stderr: string }>((resolve) => {
            const child = spawn(process.execPath, [join(__dirname, 'add-entries.cjs'), dir, `w${w}`, String(each)], { stdio: ['ignore', 'ignore', 'pipe'] });
            let stderr = '';
            child.stderr.on('data', (d) => (stderr += d));
            child.on('close', (code) => resolve({ code, stderr }));
          }),
      ),
    );
  const deadPid = () => spawnSync(process.execPath, ['-e', '']).pid;

  it('four processes each adding ten entries lose none of them', async () => {
    const dir = project({});
    expect(await writers(dir, 4, 10)).toEqual(Array(4).fill({ code: 0, stderr: '' }));
    const entries = await new CredentialStore({ dir, env: {} }).list();
    expect(entries).toHaveLength(40);
    expect(readdirSync(dir).sort()).toEqual(['credentials.json', 'credentials.key']);
  }, 120_000);

  it('a writer never takes the lock from a live one, however long it holds it', async () => {
    const dir = project({});
    const store = new CredentialStore({ dir, env: {}, lockWaitMs: 500 });
    await store.set('anaplan', 'ops', { refreshToken: 'rt-1' });
    const before = readFileSync(store.file);
    const lock = join(dir, 'credentials.json.lock');
    // Held by this (live) process for an hour already, e.g. a token refresh that hangs.
    writeFileSync(lock, JSON.stringify({ host: hostname(), pid: process.pid, token: 'slow-refresh' }));
    const past = new Date(Date.now() - 3_600_000);
    utimesSync(lock, past, past);
    await expect(store.set('sfdc', 'me', { token: 'x' })).rejects.toThrow(`is locked by ${lock} (held by process ${process.pid}`);
    expect(readFileSync(store.file).equals(before)).toBe(true);
    expect(existsSync(lock)).toBe(true);
  });

  it('a lock left by a process that died is taken over by one writer at a time: no entry is lost', async () => {
    const dir = project({});
    writeFileSync(join(dir, 'credentials.json.lock'), JSON.stringify({ host: hostname(), pid: deadPid(), token: 'crashed' }));
    const past = new Date(Date.now() - 3_600_000);
    utimesSync(join(dir, 'credentials.json.lock'), past, past);
    expect(await writers(dir, 4, 10)).toEqual(Array(4).fill({ code: 0, stderr: '' }));
    expect(await new CredentialStore({ dir, env: {} }).list()).toHaveLength(40);
    expect(readdirSync(dir).sort()).toEqual(['credentials.json', 'credentials.key']);
  }, 120_000);
});

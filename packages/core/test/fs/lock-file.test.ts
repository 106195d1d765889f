import { spawnSync } from 'node:child_process';
import { existsSync, utimesSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { withLockFile } from '../../src/fs/lock-file';
import { project } from '../helpers';

const options = { waitMs: 300, guards: 'the test store' };

describe('lock file', () => {
  it('never takes a lock from a live owner, however old: the wait ends with a message naming the lock and its owner', async () => {
    const lock = join(project({}), 'store.lock');
    writeFileSync(lock, JSON.stringify({ host: hostname(), pid: process.pid, token: 'someone-else' }));
    const past = new Date(Date.now() - 3_600_000);
    utimesSync(lock, past, past);
    await expect(withLockFile(lock, options, async () => 'got in')).rejects.toThrow(
      `the test store is locked by ${lock} (held by process ${process.pid} on ${hostname()}); if no pipe process is running there, delete ${lock}`,
    );
    expect(existsSync(lock)).toBe(true);
  });

  it('takes over a lock whose owner process is gone, and removes it after', async () => {
    const lock = join(project({}), 'store.lock');
    writeFileSync(lock, JSON.stringify({ host: hostname(), pid: spawnSync(process.execPath, ['-e', '']).pid, token: 'crashed' }));
    expect(await withLockFile(lock, options, async () => 'got in')).toBe('got in');
    expect(existsSync(lock)).toBe(false);
  });

  it('a lock with no owner written is stale only once it is old', async () => {
    const lock = join(project({}), 'store.lock');
    writeFileSync(lock, '');
    await expect(withLockFile(lock, options, async () => 'got in')).rejects.toThrow('held by an unknown process');
    const past = new Date(Date.now() - 3_600_000);
    utimesSync(lock, past, past);
    expect(await withLockFile(lock, options, async () => 'got in')).toBe('got in');
  });
});

/**
 * A lock file that serialises processes on one machine: whoever creates `path` (O_EXCL) holds the
 * lock, and writes its host, pid and a random token into it.
 *
 * A lock is stale only when its owner is on this host and its pid is gone; age never makes an
 * owned lock stale, so a slow owner is never robbed. (A lock with no owner written, an empty file
 * left by a crash in the instant after creating it or by an older pipe, goes stale after 30 s.)
 * Breaking a stale lock is itself exclusive: the breaker first creates a marker named after the
 * stale lock's content, then removes the lock only if it still holds that content. Nobody else
 * removes a lock with that content (its owner is dead and the marker is taken), so a breaker can
 * never remove a lock taken after the stale one, and two processes never hold the lock at once.
 */
import { createHash, randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import { hostname } from 'node:os';
import { PipeError } from '../errors';

export interface LockFileOptions {
  /** How long to wait for a live owner before giving up. */
  readonly waitMs: number;
  /** What the lock protects, for the message when waiting gives up. */
  readonly guards: string;
}

interface Owner {
  readonly host: string;
  readonly pid: number;
  readonly token: string;
}

const POLL_MS = 25;
const OWNERLESS_STALE_MS = 30_000;

/** Run `work` while holding the lock at `path`. */
export async function withLockFile<T>(path: string, options: LockFileOptions, work: () => Promise<T>): Promise<T> {
  const token = await acquire(path, options);
  try {
    return await work();
  } finally {
    await release(path, token);
  }
}

async function acquire(path: string, options: LockFileOptions): Promise<string> {
  const owner: Owner = { host: hostname(), pid: process.pid, token: randomBytes(12).toString('hex') };
  const deadline = Date.now() + options.waitMs;
  for (;;) {
    try {
      await fs.writeFile(path, JSON.stringify(owner), { mode: 0o600, flag: 'wx' });
      return owner.token;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    const content = await readLock(path);
    if (content === undefined) continue; // released between our attempt and the read
    if ((await isStale(path, content)) && (await breakStale(path, content))) continue;
    if (Date.now() > deadline) {
      const holder = parseOwner(content);
      const who = holder ? `process ${holder.pid} on ${holder.host}` : 'an unknown process';
      throw new PipeError(`${options.guards} is locked by ${path} (held by ${who}); if no pipe process is running there, delete ${path} and try again`, {
        code: 'LOCKED',
        exitCode: 1,
      });
    }
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
}

async function release(path: string, token: string): Promise<void> {
  // Only our own lock: a lock is never taken from a live owner, so this is a guard, not a race.
  const content = await readLock(path);
  if (content !== undefined && parseOwner(content)?.token === token) await fs.rm(path, { force: true });
}

async function readLock(path: string): Promise<string | undefined> {
  return fs.readFile(path, 'utf8').catch(() => undefined);
}

/**
 * A dead owner on this host. A lock without an owner (an empty file left by an older pipe) has
 * only its age to go by.
 */
async function isStale(path: string, content: string): Promise<boolean> {
  const owner = parseOwner(content);
  if (owner) return owner.host === hostname() && !processAlive(owner.pid);
  const stat = await fs.stat(path).catch(() => undefined);
  return stat !== undefined && Date.now() - stat.mtimeMs > OWNERLESS_STALE_MS;
}

/** Remove the stale lock if it is still the one judged stale; true if the lock changed since. */
async function breakStale(path: string, staleContent: string): Promise<boolean> {
  const marker = `${path}.${createHash('sha256').update(staleContent).digest('hex').slice(0, 16)}.breaking`;
  try {
    await fs.writeFile(marker, '', { mode: 0o600, flag: 'wx' });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false; // another process is breaking it
    throw error;
  }
  try {
    // Checked again under the marker: the lock may have been broken and retaken meanwhile.
    const content = await readLock(path);
    if (content === staleContent && (await isStale(path, content))) await fs.rm(path, { force: true });
    return true;
  } finally {
    await fs.rm(marker, { force: true });
  }
}

function parseOwner(content: string): Owner | undefined {
  try {
    const value = JSON.parse(content) as Partial<Owner>;
    if (typeof value.host === 'string' && Number.isInteger(value.pid) && typeof value.token === 'string') return value as Owner;
  } catch {
    // not ours
  }
  return undefined;
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * The encrypted credential store shared by every plugin (Anaplan refresh tokens, Salesforce
 * refresh tokens, passwords saved by `pipe auth login`).
 *
 * One file, `credentials.json`, mode 0600, in the pipe home directory. Each secret is sealed with
 * AES-256-GCM under a key the user controls: `PIPE_CREDENTIALS_KEY` (a passphrase, stretched with
 * scrypt), or a key file (`PIPE_CREDENTIALS_KEY_FILE`, default `<home>/credentials.key`, created
 * with 32 random bytes and mode 0600 on first use). Writes go to a temp file that is fsynced and
 * renamed over the old one, under a lock file, so a crash leaves either the old or the new store,
 * never a torn one: that is what makes rotating refresh tokens safe to persist before use.
 */
import { createCipheriv, createDecipheriv, randomBytes, scryptSync } from 'node:crypto';
import { promises as fs, constants as fsConstants } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { PipeError } from '../errors';

export type CredentialSecret = Readonly<Record<string, string>>;

export interface CredentialEntry {
  readonly service: string;
  readonly account: string;
  readonly updatedAt: string;
}

interface SealedEntry extends CredentialEntry {
  readonly iv: string;
  readonly tag: string;
  readonly data: string;
}

interface StoreFile {
  readonly version: 1;
  /** Salt for a passphrase key; random per store. */
  readonly salt: string;
  readonly entries: Record<string, SealedEntry>;
}

export interface CredentialStoreOptions {
  /** Directory holding `credentials.json`. Default: `$PIPE_HOME` or `~/.pipe`. */
  readonly dir?: string;
  readonly env?: NodeJS.ProcessEnv;
}

const LOCK_STALE_MS = 30_000;

export class CredentialStore {
  readonly file: string;
  private readonly keyFile: string;
  private readonly passphrase: string | undefined;

  constructor(options: CredentialStoreOptions = {}) {
    const env = options.env ?? process.env;
    const dir = options.dir ?? env.PIPE_HOME ?? join(homedir(), '.pipe');
    this.file = join(dir, 'credentials.json');
    this.keyFile = env.PIPE_CREDENTIALS_KEY_FILE ?? join(dir, 'credentials.key');
    this.passphrase = env.PIPE_CREDENTIALS_KEY || undefined;
  }

  async get(service: string, account: string): Promise<CredentialSecret | undefined> {
    const store = await this.read();
    const entry = store.entries[entryKey(service, account)];
    return entry ? this.open(entry, await this.key(store)) : undefined;
  }

  /** The only entry for `service`, when the config names no account. */
  async getOnly(service: string): Promise<{ account: string; secret: CredentialSecret } | undefined> {
    const entries = (await this.list()).filter((e) => e.service === service);
    if (entries.length !== 1) return undefined;
    const secret = await this.get(service, entries[0].account);
    return secret && { account: entries[0].account, secret };
  }

  async set(service: string, account: string, secret: CredentialSecret): Promise<void> {
    await this.update(service, account, () => secret);
  }

  /**
   * Read-modify-write one entry under the lock. `change` sees the current secret (or undefined)
   * and returns the new one; the new store is on disk before this resolves.
   */
  async update(
    service: string,
    account: string,
    change: (current: CredentialSecret | undefined) => CredentialSecret | Promise<CredentialSecret>,
  ): Promise<CredentialSecret> {
    return this.locked(async () => {
      const store = await this.read();
      const key = await this.key(store, true);
      const existing = store.entries[entryKey(service, account)];
      const next = await change(existing ? this.open(existing, key) : undefined);
      store.entries[entryKey(service, account)] = this.seal(service, account, next, key);
      await this.write(store);
      return next;
    });
  }

  async delete(service: string, account: string): Promise<boolean> {
    return this.locked(async () => {
      const store = await this.read();
      const k = entryKey(service, account);
      if (!store.entries[k]) return false;
      delete store.entries[k];
      await this.write(store);
      return true;
    });
  }

  async list(): Promise<CredentialEntry[]> {
    const store = await this.read();
    return Object.values(store.entries).map(({ service, account, updatedAt }) => ({ service, account, updatedAt }));
  }

  private seal(service: string, account: string, secret: CredentialSecret, key: Buffer): SealedEntry {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', key, iv);
    cipher.setAAD(Buffer.from(entryKey(service, account)));
    const data = Buffer.concat([cipher.update(JSON.stringify(secret), 'utf8'), cipher.final()]);
    return {
      service,
      account,
      updatedAt: new Date().toISOString(),
      iv: iv.toString('base64'),
      tag: cipher.getAuthTag().toString('base64'),
      data: data.toString('base64'),
    };
  }

  private open(entry: SealedEntry, key: Buffer): CredentialSecret {
    try {
      const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(entry.iv, 'base64'));
      decipher.setAAD(Buffer.from(entryKey(entry.service, entry.account)));
      decipher.setAuthTag(Buffer.from(entry.tag, 'base64'));
      const plain = Buffer.concat([decipher.update(Buffer.from(entry.data, 'base64')), decipher.final()]);
      return JSON.parse(plain.toString('utf8')) as CredentialSecret;
    } catch {
      throw new PipeError(
        `cannot decrypt the saved credentials for ${entry.service}/${entry.account} in ${this.file}: ` +
          'the key differs from the one they were saved with. Set PIPE_CREDENTIALS_KEY or PIPE_CREDENTIALS_KEY_FILE ' +
          'to the original key, or run `pipe auth login` again.',
        { code: 'CREDENTIALS_KEY_MISMATCH', exitCode: 2 },
      );
    }
  }

  private async key(store: StoreFile, create = false): Promise<Buffer> {
    if (this.passphrase) return scryptSync(this.passphrase, Buffer.from(store.salt, 'base64'), 32);
    try {
      const raw = await fs.readFile(this.keyFile);
      if (raw.length !== 32) throw new PipeError(`key file ${this.keyFile} must hold exactly 32 bytes`, { exitCode: 2 });
      return raw;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
      if (!create && Object.keys(store.entries).length > 0) {
        throw new PipeError(`no credential key at ${this.keyFile}; set PIPE_CREDENTIALS_KEY or PIPE_CREDENTIALS_KEY_FILE`, {
          exitCode: 2,
        });
      }
      const fresh = randomBytes(32);
      await fs.mkdir(dirname(this.keyFile), { recursive: true, mode: 0o700 });
      await fs.writeFile(this.keyFile, fresh, { mode: 0o600, flag: 'wx' }).catch(async (e: NodeJS.ErrnoException) => {
        if (e.code !== 'EEXIST') throw e;
      });
      return fs.readFile(this.keyFile);
    }
  }

  private async read(): Promise<StoreFile> {
    try {
      const parsed = JSON.parse(await fs.readFile(this.file, 'utf8')) as StoreFile;
      if (parsed.version !== 1) throw new PipeError(`${this.file} has an unknown format version`, { exitCode: 2 });
      return parsed;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
        return { version: 1, salt: randomBytes(16).toString('base64'), entries: {} };
      }
      throw error;
    }
  }

  private async write(store: StoreFile): Promise<void> {
    await fs.mkdir(dirname(this.file), { recursive: true, mode: 0o700 });
    const temp = `${this.file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
    const handle = await fs.open(temp, 'w', 0o600);
    try {
      await handle.writeFile(JSON.stringify(store, null, 2));
      await handle.sync();
    } finally {
      await handle.close();
    }
    await fs.rename(temp, this.file);
  }

  /** Serialise writers across processes with an O_EXCL lock file; a lock older than 30 s is stale. */
  private async locked<T>(work: () => Promise<T>): Promise<T> {
    const lock = `${this.file}.lock`;
    await fs.mkdir(dirname(lock), { recursive: true, mode: 0o700 });
    for (let attempt = 0; ; attempt++) {
      try {
        const handle = await fs.open(lock, fsConstants.O_CREAT | fsConstants.O_EXCL | fsConstants.O_WRONLY, 0o600);
        await handle.close();
        break;
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
        const stat = await fs.stat(lock).catch(() => undefined);
        if (stat && Date.now() - stat.mtimeMs > LOCK_STALE_MS) await fs.rm(lock, { force: true });
        else if (attempt > 600) throw new PipeError(`credential store ${this.file} stays locked by ${lock}`, { exitCode: 1 });
        else await new Promise((resolve) => setTimeout(resolve, 50));
      }
    }
    try {
      return await work();
    } finally {
      await fs.rm(lock, { force: true });
    }
  }
}

function entryKey(service: string, account: string): string {
  return `${service}/${account}`;
}

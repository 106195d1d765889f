/**
 * The encrypted credential store shared by every plugin (Anaplan refresh tokens, Salesforce
 * refresh tokens, passwords saved by `pipe auth login`). docs/credentials.md is the user's guide.
 *
 * One file, `credentials.json`, mode 0600, in the pipe home directory. Each secret is sealed with
 * AES-256-GCM under a key the user controls: `PIPE_CREDENTIALS_KEY` (a passphrase, stretched with
 * scrypt), or a key file (`PIPE_CREDENTIALS_KEY_FILE`, default `<home>/credentials.key`, 32 random
 * bytes, mode 0600). The key file is created only for a store with no entries: a key that has gone
 * missing or changed while entries exist is an error, never a silent new key that would leave the
 * saved entries unreadable. Writes go to a temp file that is fsynced and renamed over the old one,
 * under a lock file (fs/lock-file.ts), so a crash leaves either the old or the new store, never a
 * torn one, and concurrent writers lose no entry: that is what makes rotating refresh tokens safe
 * to persist before use.
 */
import { createCipheriv, createDecipheriv, randomBytes, scryptSync } from 'node:crypto';
import { promises as fs } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { PipeError } from '../errors';
import { withLockFile } from '../fs/lock-file';

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
  /** How long a writer waits for another live one before giving up. Default 2 minutes. */
  readonly lockWaitMs?: number;
}

/** Long enough for another writer to refresh a token over the network, with retries. */
const LOCK_WAIT_MS = 120_000;

export class CredentialStore {
  readonly file: string;
  readonly keyFile: string;
  private readonly passphrase: string | undefined;
  private readonly lockWaitMs: number;

  constructor(options: CredentialStoreOptions = {}) {
    this.lockWaitMs = options.lockWaitMs ?? LOCK_WAIT_MS;
    const env = options.env ?? process.env;
    // An empty variable counts as unset, as `PIPE_CREDENTIALS_KEY=` in a scheduler's config means.
    const dir = options.dir ?? (env.PIPE_HOME || join(homedir(), '.pipe'));
    this.file = join(dir, 'credentials.json');
    this.keyFile = env.PIPE_CREDENTIALS_KEY_FILE || join(dir, 'credentials.key');
    this.passphrase = env.PIPE_CREDENTIALS_KEY || undefined;
  }

  async get(service: string, account: string): Promise<CredentialSecret | undefined> {
    const store = await this.read();
    const key = await this.existingKey(store);
    const entry = store.entries[entryKey(service, account)];
    return entry && key ? this.open(entry, key) : undefined;
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
      const key = (await this.existingKey(store)) ?? (await this.createKeyFile());
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
      await this.existingKey(store);
      const k = entryKey(service, account);
      if (!store.entries[k]) return false;
      delete store.entries[k];
      await this.write(store);
      return true;
    });
  }

  async list(): Promise<CredentialEntry[]> {
    const store = await this.read();
    await this.existingKey(store);
    return Object.values(store.entries).map(({ service, account, updatedAt }) => ({ service, account, updatedAt }));
  }

  /**
   * Throws the error a save would throw (a damaged store, a key missing or not the one the entries
   * were sealed with), so an interactive login can fail before the user goes through it.
   */
  async assertUsable(): Promise<void> {
    await this.existingKey(await this.read());
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
          `the key (${this.keySource()}) differs from the one they were saved with. Set PIPE_CREDENTIALS_KEY or PIPE_CREDENTIALS_KEY_FILE ` +
          `to the original key; to start over instead, move ${this.file} aside and run \`pipe auth login\` again.`,
        { code: 'CREDENTIALS_KEY_MISMATCH', exitCode: 2 },
      );
    }
  }

  /**
   * The key the store's entries were sealed with, checked against one of them; undefined for a
   * store with no entries and no key yet. Never creates a key.
   */
  private async existingKey(store: StoreFile): Promise<Buffer | undefined> {
    const key = this.passphrase ? scryptSync(this.passphrase, Buffer.from(store.salt, 'base64'), 32) : await this.readKeyFile(store);
    const sample = Object.values(store.entries)[0];
    if (key && sample) this.open(sample, key);
    return key;
  }

  private async readKeyFile(store: StoreFile): Promise<Buffer | undefined> {
    let raw: Buffer;
    try {
      raw = await fs.readFile(this.keyFile);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code !== 'ENOENT') {
        throw new PipeError(`cannot read the credential key file ${this.keyFile}: ${(error as Error).message}`, {
          code: 'CREDENTIALS_KEY_UNREADABLE',
          exitCode: 2,
        });
      }
      if (Object.keys(store.entries).length === 0) return undefined;
      throw new PipeError(
        `the credential store ${this.file} holds saved credentials, but their key file ${this.keyFile} is missing and ` +
          `PIPE_CREDENTIALS_KEY is not set. Restore ${this.keyFile} from a backup (or point PIPE_CREDENTIALS_KEY_FILE at it), ` +
          `or set PIPE_CREDENTIALS_KEY to the passphrase they were saved with; to start over instead, move ${this.file} aside ` +
          'and run `pipe auth login` again. No new key was made, so nothing was lost.',
        { code: 'CREDENTIALS_KEY_MISSING', exitCode: 2 },
      );
    }
    if (raw.length !== 32) {
      throw new PipeError(`the credential key file ${this.keyFile} must hold exactly 32 bytes (it holds ${raw.length}); restore it from a backup`, {
        code: 'CREDENTIALS_KEY_UNREADABLE',
        exitCode: 2,
      });
    }
    return raw;
  }

  /** Only for a store with no entries, under the lock. */
  private async createKeyFile(): Promise<Buffer> {
    await fs.mkdir(dirname(this.keyFile), { recursive: true, mode: 0o700 });
    await fs.writeFile(this.keyFile, randomBytes(32), { mode: 0o600, flag: 'wx' }).catch((e: NodeJS.ErrnoException) => {
      if (e.code !== 'EEXIST') throw e; // another store sharing this key file made it first
    });
    return fs.readFile(this.keyFile);
  }

  private keySource(): string {
    return this.passphrase ? 'PIPE_CREDENTIALS_KEY' : `key file ${this.keyFile}`;
  }

  private async read(): Promise<StoreFile> {
    let text: string;
    try {
      text = await fs.readFile(this.file, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { version: 1, salt: randomBytes(16).toString('base64'), entries: {} };
      throw new PipeError(`cannot read the credential store ${this.file}: ${(error as Error).message}`, { code: 'CREDENTIALS_STORE_UNREADABLE', exitCode: 2 });
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch (error) {
      throw this.damaged(`it is not valid JSON: ${(error as Error).message}`);
    }
    const problem = storeShapeProblem(parsed);
    if (problem) throw this.damaged(problem);
    return parsed as StoreFile;
  }

  private damaged(problem: string): PipeError {
    return new PipeError(
      `the credential store ${this.file} is damaged (${problem}). Restore it from a backup, ` +
        `or move it aside (mv ${this.file} ${this.file}.damaged) and run \`pipe auth login\` again.`,
      { code: 'CREDENTIALS_STORE_DAMAGED', exitCode: 2 },
    );
  }

  private async write(store: StoreFile): Promise<void> {
    await fs.mkdir(dirname(this.file), { recursive: true, mode: 0o700 });
    const temp = `${this.file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
    try {
      const handle = await fs.open(temp, 'wx', 0o600);
      try {
        await handle.writeFile(JSON.stringify(store, null, 2));
        await handle.sync();
      } finally {
        await handle.close();
      }
      await fs.rename(temp, this.file);
    } catch (error) {
      await fs.rm(temp, { force: true });
      throw error;
    }
  }

  /** Serialise writers across processes (see fs/lock-file.ts for why two never get in at once). */
  private async locked<T>(work: () => Promise<T>): Promise<T> {
    await fs.mkdir(dirname(this.file), { recursive: true, mode: 0o700 });
    return withLockFile(`${this.file}.lock`, { waitMs: this.lockWaitMs, guards: `the credential store ${this.file}` }, work);
  }
}

function entryKey(service: string, account: string): string {
  return `${service}/${account}`;
}

/** What is wrong with a parsed store file, or undefined if it has the shape this code writes. */
function storeShapeProblem(value: unknown): string | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return 'it is not a JSON object';
  const store = value as Record<string, unknown>;
  if (store.version !== 1) return `its format version is ${JSON.stringify(store.version)}, and this pipe reads version 1`;
  if (typeof store.salt !== 'string') return 'it has no "salt"';
  if (typeof store.entries !== 'object' || store.entries === null || Array.isArray(store.entries)) return 'it has no "entries" object';
  for (const [name, entry] of Object.entries(store.entries as Record<string, unknown>)) {
    const fields = entry as Record<string, unknown> | null;
    const missing = ['service', 'account', 'updatedAt', 'iv', 'tag', 'data'].find((f) => typeof fields?.[f] !== 'string');
    if (missing) return `entry "${name}" has no "${missing}"`;
    if (name !== entryKey(fields!.service as string, fields!.account as string)) return `entry "${name}" names another service/account`;
  }
  return undefined;
}

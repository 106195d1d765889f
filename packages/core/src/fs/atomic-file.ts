/**
 * A file that appears under its final name only when complete: bytes go to a hidden temp file in
 * the same directory, which is fsynced and renamed on commit, or removed on discard. A crash or
 * Ctrl-C never leaves a half-written file under the real name.
 */
import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import { basename, dirname, join } from 'node:path';

export class AtomicFile {
  private done = false;

  private constructor(
    readonly path: string,
    readonly tempPath: string,
    private readonly handle: fs.FileHandle,
  ) {}

  static async create(path: string): Promise<AtomicFile> {
    await fs.mkdir(dirname(path), { recursive: true });
    const tempPath = join(dirname(path), `.${basename(path)}.${randomBytes(4).toString('hex')}.pipe-partial`);
    return new AtomicFile(path, tempPath, await fs.open(tempPath, 'w'));
  }

  async write(data: Uint8Array): Promise<void> {
    let offset = 0;
    while (offset < data.length) offset += (await this.handle.write(data, offset, data.length - offset)).bytesWritten;
  }

  /** Rename into place; with `durable`, fsync first so the bytes survive a power cut, not just a crash. */
  async commit(options: { durable?: boolean } = {}): Promise<void> {
    if (this.done) return;
    this.done = true;
    try {
      if (options.durable ?? true) await this.handle.sync();
    } finally {
      await this.handle.close();
    }
    await fs.rename(this.tempPath, this.path);
  }

  /** Remove the partial file; safe to call after commit (then it does nothing). */
  async discard(): Promise<void> {
    if (this.done) return;
    this.done = true;
    await this.handle.close().catch(() => undefined);
    await fs.rm(this.tempPath, { force: true });
  }
}

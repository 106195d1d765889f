/**
 * A file that appears under its final name only when complete: bytes go to a hidden temp file in
 * the same directory, which is fsynced and renamed on commit, or removed on discard. A crash or
 * Ctrl-C never leaves a half-written file under the real name, and a commit that fails leaves no
 * temp file behind.
 *
 * Several files can be committed as a group (`AtomicFile.commitAll`): either all of them are in
 * place, or none is and any file they replaced is back as it was.
 */
import { randomBytes } from 'node:crypto';
import { constants, promises as fs } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { PipeError } from '../errors';

type State = 'writing' | 'sealed' | 'published' | 'committed' | 'discarded';

export interface CommitOptions {
  /** fsync before the rename so the bytes survive a power cut, not just a crash. Default true. */
  readonly durable?: boolean;
}

export class AtomicFile {
  private state: State = 'writing';
  /** While a group commit is undecided: a hard link to the file this one replaced, to put it back. */
  private previousPath: string | undefined;

  private constructor(
    readonly path: string,
    readonly tempPath: string,
    private readonly handle: fs.FileHandle,
  ) {}

  static async create(path: string): Promise<AtomicFile> {
    await fs.mkdir(dirname(path), { recursive: true }).catch((error: NodeJS.ErrnoException) => {
      if (error.code !== 'EEXIST' && error.code !== 'ENOTDIR') throw cannotWrite(path, error);
      throw new PipeError(`cannot write ${path}: a file stands where its folder should be; nothing was written`, {
        code: 'OUTPUT_NOT_WRITTEN',
        cause: error,
      });
    });
    try {
      await refuseFolder(path);
      const tempPath = join(dirname(path), `.${basename(path)}.${randomBytes(4).toString('hex')}.pipe-partial`);
      return new AtomicFile(path, tempPath, await fs.open(tempPath, 'wx'));
    } catch (error) {
      throw cannotWrite(path, error);
    }
  }

  async write(data: Uint8Array): Promise<void> {
    let offset = 0;
    while (offset < data.length) offset += (await this.handle.write(data, offset, data.length - offset)).bytesWritten;
  }

  /** Rename into place; on failure the temp file is removed and the error says why. */
  async commit(options: CommitOptions = {}): Promise<void> {
    await AtomicFile.commitAll([this], options);
  }

  /**
   * Put every file in place, or none: if one cannot be committed (a folder stands where it goes,
   * the disk is full), the ones already renamed are removed again, files they replaced are
   * restored, and every temp file is gone before the error is thrown.
   */
  static async commitAll(files: readonly AtomicFile[], options: CommitOptions = {}): Promise<void> {
    const pending = files.filter((f) => f.state !== 'committed');
    try {
      for (const file of pending) await file.seal(options.durable ?? true);
      // The last file needs no way back: if its rename fails there is nothing of it to undo.
      for (const [i, file] of pending.entries()) await file.publish(i < pending.length - 1);
    } catch (error) {
      const leftovers: string[] = [];
      for (const file of [...pending].reverse()) await file.rollback().catch(() => leftovers.push(file.path));
      if (leftovers.length > 0 && error instanceof PipeError) {
        throw new PipeError(`${error.message}; could not undo ${leftovers.join(', ')}: check them by hand`, { code: error.code, cause: error });
      }
      throw error;
    }
    for (const file of pending) await file.forgetPrevious();
  }

  /** Remove the partial file; safe to call after commit (then it does nothing). */
  async discard(): Promise<void> {
    if (this.state === 'committed' || this.state === 'discarded') return;
    await this.rollback();
  }

  private async seal(durable: boolean): Promise<void> {
    if (this.state === 'discarded') throw new Error(`${this.path} was discarded; it cannot be committed`);
    if (this.state !== 'writing') return;
    this.state = 'sealed';
    try {
      try {
        if (durable) await this.handle.sync();
      } finally {
        await this.handle.close();
      }
    } catch (error) {
      throw cannotWrite(this.path, error);
    }
  }

  private async publish(keepPrevious: boolean): Promise<void> {
    if (this.state !== 'sealed') return;
    try {
      if (keepPrevious) this.previousPath = await linkAside(this.path);
      await fs.rename(this.tempPath, this.path);
    } catch (error) {
      throw cannotWrite(this.path, error);
    }
    this.state = 'published';
  }

  /** Back to how things were before this file: temp gone, the replaced file (if any) restored. */
  private async rollback(): Promise<void> {
    if (this.state === 'writing') await this.handle.close().catch(() => undefined);
    if (this.state === 'published') {
      if (this.previousPath) await fs.rename(this.previousPath, this.path);
      else await fs.rm(this.path, { force: true });
    } else if (this.state !== 'committed') {
      await fs.rm(this.tempPath, { force: true });
      if (this.previousPath) await fs.rm(this.previousPath, { force: true });
    }
    this.previousPath = undefined;
    this.state = 'discarded';
  }

  private async forgetPrevious(): Promise<void> {
    this.state = 'committed';
    // The new file is in place: failing to remove the old copy must not fail the commit.
    if (this.previousPath) await fs.rm(this.previousPath, { force: true }).catch(() => undefined);
    this.previousPath = undefined;
  }
}

async function refuseFolder(path: string): Promise<void> {
  const stat = await fs.lstat(path).catch(() => undefined);
  if (stat?.isDirectory()) throw Object.assign(new Error(`${path} is a folder`), { code: 'EISDIR' });
}

/** A second name for the file at `path`, if there is one; undefined when there is nothing to keep. */
async function linkAside(path: string): Promise<string | undefined> {
  const aside = join(dirname(path), `.${basename(path)}.${randomBytes(4).toString('hex')}.pipe-previous`);
  try {
    await fs.link(path, aside);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return undefined;
    // Filesystems without hard links: a copy serves the same purpose.
    if (code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'ENOSYS' && code !== 'EXDEV') throw error;
    await fs.copyFile(path, aside, constants.COPYFILE_EXCL);
  }
  return aside;
}

function cannotWrite(path: string, error: unknown): PipeError {
  if (error instanceof PipeError) return error;
  const code = (error as NodeJS.ErrnoException).code;
  const reason =
    code === 'EISDIR'
      ? `${path} is a folder; move it away or choose another file name`
      : code === 'EACCES' || code === 'EPERM'
        ? `permission denied writing ${path}`
        : code === 'ENOSPC'
          ? `no space left on the disk of ${path}`
          : `cannot write ${path}: ${(error as Error).message}`;
  return new PipeError(`${reason}; nothing was written`, { code: 'OUTPUT_NOT_WRITTEN', cause: error });
}

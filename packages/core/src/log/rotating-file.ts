/**
 * A log file that rotates by size: `pipe.1.log`, `pipe.2.log`, ... Lines go to the newest file
 * until the next line would take it past `maxBytes`; then a new file is started and the oldest
 * are deleted so that `maxFiles` remain. A new run goes on appending to the newest file while it
 * has room, so a cron job's runs read as one history.
 *
 * Writes are synchronous: a line is in the file once the log call returns, so a crash or
 * process.exit right after loses nothing, and a log line costs one write() with no buffering or
 * worker thread to manage.
 */
import { closeSync, mkdirSync, openSync, readdirSync, statSync, unlinkSync, writeSync } from 'node:fs';
import { basename, dirname } from 'node:path';

export interface RotatingFileOptions {
  /** Path without number and extension, e.g. `.pipe/logs/pipe`. */
  readonly base: string;
  readonly maxBytes: number;
  readonly maxFiles: number;
}

const EXTENSION = '.log';

export class RotatingFile {
  private fd: number | undefined;
  private number: number;
  private size: number;

  constructor(private readonly options: RotatingFileOptions) {
    if (!(options.maxBytes > 0) || !(options.maxFiles >= 1)) throw new RangeError('maxBytes must be positive and maxFiles at least 1');
    mkdirSync(dirname(options.base), { recursive: true });
    this.number = this.numbers().at(-1) ?? 1;
    this.size = sizeOf(this.path(this.number));
    if (this.size >= options.maxBytes) {
      this.number++;
      this.size = 0;
    }
    this.fd = openSync(this.path(this.number), 'a');
    this.prune();
  }

  write(line: string): void {
    if (this.fd === undefined) return;
    const bytes = Buffer.byteLength(line);
    // A line longer than a whole file still goes in whole, alone in its file.
    if (this.size > 0 && this.size + bytes > this.options.maxBytes) this.rotate();
    writeSync(this.fd, line);
    this.size += bytes;
  }

  close(): void {
    if (this.fd === undefined) return;
    closeSync(this.fd);
    this.fd = undefined;
  }

  private rotate(): void {
    closeSync(this.fd!);
    this.number++;
    this.size = 0;
    this.fd = openSync(this.path(this.number), 'a');
    this.prune();
  }

  private prune(): void {
    const numbers = this.numbers();
    for (const n of numbers.slice(0, Math.max(0, numbers.length - this.options.maxFiles))) {
      try {
        unlinkSync(this.path(n));
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error; // another run pruned it first
      }
    }
  }

  private path(n: number): string {
    return numberedPath(this.options.base, n);
  }

  private numbers(): number[] {
    return logFileNumbers(this.options.base);
  }
}

/** The log files of `base` (e.g. `.pipe/logs/pipe`), oldest first; none if its folder does not exist. */
export function listLogFiles(base: string): string[] {
  return logFileNumbers(base).map((n) => numberedPath(base, n));
}

function numberedPath(base: string, n: number): string {
  return `${base}.${n}${EXTENSION}`;
}

/** Numbers of the existing `base.N.log` files, ascending. */
function logFileNumbers(base: string): number[] {
  const prefix = `${basename(base)}.`;
  let names: string[];
  try {
    names = readdirSync(dirname(base));
  } catch {
    return [];
  }
  return names
    .filter((f) => f.startsWith(prefix) && f.endsWith(EXTENSION))
    .map((f) => f.slice(prefix.length, -EXTENSION.length))
    .filter((n) => /^[1-9][0-9]*$/.test(n))
    .map(Number)
    .sort((a, b) => a - b);
}

function sizeOf(path: string): number {
  try {
    return statSync(path).size;
  } catch {
    return 0;
  }
}

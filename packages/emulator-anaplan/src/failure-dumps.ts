/**
 * Failure-dump lifetime and chunking. HELP: dumps are kept per user and import, "overwritten
 * when the user performs the same import", and a replaced dump answers 404 even if an older
 * task still says `failureDumpAvailable: true`. (The 48-hour expiry is not modelled; inject a
 * 404 fault on the dump routes to test it.)
 */

export class FailureDumps {
  /** `user|model|action` → the task whose dumps are current. */
  private readonly current = new Map<string, string>();

  /** A task of this key just finished: its dumps (possibly none) replace the previous ones. */
  replace(key: string, taskId: string): void {
    this.current.set(key, taskId);
  }

  isCurrent(key: string, taskId: string): boolean {
    return this.current.get(key) === taskId;
  }
}

/** Consecutive byte ranges of at most `size` bytes, numbered from 0; an empty dump is one empty chunk. */
export function splitIntoChunks(data: Buffer, size: number): Buffer[] {
  if (data.length === 0) return [Buffer.alloc(0)];
  const chunks: Buffer[] = [];
  for (let offset = 0; offset < data.length; offset += size) chunks.push(data.subarray(offset, offset + size));
  return chunks;
}

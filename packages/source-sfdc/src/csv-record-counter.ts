/**
 * Counts CSV records in a byte stream: a record ends at an LF outside double quotes (quoted
 * values may hold LF, CRLF and "" escapes). Used to check Bulk API result sets against the job's
 * record count, and to find where a result set's header row ends.
 */
const QUOTE = 0x22;
const LF = 0x0a;

export class CsvRecordCounter {
  private inQuote = false;
  /** Bytes since the last record end. */
  private partial = 0;
  private complete = 0;

  /** Records ended by an LF so far. */
  get records(): number {
    return this.complete;
  }

  /** Records, counting a last one that has no line end. */
  get recordsAtEnd(): number {
    return this.complete + (this.partial > 0 ? 1 : 0);
  }

  get insideQuotes(): boolean {
    return this.inQuote;
  }

  /**
   * Feed bytes. With `stopAfterRecords`, stops right after that many records in total and
   * returns the offset just past the record end; otherwise returns `bytes.length`.
   */
  push(bytes: Buffer, stopAfterRecords = Infinity): number {
    let pos = 0;
    const n = bytes.length;
    while (pos < n) {
      const quote = bytes.indexOf(QUOTE, pos);
      const stop = quote === -1 ? n : quote;
      if (!this.inQuote) {
        // Count the LFs of the unquoted run [pos, stop).
        let runStart = pos;
        // Unquoted runs are short in quoted CSV (a delimiter, a line end): a byte loop beats indexOf here.
        for (let k = pos; k < stop; k++) {
          if (bytes[k] !== LF) continue;
          this.complete += 1;
          this.partial = 0;
          runStart = k + 1;
          if (this.complete >= stopAfterRecords) return k + 1;
        }
        this.partial += stop - runStart;
      } else {
        this.partial += stop - pos;
      }
      if (quote === -1) break;
      this.inQuote = !this.inQuote;
      this.partial += 1;
      pos = quote + 1;
    }
    return n;
  }
}

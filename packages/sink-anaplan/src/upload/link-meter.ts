/**
 * How long the upload stage needs per byte of data, by encoding, from the recent uploads that went
 * through without a retry (a retry's wait is not link time). Uploads in flight together share the
 * link (or the server's slots), so each upload's round trip is divided by the mean number of
 * uploads in flight while it ran, those still on their way included: k uploads sharing a link
 * each take k times as long, and the stage still moves a byte in 1/k of that. Counting only
 * finished uploads would make the first ones sent beside others look k times slower than a probe
 * sent alone.
 */

/** An upload on its way: finish it with the bytes it carried, or abandon it (failed, or retried). */
export interface UploadTiming {
  finish(encoding: string, rawBytes: number): void;
  abandon(): void;
}

interface Span {
  readonly start: number;
  readonly end: number;
}

/** Uploads remembered per encoding: recent enough to follow a change in the link. */
const RECENT_UPLOADS = 4;
/** Finished uploads remembered to tell what ran beside a new one: more than ever run at once. */
const RECENT_SPANS = 64;

export class LinkMeter {
  /** Stage seconds and bytes of data of the recent uploads, by encoding. */
  private readonly byEncoding = new Map<string, Array<{ readonly seconds: number; readonly bytes: number }>>();
  private readonly finished: Span[] = [];
  private readonly open = new Set<{ readonly start: number }>();

  constructor(private readonly now: () => number = () => performance.now()) {}

  /** An upload starts now. */
  start(): UploadTiming {
    const span = { start: this.now() };
    this.open.add(span);
    return {
      // Only the first of finish and abandon counts: the span is open until then.
      finish: (encoding, rawBytes) => void (this.open.delete(span) && this.record(encoding, span.start, rawBytes)),
      abandon: () => void this.open.delete(span),
    };
  }

  /** An upload of `rawBytes` of data in `encoding`, started at `startedAt` (this meter's clock), just finished. */
  private record(encoding: string, startedAt: number, rawBytes: number): void {
    const end = this.now();
    const length = Math.max(end - startedAt, Number.MIN_VALUE);
    const within = (start: number, stop: number) => Math.max(0, Math.min(stop, end) - Math.max(start, startedAt));
    let beside = 0;
    for (const other of this.finished) beside += within(other.start, other.end);
    for (const other of this.open) beside += within(other.start, end);
    const sharing = 1 + beside / length;
    const list = this.byEncoding.get(encoding) ?? [];
    list.push({ seconds: length / 1000 / sharing, bytes: Math.max(1, rawBytes) });
    if (list.length > RECENT_UPLOADS) list.shift();
    this.byEncoding.set(encoding, list);
    this.finished.push({ start: startedAt, end });
    if (this.finished.length > RECENT_SPANS) this.finished.shift();
  }

  /** Whether any upload in `encoding` was measured. */
  measured(encoding: string): boolean {
    return this.byEncoding.has(encoding);
  }

  /** Bytes of data in the largest recent upload in `encoding`: the size its figure speaks for. */
  largestUpload(encoding: string): number | undefined {
    const list = this.byEncoding.get(encoding);
    return list && largestOf(list);
  }

  /** Whether exactly one upload in `encoding` was measured (the recent list only ever grows to its cap). */
  measuredOnce(encoding: string): boolean {
    return this.byEncoding.get(encoding)?.length === 1;
  }

  /**
   * Seconds the upload stage needs per byte of data, by encoding, for each encoding measured: the
   * recent uploads' seconds over their bytes, counting only those at least half the size of the
   * largest. On a fast link a small probe's time is mostly the request's own (a round trip, the
   * server's time), and would make the encoding look several times slower than whole chunks show.
   */
  secondsPerByte(): Map<string, number> {
    const result = new Map<string, number>();
    for (const [encoding, list] of this.byEncoding) {
      const largest = largestOf(list);
      const counted = list.filter((u) => u.bytes >= largest / 2);
      result.set(encoding, counted.reduce((n, u) => n + u.seconds, 0) / counted.reduce((n, u) => n + u.bytes, 0));
    }
    return result;
  }
}

const largestOf = (uploads: ReadonlyArray<{ readonly bytes: number }>): number => Math.max(...uploads.map((u) => u.bytes));

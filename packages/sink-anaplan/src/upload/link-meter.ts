/**
 * How long uploads take per byte of data, by encoding, from the recent uploads that went through
 * without a retry (a retry's wait is not link time). A chunk's round trip per byte of data is
 * comparable across encodings sent under the same concurrency; dividing by the uploads' overlap
 * (round trips summed over the time any upload was in flight) turns it into the time the whole
 * upload stage needs per byte.
 */

interface Upload {
  readonly start: number;
  readonly end: number;
  readonly rawBytes: number;
}

/** Uploads remembered per encoding: recent enough to follow a change in the link. */
const RECENT_UPLOADS = 4;
/** Uploads remembered to tell how much they overlap. */
const RECENT_OVERLAP = 32;

export class LinkMeter {
  private readonly byEncoding = new Map<string, Upload[]>();
  private readonly all: Upload[] = [];

  constructor(private readonly now: () => number = () => performance.now()) {}

  /** An upload of `rawBytes` of data in `encoding`, started at `startedAt` (this meter's clock), just finished. */
  record(encoding: string, startedAt: number, rawBytes: number): void {
    const upload = { start: startedAt, end: this.now(), rawBytes };
    const list = this.byEncoding.get(encoding) ?? [];
    list.push(upload);
    if (list.length > RECENT_UPLOADS) list.shift();
    this.byEncoding.set(encoding, list);
    this.all.push(upload);
    if (this.all.length > RECENT_OVERLAP) this.all.shift();
  }

  /** Whether any upload in `encoding` was measured. */
  measured(encoding: string): boolean {
    return this.byEncoding.has(encoding);
  }

  /** Whether exactly one upload in `encoding` was measured (the recent list only ever grows to its cap). */
  measuredOnce(encoding: string): boolean {
    return this.byEncoding.get(encoding)?.length === 1;
  }

  /** Seconds the upload stage needs per byte of data, by encoding, for each encoding measured. */
  secondsPerByte(): Map<string, number> {
    const result = new Map<string, number>();
    const busy = busyMs(this.all);
    if (busy <= 0) return result;
    const overlap = this.all.reduce((n, u) => n + (u.end - u.start), 0) / busy;
    for (const [encoding, list] of this.byEncoding) {
      const perByte = list.reduce((n, u) => n + (u.end - u.start) / 1000 / Math.max(1, u.rawBytes), 0) / list.length;
      result.set(encoding, perByte / overlap);
    }
    return result;
  }
}

/** Time covered by at least one of the uploads. */
function busyMs(list: readonly Upload[]): number {
  const sorted = [...list].sort((a, b) => a.start - b.start);
  let total = 0;
  let span: { from: number; to: number } | undefined;
  for (const { start, end } of sorted) {
    if (span && start <= span.to) span.to = Math.max(span.to, end);
    else {
      if (span) total += span.to - span.from;
      span = { from: start, to: end };
    }
  }
  return total + (span ? span.to - span.from : 0);
}

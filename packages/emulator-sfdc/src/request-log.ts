/**
 * What the emulator saw: one record per request, without secrets, so tests can assert call
 * counts, order, retries and concurrency ("never more than 2 exports at once").
 */
import type { FaultKind } from './faults';

/** Which part of Salesforce a request addressed. */
export type Surface = 'oauth' | 'rest' | 'export' | 'ui' | 'control';

export interface RecordedRequest {
  /** 1-based arrival order. */
  readonly seq: number;
  readonly method: string;
  /** Path and query; values of secret-bearing parameters are replaced by "***". */
  readonly path: string;
  readonly surface: Surface;
  readonly status: number;
  /** Epoch milliseconds when the request arrived and when the response ended or died. */
  readonly startedAt: number;
  readonly endedAt: number;
  readonly durationMs: number;
  /** Body bytes written (before any compression). */
  readonly bodyBytes: number;
  /** "completed": response ended; "aborted": client went away; "destroyed": the emulator cut the socket. */
  readonly outcome: 'completed' | 'aborted' | 'destroyed';
  readonly reportId?: string;
  /** OAuth grant type of a token request. */
  readonly grantType?: string;
  /** Faults that fired on this request. */
  readonly faults: readonly FaultKind[];
}

/** The in-flight, mutable form of a record. */
export type RequestRecordDraft = { -readonly [K in keyof RecordedRequest]: RecordedRequest[K] } & {
  faults: FaultKind[];
};

/** Names of query parameters that carry credentials: `sid`, `code`, `access_token`, `oauth_token`, `client_secret`, ... */
const SECRET_PARAMETER = /token|secret|password|passwd|assertion|session|signature|api[-_]?key|^sid$|^code$|^code_verifier$/i;

/** Path plus query with secret values masked. */
export function redactPath(url: URL): string {
  if (url.search === '') return url.pathname;
  const parts: string[] = [];
  for (const [key, value] of url.searchParams) {
    parts.push(`${encodeURIComponent(key)}=${SECRET_PARAMETER.test(key) ? '***' : encodeURIComponent(value)}`);
  }
  return `${url.pathname}?${parts.join('&')}`;
}

export class RequestLog {
  private readonly entries: RecordedRequest[] = [];
  private readonly active = new Set<RequestRecordDraft>();
  private readonly concurrent = new Map<Surface, number>();
  private readonly peaks = new Map<Surface, number>();
  private nextSeq = 1;

  constructor(private readonly sink?: (line: string) => void) {}

  get requests(): readonly RecordedRequest[] {
    return this.entries;
  }

  /** Requests still being answered, with their progress so far (e.g. bodyBytes of a streaming export). */
  get inFlight(): readonly RecordedRequest[] {
    return [...this.active].filter((d) => d.surface !== 'control').map((d) => ({ ...d, faults: [...d.faults] }));
  }

  /** Highest number of simultaneous requests seen per surface. */
  peakConcurrency(surface: Surface): number {
    return this.peaks.get(surface) ?? 0;
  }

  begin(method: string, path: string, surface: Surface, startedAt: number): RequestRecordDraft {
    const now = (this.concurrent.get(surface) ?? 0) + 1;
    this.concurrent.set(surface, now);
    if (now > (this.peaks.get(surface) ?? 0)) this.peaks.set(surface, now);
    const draft: RequestRecordDraft = {
      seq: this.nextSeq++,
      method,
      path,
      surface,
      status: 0,
      startedAt,
      endedAt: startedAt,
      durationMs: 0,
      bodyBytes: 0,
      outcome: 'completed',
      faults: [],
    };
    this.active.add(draft);
    return draft;
  }

  finish(draft: RequestRecordDraft, endedAt: number): void {
    this.active.delete(draft);
    this.concurrent.set(draft.surface, (this.concurrent.get(draft.surface) ?? 1) - 1);
    draft.endedAt = endedAt;
    draft.durationMs = endedAt - draft.startedAt;
    const record: RecordedRequest = { ...draft, faults: [...draft.faults] };
    // Control calls are the test talking to the emulator, not the client under test.
    if (draft.surface !== 'control') this.entries.push(record);
    this.sink?.(
      `${record.method} ${record.path} ${record.status} ${record.durationMs}ms ${record.bodyBytes}B` +
        (record.outcome === 'completed' ? '' : ` ${record.outcome}`) +
        (record.faults.length > 0 ? ` faults=${record.faults.join(',')}` : ''),
    );
  }

  /** An emulator bug surfaced as a 500; it must not pass silently. */
  serverError(error: unknown): void {
    const text = `emulator error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`;
    if (this.sink) this.sink(text);
    else console.error(text);
  }

  clear(): void {
    this.entries.length = 0;
    this.peaks.clear();
  }
}

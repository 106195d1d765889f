/**
 * Faults on demand. A fault is a plain JSON object (FaultSpec), so the same shape works through
 * the programmatic API and the POST /__emulator/faults control endpoint used by a CLI in another
 * process. Each fault fires on matching requests, optionally after `skip` of them and at most
 * `times` times; without `times` it fires until cleared.
 */
import { sameId } from './ids';
import type { Surface } from './request-log';

export type FaultSurface = Exclude<Surface, 'control'>;

/** Narrows which requests a fault hits; every given field must match. */
export interface FaultMatch {
  readonly surface?: FaultSurface;
  /** Report id (15 or 18 characters), for the export and the Reports API. */
  readonly reportId?: string;
  /** Request path prefix, e.g. "/services/data/v62.0/jobs/query". */
  readonly pathPrefix?: string;
  readonly method?: string;
}

interface Repeated {
  /** How many matching requests to hit; absent = every one until cleared. */
  readonly times?: number;
  /** Let this many matching requests through first. */
  readonly skip?: number;
  readonly match?: FaultMatch;
}

export type FaultSpec =
  /** 403 REQUEST_LIMIT_EXCEEDED on REST calls (Reports API, Bulk, limits). */
  | (Repeated & { readonly kind: 'request-limit-exceeded' })
  /**
   * 5xx on any surface: JSON array on REST, HTML on the UI and export, OAuth error JSON on token
   * calls. With echoCredentials=true the error text quotes the request's Authorization and Cookie
   * headers, as a debugging proxy might: whatever a client shows of it must stay redacted.
   */
  | (Repeated & { readonly kind: 'server-error'; readonly status?: number; readonly echoCredentials?: boolean })
  /** Hold the response this long before the status line. */
  | (Repeated & { readonly kind: 'slow-first-byte'; readonly delayMs: number })
  /**
   * Streamed bodies: after N body bytes destroy the socket, without the terminating chunk; with
   * clean=true end the response normally instead (silent truncation). Hits the export by default;
   * with match.surface "rest" it hits Bulk result pages. throttle below works the same way.
   */
  | (Repeated & { readonly kind: 'drop-connection'; readonly afterBytes: number; readonly clean?: boolean })
  /** Export: send every row, then no footer; the response ends cleanly, or with hang=true stays open until the client gives up. */
  | (Repeated & { readonly kind: 'missing-footer'; readonly hang?: boolean })
  /**
   * Export: leave out the last `missingRows` rows (default 1) yet end with the proper footer, so
   * the body looks whole and only the Reports API's record count (factMap["T!T"]) shows the loss.
   */
  | (Repeated & { readonly kind: 'short-export'; readonly missingRows?: number })
  /** Streamed bodies: cap the rate, to exercise idle timeouts and backpressure. */
  | (Repeated & { readonly kind: 'throttle'; readonly bytesPerSecond: number })
  /** 200 text/html maintenance page instead of the answer (the "HTML where CSV was expected" case). */
  | (Repeated & { readonly kind: 'html-page' })
  /** Export: 302 back to the same URL, forever (simple-salesforce#584). */
  | (Repeated & { readonly kind: 'redirect-loop' })
  /** REST: 401 "This session is not valid for use with the REST API" whatever the session. */
  | (Repeated & { readonly kind: 'invalid-rest-session' })
  /** Expire every session now, or after this many more requests. */
  | { readonly kind: 'expire-sessions'; readonly afterRequests?: number }
  /** The next Bulk query job(s) created end in state Failed. */
  | { readonly kind: 'bulk-job-failed'; readonly errorMessage?: string; readonly times?: number; readonly skip?: number };

export type FaultKind = FaultSpec['kind'];

export interface ActiveFault {
  readonly id: string;
  readonly spec: FaultSpec;
  /** How often it has fired so far. */
  readonly fired: number;
}

/** What a fault is matched against. */
export interface FaultTarget {
  readonly surface: Surface;
  readonly method: string;
  readonly path: string;
  readonly reportId?: string;
}

const FAULT_KINDS: readonly FaultKind[] = [
  'request-limit-exceeded',
  'server-error',
  'slow-first-byte',
  'drop-connection',
  'missing-footer',
  'short-export',
  'throttle',
  'html-page',
  'redirect-loop',
  'invalid-rest-session',
  'expire-sessions',
  'bulk-job-failed',
];

/** Surfaces a kind may hit when the fault names none; kinds only meaningful on one surface are pinned. */
const DEFAULT_SURFACES: Readonly<Record<FaultKind, readonly Surface[]>> = {
  'request-limit-exceeded': ['rest'],
  'server-error': ['oauth', 'rest', 'export', 'ui'],
  'slow-first-byte': ['oauth', 'rest', 'export', 'ui'],
  'drop-connection': ['export'],
  'missing-footer': ['export'],
  'short-export': ['export'],
  throttle: ['export'],
  'html-page': ['export'],
  'redirect-loop': ['export'],
  'invalid-rest-session': ['rest'],
  'expire-sessions': [],
  'bulk-job-failed': ['rest'],
};

interface StoredFault {
  readonly id: string;
  readonly spec: FaultSpec;
  fired: number;
  skipped: number;
  /** For expire-sessions with afterRequests: requests still to go. */
  countdown?: number;
}

/** Thrown for a malformed fault; the control endpoint answers it as 400. */
export class InvalidFaultError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InvalidFaultError';
  }
}

export class FaultController {
  private readonly stored: StoredFault[] = [];
  private nextId = 1;

  constructor(private readonly expireSessions: () => void) {}

  /** Arms a fault and returns its id (for clear). expire-sessions without afterRequests acts at once. */
  inject(spec: FaultSpec): string {
    const valid = validateFaultSpec(spec);
    const id = `fault-${this.nextId++}`;
    if (valid.kind === 'expire-sessions' && !valid.afterRequests) {
      this.expireSessions();
      return id;
    }
    const fault: StoredFault = { id, spec: valid, fired: 0, skipped: 0 };
    if (valid.kind === 'expire-sessions') fault.countdown = valid.afterRequests;
    this.stored.push(fault);
    return id;
  }

  /** Removes one fault, or all of them. */
  clear(id?: string): void {
    if (id === undefined) this.stored.length = 0;
    else {
      const index = this.stored.findIndex((f) => f.id === id);
      if (index >= 0) this.stored.splice(index, 1);
    }
  }

  get active(): readonly ActiveFault[] {
    return this.stored.map((f) => ({ id: f.id, spec: f.spec, fired: f.fired }));
  }

  /** Counts a client request toward expire-sessions countdowns. */
  countRequest(): void {
    for (const fault of [...this.stored]) {
      if (fault.countdown === undefined) continue;
      // afterRequests: N lets N requests through; the one after sees expired sessions.
      if (fault.countdown === 0) {
        fault.fired = 1;
        this.clear(fault.id);
        this.expireSessions();
      } else fault.countdown -= 1;
    }
  }

  /**
   * The first armed fault of this kind that matches the target, consuming one use of it; handlers
   * call this at the point where the fault would act, so a fault is never spent on a request it
   * cannot affect.
   */
  take<K extends FaultKind>(kind: K, target: FaultTarget): Extract<FaultSpec, { kind: K }> | undefined {
    for (const fault of this.stored) {
      if (fault.spec.kind !== kind || !matches(fault.spec, target)) continue;
      const limits = fault.spec as { times?: number; skip?: number };
      if (fault.skipped < (limits.skip ?? 0)) {
        fault.skipped += 1;
        continue;
      }
      fault.fired += 1;
      if (limits.times !== undefined && fault.fired >= limits.times) this.clear(fault.id);
      return fault.spec as Extract<FaultSpec, { kind: K }>;
    }
    return undefined;
  }
}

function matches(spec: FaultSpec, target: FaultTarget): boolean {
  const match = 'match' in spec ? spec.match : undefined;
  if (match?.surface !== undefined ? match.surface !== target.surface : !DEFAULT_SURFACES[spec.kind].includes(target.surface)) {
    return false;
  }
  if (match?.reportId !== undefined && (target.reportId === undefined || !sameId(match.reportId, target.reportId))) return false;
  if (match?.pathPrefix !== undefined && !target.path.startsWith(match.pathPrefix)) return false;
  if (match?.method !== undefined && match.method.toUpperCase() !== target.method) return false;
  return true;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function checkNumber(spec: Record<string, unknown>, field: string, required: boolean): void {
  const value = spec[field];
  if (value === undefined && !required) return;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
    throw new InvalidFaultError(`fault "${String(spec.kind)}" needs "${field}" as a non-negative number`);
  }
}

/** Checks an untrusted fault (e.g. JSON from the control endpoint) and returns it typed. */
export function validateFaultSpec(input: unknown): FaultSpec {
  if (!isRecord(input)) throw new InvalidFaultError('a fault is a JSON object with a "kind"');
  const kind = input.kind;
  if (typeof kind !== 'string' || !(FAULT_KINDS as readonly string[]).includes(kind)) {
    throw new InvalidFaultError(`unknown fault kind ${JSON.stringify(kind)}; known: ${FAULT_KINDS.join(', ')}`);
  }
  checkNumber(input, 'times', false);
  checkNumber(input, 'skip', false);
  if (kind === 'slow-first-byte') checkNumber(input, 'delayMs', true);
  if (kind === 'drop-connection') checkNumber(input, 'afterBytes', true);
  if (kind === 'short-export') checkNumber(input, 'missingRows', false);
  if (kind === 'throttle') {
    checkNumber(input, 'bytesPerSecond', true);
    if (input.bytesPerSecond === 0) throw new InvalidFaultError('throttle needs bytesPerSecond > 0');
  }
  if (kind === 'server-error') {
    checkNumber(input, 'status', false);
    if (input.status !== undefined && ((input.status as number) < 500 || (input.status as number) > 599)) {
      throw new InvalidFaultError('server-error status must be 5xx');
    }
    if (input.echoCredentials !== undefined && typeof input.echoCredentials !== 'boolean') {
      throw new InvalidFaultError('server-error echoCredentials must be true or false');
    }
  }
  if (kind === 'expire-sessions') checkNumber(input, 'afterRequests', false);
  if (input.match !== undefined) {
    if (!isRecord(input.match)) throw new InvalidFaultError('"match" must be an object');
    const surface = input.match.surface;
    if (surface !== undefined && !['oauth', 'rest', 'export', 'ui'].includes(surface as string)) {
      throw new InvalidFaultError('match.surface must be one of oauth, rest, export, ui');
    }
  }
  return input as unknown as FaultSpec;
}

/**
 * Fault injection. A rule says which requests it applies to (method, path glob, optional OAuth
 * grant type), when it fires (the Nth match, every Nth, the next K, or with a seeded
 * probability) and what happens instead of the normal answer.
 */

/** What a firing rule does. */
export type FaultAction =
  /** Answer `status` in the host's error envelope; 429/503 usually carry `retryAfter`. */
  | {
      kind: 'status';
      status: number;
      /** Seconds (number) or a raw header value such as an HTTP-date (string). */
      retryAfter?: number | string;
      message?: string;
      /** With 401: also kill the presented token, as if it had been revoked early. */
      revokeToken?: boolean;
    }
  /**
   * Drop the connection. `request`: after reading `afterBytes` of the request body (0 = as
   * soon as the headers arrived), before any side effect. `response`: after the request was
   * fully handled (side effects happen, e.g. the chunk is stored) and `afterBytes` of the
   * response body were written (0 = nothing at all was written; an empty-body answer such as
   * a chunk PUT's 204 is complete once its headers are out, so drop those with 0).
   */
  | { kind: 'reset'; phase: 'request' | 'response'; afterBytes?: number }
  /** Delay the normal answer; combines with other rules. */
  | { kind: 'latency'; ms: number }
  /** Never answer (the socket is closed on `stop()`), to exercise client timeouts. */
  | { kind: 'hang' }
  /** An OAuth error body, e.g. `slow_down`, `invalid_grant`, `temporarily_unavailable`. */
  | { kind: 'oauth-error'; error: string; description?: string; status?: number };

export type FaultKind = FaultAction['kind'];

/** Actions that replace the normal answer (everything but latency). */
export type TerminalFaultAction = Exclude<FaultAction, { kind: 'latency' }>;

export interface FaultRule {
  /** HTTP method; any method when absent. */
  method?: string;
  /**
   * Path to match (query string ignored). A string is a glob: `*` matches one path segment,
   * `**` any number of characters; see `routePatterns` for the common ones.
   */
  path: string | RegExp;
  /** Only for `POST /oauth/token`: match the request's `grant_type` (`refresh_token`, …). */
  grantType?: string;
  /** Fire only on the Nth matching request (1-based). */
  nth?: number;
  /** Fire on every Nth matching request. */
  every?: number;
  /** Fire with this probability (0..1), drawn from a PRNG seeded with `seed` (default 1). */
  probability?: number;
  seed?: number;
  /** Stop after firing this many times; "the next K requests" is `{ times: K }` alone. */
  times?: number;
  fault: FaultAction;
}

/** A rule as stored (its path as text, for listing over HTTP), with its counters. */
export interface FaultRuleState extends Omit<FaultRule, 'path'> {
  id: string;
  path: string;
  /** Requests that matched method/path/grant type. */
  matched: number;
  /** Times the rule actually fired. */
  fired: number;
}

/** Globs for the routes tests usually target. */
export const routePatterns = {
  authenticate: '/token/authenticate',
  tokenRefresh: '/token/refresh',
  deviceCode: '/oauth/device/code',
  oauthToken: '/oauth/token',
  files: '/2/0/workspaces/*/models/*/files',
  file: '/2/0/workspaces/*/models/*/files/*',
  chunk: '/2/0/workspaces/*/models/*/files/*/chunks/*',
  complete: '/2/0/workspaces/*/models/*/files/*/complete',
  importTasks: '/2/0/workspaces/*/models/*/imports/*/tasks',
  importTask: '/2/0/workspaces/*/models/*/imports/*/tasks/*',
  importDump: '/2/0/workspaces/*/models/*/imports/*/tasks/*/dump**',
  processTasks: '/2/0/workspaces/*/models/*/processes/*/tasks',
  integration: '/2/0/**',
} as const;

/** The part of a request a rule can see. */
export interface FaultProbe {
  method: string;
  path: string;
  /** Known only after the body was read; rules with `grantType` are decided then. */
  grantType?: string;
  phase: 'headers' | 'body';
}

export interface FaultDecision {
  latencyMs: number;
  /** The first non-latency action that fired, if any. */
  action?: TerminalFaultAction;
  /** Ids of every rule that fired for this request. */
  firedRuleIds: string[];
}

interface ActiveRule {
  state: FaultRuleState;
  pathRegex: RegExp;
  random: () => number;
}

export class FaultInjector {
  private readonly rules: ActiveRule[] = [];
  private nextId = 1;
  private firedTotal = 0;

  /** Adds a rule and returns its id (for `remove`). Throws on an invalid rule. */
  add(rule: FaultRule): string {
    validateRule(rule);
    const id = `fault-${this.nextId++}`;
    const pathText = typeof rule.path === 'string' ? rule.path : `/${rule.path.source}/${rule.path.flags}`;
    const state: FaultRuleState = { ...rule, id, path: pathText, matched: 0, fired: 0 };
    if (rule.method !== undefined) state.method = rule.method.toUpperCase();
    this.rules.push({
      state,
      pathRegex: typeof rule.path === 'string' ? globToRegex(rule.path) : rule.path,
      random: mulberry32(rule.seed ?? 1),
    });
    return id;
  }

  remove(id: string): boolean {
    const index = this.rules.findIndex((r) => r.state.id === id);
    if (index === -1) return false;
    this.rules.splice(index, 1);
    return true;
  }

  clear(): void {
    this.rules.length = 0;
  }

  /** Snapshot of the rules with their counters. */
  list(): FaultRuleState[] {
    return this.rules.map((r) => ({ ...r.state }));
  }

  /** Total number of rule firings since start. */
  get firedCount(): number {
    return this.firedTotal;
  }

  /**
   * Called by the server once with `phase: 'headers'` (rules without `grantType`) and, for
   * requests that were not already faulted, once with `phase: 'body'` (rules with `grantType`).
   * Every matching rule counts the request; only the first terminal action is used.
   */
  decide(probe: FaultProbe): FaultDecision {
    const decision: FaultDecision = { latencyMs: 0, firedRuleIds: [] };
    for (const rule of this.rules) {
      const s = rule.state;
      const needsBody = s.grantType !== undefined;
      if (needsBody !== (probe.phase === 'body')) continue;
      if (s.method !== undefined && s.method !== probe.method) continue;
      if (!rule.pathRegex.test(probe.path)) continue;
      if (needsBody && s.grantType !== probe.grantType) continue;
      s.matched += 1;
      if (!shouldFire(rule)) continue;
      const isLatency = s.fault.kind === 'latency';
      if (!isLatency && decision.action !== undefined) continue; // a terminal fault already won
      s.fired += 1;
      this.firedTotal += 1;
      decision.firedRuleIds.push(s.id);
      if (s.fault.kind === 'latency') decision.latencyMs += s.fault.ms;
      else decision.action = s.fault;
    }
    return decision;
  }
}

function shouldFire(rule: ActiveRule): boolean {
  const s = rule.state;
  if (s.times !== undefined && s.fired >= s.times) return false;
  if (s.nth !== undefined && s.matched !== s.nth) return false;
  if (s.every !== undefined && s.matched % s.every !== 0) return false;
  if (s.probability !== undefined && rule.random() >= s.probability) return false;
  return true;
}

/** `*` = one path segment, `**` = anything; everything else literal; anchored both ends. */
export function globToRegex(glob: string): RegExp {
  let source = '';
  for (let i = 0; i < glob.length; i++) {
    const ch = glob[i];
    if (ch === '*') {
      if (glob[i + 1] === '*') {
        source += '.*';
        i += 1;
      } else {
        source += '[^/]+';
      }
    } else {
      source += ch.replace(/[.+?^${}()|[\]\\]/g, '\\$&');
    }
  }
  return new RegExp(`^${source}$`);
}

/** Small deterministic PRNG so probabilistic faults replay the same way for the same seed. */
function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function validateRule(rule: FaultRule): void {
  const positiveInt = (value: number | undefined, name: string): void => {
    if (value !== undefined && (!Number.isInteger(value) || value < 1)) throw new Error(`fault rule: ${name} must be an integer >= 1`);
  };
  if (typeof rule.path !== 'string' && !(rule.path instanceof RegExp)) throw new Error('fault rule: path must be a glob string or RegExp');
  positiveInt(rule.nth, 'nth');
  positiveInt(rule.every, 'every');
  positiveInt(rule.times, 'times');
  if (rule.probability !== undefined && !(rule.probability >= 0 && rule.probability <= 1)) {
    throw new Error('fault rule: probability must be between 0 and 1');
  }
  const f = rule.fault;
  switch (f?.kind) {
    case 'status':
      if (!Number.isInteger(f.status) || f.status < 400 || f.status > 599) throw new Error('fault rule: status must be 400..599');
      return;
    case 'reset':
      if (f.phase !== 'request' && f.phase !== 'response') throw new Error("fault rule: reset phase must be 'request' or 'response'");
      if (f.afterBytes !== undefined && (!Number.isInteger(f.afterBytes) || f.afterBytes < 0)) throw new Error('fault rule: afterBytes must be >= 0');
      return;
    case 'latency':
      if (!(typeof f.ms === 'number' && f.ms >= 0)) throw new Error('fault rule: latency ms must be >= 0');
      return;
    case 'hang':
      return;
    case 'oauth-error':
      if (typeof f.error !== 'string' || f.error.length === 0) throw new Error('fault rule: oauth-error needs an error code');
      return;
    default:
      throw new Error("fault rule: fault.kind must be one of 'status', 'reset', 'latency', 'hang', 'oauth-error'");
  }
}

/**
 * Reads a rule from JSON (the control endpoint). Same shape as `FaultRule`, except a regular
 * expression is given as `"pathRegex": "<source>"` instead of `path`.
 */
export function faultRuleFromJson(value: unknown): FaultRule {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new Error('fault rule must be a JSON object');
  const raw = value as Record<string, unknown>;
  const { pathRegex, ...rest } = raw;
  let path: string | RegExp;
  if (typeof pathRegex === 'string') path = new RegExp(pathRegex);
  else if (typeof raw['path'] === 'string') path = raw['path'];
  else throw new Error('fault rule needs "path" (glob) or "pathRegex"');
  const rule = { ...rest, path } as FaultRule;
  validateRule(rule);
  return rule;
}

/**
 * One node:http server playing both the login host and the org's instance. This file routes a
 * request to its surface (OAuth, REST, UI export, UI pages, control), applies the faults that act
 * before any handler, enforces REST sessions and limits, and owns start/stop.
 */
import { generateKeyPair, createPrivateKey, createPublicKey } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { promisify } from 'node:util';
import { handleBulkQuery } from './bulk-query';
import { handleControl } from './control';
import { handleLimits, handleVersionRoot, handleVersions } from './data-resources';
import { INVALID_SESSION, NOT_FOUND, REQUEST_LIMIT_EXCEEDED, SERVER_UNAVAILABLE, SESSION_NOT_VALID_FOR_REST, unknownException } from './errors';
import type { ActiveFault, FaultSpec, FaultTarget } from './faults';
import { BodyTooLargeError, bearerToken, htmlPage, sendHtml, sendJson, sendRestError, sleep, type Exchange } from './http-io';
import { toId15, toId18 } from './ids';
import { handleAuthorize, handleIdentity, handleRevoke, handleToken, handleUserInfo } from './oauth';
import type { SfdcEmulatorOptions } from './options';
import { handleReportExport, sendRedirectLoop } from './report-export';
import { reportBodyBuffer, reportFooter, type ReportSpec } from './report-generator';
import { handleReportsApi } from './reports-api';
import { redactPath, type RecordedRequest, type Surface } from './request-log';
import { JWT_APP_CLIENT_ID } from './seed-data';
import type { SessionKind } from './sessions';
import { createState, findReport, type EmulatorState, type GrantFlow } from './state';
import { handleFrontdoor, handleRoot, handleUnknownPage } from './ui-pages';

/** The fault switchboard, as tests see it. */
export interface SfdcFaults {
  /** Arms a fault; returns its id. */
  inject(fault: FaultSpec): string;
  /** Disarms one fault, or all. */
  clear(id?: string): void;
  readonly active: readonly ActiveFault[];
}

export interface SfdcEmulator {
  /** http://127.0.0.1:PORT: login URL and instance URL at once. */
  readonly url: string;
  /** Newest API version, e.g. "62.0". */
  readonly apiVersion: string;
  readonly orgId: string;
  readonly faults: SfdcFaults;
  /** A valid session id for the user (default ops@acme.com), as the `session` login mode would paste it. */
  issueSession(username?: string, kind?: SessionKind): string;
  /** Ends every session now (refresh tokens survive). */
  expireSessions(): void;
  /** Client id of the seeded JWT connected app ("demo-connected-app"). */
  readonly jwtClientId: string;
  /** PKCS#8 PEM private key that signs assertions for the JWT app. */
  readonly jwtPrivateKeyPem: string;
  /** SPKI PEM public key the emulator verifies those assertions with. */
  readonly jwtPublicKeyPem: string;
  /** Adds or replaces a report. */
  addReport(spec: ReportSpec): void;
  report(reportId: string): ReportSpec | undefined;
  /** The export's body bytes (header + rows, no footer); builds the whole report in memory, so small reports only. */
  reportCsv(reportId: string): Buffer;
  /** The footer bytes an export by this user at this time ends with. */
  reportFooter(reportId: string, generatedAt: Date, username?: string): Buffer;
  /** Every finished client request (control calls excluded), oldest first. */
  readonly requests: readonly RecordedRequest[];
  /** Requests still being answered, with progress so far (bodyBytes), e.g. to observe backpressure. */
  readonly activeRequests: readonly RecordedRequest[];
  clearRequests(): void;
  /** Successful token grants per OAuth flow. */
  readonly tokenGrants: Readonly<Record<GrantFlow, number>>;
  /** Every session id (access token) and refresh token issued so far, expired ones included, for tests that search output for them. */
  readonly issuedCredentials: readonly string[];
  /** Most simultaneous requests seen on a surface, e.g. "export". */
  peakConcurrency(surface: Surface): number;
  /** Human-readable lines: URLs, users, apps, reports, control endpoint (for `pipe emulate sfdc`). */
  describe(): string[];
  /** Closes the server, including keep-alive and hung connections. */
  stop(): Promise<void>;
}

const EXPORT_PATH = /^\/(00O[A-Za-z0-9]{12}(?:[A-Za-z0-9]{3})?)\/?$/;
const REST_PATH = /^\/services\/data\/v(\d+\.0)(\/.*)?$/;

function classify(pathname: string): { surface: Surface; reportId?: string } {
  if (pathname === '/__emulator' || pathname.startsWith('/__emulator/')) return { surface: 'control' };
  if (pathname.startsWith('/services/oauth2/') || pathname.startsWith('/id/')) return { surface: 'oauth' };
  if (pathname === '/services/data' || pathname.startsWith('/services/data/')) {
    const report = /^\/services\/data\/v\d+\.0\/analytics\/reports\/([A-Za-z0-9]{15,18})\b/.exec(pathname);
    return { surface: 'rest', reportId: report?.[1] };
  }
  const exportMatch = EXPORT_PATH.exec(pathname);
  if (exportMatch) return { surface: 'export', reportId: exportMatch[1] };
  return { surface: 'ui' };
}

/** The request's credentials as a debugging proxy's error page would quote them back. */
function echoedCredentials(ex: Exchange): string {
  const { authorization, cookie } = ex.req.headers;
  return [authorization && `Authorization: ${authorization}`, cookie && `Cookie: ${cookie}`].filter(Boolean).join('; ') || 'no credentials';
}

/**
 * A 5xx in the surface's own dialect: JSON array on REST, OAuth JSON on the token endpoint, HTML in
 * the UI. With `echo`, the message quotes the request's credentials (server-error echoCredentials).
 */
function sendServerError(ex: Exchange, surface: Surface, status: number, echo = false): void {
  const echoed = echo ? ` (request: ${echoedCredentials(ex)})` : '';
  if (surface === 'rest') {
    const error = status === 503 ? SERVER_UNAVAILABLE : unknownException('1234567890-12345 (-1234567890)');
    return sendRestError(ex, status, { ...error, message: `${error.message}${echoed}` });
  }
  if (surface === 'oauth' && ex.url.pathname === '/services/oauth2/token') {
    return sendJson(ex, status, { error: 'server_error', error_description: `internal server error${echoed}` });
  }
  sendHtml(ex, status, htmlPage('Error | Salesforce', `<p>An internal server error has occurred.${echoed}</p>`));
}

function maintenancePage(ex: Exchange): void {
  sendHtml(ex, 200, htmlPage('Salesforce - Maintenance', '<p>Salesforce is down for maintenance. Please try again later.</p>'));
}

/** Faults that replace the answer before a handler runs. Returns true when the request is answered. */
async function applyPreRoutingFaults(state: EmulatorState, ex: Exchange, target: FaultTarget): Promise<boolean> {
  const slow = state.faults.take('slow-first-byte', target);
  if (slow !== undefined) {
    ex.record.faults.push('slow-first-byte');
    await sleep(slow.delayMs, state.shutdown.signal);
    if (ex.res.destroyed || ex.req.socket.destroyed) return true;
  }
  const serverError = state.faults.take('server-error', target);
  if (serverError !== undefined) {
    ex.record.faults.push('server-error');
    sendServerError(ex, target.surface, serverError.status ?? 500, serverError.echoCredentials === true);
    return true;
  }
  if (state.faults.take('html-page', target) !== undefined) {
    ex.record.faults.push('html-page');
    maintenancePage(ex);
    return true;
  }
  if (state.faults.take('redirect-loop', target) !== undefined) {
    ex.record.faults.push('redirect-loop');
    sendRedirectLoop(state, ex);
    return true;
  }
  return false;
}

/** /services/data/...: session check, then REST faults and limits, then the resource. */
async function routeRest(state: EmulatorState, ex: Exchange, target: FaultTarget): Promise<void> {
  const path = ex.url.pathname;
  if (path === '/services/data' || path === '/services/data/') return handleVersions(state, ex);
  const match = REST_PATH.exec(path);
  if (match === null) return sendRestError(ex, 404, NOT_FOUND);
  const version = match[1];
  const rest = match[2] ?? '';
  const session = state.sessions.lookup(bearerToken(ex.req));
  if (session === undefined) return sendRestError(ex, 401, INVALID_SESSION);
  if (session.kind === 'ui') return sendRestError(ex, 401, SESSION_NOT_VALID_FOR_REST);
  if (state.faults.take('invalid-rest-session', target) !== undefined) {
    ex.record.faults.push('invalid-rest-session');
    return sendRestError(ex, 401, SESSION_NOT_VALID_FOR_REST);
  }
  state.apiRequestsUsed += 1;
  ex.res.setHeader('sforce-limit-info', `api-usage=${state.apiRequestsUsed}/${state.dailyApiRequestLimit}`);
  if (state.faults.take('request-limit-exceeded', target) !== undefined) {
    ex.record.faults.push('request-limit-exceeded');
    return sendRestError(ex, 403, REQUEST_LIMIT_EXCEEDED);
  }
  if (state.apiRequestsUsed > state.dailyApiRequestLimit) return sendRestError(ex, 403, REQUEST_LIMIT_EXCEEDED);

  if (rest === '' || rest === '/') return handleVersionRoot(state, ex, version, session.username);
  if (rest === '/limits' || rest === '/limits/') return handleLimits(state, ex);
  if (rest === '/analytics/reports' || rest.startsWith('/analytics/reports/')) {
    return handleReportsApi(state, ex, session, version, rest.slice('/analytics/reports'.length));
  }
  if (rest === '/jobs/query' || rest.startsWith('/jobs/query/')) {
    return handleBulkQuery(state, ex, session, version, rest.slice('/jobs/query'.length));
  }
  sendRestError(ex, 404, NOT_FOUND);
}

async function route(
  state: EmulatorState,
  ex: Exchange,
  reportId: string | undefined,
  issueSession: SfdcEmulator['issueSession'],
  jwtPrivateKeyPem: string,
): Promise<void> {
  const surface = ex.record.surface;
  const path = ex.url.pathname;
  if (surface === 'control') {
    if (!state.controlEndpoint) return handleUnknownPage(ex);
    return handleControl(state, ex, issueSession, jwtPrivateKeyPem);
  }
  state.faults.countRequest();
  const target: FaultTarget = { surface, method: ex.req.method ?? 'GET', path, reportId };
  if (await applyPreRoutingFaults(state, ex, target)) return;
  switch (surface) {
    case 'rest':
      return routeRest(state, ex, target);
    case 'export':
      if (ex.req.method !== 'GET' && ex.req.method !== 'HEAD') return handleUnknownPage(ex);
      return handleReportExport(state, ex, reportId!);
    case 'oauth': {
      if (path === '/services/oauth2/token') return handleToken(state, ex);
      if (path === '/services/oauth2/authorize') return handleAuthorize(state, ex);
      if (path === '/services/oauth2/userinfo') return handleUserInfo(state, ex);
      if (path === '/services/oauth2/revoke') return handleRevoke(state, ex);
      const identity = /^\/id\/([A-Za-z0-9]{18})\/([A-Za-z0-9]{18})\/?$/.exec(path);
      if (identity) return handleIdentity(state, ex, identity[1], identity[2]);
      return sendJson(ex, 404, { error: 'not_found', error_description: 'unknown OAuth endpoint' });
    }
    case 'ui':
      if (path === '/') return handleRoot(state, ex);
      if (path === '/secur/frontdoor.jsp') return handleFrontdoor(state, ex);
      return handleUnknownPage(ex);
  }
}

function onRequest(state: EmulatorState, issueSession: SfdcEmulator['issueSession'], jwtPrivateKeyPem: string) {
  return (req: IncomingMessage, res: ServerResponse): void => {
    const url = new URL(req.url ?? '/', state.baseUrl);
    const { surface, reportId } = classify(url.pathname);
    const record = state.log.begin(req.method ?? 'GET', redactPath(url), surface, Date.now());
    if (reportId !== undefined) record.reportId = toId18(reportId);
    const ex: Exchange = { req, res, url, record };
    res.once('close', () => {
      if (record.status === 0) record.status = res.headersSent ? res.statusCode : 0;
      if (record.outcome === 'completed' && !res.writableFinished) record.outcome = 'aborted';
      state.log.finish(record, Date.now());
    });
    route(state, ex, reportId, issueSession, jwtPrivateKeyPem).catch((error: unknown) => {
      if (res.headersSent) return void res.socket?.destroy();
      if (error instanceof BodyTooLargeError) return sendJson(ex, 413, [{ errorCode: 'REQUEST_ENTITY_TOO_LARGE', message: error.message }]);
      sendServerError(ex, surface, 500);
      state.log.serverError(error);
    });
  };
}

function describeOrg(state: EmulatorState): string[] {
  const url = state.baseUrl;
  const ccApps = [...state.apps.values()].filter((a) => a.runAsUsername !== undefined);
  return [
    `login and instance URL: ${url} (API v${state.apiVersion}, any vNN.0 accepted)`,
    `org: ${state.orgName} ${state.orgId}; users: ${[...state.users.values()].map((u) => u.username).join(', ')}`,
    `JWT app: client id ${JWT_APP_CLIENT_ID}, private key at GET ${url}/__emulator/jwt-key`,
    ...ccApps.map((a) => `client-credentials app: ${a.clientId} / ${a.clientSecret ?? ''} (runs as ${a.runAsUsername})`),
    ...[...state.reports.values()].map((r) => `report ${toId18(r.id)} "${r.name}": ${r.rows} rows${r.runnableBy?.length === 0 ? ' (nobody may run it)' : ''}`),
    ...[...state.datasets.values()].map((d) => `Bulk query: SELECT ${(d.fields ?? []).map((f) => f.name).join(', ')} FROM ${d.object} (${d.rows} rows)`),
    ...(state.controlEndpoint
      ? [
          `session for the session login mode: POST ${url}/__emulator/sessions`,
          `faults: POST ${url}/__emulator/faults {"kind":"request-limit-exceeded","times":3}`,
        ]
      : []),
  ];
}

async function jwtKeys(options: SfdcEmulatorOptions): Promise<{ privatePem: string; publicPem: string }> {
  if (options.jwtPrivateKeyPem !== undefined) {
    const key = createPrivateKey(options.jwtPrivateKeyPem);
    return { privatePem: options.jwtPrivateKeyPem, publicPem: createPublicKey(key).export({ type: 'spki', format: 'pem' }).toString() };
  }
  const { privateKey, publicKey } = await promisify(generateKeyPair)('rsa', {
    modulusLength: 2048,
    publicKeyEncoding: { type: 'spki', format: 'pem' },
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
  });
  return { privatePem: privateKey, publicPem: publicKey };
}

function listen(server: Server, port: number, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      const address = server.address();
      if (address === null || typeof address === 'string') return reject(new Error('emulator has no TCP address'));
      resolve(address.port);
    });
  });
}

/** Starts an emulated org on 127.0.0.1 and a run-time port (see SfdcEmulatorOptions for the knobs). */
export async function startSfdcEmulator(options: SfdcEmulatorOptions = {}): Promise<SfdcEmulator> {
  const keys = await jwtKeys(options);
  const state = createState(options, keys.publicPem);
  const sockets = new Set<Socket>();

  const issueSession = (username?: string, kind: SessionKind = 'api'): string => {
    const user = state.users.get((username ?? state.authorizeUsername).toLowerCase());
    if (user === undefined) throw new Error(`unknown user "${username}"; known: ${[...state.users.keys()].join(', ')}`);
    return state.sessions.issue(user.username, kind).id;
  };

  const server = createServer(onRequest(state, issueSession, keys.privatePem));
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  const host = options.host ?? '127.0.0.1';
  const port = await listen(server, options.port ?? 0, host);
  state.baseUrl = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;

  const requireReport = (reportId: string): ReportSpec => {
    const report = findReport(state, reportId);
    if (report === undefined) throw new Error(`no report ${reportId} in the emulated org`);
    return report;
  };

  let stopped: Promise<void> | undefined;
  return {
    url: state.baseUrl,
    apiVersion: state.apiVersion,
    orgId: state.orgId,
    faults: {
      inject: (fault) => state.faults.inject(fault),
      clear: (id) => state.faults.clear(id),
      get active() {
        return state.faults.active;
      },
    },
    issueSession,
    expireSessions: () => state.sessions.expireAll(),
    jwtClientId: JWT_APP_CLIENT_ID,
    jwtPrivateKeyPem: keys.privatePem,
    jwtPublicKeyPem: keys.publicPem,
    addReport: (spec) => void state.reports.set(toId15(spec.id), spec),
    report: (reportId) => findReport(state, reportId),
    reportCsv: (reportId) => reportBodyBuffer(requireReport(reportId)),
    reportFooter: (reportId, generatedAt, username) => {
      const user = state.users.get((username ?? state.authorizeUsername).toLowerCase());
      return reportFooter(requireReport(reportId), { orgName: state.orgName, generatedBy: user?.displayName ?? username ?? '', generatedAt });
    },
    get requests() {
      return state.log.requests;
    },
    get activeRequests() {
      return state.log.inFlight;
    },
    clearRequests: () => state.log.clear(),
    get tokenGrants() {
      return { ...state.grants };
    },
    get issuedCredentials() {
      return state.sessions.issuedCredentials;
    },
    peakConcurrency: (surface) => state.log.peakConcurrency(surface),
    describe: () => describeOrg(state),
    stop: () => {
      stopped ??= new Promise<void>((resolve) => {
        state.shutdown.abort();
        server.close(() => resolve());
        for (const socket of sockets) socket.destroy();
      });
      return stopped;
    },
  };
}

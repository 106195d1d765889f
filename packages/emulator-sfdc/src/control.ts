/**
 * Test-only control endpoint under /__emulator, so a test can drive an emulator that a separate
 * process (the CLI under test) talks to. Bodies are JSON; faults use the same FaultSpec objects as
 * the programmatic API.
 *
 *   GET    /__emulator                   org summary: url, apiVersion, orgId, users, reports
 *   POST   /__emulator/faults            FaultSpec or FaultSpec[] -> 201 {"ids": [...]}
 *   GET    /__emulator/faults            {"faults": [...]}
 *   DELETE /__emulator/faults[/{id}]     204
 *   POST   /__emulator/expire-sessions   204
 *   POST   /__emulator/sessions          {"username"?, "kind"?: "api"|"ui"} -> 201 {"sessionId", "instanceUrl", "username"}
 *   GET    /__emulator/requests          {"requests": [...]}
 *   DELETE /__emulator/requests          204
 *   GET    /__emulator/grants            token grants per flow
 *   POST   /__emulator/reports           ReportSpec -> 201
 *   GET    /__emulator/jwt-key           the seeded JWT app's private key (PEM), generated for this run
 */
import type { FaultSpec } from './faults';
import { readBody, send, sendJson, type Exchange } from './http-io';
import { toId15, toId18 } from './ids';
import type { ReportSpec } from './report-generator';
import type { SessionKind } from './sessions';
import type { EmulatorState } from './state';

function noContent(ex: Exchange): void {
  ex.record.status = 204;
  ex.res.writeHead(204).end();
}

function badRequest(ex: Exchange, message: string): void {
  sendJson(ex, 400, { error: message });
}

async function readJson(ex: Exchange): Promise<unknown> {
  const body = (await readBody(ex.req)).toString('utf8');
  return body.trim() === '' ? {} : (JSON.parse(body) as unknown);
}

/** Validates a report spec coming from JSON. */
export function validateReportSpec(input: unknown): ReportSpec {
  const spec = input as Partial<ReportSpec> | null;
  if (typeof spec !== 'object' || spec === null) throw new Error('a report is a JSON object');
  if (typeof spec.id !== 'string' || !/^00O([A-Za-z0-9]{12}|[A-Za-z0-9]{15})$/.test(spec.id))
    throw new Error('report "id" must be a 15- or 18-character id starting with 00O');
  if (typeof spec.name !== 'string' || spec.name === '') throw new Error('report "name" is required');
  if (typeof spec.rows !== 'number' || !Number.isInteger(spec.rows) || spec.rows < 0) throw new Error('report "rows" must be a non-negative integer');
  return spec as ReportSpec;
}

export async function handleControl(
  state: EmulatorState,
  ex: Exchange,
  issueSession: (username?: string, kind?: SessionKind) => string,
  jwtPrivateKeyPem: string,
): Promise<void> {
  const method = ex.req.method ?? 'GET';
  const path = ex.url.pathname.replace(/\/+$/, '');
  try {
    if (path === '/__emulator' && method === 'GET') {
      return sendJson(ex, 200, {
        url: state.baseUrl,
        apiVersion: state.apiVersion,
        orgId: state.orgId,
        orgName: state.orgName,
        users: [...state.users.values()].map((u) => u.username),
        connectedApps: [...state.apps.keys()],
        reports: [...state.reports.values()].map((r) => ({ id: toId18(r.id), name: r.name, rows: r.rows })),
      });
    }
    if (path === '/__emulator/faults') {
      if (method === 'GET') return sendJson(ex, 200, { faults: state.faults.active });
      if (method === 'DELETE') return (state.faults.clear(), noContent(ex));
      if (method === 'POST') {
        const body = await readJson(ex);
        const specs = (Array.isArray(body) ? body : [body]) as FaultSpec[];
        return sendJson(ex, 201, { ids: specs.map((spec) => state.faults.inject(spec)) });
      }
    }
    const faultId = /^\/__emulator\/faults\/([\w-]+)$/.exec(path);
    if (faultId && method === 'DELETE') return (state.faults.clear(faultId[1]), noContent(ex));
    if (path === '/__emulator/expire-sessions' && method === 'POST') return (state.sessions.expireAll(), noContent(ex));
    if (path === '/__emulator/sessions' && method === 'POST') {
      const body = (await readJson(ex)) as { username?: unknown; kind?: unknown };
      const username = typeof body.username === 'string' ? body.username : undefined;
      const kind = body.kind === 'ui' ? 'ui' : 'api';
      const sessionId = issueSession(username, kind);
      return sendJson(ex, 201, { sessionId, instanceUrl: state.baseUrl, username: state.sessions.lookup(sessionId)?.username });
    }
    if (path === '/__emulator/requests') {
      if (method === 'GET') return sendJson(ex, 200, { requests: state.log.requests });
      if (method === 'DELETE') return (state.log.clear(), noContent(ex));
    }
    if (path === '/__emulator/grants' && method === 'GET') return sendJson(ex, 200, state.grants);
    // A throwaway demo key, so a CLI in another process can sign assertions for `pipe emulate sfdc`.
    if (path === '/__emulator/jwt-key' && method === 'GET') return send(ex, 200, { 'content-type': 'application/x-pem-file' }, jwtPrivateKeyPem);
    if (path === '/__emulator/reports' && method === 'POST') {
      const spec = validateReportSpec(await readJson(ex));
      state.reports.set(toId15(spec.id), spec);
      return sendJson(ex, 201, { id: toId18(spec.id) });
    }
    sendJson(ex, 404, { error: `no control route ${method} ${path}` });
  } catch (error) {
    // Bad JSON, an invalid fault or report, an unknown user: all are the caller's mistake.
    if (error instanceof Error) return badRequest(ex, error.message);
    throw error;
  }
}

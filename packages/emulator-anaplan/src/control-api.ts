/**
 * Test-only control routes under `/__emulator/…`, so a separate process (the CLI, a demo
 * script) can inject faults, approve devices and read what the emulator saw. They are not
 * part of Anaplan, bypass fault injection and are not recorded in the request log.
 *
 *   POST   /__emulator/faults            a rule, an array of rules, or {"rules":[…]} → 201 {"ids":[…]}
 *   GET    /__emulator/faults            {"rules":[…]} with matched/fired counters
 *   DELETE /__emulator/faults            remove all rules → 204
 *   DELETE /__emulator/faults/{id}       remove one rule → 204 | 404
 *   POST   /__emulator/devices/approve   {"userCode":"ABCD-EFGH"} → 204 | 404
 *   PUT    /__emulator/import-rules      {"rules":[…]} replaces the import rejection rules → 204
 *   POST   /__emulator/tokens/revoke     every issued token stops working → 204
 *   PUT    /__emulator/link              {"bandwidthBytesPerSecond","latencyMs","maxChunkUploadsInFlight",…} replaces the link model → 204
 *   GET    /__emulator/link              the link's settings and accounting (uploads in flight, 429s, bytes granted)
 *   GET    /__emulator/stats             counters (logins per mode, max concurrent chunk PUTs, …)
 *   GET    /__emulator/requests          the request log
 *   GET    /__emulator/files/{ws}/{model}/{fileId}   assembled file content
 */
import { bytes, empty, json, type EmulatorResponse } from './envelope';
import { faultRuleFromJson, type FaultInjector, type FaultRule } from './faults';
import type { LinkSettings, LinkStats } from './link-model';
import type { ImportRowRule } from './options';
import type { RecordedRequest } from './request-log';
import type { Route, RouteContext } from './router';

export interface ControlTarget {
  faults: FaultInjector;
  approveDevice(userCode: string): void;
  setImportRules(rules: ImportRowRule[]): void;
  revokeAllTokens(): void;
  setLink(settings: LinkSettings): void;
  linkStats(): LinkStats;
  stats(): object;
  readonly requests: readonly RecordedRequest[];
  getFileContent(workspaceId: string, modelId: string, fileId: string): Buffer;
}

export function controlRoutes(target: ControlTarget): Route[] {
  return [
    { method: 'POST', pattern: '/__emulator/faults', name: 'control.faults.add', handler: (ctx) => addFaults(target, ctx) },
    { method: 'GET', pattern: '/__emulator/faults', name: 'control.faults.list', handler: () => json(200, { rules: target.faults.list() }) },
    {
      method: 'DELETE',
      pattern: '/__emulator/faults',
      name: 'control.faults.clear',
      handler: () => {
        target.faults.clear();
        return empty(204);
      },
    },
    {
      method: 'DELETE',
      pattern: '/__emulator/faults/:id',
      name: 'control.faults.remove',
      handler: (ctx) => (target.faults.remove(ctx.params['id']) ? empty(204) : controlError(404, 'No such fault rule')),
    },
    {
      method: 'POST',
      pattern: '/__emulator/devices/approve',
      name: 'control.devices.approve',
      handler: (ctx) =>
        withJson(ctx, (body) => {
          const userCode = (body as Record<string, unknown>)['userCode'];
          if (typeof userCode !== 'string') return controlError(400, 'Body must be {"userCode": "…"}');
          try {
            target.approveDevice(userCode);
          } catch (error) {
            return controlError(404, (error as Error).message);
          }
          return empty(204);
        }),
    },
    {
      method: 'PUT',
      pattern: '/__emulator/import-rules',
      name: 'control.importRules.set',
      handler: (ctx) =>
        withJson(ctx, (body) => {
          const rules = (body as Record<string, unknown>)['rules'];
          if (!Array.isArray(rules)) return controlError(400, 'Body must be {"rules": [ … ]}');
          try {
            target.setImportRules(rules as ImportRowRule[]);
          } catch (error) {
            return controlError(400, (error as Error).message);
          }
          return empty(204);
        }),
    },
    {
      method: 'POST',
      pattern: '/__emulator/tokens/revoke',
      name: 'control.tokens.revoke',
      handler: () => {
        target.revokeAllTokens();
        return empty(204);
      },
    },
    {
      method: 'PUT',
      pattern: '/__emulator/link',
      name: 'control.link.set',
      handler: (ctx) =>
        withJson(ctx, (body) => {
          try {
            target.setLink(body as LinkSettings);
          } catch (error) {
            return controlError(400, (error as Error).message);
          }
          return empty(204);
        }),
    },
    { method: 'GET', pattern: '/__emulator/link', name: 'control.link.get', handler: () => json(200, target.linkStats()) },
    { method: 'GET', pattern: '/__emulator/stats', name: 'control.stats', handler: () => json(200, target.stats()) },
    { method: 'GET', pattern: '/__emulator/requests', name: 'control.requests', handler: () => json(200, { requests: target.requests }) },
    {
      method: 'GET',
      pattern: '/__emulator/files/:ws/:model/:fileId',
      name: 'control.files.get',
      handler: (ctx) => {
        try {
          const content = target.getFileContent(ctx.params['ws'], ctx.params['model'], ctx.params['fileId']);
          return bytes(200, content, 'application/octet-stream');
        } catch (error) {
          return controlError(404, (error as Error).message);
        }
      },
    },
  ];
}

function addFaults(target: ControlTarget, ctx: RouteContext): EmulatorResponse {
  return withJson(ctx, (body) => {
    const list: unknown[] = Array.isArray(body)
      ? body
      : typeof body === 'object' && body !== null && Array.isArray((body as Record<string, unknown>)['rules'])
        ? ((body as Record<string, unknown>)['rules'] as unknown[])
        : [body];
    let rules: FaultRule[];
    try {
      rules = list.map(faultRuleFromJson);
    } catch (error) {
      return controlError(400, (error as Error).message);
    }
    return json(201, { ids: rules.map((r) => target.faults.add(r)) });
  });
}

function withJson(ctx: RouteContext, use: (body: unknown) => EmulatorResponse): EmulatorResponse {
  let body: unknown;
  try {
    body = JSON.parse(ctx.body.toString('utf8') || '{}');
  } catch {
    return controlError(400, 'Body must be JSON');
  }
  return use(body);
}

function controlError(status: number, message: string): EmulatorResponse {
  return json(status, { error: message });
}

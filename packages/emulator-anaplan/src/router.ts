/**
 * Path-pattern routing (`/2/0/workspaces/:ws/models/:model/files/:fileId`), kept separate from
 * the server so each API module only declares its routes.
 */
import type { IncomingHttpHeaders } from 'node:http';
import type { EmulatorResponse } from './envelope';

export interface RouteContext {
  method: string;
  /** Raw path without the query string, as the client sent it. */
  path: string;
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
  /** Decoded path parameters. */
  params: Record<string, string>;
  /** The body in one buffer (joined on first use). */
  readonly body: Buffer;
  /**
   * The body as it came off the socket, for a handler that keeps it as it is: a chunk upload
   * stored without joining its pieces costs the emulator no copy of every byte.
   */
  readonly bodyParts: readonly Buffer[];
  /** True when the body exceeded the route's `maxBodyBytes`; `body` is then empty. */
  bodyTooLarge: boolean;
  bodyBytes: number;
}

export type RouteHandler = (ctx: RouteContext) => EmulatorResponse | Promise<EmulatorResponse>;

export interface Route {
  method: string;
  /** Segments starting with `:` are parameters. */
  pattern: string;
  /** Stable name used in the request log and for in-flight accounting. */
  name: string;
  /** Bodies above this are drained and dropped; the handler sees `bodyTooLarge`. Default 1 MiB. */
  maxBodyBytes?: number;
  handler: RouteHandler;
}

export type RouteMatch = { kind: 'found'; route: Route; params: Record<string, string> } | { kind: 'wrong-method'; allowed: string[] } | { kind: 'none' };

interface CompiledRoute {
  route: Route;
  segments: string[];
}

export class Router {
  private readonly compiled: CompiledRoute[] = [];

  add(...routes: Route[]): void {
    for (const route of routes) this.compiled.push({ route, segments: splitPath(route.pattern) });
  }

  match(method: string, path: string): RouteMatch {
    const segments = splitPath(path);
    const allowed: string[] = [];
    for (const candidate of this.compiled) {
      const params = matchSegments(candidate.segments, segments);
      if (params === undefined) continue;
      if (candidate.route.method === method) return { kind: 'found', route: candidate.route, params };
      allowed.push(candidate.route.method);
    }
    return allowed.length > 0 ? { kind: 'wrong-method', allowed } : { kind: 'none' };
  }
}

function splitPath(path: string): string[] {
  return path.split('/').filter((s) => s.length > 0);
}

function matchSegments(pattern: string[], actual: string[]): Record<string, string> | undefined {
  if (pattern.length !== actual.length) return undefined;
  const params: Record<string, string> = {};
  for (let i = 0; i < pattern.length; i++) {
    const expected = pattern[i];
    const got = actual[i];
    if (expected.startsWith(':')) {
      const decoded = safeDecode(got);
      if (decoded === undefined) return undefined;
      params[expected.slice(1)] = decoded;
    } else if (expected !== got) {
      return undefined;
    }
  }
  return params;
}

function safeDecode(segment: string): string | undefined {
  try {
    return decodeURIComponent(segment);
  } catch {
    return undefined;
  }
}

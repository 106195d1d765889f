/**
 * Where the queue is: `--redis`, else PIPE_REDIS_URL, else the pipeline file's `queue: { redis: }`.
 * A Redis URL may hold a password (`redis://:secret@host:6379`): it is registered as a secret and
 * never shown; messages name the server as `redis://host:port/db`.
 */
import { ExitCode, PipeError } from '@pipe/core';

export interface RedisUrlSources {
  /** `--redis URL`. */
  readonly flag?: string;
  /** PIPE_REDIS_URL. */
  readonly env?: string;
  /** The pipeline file's `queue.redis`, when the command has a file. */
  readonly file?: string;
}

export const REDIS_URL_HELP = 'pass --redis redis://HOST:6379, set PIPE_REDIS_URL, or add `queue: { redis: redis://HOST:6379 }` to the pipeline file';

export function resolveRedisUrl(sources: RedisUrlSources): string {
  const url = sources.flag || sources.env || sources.file;
  if (!url) throw new PipeError(`no Redis URL for the queue: ${REDIS_URL_HELP}`, { code: 'NO_REDIS_URL', exitCode: ExitCode.Usage });
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new PipeError(`the Redis URL is not a URL; write it as redis://HOST:PORT (rediss:// for TLS)`, { code: 'BAD_REDIS_URL', exitCode: ExitCode.Usage });
  }
  if (parsed.protocol !== 'redis:' && parsed.protocol !== 'rediss:') {
    throw new PipeError(`the Redis URL must start with redis:// or rediss://, not ${parsed.protocol}//`, { code: 'BAD_REDIS_URL', exitCode: ExitCode.Usage });
  }
  return url;
}

/** The parts of a Redis URL that must never be shown. */
export function redisUrlSecrets(url: string): string[] {
  const parsed = new URL(url);
  return [parsed.password, decodeURIComponent(parsed.password)].filter((s) => s.length > 0);
}

/** The server a URL points at, without credentials: `redis://host:port/db`. */
export function describeRedis(url: string): string {
  const parsed = new URL(url);
  return `${parsed.protocol}//${parsed.hostname}:${parsed.port || '6379'}${parsed.pathname && parsed.pathname !== '/' ? parsed.pathname : ''}`;
}

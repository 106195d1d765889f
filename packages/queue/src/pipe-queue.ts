/**
 * The one BullMQ queue pipe's jobs go through, and the connection to its Redis. Every command
 * (enqueue, worker, queue, schedule, dashboard) opens it the same way: reach Redis within a
 * deadline (ioredis would otherwise wait forever) and refuse a Redis older than 6.2.
 */
import { Queue, type RedisClient } from 'bullmq';
import { ExitCode, PipeError, errorMessage } from '@pipe/core';
import type { QueueJobData } from './job-data';
import { RedisCommands } from './redis-commands';
import { describeRedis } from './redis-url';

export const QUEUE_NAME = 'pipelines';
/** Every key pipe keeps in Redis starts with it: BullMQ's (`pipe:pipelines:…`) and pipe's own. */
export const KEY_PREFIX = 'pipe';

const MINIMUM_REDIS = [6, 2];

export class PipeQueue {
  private constructor(
    readonly url: string,
    readonly queue: Queue<QueueJobData>,
    readonly redis: RedisCommands,
  ) {}

  /** `redis://host:port`, for messages. */
  get server(): string {
    return describeRedis(this.url);
  }

  static async connect(url: string, options: { timeoutMs?: number } = {}): Promise<PipeQueue> {
    const queue = new Queue<QueueJobData>(QUEUE_NAME, { connection: { url }, prefix: KEY_PREFIX });
    const timeoutMs = options.timeoutMs ?? 10_000;
    let timer: NodeJS.Timeout | undefined;
    // The first connection error (refused, unknown host) ends the wait: ioredis would retry it forever.
    let onError: (error: Error) => void = () => undefined;
    queue.on('error', (error) => onError(error));
    try {
      const client = await Promise.race([
        queue.waitUntilReady(),
        new Promise<never>((_, reject) => {
          onError = reject;
          timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs / 1000} s`)), timeoutMs);
        }),
      ]);
      onError = () => undefined;
      await checkVersion(client, url);
      return new PipeQueue(url, queue, new RedisCommands(client));
    } catch (error) {
      onError = () => undefined;
      await queue.close().catch(() => undefined);
      if (error instanceof PipeError) throw error;
      throw new PipeError(`cannot reach Redis at ${describeRedis(url)}: ${errorMessage(error)}; is redis-server running there, and is the URL right?`, {
        code: 'REDIS_UNREACHABLE',
        exitCode: ExitCode.Failed,
      });
    } finally {
      clearTimeout(timer);
    }
  }

  async close(): Promise<void> {
    await this.queue.close();
  }
}

async function checkVersion(client: RedisClient, url: string): Promise<void> {
  const info = await client.info();
  const version = /redis_version:(\d+)\.(\d+)/.exec(info);
  if (!version) return; // a Redis-compatible server that does not say; BullMQ will complain if it must
  const [major, minor] = [Number(version[1]), Number(version[2])];
  if (major < MINIMUM_REDIS[0] || (major === MINIMUM_REDIS[0] && minor < MINIMUM_REDIS[1])) {
    throw new PipeError(`Redis at ${describeRedis(url)} is version ${major}.${minor}; pipe's queue needs Redis 6.2 or later`, {
      code: 'REDIS_TOO_OLD',
      exitCode: ExitCode.Failed,
    });
  }
}

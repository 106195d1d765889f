/**
 * Plain Redis commands and Lua scripts on the connection BullMQ already holds, so pipe's own keys
 * (run state, target locks) need no second client library. Scripts run atomically in Redis:
 * what must not race between workers (take a lock only if free, release only one's own) is one.
 */
import type { RedisClient } from 'bullmq';

const defined = new WeakMap<RedisClient, Set<string>>();

export class RedisCommands {
  constructor(readonly client: RedisClient) {}

  /** Any Redis command, by name: `call('hsetnx', [key, field, value])`. */
  async call<T = unknown>(command: string, args: readonly (string | number)[]): Promise<T> {
    return (await this.client.runCommand(command, [...args])) as T;
  }

  /** Runs a Lua script (defined on this connection on first use) with its keys, then its arguments. */
  async script<T = unknown>(name: string, lua: string, keys: readonly string[], args: readonly (string | number)[]): Promise<T> {
    const names = defined.get(this.client) ?? new Set<string>();
    defined.set(this.client, names);
    // Dynamic key counts: the first argument says how many keys follow (ioredis's numberOfKeys: undefined form).
    if (!names.has(name)) {
      this.client.defineCommand(name, { numberOfKeys: undefined as unknown as number, lua });
      names.add(name);
    }
    return (await this.client.runCommand(name, [keys.length, ...keys, ...args])) as T;
  }
}

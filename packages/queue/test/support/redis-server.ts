/**
 * A real redis-server for tests: on 127.0.0.1, at a port chosen at run time, nothing persisted,
 * stopped after. Where redis-server is not installed, a developer sees a loud SKIPPED line and the
 * tests are skipped; under CI (CI=true) they fail instead, so CI never passes without them.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer, Socket } from 'node:net';
import { RedisCommands } from '../../src/redis-commands';
import { PipeQueue } from '../../src/pipe-queue';

export interface RedisServer {
  readonly url: string;
  readonly port: number;
  stop(): Promise<void>;
}

export function findRedisServer(): string | undefined {
  const found = spawnSync('sh', ['-c', 'command -v redis-server'], { encoding: 'utf8' }).stdout.trim();
  if (found) return found;
  return ['/usr/bin/redis-server', '/usr/local/bin/redis-server'].find((p) => existsSync(p));
}

/** `describe`, when redis-server is here (or CI, where its absence fails); else one loud SKIPPED line. */
export function describeWithRedis(name: string, body: () => void): void {
  if (findRedisServer() || process.env.CI) {
    describe(name, () => {
      if (!findRedisServer()) it('needs redis-server', () => fail('redis-server not found; CI installs it (.ci/run: apt-get install -y redis-server)'));
      else body();
    });
    return;
  }
  process.stderr.write(
    `\n*** SKIPPED: redis-server not found; "${name}" did not run. Install it (apt-get install -y redis-server) to run the queue tests. ***\n\n`,
  );
  describe.skip(name, body);
}

function fail(message: string): never {
  throw new Error(message);
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = new Socket();
    socket.once('connect', () => (socket.destroy(), resolve(true)));
    socket.once('error', () => resolve(false));
    socket.connect(port, '127.0.0.1');
  });
}

export async function startRedis(): Promise<RedisServer> {
  const binary = findRedisServer();
  if (!binary) throw new Error('redis-server not found');
  for (let tries = 0; ; tries++) {
    const port = await freePort();
    const child: ChildProcess = spawn(binary, ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
    let exited = false;
    child.once('exit', () => (exited = true));
    while (!exited && !(await accepts(port))) await new Promise((r) => setTimeout(r, 20));
    if (exited) {
      if (tries < 3) continue; // the port was taken between choosing it and binding it
      throw new Error(`redis-server did not start on port ${port}`);
    }
    return {
      url: `redis://127.0.0.1:${port}`,
      port,
      stop: () =>
        new Promise<void>((resolve) => {
          if (exited) return resolve();
          child.once('exit', () => resolve());
          child.kill('SIGKILL');
        }),
    };
  }
}

/** Every value Redis holds, whatever the key's type, as text: to search for secrets by value. */
export async function everyValue(url: string): Promise<string> {
  const queue = await PipeQueue.connect(url);
  const redis: RedisCommands = queue.redis;
  try {
    const texts: string[] = [];
    let cursor = '0';
    do {
      const [next, keys] = await redis.call<[string, string[]]>('scan', [cursor, 'COUNT', 1000]);
      cursor = next;
      for (const key of keys) {
        texts.push(key);
        const type = await redis.call<string>('type', [key]);
        const read: Record<string, [string, (string | number)[]]> = {
          string: ['get', [key]],
          hash: ['hgetall', [key]],
          list: ['lrange', [key, 0, -1]],
          set: ['smembers', [key]],
          zset: ['zrange', [key, 0, -1]],
          stream: ['xrange', [key, '-', '+']],
        };
        if (read[type]) texts.push(JSON.stringify(await redis.call(read[type][0], read[type][1])));
      }
    } while (cursor !== '0');
    return texts.join('\n');
  } finally {
    await queue.close();
  }
}

/** Empties Redis between tests. */
export async function flushRedis(url: string): Promise<void> {
  const queue = await PipeQueue.connect(url);
  try {
    await queue.redis.call('flushall', []);
  } finally {
    await queue.close();
  }
}

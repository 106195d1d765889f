/** The `--redis` flag every queue command takes, and opening the queue it names. */
import { Flags } from '@oclif/core';
import type { Redactor } from '@pipe/core';
import { PipeQueue, redisUrlSecrets, resolveRedisUrl } from '@pipe/queue';

export const redisFlag = Flags.string({
  helpValue: 'URL',
  description: "Redis URL of the queue, e.g. redis://queue.internal:6379 (default: PIPE_REDIS_URL, then the pipeline file's queue.redis).",
});

/** Opens the queue at `--redis`, PIPE_REDIS_URL or the file's `queue.redis`; the URL's password joins the secrets. */
export async function openQueue(flag: string | undefined, redactor: Redactor, fileUrl?: string): Promise<PipeQueue> {
  const url = resolveRedisUrl({ flag, env: process.env.PIPE_REDIS_URL, file: fileUrl });
  for (const secret of redisUrlSecrets(url)) redactor.add(secret);
  return PipeQueue.connect(url);
}

/** Resolves on the first SIGINT or SIGTERM; `again` is called on each later one. */
export function untilSignal(again?: (signal: NodeJS.Signals) => void): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    let first = true;
    const onSignal = (signal: NodeJS.Signals) => {
      if (first) {
        first = false;
        resolve(signal);
      } else {
        again?.(signal);
      }
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
  });
}

/**
 * A queued run's state in Redis, beside BullMQ's jobs: its plan (the file's text, the selected
 * pipelines with their needs and retries) and each pipeline's outcome once it has ended, redacted
 * by the worker that ran it. The first outcome recorded stands, so a job that runs again after a
 * crash cannot change what the run already reported. Runs expire after RUN_TTL_MS.
 */
import { createHash } from 'node:crypto';
import { resolve } from 'node:path';
import type { PipelineOutcome } from '@pipe/core/engine';
import type { RunPlan } from './job-data';
import { KEY_PREFIX } from './pipe-queue';
import type { RedisCommands } from './redis-commands';

export const RUN_TTL_MS = 30 * 24 * 3600 * 1000;

const runKey = (runId: string) => `${KEY_PREFIX}:run:${runId}`;
/** The last run of a file, by its absolute path, for `--only-failed`. */
const lastRunKey = (file: string) => `${KEY_PREFIX}:last-run:${createHash('sha256').update(resolve(file)).digest('hex').slice(0, 16)}`;

export class RunStore {
  constructor(private readonly redis: RedisCommands) {}

  async create(plan: RunPlan): Promise<void> {
    await this.redis.call('hset', [runKey(plan.runId), 'plan', JSON.stringify(plan)]);
    await this.redis.call('pexpire', [runKey(plan.runId), RUN_TTL_MS]);
    await this.redis.call('set', [lastRunKey(plan.file), plan.runId, 'PX', RUN_TTL_MS]);
  }

  async plan(runId: string): Promise<RunPlan | undefined> {
    const json = await this.redis.call<string | null>('hget', [runKey(runId), 'plan']);
    return json ? (JSON.parse(json) as RunPlan) : undefined;
  }

  /** Outcomes recorded so far, by pipeline. */
  async outcomes(runId: string): Promise<Map<string, PipelineOutcome>> {
    return (await this.progress(runId)).outcomes;
  }

  /** Which pipelines have started (on some worker) and which have ended, with their outcomes. */
  async progress(runId: string): Promise<{ started: Set<string>; outcomes: Map<string, PipelineOutcome> }> {
    const reply = await this.redis.call<string[] | Record<string, string>>('hgetall', [runKey(runId)]);
    // Through runCommand, HGETALL comes as [field, value, ...] or as an object, depending on the client's reply transform.
    const entries: [string, string][] = Array.isArray(reply) ? pairs(reply) : Object.entries(reply);
    const started = new Set<string>();
    const outcomes = new Map<string, PipelineOutcome>();
    for (const [field, value] of entries) {
      if (field.startsWith('outcome:')) outcomes.set(field.slice('outcome:'.length), JSON.parse(value) as PipelineOutcome);
      else if (field.startsWith('started:')) started.add(field.slice('started:'.length));
    }
    return { started, outcomes };
  }

  /** When the pipeline first started in this run (across restarts and retries), in epoch ms. */
  async markStarted(runId: string, pipeline: string): Promise<number> {
    await this.redis.call('hsetnx', [runKey(runId), `started:${pipeline}`, Date.now()]);
    return Number(await this.redis.call<string>('hget', [runKey(runId), `started:${pipeline}`]));
  }

  /** Records a pipeline's outcome unless one is already there; says whether this one was kept. */
  async record(runId: string, outcome: PipelineOutcome): Promise<boolean> {
    return (await this.redis.call<number>('hsetnx', [runKey(runId), `outcome:${outcome.name}`, JSON.stringify(outcome)])) === 1;
  }

  async lastRunId(file: string): Promise<string | undefined> {
    return (await this.redis.call<string | null>('get', [lastRunKey(file)])) ?? undefined;
  }
}

function pairs(flat: readonly string[]): [string, string][] {
  const out: [string, string][] = [];
  for (let i = 0; i + 1 < flat.length; i += 2) out.push([flat[i], flat[i + 1]]);
  return out;
}

/**
 * Repeatable runs through BullMQ's own job schedulers: Redis holds the cron pattern and the next
 * time, and whichever worker is free when it comes starts the run. No machine needs cron.
 * One schedule per pipeline file (and selection): scheduling the same file again replaces it.
 */
import { createHash } from 'node:crypto';
import { basename } from 'node:path';
import { ExitCode, PipeError, errorMessage } from '@pipe/core';
import type { ScheduledRunJobData } from './job-data';
import type { PipeQueue } from './pipe-queue';

export interface ScheduleRequest {
  readonly file: string;
  readonly text: string;
  readonly cron: string;
  readonly tz?: string;
  readonly only?: readonly string[];
}

export interface ScheduleInfo {
  readonly id: string;
  readonly file: string;
  readonly cron: string;
  readonly tz?: string;
  readonly pipelines?: readonly string[];
  /** Next run, ISO 8601. */
  readonly next?: string;
}

/** `nightly.yml-1a2b3c4d`: readable, and apart from another file of the same name elsewhere. */
export function scheduleId(file: string, only?: readonly string[]): string {
  const hash = createHash('sha256')
    .update(JSON.stringify([file, [...(only ?? [])].sort()]))
    .digest('hex')
    .slice(0, 8);
  return `${basename(file).replace(/[^A-Za-z0-9_.-]/g, '_')}-${hash}`;
}

export async function upsertSchedule(queue: PipeQueue, request: ScheduleRequest): Promise<ScheduleInfo> {
  checkTimeZone(request.tz);
  const id = scheduleId(request.file, request.only);
  const data: ScheduledRunJobData = { kind: 'run', file: request.file, text: request.text, only: request.only?.length ? request.only : undefined };
  try {
    await queue.queue.upsertJobScheduler(id, { pattern: request.cron, tz: request.tz }, { name: `run ${basename(request.file)}`, data });
  } catch (error) {
    throw new PipeError(`--cron "${request.cron}" is not a cron expression pipe can use (${errorMessage(error)}); e.g. "0 2 * * *" for 02:00 every day`, {
      code: 'BAD_CRON',
      exitCode: ExitCode.Usage,
    });
  }
  return (await listSchedules(queue)).find((s) => s.id === id)!;
}

export async function listSchedules(queue: PipeQueue): Promise<ScheduleInfo[]> {
  const schedulers = await queue.queue.getJobSchedulers(0, -1, true);
  return schedulers.map((s) => {
    const data = s.template?.data as ScheduledRunJobData | undefined;
    return {
      id: s.key,
      file: data?.file ?? '?',
      cron: s.pattern ?? `every ${s.every} ms`,
      tz: s.tz ?? undefined,
      pipelines: data?.only,
      next: s.next ? new Date(s.next).toISOString() : undefined,
    };
  });
}

export async function removeSchedule(queue: PipeQueue, id: string): Promise<void> {
  if (!(await queue.queue.removeJobScheduler(id))) {
    const known = (await listSchedules(queue)).map((s) => s.id);
    throw new PipeError(`no schedule "${id}"; ${known.length ? `schedules: ${known.join(', ')}` : 'there are none'} (pipe schedule list)`, {
      code: 'NO_SCHEDULE',
      exitCode: ExitCode.Usage,
    });
  }
}

function checkTimeZone(tz: string | undefined): void {
  if (tz === undefined) return;
  try {
    new Intl.DateTimeFormat('en', { timeZone: tz });
  } catch {
    throw new PipeError(`--tz "${tz}" is not a time zone; use an IANA name such as Europe/Zurich or America/New_York`, {
      code: 'BAD_TZ',
      exitCode: ExitCode.Usage,
    });
  }
}

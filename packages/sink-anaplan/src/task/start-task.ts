/**
 * Starting a task once. `POST …/tasks` carries no idempotency key, so when its answer is lost (a
 * reset or timeout after Anaplan accepted it, a 5xx from a gateway in front of it), sending it
 * again could run the import twice. So the tasks that exist are listed before the start; after a
 * failed start the list is read again, and a task that was not there before is the one just
 * started: it is followed instead of starting another. Only when none appeared is the start sent
 * again, under the usual retry policy. If the list cannot be read, the run fails rather than risk
 * a second import.
 */
import type { Logger } from '@pipe/core';
import { AnaplanError } from '../errors';
import type { AnaplanApi } from '../http/anaplan-api';
import { listAll } from '../http/paged-list';
import { describeFailure, retryDecision, withRetries } from '../http/transport';
import type { TaskAnswer } from './task-result';

/** An entry of the task list. */
interface TaskSummary {
  readonly taskId: string;
}

/** Start the task at `tasksPath` (`…/imports/{id}/tasks`) with `body`; returns its id. */
export async function startTaskOnce(api: AnaplanApi, tasksPath: string, body: unknown, what: string, log: Logger): Promise<string> {
  const before = new Set((await listTasks(api, tasksPath)).map((t) => t.taskId));
  return withRetries(api.transport, async () => {
    let answer: TaskAnswer;
    try {
      answer = await api.jsonOnce<TaskAnswer>('POST', tasksPath, body);
    } catch (error) {
      if (!retryDecision(error).retry) throw error;
      const started = await taskStartedAnyway(api, tasksPath, before, what, error);
      if (started === undefined) throw error; // nothing started: the retry policy sends it again
      log.warn(`the answer to starting the ${what} was lost (${describeFailure(error)}), but Anaplan started task ${started}; following it`);
      return started;
    }
    const taskId = answer.task?.taskId ?? answer.taskId;
    if (!taskId) throw new AnaplanError(`Anaplan started the ${what} but returned no task id`);
    return taskId;
  });
}

async function taskStartedAnyway(api: AnaplanApi, tasksPath: string, before: ReadonlySet<string>, what: string, cause: unknown): Promise<string | undefined> {
  let tasks: TaskSummary[];
  try {
    tasks = await listTasks(api, tasksPath);
  } catch (error) {
    throw new AnaplanError(
      `starting the ${what} failed (${describeFailure(cause)}) and the task list could not be read to see whether it started anyway ` +
        `(${describeFailure(error)}); it was not started again, so that it cannot run twice`,
    );
  }
  const fresh = tasks.filter((t) => !before.has(t.taskId));
  if (fresh.length > 1) {
    throw new AnaplanError(
      `starting the ${what} failed (${describeFailure(cause)}) and meanwhile ${fresh.length} tasks were started (${fresh.map((t) => t.taskId).join(', ')}); ` +
        'pipe cannot tell which one is its own, so it did not start another',
    );
  }
  return fresh[0]?.taskId;
}

function listTasks(api: AnaplanApi, tasksPath: string): Promise<TaskSummary[]> {
  return listAll<TaskSummary>(api, tasksPath, 'tasks');
}

/**
 * Runs an import or a process and waits for its real outcome:
 *
 *   POST {imports|processes}/{id}/tasks {"localeName":…, "mappingParameters":[…]}   once (start-task.ts)
 *   GET  …/tasks/{taskId}     every pollIntervalMs until COMPLETE or CANCELLED
 *   GET  …/dump[s]…           the failure dump, saved to the run directory, when available
 *
 * Ctrl-C (the run's signal) while the task runs cancels it in Anaplan (DELETE …/tasks/{taskId})
 * before the error goes on, so an interrupted run does not leave an import going.
 */
import { errorMessage, sleep, type Logger, type ProgressReporter } from '@pipe/core';
import { AnaplanError } from '../errors';
import type { AnaplanApi } from '../http/anaplan-api';
import type { MappingParameters } from '../config';
import type { AnaplanObject } from '../model/name-resolver';
import { downloadFailureDump, dumpFileName } from './failure-dump';
import { startTaskOnce } from './start-task';
import { isTerminal, rowCounts, resultMessages, type RowCounts, type Task, type TaskAnswer, type TaskResult } from './task-result';

export type TaskKind = 'import' | 'process';

export interface TaskRunOptions {
  readonly api: AnaplanApi;
  readonly modelPath: string;
  readonly kind: TaskKind;
  readonly action: AnaplanObject;
  readonly localeName: string;
  readonly mappingParameters?: MappingParameters;
  readonly pollIntervalMs: number;
  readonly signal: AbortSignal;
  readonly runDir: string;
  readonly log: Logger;
  /** Told the task's state while it runs (`importing: task IN_PROGRESS`), so progress says what it waits on. */
  readonly progress: ProgressReporter;
}

export interface TaskOutcome {
  readonly kind: TaskKind;
  readonly actionId: string;
  readonly actionName: string;
  readonly taskId: string;
  readonly taskState: Task['taskState'];
  readonly successful: boolean;
  readonly rows?: RowCounts;
  readonly messages: readonly string[];
  /** Files the failure dumps were saved to. */
  readonly failureDumps: readonly string[];
  /** Why a dump Anaplan announced could not be saved. */
  readonly dumpErrors: readonly string[];
}

/** What the progress line says while a task of each kind runs. */
const PHASE: Record<TaskKind, string> = { import: 'importing', process: 'running process' };

/** Time allowed to cancel a task after Ctrl-C (the run's signal is already aborted then). */
const CANCEL_TIMEOUT_MS = 15_000;

export async function runTask(options: TaskRunOptions): Promise<TaskOutcome> {
  const { api, kind, action } = options;
  const tasksPath = `${options.modelPath}/${kind === 'import' ? 'imports' : 'processes'}/${action.id}/tasks`;
  // Anaplan wants localeName before mappingParameters; JSON.stringify keeps insertion order.
  const body = options.mappingParameters?.length
    ? { localeName: options.localeName, mappingParameters: options.mappingParameters }
    : { localeName: options.localeName };
  const taskId = await startTaskOnce(api, tasksPath, body, `${kind} ${action.id}`, options.log);
  options.log.info(`Anaplan ${kind} "${action.name}" started, task ${taskId}`);

  let task: Task;
  options.progress.phase(`${PHASE[kind]}: task started`);
  try {
    task = await pollUntilDone(api, `${tasksPath}/${taskId}`, options);
  } catch (error) {
    if (options.signal.aborted) await cancelTask(api, `${tasksPath}/${taskId}`, options.log);
    throw error;
  } finally {
    options.progress.phase(undefined);
  }

  const result = task.result;
  const dumps = await saveDumps(options, taskId, result);
  return {
    kind,
    actionId: action.id,
    actionName: action.name,
    taskId,
    taskState: task.taskState,
    successful: task.taskState === 'COMPLETE' && result?.successful === true,
    rows: rowCounts(result),
    messages: resultMessages(result),
    failureDumps: dumps.saved,
    dumpErrors: dumps.errors,
  };
}

async function pollUntilDone(api: AnaplanApi, taskPath: string, options: TaskRunOptions): Promise<Task> {
  for (;;) {
    await sleep(options.pollIntervalMs, options.signal);
    const answer = await api.json<TaskAnswer>('GET', taskPath);
    const task = answer.task;
    if (!task) throw new AnaplanError(`Anaplan answered the task status call without a task (${taskPath})`);
    const state = `${task.taskState}${task.currentStep ? ` (${task.currentStep})` : ''}`;
    options.log.debug(`task ${task.taskId}: ${state}`);
    options.progress.phase(`${PHASE[options.kind]}: task ${state}`);
    if (isTerminal(task.taskState)) return task;
  }
}

async function cancelTask(api: AnaplanApi, taskPath: string, log: Logger): Promise<void> {
  try {
    await api.send({ method: 'DELETE', path: taskPath, signal: AbortSignal.timeout(CANCEL_TIMEOUT_MS) });
    log.warn(`interrupted: the Anaplan task was cancelled (DELETE ${taskPath})`);
  } catch (error) {
    log.error(`interrupted, and cancelling the Anaplan task failed: ${errorMessage(error)}; it may still be running`);
  }
}

async function saveDumps(options: TaskRunOptions, taskId: string, result: TaskResult | undefined): Promise<{ saved: string[]; errors: string[] }> {
  const saved: string[] = [];
  const errors: string[] = [];
  if (!result) return { saved, errors };
  const base = `${options.modelPath}/${options.kind === 'import' ? 'imports' : 'processes'}/${options.action.id}/tasks/${taskId}`;
  const wanted: { path: string; objectId: string }[] = [];
  if (options.kind === 'import') {
    if (result.failureDumpAvailable) wanted.push({ path: `${base}/dump`, objectId: options.action.id });
  } else {
    for (const nested of result.nestedResults ?? []) {
      if (nested.failureDumpAvailable && nested.objectId) wanted.push({ path: `${base}/dumps/${nested.objectId}`, objectId: nested.objectId });
    }
  }
  for (const dump of wanted) {
    try {
      saved.push(await downloadFailureDump(options.api, dump.path, options.runDir, dumpFileName(dump.objectId, taskId)));
    } catch (error) {
      errors.push(`failure dump of ${dump.objectId}: ${errorMessage(error)}`);
    }
  }
  return { saved, errors };
}

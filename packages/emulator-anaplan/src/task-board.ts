/**
 * Import and process tasks. A task's state is a function of time since creation, so no timers
 * run: NOT_STARTED for the first 20% of `taskDurationMs`, then IN_PROGRESS (the engine reads
 * the file at that moment), then COMPLETE; `DELETE` moves it to CANCELLING and, after another
 * 20%, to CANCELLED with its changes rolled back (no result).
 */
import { randomBytes } from 'node:crypto';
import type { FailureDumps } from './failure-dumps';
import type { ImportRunResult } from './import-engine';

export type TaskState = 'NOT_STARTED' | 'IN_PROGRESS' | 'COMPLETE' | 'CANCELLING' | 'CANCELLED';

export interface TaskResultJson extends ImportRunResult {
  nestedResults?: ImportRunResult[];
}

export interface TaskOutcome {
  result: TaskResultJson;
  /** Failure dumps by object id (the import id; for processes each nested import id). */
  dumps: Map<string, Buffer>;
}

export interface TaskRecord {
  taskId: string;
  kind: 'import' | 'process';
  /** `workspaceId/modelId/kind/actionId`. */
  scope: string;
  objectName: string;
  userId: string;
  creationTime: number;
  localeName: string;
  mappingParameters?: { entityType: string; entityName: string }[];
  cancelRequestedAt?: number;
  /** Computed when the task starts running. */
  outcome?: TaskOutcome;
  /** Set when COMPLETE was first observed and the dumps became current. */
  committed: boolean;
  evaluate: () => TaskOutcome;
}

/** A task start as the emulator received it, for tests that check what a client sent. */
export interface TaskStart {
  readonly kind: 'import' | 'process';
  /** `workspaceId/modelId/kind/actionId`. */
  readonly scope: string;
  readonly localeName: string;
  readonly mappingParameters?: readonly { entityType: string; entityName: string }[];
}

export class TaskBoard {
  private readonly tasks = new Map<string, TaskRecord[]>();

  constructor(
    private readonly durationMs: number,
    private readonly dumps: FailureDumps,
  ) {}

  create(init: Omit<TaskRecord, 'taskId' | 'creationTime' | 'committed'>): TaskRecord {
    const task: TaskRecord = {
      ...init,
      taskId: randomBytes(16).toString('hex').toUpperCase(),
      creationTime: Date.now(),
      committed: false,
    };
    const list = this.tasks.get(task.scope) ?? [];
    list.push(task);
    this.tasks.set(task.scope, list);
    return task;
  }

  list(scope: string): TaskRecord[] {
    return [...(this.tasks.get(scope) ?? [])];
  }

  /** What every task start asked for, oldest first: the action and the body's locale and mapping answers. */
  starts(): TaskStart[] {
    return [...this.tasks.values()]
      .flat()
      .sort((a, b) => a.creationTime - b.creationTime)
      .map((task) => ({
        kind: task.kind,
        scope: task.scope,
        localeName: task.localeName,
        ...(task.mappingParameters === undefined ? {} : { mappingParameters: task.mappingParameters }),
      }));
  }

  get(scope: string, taskId: string): TaskRecord | undefined {
    return this.tasks.get(scope)?.find((t) => t.taskId === taskId);
  }

  /** Current state; also runs the engine and commits dumps when their moment has passed. */
  observe(task: TaskRecord, now = Date.now()): TaskState {
    const startAt = task.creationTime + Math.round(this.durationMs * 0.2);
    const completeAt = task.creationTime + this.durationMs;
    if (task.cancelRequestedAt !== undefined) {
      return now < task.cancelRequestedAt + Math.round(this.durationMs * 0.2) ? 'CANCELLING' : 'CANCELLED';
    }
    if (now < startAt) return 'NOT_STARTED';
    task.outcome ??= task.evaluate();
    if (now < completeAt) return 'IN_PROGRESS';
    if (!task.committed) {
      task.committed = true;
      this.dumps.replace(dumpKey(task), task.taskId);
    }
    return 'COMPLETE';
  }

  /** `DELETE …/tasks/{id}`: a finished task is left as it is (Guess: the real answer is undocumented). */
  cancel(task: TaskRecord, now = Date.now()): TaskState {
    const state = this.observe(task, now);
    if (state === 'NOT_STARTED' || state === 'IN_PROGRESS') {
      task.cancelRequestedAt = now;
      delete task.outcome; // rolled back
      return this.observe(task, now);
    }
    return state;
  }

  /** The failure dump for `objectId`, or why there is none. */
  dump(task: TaskRecord, objectId: string, now = Date.now()): Buffer | 'not-ready' | 'none' | 'replaced' {
    if (this.observe(task, now) !== 'COMPLETE' || task.outcome === undefined) return 'not-ready';
    const data = task.outcome.dumps.get(objectId);
    if (data === undefined) return 'none';
    if (task.kind === 'import' && !this.dumps.isCurrent(dumpKey(task), task.taskId)) return 'replaced';
    return data;
  }

  toJson(task: TaskRecord, now = Date.now()): Record<string, unknown> {
    const state = this.observe(task, now);
    const json: Record<string, unknown> = {
      taskId: task.taskId,
      taskState: state,
      creationTime: task.creationTime,
      progress: this.progress(task, state, now),
      currentStep: stepText(state, task.objectName),
    };
    if (state === 'COMPLETE' && task.outcome !== undefined) json['result'] = task.outcome.result;
    return json;
  }

  summaryJson(task: TaskRecord, now = Date.now()): Record<string, unknown> {
    return { taskId: task.taskId, taskState: this.observe(task, now), creationTime: task.creationTime };
  }

  private progress(task: TaskRecord, state: TaskState, now: number): number {
    if (state === 'COMPLETE') return 1;
    if (state !== 'IN_PROGRESS') return 0;
    const startAt = task.creationTime + this.durationMs * 0.2;
    const span = Math.max(1, this.durationMs * 0.8);
    return Math.min(0.99, Math.round(((now - startAt) / span) * 100) / 100);
  }
}

function dumpKey(task: TaskRecord): string {
  return `${task.userId}|${task.scope}`;
}

function stepText(state: TaskState, objectName: string): string {
  switch (state) {
    case 'NOT_STARTED':
      return 'Waiting to start.';
    case 'IN_PROGRESS':
      return `Running ${objectName}.`;
    case 'COMPLETE':
      return 'Complete.';
    case 'CANCELLING':
      return 'Cancelling.';
    case 'CANCELLED':
      return 'Cancelled.';
  }
}

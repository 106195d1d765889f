/**
 * Reading an Anaplan task's outcome. Success is `result.successful`, never the HTTP status or
 * `taskState` (COMPLETE means "done, either successfully or not"). Row counts come from
 * `result.details[].values`, a flat key/value list such as
 * ["successRowCount","90","failedCount","0","ignoredCount","5","totalRowCount","95", ...].
 */

export type TaskState = 'NOT_STARTED' | 'IN_PROGRESS' | 'COMPLETE' | 'CANCELLING' | 'CANCELLED';

export interface TaskDetail {
  readonly localMessageText?: string;
  readonly type?: string;
  readonly occurrences?: number;
  readonly values?: readonly string[];
}

export interface TaskResult {
  readonly successful?: boolean;
  readonly failureDumpAvailable?: boolean;
  readonly objectId?: string;
  readonly objectName?: string;
  readonly details?: readonly TaskDetail[];
  /** Processes: one result per action they ran. */
  readonly nestedResults?: readonly TaskResult[];
}

export interface Task {
  readonly taskId: string;
  readonly taskState: TaskState;
  readonly currentStep?: string;
  readonly progress?: number;
  readonly result?: TaskResult;
}

/** What the task calls answer: the task in its envelope, or (some endpoints) flat `{"taskId": …}`. */
export interface TaskAnswer {
  readonly task?: Task;
  readonly taskId?: string;
}

export interface RowCounts {
  processed: number;
  succeeded: number;
  failed: number;
  ignored: number;
}

const COUNT_KEYS: Record<string, keyof RowCounts> = {
  totalRowCount: 'processed',
  successRowCount: 'succeeded',
  failedCount: 'failed',
  ignoredCount: 'ignored',
};

export function isTerminal(state: TaskState): boolean {
  return state === 'COMPLETE' || state === 'CANCELLED';
}

/** Row counts summed over the result (and nested results); undefined when Anaplan gave none. */
export function rowCounts(result: TaskResult | undefined): RowCounts | undefined {
  if (!result) return undefined;
  const totals: RowCounts = { processed: 0, succeeded: 0, failed: 0, ignored: 0 };
  let found = false;
  const visit = (r: TaskResult) => {
    for (const detail of r.details ?? []) {
      const values = detail.values ?? [];
      for (let i = 0; i + 1 < values.length; i += 2) {
        const key = COUNT_KEYS[values[i]];
        const n = Number(values[i + 1]);
        if (key && Number.isFinite(n)) {
          totals[key] += n;
          found = true;
        }
      }
    }
    for (const nested of r.nestedResults ?? []) visit(nested);
  };
  visit(result);
  return found ? totals : undefined;
}

/** Anaplan's own sentences about the result ("Opportunities: 90 (0/90) rows successful, 5 ignored"). */
export function resultMessages(result: TaskResult | undefined): string[] {
  if (!result) return [];
  const messages: string[] = [];
  const visit = (r: TaskResult) => {
    for (const d of r.details ?? []) if (d.localMessageText?.trim()) messages.push(d.localMessageText.trim());
    for (const nested of r.nestedResults ?? []) visit(nested);
  };
  visit(result);
  return messages;
}

/** `failedNote` follows the failed count, e.g. ` (accepted: at most 50)`. */
export function describeCounts(counts: RowCounts | undefined, failedNote = ''): string {
  if (!counts) return 'no row counts reported';
  return `${counts.processed} rows processed, ${counts.succeeded} succeeded, ${counts.failed} failed${failedNote}, ${counts.ignored} ignored`;
}

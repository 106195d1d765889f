/**
 * Whether a finished import or process fails the pipeline. Failed rows fail it, whatever
 * `result.successful` says (Anaplan can call an import that loaded most rows successful), unless
 * the sink's `acceptFailedRows` allows that many: a count, or a share of the rows processed. With
 * no failed row, Anaplan's verdict decides (a missing source file, a cancelled task).
 */
import { FAILED_ROWS_SHARE, type AnaplanSinkConfig } from '../config';
import type { TaskOutcome } from './task-runner';

export type FailedRowsSetting = AnaplanSinkConfig['acceptFailedRows'];

/** How many failed rows `acceptFailedRows` allows for `processed` rows, and how to say it. */
export interface FailedRowsAllowance {
  readonly allowed: number;
  /** `at most 50`, `at most 0.5% of 20170 rows (100)`. */
  readonly text: string;
}

export function failedRowsAllowance(setting: FailedRowsSetting, processed: number): FailedRowsAllowance {
  if (typeof setting === 'number') return { allowed: setting, text: `at most ${setting}` };
  const percent = Number(FAILED_ROWS_SHARE.exec(setting)?.[1] ?? 0);
  const allowed = Math.floor((processed * percent) / 100);
  return { allowed, text: `at most ${setting} of ${processed} rows (${allowed})` };
}

export type TaskVerdict =
  /** `accepted`: some rows failed, within `acceptFailedRows`. */
  | { readonly ok: true; readonly accepted?: FailedRowsAllowance }
  /** `what`: what happened, for the error (`failed`, `was cancelled …`); `allowance`: when failed rows decided it. */
  | { readonly ok: false; readonly what: string; readonly allowance?: FailedRowsAllowance };

export function judgeTask(outcome: TaskOutcome, setting: FailedRowsSetting): TaskVerdict {
  if (outcome.taskState === 'CANCELLED') return { ok: false, what: 'was cancelled (changes rolled back)' };
  const rows = outcome.rows;
  if (rows && rows.failed > 0) {
    const allowance = failedRowsAllowance(setting, rows.processed);
    if (rows.failed <= allowance.allowed) return { ok: true, accepted: allowance };
    return { ok: false, what: outcome.successful ? 'completed with failed rows' : 'failed', allowance };
  }
  return outcome.successful ? { ok: true } : { ok: false, what: 'failed' };
}

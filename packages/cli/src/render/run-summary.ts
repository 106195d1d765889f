/** The run summary people read in the morning: one row per pipeline, then what each produced. */
import type { PipelineOutcome, RunOutcome } from '@pipe/core/engine';
import { formatBytes, formatDuration, table } from './format';

const STATUS_MARK: Record<PipelineOutcome['status'], string> = {
  succeeded: 'ok',
  failed: 'FAILED',
  skipped: 'skipped',
  interrupted: 'interrupted',
};

/** Retries add up across plugins; chunks are counted by each stage that sees them, so take the most. */
function counter(outcome: PipelineOutcome, key: 'chunks' | 'retries'): number {
  const values = Object.values(outcome.progress).map((c) => c[key]);
  return key === 'retries' ? values.reduce((n, v) => n + v, 0) : Math.max(0, ...values);
}

function rowsOf(outcome: PipelineOutcome): string {
  const rows = outcome.documents.reduce<number | undefined>((n, d) => (d.rows === undefined ? n : (n ?? 0) + d.rows), undefined);
  return rows === undefined ? '-' : String(rows);
}

export function renderRunSummary(run: RunOutcome): string {
  const header = ['PIPELINE', 'STATUS', 'ROWS', 'BYTES', 'CHUNKS', 'RETRIES', 'DURATION'];
  const rows = run.pipelines.map((p) => [
    p.name,
    STATUS_MARK[p.status],
    rowsOf(p),
    p.status === 'skipped' ? '-' : formatBytes(p.bytes),
    String(counter(p, 'chunks')),
    String(counter(p, 'retries')),
    formatDuration(p.durationMs),
  ]);
  const lines = [table(header, rows), ''];
  for (const p of run.pipelines) {
    const details: string[] = [];
    // Sinks say what people need in `outputs`; their `details` are for --json.
    for (const output of p.sink?.outputs ?? []) details.push(`  -> ${output}`);
    // What plugins said about how they ran, e.g. what `concurrency: auto` settled on.
    for (const [plugin, counts] of Object.entries(p.progress)) {
      if (counts.facts)
        details.push(
          `  ${plugin}: ${Object.entries(counts.facts)
            .map(([k, v]) => `${k} ${v}`)
            .join(', ')}`,
        );
    }
    for (const d of p.documents.filter((doc) => doc.status !== 'succeeded')) details.push(`  document ${d.name}: ${d.status}${d.error ? ` (${d.error})` : ''}`);
    if (p.error) details.push(`  error: ${p.error}`);
    if (details.length) lines.push(`${p.name}:`, ...details);
  }
  if (run.error) lines.push(`error: ${run.error}`);
  const verdict =
    run.status === 'succeeded'
      ? `${run.pipelines.length === 1 ? 'The pipeline' : `All ${run.pipelines.length} pipelines`} succeeded`
      : run.status === 'interrupted'
        ? 'Run interrupted'
        : `${run.pipelines.filter((p) => p.status !== 'succeeded').length} of ${run.pipelines.length} pipelines did not succeed`;
  lines.push(`${verdict} in ${formatDuration(run.durationMs)} (run ${run.runId}).`);
  return lines.join('\n');
}

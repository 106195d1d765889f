/**
 * `--summary FILE`: the run summary as CSV, one row per pipeline, or one per document for sources
 * that produce several (each report of a many-reports download), like the summary the report
 * downloader people use today writes back to its list.
 */
import { stringify } from 'csv-stringify/sync';
import type { PipelineOutcome, RunOutcome } from '@pipe/core/engine';
import { durationSeconds } from './format';

const COLUMNS = ['run_id', 'pipeline', 'document', 'status', 'rows', 'bytes', 'chunks', 'retries', 'duration_s', 'outputs', 'error'];

function most(p: PipelineOutcome, key: 'chunks' | 'retries'): number {
  const values = Object.values(p.progress).map((c) => c[key]);
  return key === 'retries' ? values.reduce((a, b) => a + b, 0) : Math.max(0, ...values);
}

export function summaryCsv(run: RunOutcome): string {
  const rows: (string | number)[][] = [];
  for (const p of run.pipelines) {
    const base = [run.runId, p.name];
    // A pipeline row has the pipeline's duration, a document row the document's (see format.ts).
    const duration = durationSeconds(p.durationMs);
    if (p.documents.length > 1) {
      for (const d of p.documents) {
        const own = d.durationMs === undefined ? '' : durationSeconds(d.durationMs);
        rows.push([...base, d.name, d.status, d.rows ?? '', d.bytes, '', '', own, (d.outputs ?? []).join(' '), d.error ?? '']);
      }
      continue;
    }
    const d = p.documents[0];
    rows.push([
      ...base,
      d?.name ?? '',
      p.status,
      d?.rows ?? '',
      p.bytes,
      most(p, 'chunks'),
      most(p, 'retries'),
      duration,
      (p.sink?.outputs ?? []).join(' '),
      p.error ?? '',
    ]);
  }
  return stringify([COLUMNS, ...rows]);
}

/** Small formatting helpers for human output. */
import { formatByteSize } from '@pipe/core/byte-size';

/*
 * Durations have one definition in every output (the summary table, --json, the --summary CSV):
 * the milliseconds the engine recorded in the run outcome for the thing a line is about, read as
 * they are, never measured again. A pipeline's `durationMs` runs from its start to its outcome;
 * a document's from its producer's first request (or its first piece) to its end or failure.
 * --json has the milliseconds, the CSV the same value in seconds without rounding (1449 ms is
 * 1.449), and the table rounds them for reading.
 */

/** For people: `850ms`, `1.4s`, `2m05s`. */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${ms}ms`;
  if (ms < 59_950) return `${(ms / 1000).toFixed(1)}s`;
  const seconds = Math.round(ms / 1000);
  return `${Math.floor(seconds / 60)}m${String(seconds % 60).padStart(2, '0')}s`;
}

/** For files: the recorded milliseconds as seconds, exactly (`duration_s * 1000` is `durationMs`). */
export function durationSeconds(ms: number): string {
  return String(ms / 1000);
}

export function formatBytes(bytes: number): string {
  return formatByteSize(bytes);
}

/** Rows as a left-aligned text table. */
export function table(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]) =>
    cells
      .map((c, i) => (c ?? '').padEnd(widths[i]))
      .join('  ')
      .trimEnd();
  return [line(header), ...rows.map(line)].join('\n');
}

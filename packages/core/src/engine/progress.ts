/** Counters for one plugin in one pipeline; the progress display and the run summary read them. */
import type { ProgressDelta, ProgressFact, ProgressReporter } from '../plugin/context';

export interface ProgressCounts {
  bytes: number;
  records: number;
  chunks: number;
  retries: number;
  expectedBytes?: number;
  expectedChunks?: number;
  /** What the plugin is waiting on while no data moves (`ProgressReporter.phase`); absent otherwise. */
  phase?: string;
  /** What the plugin reported about its run (`ProgressReporter.report`); absent when it reported nothing. */
  facts?: Record<string, ProgressFact>;
}

export type ProgressListener = (plugin: string, counts: Readonly<ProgressCounts>) => void;

export class PluginProgress implements ProgressReporter {
  readonly counts: ProgressCounts = { bytes: 0, records: 0, chunks: 0, retries: 0 };

  constructor(
    readonly plugin: string,
    private readonly listener?: ProgressListener,
  ) {}

  add(delta: ProgressDelta): void {
    this.counts.bytes += delta.bytes ?? 0;
    this.counts.records += delta.records ?? 0;
    this.counts.chunks += delta.chunks ?? 0;
    this.counts.retries += delta.retries ?? 0;
    this.listener?.(this.plugin, this.counts);
  }

  expect(totals: { bytes?: number; chunks?: number }): void {
    if (totals.bytes !== undefined) this.counts.expectedBytes = totals.bytes;
    if (totals.chunks !== undefined) this.counts.expectedChunks = totals.chunks;
    this.listener?.(this.plugin, this.counts);
  }

  phase(text: string | undefined): void {
    if (text === undefined) delete this.counts.phase;
    else this.counts.phase = text;
    this.listener?.(this.plugin, this.counts);
  }

  report(facts: Readonly<Record<string, ProgressFact>>): void {
    this.counts.facts = { ...this.counts.facts, ...facts };
  }
}

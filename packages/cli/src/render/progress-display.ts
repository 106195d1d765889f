/**
 * Progress while a run goes. On a TTY: one live line per running pipeline (bytes read, chunks
 * done of total when known, throughput, elapsed, and an ETA from bytes, not item counts); a
 * finished pipeline collapses to one result line. Off a TTY (cron, CI, --json): no animation,
 * a plain line per running pipeline every interval. While a plugin waits with no data moving (an
 * Anaplan import running on the server) the line says what it waits on and for how long, in place
 * of the throughput and ETA, which would only fall.
 */
import type { ProgressCounts } from '@pipe/core';
import type { PipelineOutcome } from '@pipe/core/engine';
import { formatBytes, formatDuration } from './format';

interface Running {
  readonly started: number;
  readonly plugins: Map<string, Readonly<ProgressCounts>>;
  /** Per plugin, the phase under way and when it began; its text may change (the task state) while its name stays. */
  readonly phases: Map<string, { readonly name: string; readonly since: number }>;
}

/** `importing` of `importing: task IN_PROGRESS`: the part that stays while the phase lasts. */
function phaseName(text: string): string {
  const colon = text.indexOf(':');
  return colon < 0 ? text : text.slice(0, colon);
}

export interface ProgressDisplayOptions {
  readonly write: (text: string) => void;
  readonly tty: boolean;
  /** Off a TTY: how often a plain line is printed. */
  readonly intervalMs: number;
  readonly now?: () => number;
}

export class ProgressDisplay {
  private readonly running = new Map<string, Running>();
  private drawn = 0;
  private timer: NodeJS.Timeout | undefined;
  private readonly now: () => number;

  constructor(private readonly options: ProgressDisplayOptions) {
    this.now = options.now ?? Date.now;
  }

  start(): void {
    this.timer = setInterval(() => this.tick(), this.options.tty ? 200 : this.options.intervalMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    if (this.options.tty) this.clear();
  }

  pipelineStarted(name: string): void {
    this.running.set(name, { started: this.now(), plugins: new Map(), phases: new Map() });
    if (!this.options.tty) this.options.write(`${name}: started\n`);
  }

  update(pipeline: string, plugin: string, counts: Readonly<ProgressCounts>): void {
    const run = this.running.get(pipeline);
    if (!run) return;
    run.plugins.set(plugin, { ...counts });
    if (counts.phase === undefined) run.phases.delete(plugin);
    else if (run.phases.get(plugin)?.name !== phaseName(counts.phase)) run.phases.set(plugin, { name: phaseName(counts.phase), since: this.now() });
  }

  pipelineEnded(outcome: PipelineOutcome): void {
    this.running.delete(outcome.name);
    if (this.options.tty) this.clear();
    const detail = outcome.status === 'succeeded' ? `${formatBytes(outcome.bytes)} in ${formatDuration(outcome.durationMs)}` : (outcome.error ?? '');
    this.options.write(`${outcome.name}: ${outcome.status}${detail ? ` - ${detail}` : ''}\n`);
    if (this.options.tty) this.draw();
  }

  /** The progress line of one running pipeline. */
  line(name: string): string {
    const run = this.running.get(name);
    if (!run) return '';
    const entries = [...run.plugins.entries()];
    const source = entries.find(([k]) => k.startsWith('source:'))?.[1];
    const sink = entries.find(([k]) => k.startsWith('sink:'))?.[1];
    const chunker = entries
      .filter(([k]) => k.startsWith('transform:'))
      .map(([, c]) => c)
      .find((c) => c.chunks > 0);
    const elapsedMs = this.now() - run.started;
    const bytes = source?.bytes ?? 0;
    const parts = [`${formatBytes(bytes)} read`];
    const expected = source?.expectedBytes;
    if (expected) parts[0] += ` of ${formatBytes(expected)} (${Math.min(100, Math.floor((bytes / expected) * 100))}%)`;
    const totalChunks = sink?.expectedChunks ?? chunker?.expectedChunks;
    if (sink && sink.chunks > 0) parts.push(`${sink.chunks}${totalChunks ? `/${totalChunks}` : ''} chunks done`);
    else if (chunker) parts.push(`${chunker.chunks} chunks cut`);
    const retries = entries.reduce((n, [, c]) => n + c.retries, 0);
    if (retries) parts.push(`${retries} retries`);
    const phases = entries.flatMap(([plugin, c]) =>
      c.phase === undefined ? [] : [`${c.phase} for ${formatDuration(this.now() - (run.phases.get(plugin)?.since ?? run.started))}`],
    );
    if (phases.length) {
      parts.push(...phases, `elapsed ${formatDuration(elapsedMs)}`);
      return `${name}: ${parts.join(', ')}`;
    }
    const rate = elapsedMs > 0 ? bytes / (elapsedMs / 1000) : 0;
    parts.push(`${formatBytes(Math.round(rate))}/s`);
    parts.push(`elapsed ${formatDuration(elapsedMs)}`);
    if (expected && rate > 0 && bytes < expected) parts.push(`ETA ${formatDuration(Math.round(((expected - bytes) / rate) * 1000))}`);
    return `${name}: ${parts.join(', ')}`;
  }

  private tick(): void {
    if (this.options.tty) {
      this.clear();
      this.draw();
      return;
    }
    for (const name of this.running.keys()) this.options.write(`${this.line(name)}\n`);
  }

  private draw(): void {
    const lines = [...this.running.keys()].map((name) => this.line(name));
    if (lines.length) this.options.write(`${lines.join('\n')}\n`);
    this.drawn = lines.length;
  }

  private clear(): void {
    if (this.drawn > 0) this.options.write(`\x1b[${this.drawn}A\x1b[0J`);
    this.drawn = 0;
  }
}

/**
 * What stops a `pipe run` other than its pipelines ending, and how each keeps the run record true:
 *
 * - SIGINT/SIGTERM: the run is aborted and cleans up (interrupted, exit 130); a second signal
 *   quits at once, writing the record first.
 * - An error no promise catches (a plugin's timer, an unhandled rejection): its pipeline fails with
 *   it, the run stops and cleans up (failed, exit 1). One line names the pipeline and plugin; the
 *   stack goes to the log at debug, so the console shows it only with --verbose.
 * - Plugins all waiting on promises nothing can settle: Node would exit silently with code 0 and no
 *   record. The run is aborted instead; if it still cannot end, the record is written and pipe exits 1.
 */
import type { Logger } from '@pipe/core';
import { ExitCode } from '@pipe/core/errors';
import { watchStrayErrors, type PipelineOutcome, type PipelineStatus, type RunOutcome } from '@pipe/core/engine';

export interface RunWatchOptions {
  readonly runId: string;
  readonly file: string;
  /** The pipelines the run was asked to run. */
  readonly pipelines: readonly string[];
  readonly controller: AbortController;
  readonly log: Logger;
  readonly redact: (text: string) => string;
  /** Writes the record of a run that cannot finish its own, synchronously: the process exits next. */
  readonly saveNow: (record: RunOutcome) => void;
}

/** Why the run stopped early, when nobody asked it to. */
interface Halt {
  readonly message: string;
  /** Pipelines the reason belongs to, whose own outcome does not say it yet. */
  readonly pipelines: readonly string[];
  /** The reason is already a pipeline's error (its plugin threw while it ran). */
  readonly shownByPipeline: boolean;
}

export class RunWatch {
  private readonly started = new Map<string, number>();
  private readonly ended = new Map<string, PipelineOutcome>();
  private readonly runStarted = Date.now();
  private halt: Halt | undefined;
  private signals = 0;
  private stalls = 0;
  private finished = false;

  constructor(private readonly options: RunWatchOptions) {
    // Stays on after the run (see finish): a plugin's timer may still fire while pipe writes its output.
    watchStrayErrors((error, scope) => {
      if (this.finished) {
        // Too late to stop the run; still one line and a failure, not a stack trace.
        process.stderr.write(`${options.redact(error.message)}\n`);
        process.exitCode = ExitCode.Failed;
        return;
      }
      const where = scope ? { pipeline: scope.pipeline, plugin: scope.plugin } : {};
      const running = scope !== undefined && this.isRunning(scope.pipeline);
      const message = `${scope ? `pipeline "${scope.pipeline}", plugin "${scope.plugin}": ` : ''}${error.message}`;
      if (!running) options.log.error(`${message}; stopping the run`, where);
      const cause = error.cause instanceof Error ? error.cause : error;
      options.log.debug('where the error was thrown', { ...where, stack: cause.stack });
      this.stop({ message, pipelines: [], shownByPipeline: running });
    });
    process.on('SIGINT', this.onSignal);
    process.on('SIGTERM', this.onSignal);
    process.on('beforeExit', this.onIdle);
  }

  pipelineStarted(name: string): void {
    this.started.set(name, Date.now());
  }

  pipelineEnded(outcome: PipelineOutcome): void {
    this.ended.set(outcome.name, outcome);
  }

  /** The run's outcome, corrected for what stopped it: a failure, not an interruption. */
  settle(outcome: RunOutcome): RunOutcome {
    const halt = this.halt;
    if (!halt) return outcome;
    return {
      ...outcome,
      status: 'failed',
      exitCode: ExitCode.Failed,
      error: halt.shownByPipeline || halt.pipelines.length > 0 ? undefined : halt.message,
      pipelines: outcome.pipelines.map((p) =>
        halt.pipelines.includes(p.name) && p.status !== 'failed'
          ? { ...p, status: 'failed', error: halt.message, documents: p.documents.map((d) => (d.status === 'interrupted' ? { ...d, status: 'failed' } : d)) }
          : p,
      ),
    };
  }

  /** The record of a run that cannot finish its own: what ended, and every other pipeline as `status`. */
  recordSoFar(status: PipelineStatus, error: string): RunOutcome {
    const now = Date.now();
    return {
      runId: this.options.runId,
      file: this.options.file,
      startedAt: new Date(this.runStarted).toISOString(),
      durationMs: now - this.runStarted,
      status: status === 'interrupted' ? 'interrupted' : 'failed',
      exitCode: status === 'interrupted' ? ExitCode.Interrupted : ExitCode.Failed,
      error,
      pipelines: this.options.pipelines.map(
        (name): PipelineOutcome =>
          this.ended.get(name) ??
          (this.started.has(name)
            ? { name, status, error, durationMs: now - this.started.get(name)!, attempts: 1, bytes: 0, documents: [], progress: {} }
            : { name, status: 'skipped', error: 'the run stopped before it started', durationMs: 0, attempts: 0, bytes: 0, documents: [], progress: {} }),
      ),
    };
  }

  /** The run is over: signals and idleness are Node's business again. */
  finish(): void {
    this.finished = true;
    process.off('SIGINT', this.onSignal);
    process.off('SIGTERM', this.onSignal);
    process.off('beforeExit', this.onIdle);
  }

  private isRunning(name: string): boolean {
    return this.started.has(name) && !this.ended.has(name);
  }

  private stop(halt: Halt): void {
    this.halt ??= halt;
    if (!this.options.controller.signal.aborted) this.options.controller.abort();
  }

  private quitNow(status: PipelineStatus, error: string, exitCode: number): never {
    try {
      this.options.saveNow(this.recordSoFar(status, error));
    } finally {
      process.exit(exitCode);
    }
  }

  private readonly onSignal = (signal: NodeJS.Signals) => {
    if (++this.signals > 1) this.quitNow('interrupted', `stopped at once by a second ${signal}; cleanup did not run`, ExitCode.Interrupted);
    process.stderr.write(`\n${signal}: stopping; cleaning up (press Ctrl-C again to quit at once)\n`);
    this.options.log.warn(`${signal} received; aborting the run`);
    this.options.controller.abort();
  };

  /** Node's event loop ran dry mid-run: nothing left can ever settle what the run awaits. */
  private readonly onIdle = () => {
    const stalled = this.options.pipelines.filter((name) => this.isRunning(name));
    const who = stalled.length ? `pipeline${stalled.length > 1 ? 's' : ''} ${stalled.map((name) => `"${name}"`).join(', ')}` : 'the run';
    const message = `${who} stopped: its plugins wait for something that can never happen (a promise nothing settles)`;
    if (++this.stalls > 1) {
      process.stderr.write(`${message}\n`);
      this.quitNow('failed', message, ExitCode.Failed);
    }
    this.options.log.error(`${message}; stopping the run`);
    this.stop({ message, pipelines: stalled, shownByPipeline: false });
  };
}

/**
 * Loads the two parts of undici that pipe uses, once, on first use, so pipelines without HTTP
 * plugins never pay for them.
 *
 * Only the Agent and its request call are loaded, not the package's entry point: that one also
 * loads fetch, WebSocket, EventSource, the cache stores and the mock agents, about 9 MB of code
 * and heap in every run that never calls them (measured with process.memoryUsage() after
 * loading each). The deep paths are the files undici's own entry point assembles its API from;
 * the lockfile pins the version and the HTTP tests exercise them.
 *
 * undici parses HTTP with llhttp compiled to WebAssembly. V8 first runs it on its baseline
 * compiler (Liftoff), then re-optimises the hot functions with TurboFan on background threads;
 * that tier-up mallocs about 35 MB of compiler memory in the middle of the first transfer and
 * leaves several MB of it resident (measured with v8.getHeapStatistics().peak_malloced_memory:
 * 39 MB with tier-up, 4 MB without). pipe's HTTP bodies are large and its parsing work is only
 * the framing around them, which Liftoff code handles at full speed (`pnpm bench` runs the SFDC
 * download through it), so the tier-up is switched off before the module is first compiled.
 * V8 lists `--liftoff-only` as a testing flag; it changes only which compiler builds WebAssembly
 * code, never what the code does. The flag is process-wide: it applies to any WebAssembly
 * compiled afterwards.
 */
import { setFlagsFromString } from 'node:v8';
import type { Agent, Dispatcher } from 'undici';

export interface Undici {
  readonly Agent: typeof Agent;
  /** `Dispatcher.prototype.request`, to be called with the dispatcher as `this`. */
  readonly request: (this: Dispatcher, options: Dispatcher.RequestOptions) => Promise<Dispatcher.ResponseData>;
}

let undici: Undici | undefined;

export function loadUndici(): Undici {
  if (!undici) {
    setFlagsFromString('--liftoff-only');
    /* eslint-disable @typescript-eslint/no-require-imports */
    undici = {
      Agent: require('undici/lib/dispatcher/agent') as typeof Agent,
      request: require('undici/lib/api/api-request') as Undici['request'],
    };
    /* eslint-enable @typescript-eslint/no-require-imports */
  }
  return undici;
}

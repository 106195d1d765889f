/**
 * Loads undici once, on first use, so pipelines without HTTP plugins never pay for it.
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

type Undici = typeof import('undici');

let undici: Undici | undefined;

export function loadUndici(): Undici {
  if (!undici) {
    setFlagsFromString('--liftoff-only');
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    undici = require('undici') as Undici;
  }
  return undici;
}

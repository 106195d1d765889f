/**
 * V8 heap settings for the `pipe` process, applied by bin/run.js before anything else loads.
 *
 * pipe's data lives outside the JavaScript heap (Buffers), and the heap itself holds little more
 * than the loaded code and a few objects per chunk. V8 nonetheless doubles its young generation
 * each time a scavenge finds much of it alive, which module loading and schema compiling at
 * start-up do several times: it ends near 8 MB per semi-space, about 10 MB resident that the
 * run then hardly uses. Growth factor 1 keeps the young generation at its initial size; on a
 * 500 MB file -> Anaplan run it lowers `pipe run`'s peak RSS by about 12 MB at the same speed
 * (bench/anaplan.js, "pipe run RSS MB").
 *
 * This is the application's choice for its own process, so it lives here and not in the
 * engine: a program that embeds @pipe/core keeps its own heap settings. The flag is read each
 * time V8 would grow the young generation, so setting it at run time takes effect.
 */
/**
 * Only the commands that move data (`pipe run`, and the queue worker that runs pipelines) are
 * tuned: for a command that ends in a moment, the extra scavenges while modules load and loading
 * node:v8 cost more start-up time (about 15 ms of `pipe validate`) than the memory is worth.
 */
const DATA_COMMANDS: ReadonlySet<string> = new Set(['run', 'worker']);

/** Tunes the heap when `command` (the first argument, the command id) moves data. */
export function tuneHeap(command: string | undefined): void {
  if (command === undefined || !DATA_COMMANDS.has(command)) return;
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { setFlagsFromString } = require('node:v8') as typeof import('node:v8');
  setFlagsFromString('--semi-space-growth-factor=1');
}

/** Runs the real `pipe` binary (built by `tsc -b`) and captures what a user would see. */
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';

export const PIPE_BIN = join(__dirname, '..', 'bin', 'run.js');

export interface PipeResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

export function startPipe(args: string[], options: { cwd: string; env?: Record<string, string> }): { child: ChildProcess; done: Promise<PipeResult> } {
  const child = spawn(process.execPath, [PIPE_BIN, ...args], {
    cwd: options.cwd,
    env: { ...process.env, PIPE_HOME: join(options.cwd, '.pipe-home'), ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => (stdout += d));
  child.stderr.on('data', (d) => (stderr += d));
  const done = new Promise<PipeResult>((resolve) => child.on('close', (code) => resolve({ code, stdout, stderr })));
  return { child, done };
}

export function pipe(args: string[], options: { cwd: string; env?: Record<string, string> }): Promise<PipeResult> {
  return startPipe(args, options).done;
}

/** A temp folder holding `files` (path -> content). */
export { project as workspace } from '../../core/test/helpers';

/** A CSV of about `rows` records with quoted multi-line fields, commas and non-ASCII text. */
export function salesCsv(rows: number): string {
  const lines = ['id,account,amount,note'];
  for (let i = 0; i < rows; i++) lines.push(`${i},"Acme ${i}, Zürich",${(i * 7.31).toFixed(2)},"line one\r\nline ""two"""`);
  return lines.join('\n') + '\n';
}

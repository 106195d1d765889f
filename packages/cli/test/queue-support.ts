/** Workers and queue commands through the real `pipe` binary, against a test redis-server. */
import type { ChildProcess } from 'node:child_process';
import { waitFor } from '../../queue/test/support/wait-for';
import { pipe, startPipe, type PipeResult } from './run-pipe';

export interface RunningWorker {
  readonly name: string;
  readonly child: ChildProcess;
  readonly done: Promise<PipeResult>;
  stderr(): string;
}

/** `pipe worker --name NAME`, once it takes jobs. */
export async function startWorker(cwd: string, name: string, env: Record<string, string>, args: string[] = []): Promise<RunningWorker> {
  let stderr = '';
  const { child, done } = startPipe(['worker', '--name', name, ...args], { cwd, env });
  child.stderr!.on('data', (d) => (stderr += d));
  let exited = false;
  void done.then(() => (exited = true));
  await waitFor(() => stderr.includes('taking pipeline jobs') || exited, `worker ${name} to start`);
  if (exited) throw new Error(`worker ${name} did not start:\n${stderr}`);
  return { name, child, done, stderr: () => stderr };
}

export async function stopWorkers(workers: RunningWorker[]): Promise<void> {
  await Promise.all(
    workers.splice(0).map(async (w) => {
      if (w.child.exitCode === null && w.child.signalCode === null) w.child.kill('SIGTERM');
      await w.done;
    }),
  );
}

export interface QueueJob {
  id: string;
  state: string;
  name: string;
  runId?: string;
  worker?: string;
  error?: string;
}

export async function queueJobs(cwd: string, env: Record<string, string>): Promise<QueueJob[]> {
  const result = await pipe(['queue', '--json'], { cwd, env });
  if (result.code !== 0) throw new Error(`pipe queue failed: ${result.stderr}`);
  return JSON.parse(result.stdout).result.jobs as QueueJob[];
}

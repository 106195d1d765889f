import { Flags } from '@oclif/core';
import { ExitCode } from '@pipe/core/errors';
import { startDashboard } from '@pipe/queue';
import { PipeCommand, type CommandOutcome } from '../pipe-command';
import { openQueue, redisFlag, untilSignal } from '../queue-connection';

export default class Dashboard extends PipeCommand<{ url: string }> {
  static override summary = 'Serve a read-only web page of the queue.';
  static override description =
    "bull-board's page of pipe's queue: jobs by state, each with its pipeline, data, progress, worker and error. Read-only: nothing on it retries, removes or cleans jobs. " +
    'It listens on 127.0.0.1 unless --host says otherwise; the page shows job data (file paths and pipeline names, never secrets). Ctrl-C stops it.';
  static override examples = [
    '<%= config.bin %> <%= command.id %> --port 3000',
    '<%= config.bin %> <%= command.id %> --host 0.0.0.0 --port 8080 --redis redis://queue.internal:6379',
  ];

  static override flags = {
    port: Flags.integer({ min: 0, max: 65535, default: 3000, description: 'Port to listen on (0: any free port).' }),
    host: Flags.string({ default: '127.0.0.1', description: 'Address to listen on.' }),
    redis: redisFlag,
  };

  protected async execute(): Promise<CommandOutcome<{ url: string }>> {
    const { flags } = await this.parse(Dashboard);
    const queue = await openQueue(flags.redis, this.redactor);
    try {
      const dashboard = await startDashboard(queue, { port: flags.port, host: flags.host });
      process.stderr.write(`Dashboard of ${queue.server}: ${dashboard.url} (read-only); Ctrl-C stops it\n`);
      await untilSignal();
      await dashboard.close();
      return { result: { url: dashboard.url }, exitCode: ExitCode.Ok };
    } finally {
      await queue.close();
    }
  }

  protected render(): string {
    return 'Dashboard stopped.';
  }
}

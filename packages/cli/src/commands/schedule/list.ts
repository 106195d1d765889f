import { ExitCode } from '@pipe/core/errors';
import { listSchedules, type ScheduleInfo } from '@pipe/queue';
import { PipeCommand, type CommandOutcome } from '../../pipe-command';
import { openQueue, redisFlag } from '../../queue-connection';
import { table } from '../../render/format';

export default class ScheduleList extends PipeCommand<ScheduleInfo[]> {
  static override summary = 'List the schedules on the queue.';
  static override examples = ['<%= config.bin %> <%= command.id %>', '<%= config.bin %> <%= command.id %> --json'];
  static override flags = { redis: redisFlag };

  protected async execute(): Promise<CommandOutcome<ScheduleInfo[]>> {
    const { flags } = await this.parse(ScheduleList);
    const queue = await openQueue(flags.redis, this.redactor);
    try {
      return { result: await listSchedules(queue), exitCode: ExitCode.Ok };
    } finally {
      await queue.close();
    }
  }

  protected render(schedules: ScheduleInfo[]): string {
    if (!schedules.length) return 'No schedules.';
    const rows = schedules.map((s) => [s.id, s.file, s.cron, s.tz ?? '-', s.pipelines?.join(', ') ?? 'all', s.next ?? '-']);
    return table(['ID', 'FILE', 'CRON', 'TZ', 'PIPELINES', 'NEXT'], rows);
  }
}
